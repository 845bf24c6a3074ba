package io.allot.engine.vmem;

import io.allot.Allocation;
import io.allot.Range;
import io.allot.Request;
import io.allot.internal.EngineCore;
import io.allot.internal.Outlined;
import io.allot.internal.Placement;
import io.allot.internal.Unsigned;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

import static io.allot.engine.vmem.Segments.ALLOCATED;
import static io.allot.engine.vmem.Segments.FREE;
import static io.allot.engine.vmem.Segments.NIL;
import static io.allot.engine.vmem.Segments.SENTINEL;
import static io.allot.engine.vmem.Segments.SPAN;

/**
 * The vmem arena: {@link Segments} in one address-ordered list with span markers, free ones on
 * {@link FreeLists}, allocated ones in the {@link AllocationHash}, and three lazily kept indexes
 * ({@link AddressIndex}, {@link SizeIndex}, {@link AllocatedIndex}) for the searches the lists
 * cannot answer. The design,
 * invariants and costs are in {@link VmemEngine}'s class comment; {@link #checkInvariants()}
 * verifies them.
 *
 * <p>Every path that changes a record's type, start or end, or creates or destroys one,
 * {@linkplain #touch touches} it so that the indexes learn of it (the hot carve and free test
 * the awake count themselves); the free-list and hash updates are done in place, two of them
 * late: a list head that shrinks one class stays on its list, marked, and the latest allocation
 * is held beside the hash table ({@link FreeLists}, {@link AllocationHash}), so that V1's
 * allocate/free pair at a list head touches no other record's free-list links and no hash slot.
 * A front carve's allocation goes further: it gets no record until something needs one (the
 * {@linkplain #held held carve}), so that pair creates and destroys no record either; an exact
 * fit's hash entry waits the same way, and instant fit's exact fit does not even leave its list:
 * its segment stays there, empty, until something reads the free space ({@link #heldList}).
 *
 * <p>Measured on V1 (100k blocks, this 2-core VM): the core alone, called in a loop with V1's
 * random sizes (paired in one JVM), costs about 43–46 ns a pair, 51–53 before this round's
 * changes: refiling the carved head and the merged segment knowing what the caller knows
 * ({@link FreeLists#shrinkHead}, {@link FreeLists#grow}: the two generic resizes had cost about
 * 10 ns a pair), the free neighbour's size from one bound, and the exact fit carved and freed
 * inline. A front carve and its free cost about 37 ns, an exact fit and its free about 28; the
 * mix costs more than either, since whether a head fits exactly depends on the random size and
 * the branch that tells them apart mispredicts. Inlining everything (JVM flags) changes nothing:
 * what is left is instructions (bounds read as two {@code int}s, a range check per access) and
 * dependent stores. The held hash entry ({@link AllocationHash}) is worth about 16 ns of it:
 * with every allocation probed into the table, the core costs about 62. The held carve took the
 * record off the pair (2026-12-02, in a phase where everything ran 2–3 times slower, the same core
 * loop alternated): 49–52 ns a pair against 68, a front carve and its free alone 45–46 against
 * 65–78, an exact fit and its free 41–43 against 51–57; V1 through JMH 0.72 of the build before.
 * Instant fit's carve leaving its head's filing for later ({@link #heldList}) took the misfiled
 * mark off that pair too: V1 through JMH 0.88 of the build before (medians of eleven alternated
 * forks, 29.0 ns against 32.8). Instant fit's sized carve then got a path with no call on it
 * ({@link #allocateInstantFitSized}'s guard): C2 had saved about twenty values to the stack on
 * every pair around the settle, growth and index-touch calls that the set-up's profile made real;
 * V1 0.85–0.90 of the build before (alternated forks), 23.4–23.9 ns in quiet forks.
 *
 * <p>Not thread-safe.
 */
final class VmemCore implements EngineCore {

    private static final int INITIAL_RECORDS = 64;

    private final Segments segs = new Segments(INITIAL_RECORDS);
    private final FreeLists lists = new FreeLists(segs);
    private final AllocationHash hash = new AllocationHash(segs);
    private final AddressIndex byAddress = new AddressIndex(segs);
    private final SizeIndex bySize = new SizeIndex(segs);
    private final AllocatedIndex allocations = new AllocatedIndex(segs);

    private long freeSegments;
    /** The largest free segment's size, exact while {@link #largestKnown}. */
    private long largest;
    private boolean largestKnown = true;
    /**
     * A free segment to try before asking the address index where an allocation goes: the one the
     * last search chose (a policy's answer is allocated right after the search that found it), or
     * the remainder of the last split or merge (consecutive reservations, as a snapshot restore
     * makes, continue in it). Only a hint: checked against the record's current type and bounds,
     * so a stale one is harmless.
     */
    private int hint = NIL;

    /**
     * The held carve: the free segment whose front the latest front carve took, while the
     * allocation it made, {@code [heldStart, heldEnd]}, has no record yet; {@link #NIL} when none.
     * The allocation then lies in the gap between that segment and its address predecessor. An
     * exact fit is held too ({@link #heldWhole}): its record exists, its hash entry is late.
     *
     * <p>Why: a record per allocation (created, linked, hashed, then looked up, unlinked and
     * destroyed by its free) was most of what V1's allocate/free pair cost. Held, a free of that
     * allocation before anything else needs its record only gives the segment its front back.
     * After any carve but instant fit's, only the record is late: the segment's bounds, its
     * filing, the free count and the largest free size are the carve's at once. After instant
     * fit's, only the segment's bounds are, and everything that reads the free space files the
     * segment first ({@link #heldList}).
     * {@link #settle()} makes the record, its links and its hash entry when something needs them:
     * the next carve (the hold is one allocation deep), a free of another allocation, and the
     * look-ups of allocations by value; {@link #forEachAllocated} and {@link #checkInvariants}
     * read the held allocation where it lies. {@link #carve} reserves the record slot and the
     * hash room before holding, so settling never fails.
     */
    private int held = NIL;
    /**
     * Whether the held carve took its whole segment (an exact fit): {@link #held} is then the
     * allocation's own record, typed and tagged, and only its hash entry is late.
     */
    private boolean heldWhole;
    private long heldStart;
    private long heldEnd;
    private String heldTag;
    /**
     * The free list that the held carve's segment still heads, unmarked and filed for its size
     * before the carve, when instant fit's carve left its filing for later; -1 when none (no carve
     * held, or a carve that filed at once). The carve may have taken all of the segment: it is
     * then empty, {@code [heldEnd + 1, heldEnd]}, and still counted free, and filing makes it the
     * allocation ({@link #heldWhole}), as any other exact fit is made at once. The largest free
     * size, too, learns that the segment shrank only when it is filed.
     *
     * <p>Why: instant fit carves the front of a list's unmarked head, and the free that usually
     * follows gives the front back. Filed at the carve (the head marked misfiled by how many
     * classes it fell, and the mark used up again by the free's growth: {@link FreeLists#shrinkHead},
     * {@link FreeLists#grow}), the pair paid two read-modify-writes of the record's mark and of the
     * misfiled map and three class computations, about a fifth of V1's pair (measured on a bare
     * pair with and without them). An exact fit (3 of V1's pairs in 16) cost more still: a pop
     * from its list and a push back, and a branch on every pair between it and the front carve
     * that V1's random sizes made unpredictable; left empty, it takes the front carve's path, and
     * the carve does not even read the segment's end. Left on its list as it was, the segment
     * only has to be filed before anything reads the free space: {@link #fileHeld} does that first
     * in every operation but the fast carve and the free of the held carve (directly, or through
     * the settling of the record, which every other carve and every free of another allocation
     * does first), and in the white-box views, so no search, walk, index or statistic sees a
     * segment on a list its size has left, or an empty one. {@link #forEachAllocated} and
     * {@link #checkInvariants} alone read it as it lies.
     */
    private int heldList = -1;

    // ---------------------------------------------------------------- the held carve

    /** Makes the held carve's record (a front carve's) and hash entry, if one is held: see {@link #held}. */
    private void settle() {
        if (held != NIL) {
            settleHeld(Outlined.HOPS);
        }
    }

    /**
     * {@link #settle} when a carve is held, after {@code hops} calls of itself ({@link Outlined}):
     * a set-up that reserves many blocks settles on every carve, and inlined, the settling (a
     * record, its links, a hash insertion, an index touch) made every carve that tests for it save
     * its values to the stack around the call.
     */
    private void settleHeld(int hops) {
        if (hops > 0) {
            settleHeld(hops - 1);
            return;
        }
        fileHeld();
        int p = held;
        held = NIL;
        if (heldWhole) {
            hash.put(heldStart, p);
            return;
        }
        int a = segs.create(heldStart, heldEnd, ALLOCATED);
        segs.insertBefore(p, a);
        segs.setTag(a, heldTag);
        heldTag = null;
        hash.put(heldStart, a);
        touch(a);
    }

    /**
     * Files the held front carve's segment on the list its size now belongs to, if its carve left
     * that for later ({@link #heldList}); the carve stays held. Called before anything reads the
     * free lists or pushes onto them (see {@link #heldList} for which).
     */
    private void fileHeld() {
        if (heldList >= 0) {
            fileHeldNow(Outlined.HOPS);
        }
    }

    /**
     * {@link #fileHeld} when the carve left its filing for later, after {@code hops} calls of
     * itself ({@link Outlined}): instant fit's fast path tests for it, and never finds it. What
     * the carve left is done here: the largest free size learns that the segment shrank, and the
     * segment goes where its size now belongs, or, if the carve took all of it (the segment is
     * empty: {@link #heldList}), the segment becomes the allocation, as an exact fit's carve makes
     * it at once.
     */
    private void fileHeldNow(int hops) {
        if (hops > 0) {
            fileHeldNow(hops - 1);
            return;
        }
        int p = held;
        int list = heldList;
        heldList = -1;
        long size = segs.size(p); // 0 only when empty: no record holds all 2^64 values
        shrank(size + (heldEnd - heldStart + 1));
        if (size != 0) {
            lists.shrinkHead(p, list, size);
            return;
        }
        lists.popHead(p, list);
        freeSegments--;
        segs.setStart(p, heldStart);
        segs.setType(p, ALLOCATED);
        segs.setTag(p, heldTag);
        heldTag = null;
        heldWhole = true;
    }

    /**
     * Frees the held carve's allocation {@code [start, end]}: its segment takes its front back,
     * as {@link #release}'s merge into the following neighbour would (the one before it is not
     * free: the carved segment was free, and free segments are never adjacent); a held exact fit
     * becomes free on its own, as release's free with no free neighbour.
     */
    private void releaseHeld(long start, long end) {
        int p = held;
        held = NIL;
        if (heldTag != null) {
            heldTag = null;
        }
        if (heldWhole) {
            // The segment was free, so its neighbours were not (free segments are never adjacent),
            // and they have not changed since.
            freeAlone(p, end - start + 1);
            return;
        }
        segs.setStart(p, start);
        if (heldList >= 0) {
            // Never filed: back at its size, it is where it was, empty or not. And the largest free
            // size never learnt that it shrank (filing tells it), so it is right as it is.
            heldList = -1;
        } else {
            long merged = segs.end(p) - start + 1;
            lists.grow(p, merged - (end - start + 1), merged);
            grew(merged);
        }
        hint = p;
        if (segs.awakeIndexes != 0) {
            touchAwake(p, p, Outlined.HOPS);
        }
    }

    /** The held carve's allocation, for the walks that report it without settling it. */
    private Allocation heldAllocation() {
        return new Allocation(new Range(heldStart, heldEnd), heldTag);
    }

    // ---------------------------------------------------------------- spans

    @Override
    public void addSpan(long start, long end) {
        fileHeld();
        segs.ensureSpare(2);
        int after = segs.knext(SENTINEL);
        while (after != SENTINEL && Unsigned.lessThan(segs.start(after), start)) {
            after = segs.knext(after);
        }
        int marker = segs.create(start, end, SPAN);
        segs.kinInsertBefore(after, marker);
        segs.insertBefore(after, marker);
        int p = segs.create(start, end, FREE);
        segs.insertAfter(marker, p);
        lists.insert(p, end - start + 1);
        freeSegments++;
        grew(end - start + 1);
        touch(p);
    }

    @Override
    public boolean removeSpan(long start, long end) {
        fileHeld();
        int marker = segs.knext(SENTINEL);
        while (marker != SENTINEL && segs.start(marker) != start) {
            marker = segs.knext(marker);
        }
        int p = segs.next(marker);
        if (marker == SENTINEL || segs.type(p) != FREE || segs.start(p) != start || segs.end(p) != end) {
            return false;
        }
        lists.remove(p, end - start + 1);
        freeSegments--;
        shrank(end - start + 1);
        segs.unlink(p);
        segs.destroy(p);
        touch(p);
        segs.kinUnlink(marker);
        segs.unlink(marker);
        segs.destroy(marker);
        return true;
    }

    // ---------------------------------------------------------------- allocate and free

    @Override
    public boolean allocate(long start, long end, String tag) {
        fileHeld();
        int p = hint;
        if (!holds(p, start, end)) {
            p = freeHolding(start);
            if (p == NIL || Unsigned.greaterThan(end, segs.end(p))) {
                return false;
            }
        }
        carve(p, start, end, tag);
        return true;
    }

    /** Whether {@code p} is a free segment holding all of {@code [start, end]}. */
    private boolean holds(int p, long start, long end) {
        return segs.type(p) == FREE && Unsigned.atLeast(start, segs.start(p)) && Unsigned.atMost(end, segs.end(p));
    }

    /**
     * Allocates {@code [start, end]} out of free segment {@code p} that holds it. Unlike
     * {@code vmem_seg_alloc}, which hands {@code p} to the allocation and creates records for the
     * remainders, the allocation gets the new record and {@code p} keeps a remainder (the left one,
     * or the right one when the allocation starts at p's start): a remainder still in its size
     * class then keeps its place on its free list — illumos's shortcut for the front of a segment,
     * taken every time. No remainder is ever empty.
     *
     * <p>The front of a longer segment and the whole segment — every unconstrained best-fit
     * allocation, and instant fit's but on its sized path, which carves with
     * {@link #carveUnfiled} — are {@link #carveFront}'s, and the front's new record is
     * {@linkplain #held held} until something needs it; the back and the middle, which only
     * constrained and address-ordered placements carve, are {@link #carveRest}'s. The whole
     * segment was one of those until V1 showed it common: an exact fit, which its power-of-two
     * request sizes meet at some list heads (3 pairs in 16), cost about 52 ns a pair in the core
     * behind the outlined call against 28 inline.
     */
    private void carve(int p, long start, long end, String tag) {
        settle(); // a new allocation makes the held one's record: the hold is one allocation deep
        // Everything that can fail (growing the record arrays or the hash) happens before the first change.
        segs.ensureSpare(2);
        hash.ensureRoom();
        long segStart = segs.start(p);
        if (start != segStart) {
            carveRest(p, start, end, tag, segStart, segs.end(p), Outlined.HOPS);
            return;
        }
        carveFront(p, start, end, tag);
        // touch(p), behind Outlined's hops: touch is small, but once compiled with the index
        // updates inlined (a set-up that syncs an index does that) it is too big to inline, and
        // inlined it made carve too big to be inlined into its callers.
        if (segs.awakeIndexes != 0) {
            touchAwake(p, p, Outlined.HOPS);
        }
    }

    /**
     * The front of free segment {@code p} = {@code [start, ...]}, up to {@code end}, held as the
     * new allocation: the whole segment (an exact fit) or its front, p keeping the rest, refiled
     * for its new size at once. The caller has settled the held carve and reserved the record
     * slot and the hash room, and touches p for the indexes afterwards if any is awake.
     */
    private void carveFront(int p, long start, long end, String tag) {
        long segEnd = segs.end(p);
        long segSize = segEnd - start + 1;
        if (end == segEnd) {
            // The whole segment becomes the allocation: an exact fit.
            lists.remove(p, segSize);
            freeSegments--;
            shrank(segSize);
            segs.setType(p, ALLOCATED);
            segs.setTag(p, tag);
            // Held, its hash entry late (see held): a free before anything else needs no look-up.
            held = p;
            heldWhole = true;
            heldStart = start;
            heldEnd = end;
            return;
        }
        // The front of a longer segment: p keeps the rest, and the allocation is held (see
        // held): its record is made when the next operation settles it, or never, if that
        // operation frees it. The slot and hash room reserved above stay reserved until then.
        segs.setStart(p, end + 1);
        lists.resize(p, segSize, segEnd - end);
        shrank(segSize);
        hint = p;
        holdFront(p, start, end, tag);
    }

    /** Holds {@code [start, end]}, carved from the front of free segment {@code p}, with no record yet: see {@link #held}. */
    private void holdFront(int p, long start, long end, String tag) {
        held = p;
        heldWhole = false;
        heldStart = start;
        heldEnd = end;
        if (tag != null) {
            heldTag = tag; // null already (nothing is held): no store, and no collector barrier, for the untagged
        }
    }

    /**
     * Instant fit's carve of {@code [start, end]} from the front of free segment {@code p} =
     * {@code [start, ...]}, the unmarked head of free list {@code list}, which holds it: held, and
     * everything else left for later ({@link #heldList}) — p's filing, the largest free size's
     * update, and, when the allocation takes all of p, making p the allocation: p is then left
     * empty ({@code [end + 1, end]}) on its list until something files it, so that an exact fit
     * and a front carve take the same path, with no branch between them and no read of p's end.
     * The caller has settled the held carve and reserved the record slot and the hash room, and
     * touches p for the indexes afterwards if any is awake (filing an empty p first); nothing here
     * calls out, so that instant fit's fast path ({@link #allocateInstantFitSized}) compiles with
     * no call on it.
     */
    private void carveUnfiled(int p, int list, long start, long end, String tag) {
        segs.setStart(p, end + 1);
        heldList = list;
        holdFront(p, start, end, tag);
    }

    /**
     * {@link #carve}'s other cases: the back or the middle of the segment; after {@code hops}
     * calls of itself ({@link Outlined}), so that they stay out of carve's compiled code.
     */
    private void carveRest(int p, long start, long end, String tag, long segStart, long segEnd, int hops) {
        if (hops > 0) {
            carveRest(p, start, end, tag, segStart, segEnd, hops - 1);
            return;
        }
        long segSize = segEnd - segStart + 1;
        int a = segs.create(start, end, ALLOCATED);
        segs.insertAfter(p, a);
        if (end != segEnd) {
            int rest = segs.create(end + 1, segEnd, FREE);
            segs.insertAfter(a, rest);
            lists.insert(rest, segEnd - end);
            freeSegments++;
            grew(segEnd - end);
            touch(rest);
        }
        segs.setEnd(p, start - 1);
        lists.resize(p, segSize, start - segStart);
        shrank(segSize);
        touch(p);
        hint = p;
        segs.setTag(a, tag);
        hash.put(start, a);
        touch(a);
    }

    @Override
    public boolean free(long start, long end) {
        if (held != NIL && start == heldStart && end == heldEnd) {
            releaseHeld(start, end);
            return true;
        }
        return freeSettled(start, end, Outlined.HOPS);
    }

    /**
     * {@link #free} of anything but the held carve: the held carve settled, then a look-up in the
     * hash and {@link #release}; after {@code hops} calls of itself ({@link Outlined}), so that
     * the held carve's free, which V1's pair makes, compiles small enough to be inlined.
     */
    private boolean freeSettled(long start, long end, int hops) {
        if (hops > 0) {
            return freeSettled(start, end, hops - 1);
        }
        settle();
        int slot = hash.find(start);
        if (slot < 0) {
            return false;
        }
        int a = hash.recordAt(slot);
        if (segs.end(a) != end) {
            return false;
        }
        release(a, slot, start, end);
        return true;
    }

    @Override
    public Range freeContaining(long value) {
        settle();
        int a = allocatedHolding(value);
        if (a == NIL) {
            return null;
        }
        Range freed = new Range(segs.start(a), segs.end(a));
        release(a, hash.find(freed.start()), freed.start(), freed.end());
        return freed;
    }

    /**
     * Frees allocated segment {@code a} = {@code [start, end]}, coalescing it with a free
     * neighbour on either side or both (never across a span marker), as {@code vmem_xfree} does.
     * {@code slot} is its hash slot. Merging into one neighbour (the front of a segment carved and
     * freed) and merging into none (an exact fit freed) are here; merging into both is
     * {@link #releaseBetween}'s. The merge uses what the caller already holds: a's bounds (the
     * caller's arguments) and its neighbours (read here once), so a's record is read for its links
     * only and unlinking it is two stores.
     */
    private void release(int a, int slot, long start, long end) {
        // The neighbours first: on a large arena they are cache misses, which then overlap the
        // hash deletion's probe walk instead of waiting for its branches.
        int before = segs.prev(a);
        int after = segs.next(a);
        boolean mergeBefore = segs.type(before) == FREE;
        boolean mergeAfter = segs.type(after) == FREE;
        hash.removeAt(slot);
        if (mergeBefore == mergeAfter) {
            if (mergeBefore) {
                releaseBetween(a, before, after, Outlined.HOPS);
                return;
            }
            // No free neighbour: a becomes a free segment itself (the other half of an exact fit).
            freeAlone(a, end - start + 1);
            return;
        }
        // Segments tile their span, so the free neighbour's inner bound is a's outer one plus or
        // minus 1: its size takes one read of its far bound.
        int into;
        long intoSize;
        if (mergeBefore) {
            into = before;
            intoSize = start - segs.start(before);
            segs.setEnd(before, end);
        } else {
            into = after;
            intoSize = segs.end(after) - end;
            segs.setStart(after, start);
        }
        long merged = intoSize + (end - start + 1);
        lists.grow(into, intoSize, merged);
        grew(merged);
        hint = into;
        segs.link(before, after);
        segs.destroy(a);
        if (segs.awakeIndexes != 0) { // touch(into), touch(a): see carve
            touchAwake(into, a, Outlined.HOPS);
        }
    }

    /**
     * Allocated segment {@code a} of {@code size}, out of the hash, with no free neighbour,
     * becomes a free segment at the head of its list.
     */
    private void freeAlone(int a, long size) {
        segs.setType(a, FREE);
        segs.setTag(a, null);
        lists.insert(a, size);
        freeSegments++;
        grew(size);
        hint = a;
        if (segs.awakeIndexes != 0) {
            touchAwake(a, a, Outlined.HOPS);
        }
    }

    /**
     * {@link #release}'s merge into both neighbours: allocated segment {@code a}, out of the hash,
     * between free {@code before} and {@code after}; after {@code hops} calls of itself
     * ({@link Outlined}), so that it stays out of release's compiled code.
     */
    private void releaseBetween(int a, int before, int after, int hops) {
        if (hops > 0) {
            releaseBetween(a, before, after, hops - 1);
            return;
        }
        long beforeSize = segs.size(before);
        long afterSize = segs.size(after);
        long merged = beforeSize + segs.size(a) + afterSize;
        lists.remove(after, afterSize);
        freeSegments--;
        segs.setEnd(before, segs.end(after));
        dispose(after);
        lists.grow(before, beforeSize, merged);
        grow(before, merged);
        dispose(a);
    }

    /** Bookkeeping after free segment {@code p} grew to {@code size} by a merge. */
    private void grow(int p, long size) {
        grew(size);
        hint = p;
        touch(p);
    }

    /** Unlinks record {@code p}, merged away, from the address list and destroys it. */
    private void dispose(int p) {
        segs.unlink(p);
        segs.destroy(p);
        touch(p);
    }

    // ---------------------------------------------------------------- lookups

    /** The free segment holding {@code value}, or NIL. O(log n) after the address index syncs. */
    private int freeHolding(long value) {
        byAddress.sync();
        int n = byAddress.floor(value);
        if (n == NIL) {
            return NIL;
        }
        int p = byAddress.rec(n);
        return segs.type(p) == FREE && Unsigned.atLeast(segs.end(p), value) ? p : NIL;
    }

    /** The allocated segment holding {@code value}, or NIL: O(1) by hash when it is a start. */
    private int allocatedHolding(long value) {
        int a = hash.get(value);
        if (a != NIL) {
            return a;
        }
        allocations.sync();
        int n = allocations.floor(value);
        return n != NIL && Unsigned.atLeast(allocations.k2(n), value) ? allocations.rec(n) : NIL;
    }

    @Override
    public boolean isFree(long start, long end) {
        fileHeld();
        int p = holds(hint, start, start) ? hint : freeHolding(start);
        return p != NIL && Unsigned.atMost(end, segs.end(p));
    }

    @Override
    public Allocation allocationContaining(long value) {
        settle();
        int a = allocatedHolding(value);
        return a == NIL ? null : allocation(a);
    }

    @Override
    public Allocation firstAllocationIn(long start, long end) {
        settle();
        allocations.sync();
        int n = allocations.floor(start);
        if (n == NIL || Unsigned.lessThan(allocations.k2(n), start)) {
            n = allocations.ceiling(start);
        }
        return n == NIL || Unsigned.greaterThan(allocations.k1(n), end) ? null : allocation(allocations.rec(n));
    }

    private Allocation allocation(int a) {
        return new Allocation(new Range(segs.start(a), segs.end(a)), segs.tag(a));
    }

    // ---------------------------------------------------------------- statistics

    @Override
    public long freeSegments() {
        fileHeld();
        return freeSegments;
    }

    /**
     * O(1) while the cached maximum is known; after the largest free segment shrank or went, one
     * walk of the highest non-empty free list (which holds every candidate), stopping early at a
     * member of the largest size that list can hold.
     */
    @Override
    public long largestFree() {
        fileHeld();
        if (!largestKnown) {
            largest = 0;
            // A misfiled head of the highest list may be smaller than members of the list below.
            while (lists.map != 0 && segs.misfiled(lists.head(63 - Long.numberOfLeadingZeros(lists.map)))) {
                lists.refile(63 - Long.numberOfLeadingZeros(lists.map));
            }
            if (lists.map != 0) {
                int k = 63 - Long.numberOfLeadingZeros(lists.map);
                long ceiling = k == 63 ? Unsigned.MAX : (2L << k) - 1;
                for (int p = lists.head(k); p != NIL && largest != ceiling; p = segs.knext(p)) {
                    largest = Unsigned.max(largest, segs.size(p));
                }
            }
            largestKnown = true;
        }
        return largest;
    }

    private void grew(long size) {
        if (largestKnown && Unsigned.greaterThan(size, largest)) {
            largest = size;
        }
    }

    private void shrank(long oldSize) {
        if (oldSize == largest) {
            largestKnown = false;
        }
    }

    // ---------------------------------------------------------------- placement searches

    /**
     * vmem's instant fit: the first member of the lowest free list every member of which holds
     * the request ({@code map & -(1 << ceil(log2 size))}), placed at its start. O(1) for an
     * unconstrained request. A constrained one (only a third-party policy asks: InstantFit sends
     * those to best-fit) walks the lists upward from there to the first member that admits a
     * placement, as {@code vmem_xalloc} does.
     */
    @Override
    public Range instantFit(Request r) {
        int list = instantList(r.size());
        if (list < 0) {
            return null;
        }
        int p = lists.head(list);
        long start = segs.start(p);
        if (admitsHead(r, start)) {
            // The head itself is an admissible start, and every member of its list holds the size.
            hint = p;
            return new Range(start, start + r.size() - 1);
        }
        return constrainedInstantFit(r, instantCandidates(r.size()));
    }

    /**
     * The lowest non-empty list every member of which holds {@code size}, or -1; its head is the
     * instant-fit choice, and is not misfiled. Misfiled heads of those lists (see
     * {@link FreeLists}) are filed where they belong first, since one may belong below the lowest
     * non-empty list — amortised O(1), and one bitmap test when there are none, as in an
     * alloc/free loop whose frees merge every carved head back.
     */
    private int instantList(long size) {
        fileHeld();
        int k = FreeLists.wholeFitList(size);
        if (k == FreeLists.LISTS) {
            return -1;
        }
        if ((lists.misfiledMap & (-1L << k)) != 0) {
            lists.refileFrom(k);
        }
        long candidates = lists.map & (-1L << k);
        return candidates == 0 ? -1 : Long.numberOfTrailingZeros(candidates);
    }

    /**
     * {@link #instantFit}'s placement, allocated where the search found it: for an unconstrained
     * request, the front of the head of the lowest list that holds it — one bitmap test, one read
     * of the head (left in {@link #hint}), and the carve, with no second look-up.
     */
    @Override
    public Range allocateInstantFit(Request r) {
        return allocateAtHint(instantFit(r), r);
    }

    /**
     * {@link #allocateInstantFit} for a request the layer has checked is limited by nothing but its
     * size: the head's start always admits it (segments start on the quantum, the alignment is at
     * most the quantum), so the four constraint tests of {@link #admitsHead} are skipped.
     */
    @Override
    public Range allocateInstantFitSized(Request r) {
        if (held != NIL || segs.awakeIndexes != 0 || !segs.hasSpare(2) || !hash.hasRoom()) {
            return allocateInstantFitSized(r, Outlined.HOPS);
        }
        return carveInstantHead(r);
    }

    /**
     * {@link #allocateInstantFitSized} when a carve is held, an index is awake or the record
     * arrays or the hash must grow first: what {@link #carve} does around the carve is done here.
     * After {@code hops} calls of itself ({@link Outlined}): the fast path then compiles with no
     * call that returns into it, so C2 keeps its values in registers instead of saving them to
     * the stack on every allocation for a call that V1's loop never makes.
     */
    private Range allocateInstantFitSized(Request r, int hops) {
        if (hops > 0) {
            return allocateInstantFitSized(r, hops - 1);
        }
        settle();
        if (instantList(r.size()) < 0) {
            return null;
        }
        segs.ensureSpare(2);
        hash.ensureRoom();
        Range placed = carveInstantHead(r);
        if (segs.awakeIndexes != 0) {
            if (segs.end(held) == heldEnd) {
                fileHeld(); // the carve took the whole segment: no index may see it empty
            }
            touchAwake(held, held, Outlined.HOPS); // the carved segment, held
        }
        return placed;
    }

    /**
     * Carves {@code r} from the front of the head of the lowest list every member of which holds
     * it; null when no list does. Nothing is held, and the record slot and hash room are reserved.
     */
    private Range carveInstantHead(Request r) {
        long size = r.size();
        int list = instantList(size);
        if (list < 0) {
            return null;
        }
        int p = lists.head(list);
        long start = segs.start(p);
        long end = start + size - 1;
        carveUnfiled(p, list, start, end, r.tag());
        return new Range(start, end);
    }

    /** The lists every member of which holds {@code size}, as a bitmap of the non-empty ones. */
    private long instantCandidates(long size) {
        int k = FreeLists.wholeFitList(size);
        return k == FreeLists.LISTS ? 0 : lists.map & (-1L << k);
    }

    /** Whether {@code r} may start at {@code start}, given that the segment there holds its size. */
    private static boolean admitsHead(Request r, long start) {
        return r.min() == 0 && r.max() == Unsigned.MAX && r.noCross() == 0
                && ((start - r.phase()) & (r.alignment() - 1)) == 0;
    }

    /**
     * Allocates {@code placed}, which a search just chose inside the free segment it left in
     * {@link #hint}, and returns it; null stays null.
     */
    private Range allocateAtHint(Range placed, Request r) {
        if (placed != null) {
            assert holds(hint, placed.start(), placed.end()) : "the search left " + placed + " outside its segment";
            carve(hint, placed.start(), placed.end(), r.tag());
        }
        return placed;
    }

    /** Walks the lists in {@code candidates} upward, each head first, for the first admitting member. */
    private Range constrainedInstantFit(Request r, long candidates) {
        for (; candidates != 0; candidates &= candidates - 1) {
            for (int p = lists.head(Long.numberOfTrailingZeros(candidates)); p != NIL; p = segs.knext(p)) {
                long start = segs.start(p);
                long offset = Placement.lowest(start, segs.end(p), r, 0);
                if (offset != Placement.NONE) {
                    hint = p;
                    return new Range(start + offset, start + offset + r.size() - 1);
                }
            }
        }
        return null;
    }

    @Override
    public Range bestFit(Request r) {
        fileHeld();
        bySize.sync();
        if (!bySize.smallest(r, r.size())) {
            return null;
        }
        hint = bySize.rec(bySize.found);
        return new Range(bySize.foundStart, bySize.foundStart + r.size() - 1);
    }

    @Override
    public Range allocateBestFit(Request r) {
        return allocateAtHint(bestFit(r), r);
    }

    @Override
    public Range allocateFirstFit(Request r, long from) {
        return allocateAtHint(firstFit(r, from), r);
    }

    @Override
    public Range allocateLastFit(Request r, long to) {
        return allocateAtHint(lastFit(r, to), r);
    }

    @Override
    public Range firstFit(Request r, long from) {
        fileHeld();
        byAddress.sync();
        return byAddress.lowest(r, from) ? chosen(r) : null;
    }

    @Override
    public Range lastFit(Request r, long to) {
        fileHeld();
        byAddress.sync();
        return byAddress.highest(r, to) ? chosen(r) : null;
    }

    private Range chosen(Request r) {
        hint = byAddress.rec(byAddress.found);
        return new Range(byAddress.foundStart, byAddress.foundStart + r.size() - 1);
    }

    @Override
    public Iterator<Range> ascending(long from) {
        fileHeld();
        return new FreeSegmentIterator(byAddress, true, from);
    }

    @Override
    public Iterator<Range> descending(long to) {
        fileHeld();
        return new FreeSegmentIterator(byAddress, false, to);
    }

    // ---------------------------------------------------------------- walks

    @Override
    public void forEachAllocated(Consumer<? super Allocation> action) {
        for (int p = segs.next(SENTINEL); p != SENTINEL; p = segs.next(p)) {
            if (p == held && !heldWhole) { // the held front carve's allocation, just before its segment
                action.accept(heldAllocation());
            }
            if (segs.type(p) == ALLOCATED) {
                action.accept(allocation(p));
            }
        }
    }

    @Override
    public void forEachFree(Consumer<? super Range> action) {
        fileHeld();
        for (int p = segs.next(SENTINEL); p != SENTINEL; p = segs.next(p)) {
            if (segs.type(p) == FREE) {
                action.accept(new Range(segs.start(p), segs.end(p)));
            }
        }
    }

    /**
     * Queues {@code p} for every index: one field test while every index is dormant (an
     * instant-fit workload never wakes one), one bit test when all already have it queued.
     */
    private void touch(int p) {
        if (segs.awakeIndexes != 0) {
            touchAwake(p);
        }
    }

    /**
     * {@link #touch} of {@code p} and {@code q} while some index is awake, after {@code hops} calls
     * of itself ({@link Outlined}): the hot carve and release call it, and inlined (as a set-up
     * that syncs an index makes C2 do) it made them too big to be inlined into their callers.
     */
    private void touchAwake(int p, int q, int hops) {
        if (hops > 0) {
            touchAwake(p, q, hops - 1);
            return;
        }
        touchAwake(p);
        if (q != p) {
            touchAwake(q);
        }
    }

    /** {@link #touch} while some index is awake. */
    private void touchAwake(int p) {
        if (!segs.pendingEverywhere(p)) {
            byAddress.touch(p);
            bySize.touch(p);
            allocations.touch(p);
        }
    }

    // ---------------------------------------------------------------- white-box access for tests

    /** Records in use: segments and span markers, not the sentinel (a held carve has none yet). */
    int records() {
        return segs.live();
    }

    /** Record slots free for new records before the arrays must grow. */
    int spareRecords() {
        return segs.spare();
    }

    /** Whether the latest carve is held: a front carve's record or an exact fit's hash entry not made yet. */
    boolean holding() {
        return held != NIL;
    }

    /**
     * Whether the held carve took all of its segment and left it empty and unfiled: instant fit's
     * exact fit, before anything read the free space (see {@link #heldList}).
     */
    boolean holdingEmpty() {
        return held != NIL && heldList >= 0 && segs.size(held) == 0;
    }

    /** Live allocations in the hash, the held carve's settled into it first. */
    int hashSize() {
        settle();
        return hash.size();
    }

    /** Slots in the hash table. */
    int hashCapacity() {
        settle();
        return hash.capacity();
    }

    /** The bitmap of non-empty logical free lists (see {@link #freeList}). */
    long freeListMap() {
        long map = 0;
        for (int k = 0; k < FreeLists.LISTS; k++) {
            if (!freeList(k).isEmpty()) {
                map |= 1L << k;
            }
        }
        return map;
    }

    /**
     * The free segments on logical list {@code k}, the list eager filing would keep (see
     * {@link FreeLists}): list k's members but a misfiled head, head first, then each higher
     * list's head misfiled into class k, lowest list first, which is where an instant-fit search
     * would file it.
     */
    List<Range> freeList(int k) {
        fileHeld();
        List<Range> out = new ArrayList<>();
        for (int p = lists.head(k); p != NIL; p = segs.knext(p)) {
            if (!segs.misfiled(p)) {
                out.add(new Range(segs.start(p), segs.end(p)));
            }
        }
        for (int j = k + 1; j < FreeLists.LISTS; j++) {
            int h = lists.head(j);
            if (h != NIL && j - segs.misfiledBy(h) == k && segs.misfiled(h)) {
                out.add(new Range(segs.start(h), segs.end(h)));
            }
        }
        return out;
    }

    /** How many free lists have a misfiled head now (see {@link FreeLists}). */
    int misfiledHeads() {
        fileHeld();
        int count = 0;
        for (int k = 0; k < FreeLists.LISTS; k++) {
            if (lists.head(k) != NIL && segs.misfiled(lists.head(k))) {
                count++;
            }
        }
        return count;
    }

    /** Brings every index up to date, as any query would. */
    void syncIndexes() {
        fileHeld();
        byAddress.sync();
        bySize.sync();
        allocations.sync();
    }

    /**
     * Verifies every invariant in {@link VmemEngine}'s class comment by a full walk, O(n). For
     * tests.
     *
     * @throws IllegalStateException naming the first broken invariant
     */
    void checkInvariants() {
        long free = 0;
        long allocated = 0;
        long markers = 0;
        long heldCount = 0;
        long actualLargest = 0;
        int marker = SENTINEL;
        long cursor = 0; // next value the current span must continue at
        boolean inSpan = false;
        int prev = SENTINEL;
        for (int p = segs.next(SENTINEL); p != SENTINEL; prev = p, p = segs.next(p)) {
            if (segs.prev(p) != prev) {
                throw new IllegalStateException("address list: record " + p + " does not point back to " + prev);
            }
            int type = segs.type(p);
            if (type != FREE && segs.misfiled(p)) {
                throw new IllegalStateException(describe(p) + " is marked misfiled");
            }
            if (type == SPAN) {
                if (inSpan) {
                    throw new IllegalStateException("span " + describe(marker) + " ends at " + Unsigned.hex(cursor - 1));
                }
                if (markers > 0 && !Unsigned.greaterThan(segs.start(p), segs.end(marker))) {
                    throw new IllegalStateException("spans out of order: " + describe(marker) + ", " + describe(p));
                }
                if (segs.knext(marker) != p || segs.kprev(p) != marker) {
                    throw new IllegalStateException("marker chain skips " + describe(p));
                }
                marker = p;
                markers++;
                cursor = segs.start(p);
                inSpan = true;
                continue;
            }
            if (p == held && !heldWhole) { // the held front carve's allocation comes just before, with no record
                if (type != FREE || !inSpan || cursor != heldStart || Unsigned.lessThan(heldEnd, heldStart)
                        || hash.get(heldStart) != NIL) {
                    throw new IllegalStateException("held " + Range.of(heldStart, heldEnd) + " does not come just before "
                            + describe(p));
                }
                cursor = heldEnd + 1;
                heldCount++;
            }
            // Only the held carve's segment may be empty ([end + 1, end]), while the carve that took all of it is unfiled.
            boolean empty = segs.size(p) == 0;
            if (empty && (p != held || heldList < 0)) {
                throw new IllegalStateException(describe(p) + " is empty but not the held carve's unfiled segment");
            }
            if (!inSpan || segs.start(p) != cursor || Unsigned.greaterThan(segs.end(p), segs.end(marker))
                    || (!empty && Unsigned.lessThan(segs.end(p), segs.start(p)))) {
                throw new IllegalStateException(describe(p) + " does not tile span " + describe(marker));
            }
            inSpan = segs.end(p) != segs.end(marker);
            cursor = segs.end(p) + 1;
            if (type == FREE) {
                if (segs.type(prev) == FREE) {
                    throw new IllegalStateException("adjacent free segments " + describe(prev) + ", " + describe(p));
                }
                free++;
                // The largest free size learns of the held carve's shrinking when its segment is filed.
                long filedSize = p == held && heldList >= 0 ? segs.size(p) + (heldEnd - heldStart + 1) : segs.size(p);
                actualLargest = Unsigned.max(actualLargest, filedSize);
            } else if (type == ALLOCATED) {
                if (p == held && heldWhole) { // the held exact fit: a record, its hash entry late
                    if (segs.start(p) != heldStart || segs.end(p) != heldEnd || hash.get(heldStart) != NIL) {
                        throw new IllegalStateException("held " + describe(p) + " is not as held, or is in the hash");
                    }
                    heldCount++;
                } else if (hash.get(segs.start(p)) != p) {
                    throw new IllegalStateException(describe(p) + " is not in the hash");
                }
                allocated++;
            } else {
                throw new IllegalStateException("dead record " + p + " in the address list");
            }
        }
        if (inSpan) {
            throw new IllegalStateException("span " + describe(marker) + " ends at " + Unsigned.hex(cursor - 1));
        }
        if (heldList >= 0 && (held == NIL || heldWhole || lists.head(heldList) != held || segs.misfiled(held))) {
            throw new IllegalStateException("the held carve's segment is left unfiled but is not list "
                    + heldList + "'s unmarked head");
        }
        if (held != NIL && !heldWhole && !segs.hasSpare(1)) {
            throw new IllegalStateException("no record slot is reserved for the held carve "
                    + Range.of(heldStart, heldEnd) + ": settling it would have to grow the records");
        }
        if (heldTag != null && (held == NIL || heldWhole)) {
            throw new IllegalStateException("a tag " + heldTag + " is kept for a held front carve, but none is held");
        }
        if (heldCount != (held == NIL ? 0 : 1)) {
            throw new IllegalStateException("held record " + held + " is not in the address list");
        }
        if (segs.prev(SENTINEL) != prev || segs.knext(marker) != SENTINEL || segs.kprev(SENTINEL) != marker) {
            throw new IllegalStateException("address list or marker chain does not close at the sentinel");
        }
        long listed = 0;
        for (int k = 0; k < FreeLists.LISTS; k++) {
            if ((lists.head(k) != NIL) != ((lists.map >>> k & 1) != 0)) {
                throw new IllegalStateException("free map bit " + k + " disagrees with list " + k);
            }
            if ((lists.head(k) != NIL && segs.misfiled(lists.head(k))) != ((lists.misfiledMap >>> k & 1) != 0)) {
                throw new IllegalStateException("misfiled map bit " + k + " disagrees with list " + k + "'s head");
            }
            int before = NIL;
            for (int p = lists.head(k); p != NIL; before = p, p = segs.knext(p)) {
                // The held carve's segment, left unfiled, is on the list of its size before the carve.
                long filedSize = p == held && heldList >= 0 ? segs.size(p) + (heldEnd - heldStart + 1) : segs.size(p);
                if (segs.type(p) != FREE || lists.listed(p, filedSize) != k || segs.kprev(p) != before) {
                    throw new IllegalStateException(describe(p) + " is misplaced on free list " + k);
                }
                if (segs.misfiled(p) && before != NIL) {
                    throw new IllegalStateException(describe(p) + " is misfiled but not the head of free list " + k);
                }
                if (++listed > free) {
                    throw new IllegalStateException("free lists hold more than the " + free + " free segments");
                }
            }
        }
        if (listed != free || free != freeSegments) {
            throw new IllegalStateException(free + " free segments, " + listed + " listed, " + freeSegments + " counted");
        }
        if (allocated - (held != NIL && heldWhole ? 1 : 0) != hash.size()) {
            throw new IllegalStateException(allocated + " allocated segments but the hash holds " + hash.size());
        }
        if (segs.live() != free + allocated + markers) {
            throw new IllegalStateException(segs.live() + " live records for " + (free + allocated + markers) + " in the list");
        }
        if (largestKnown && largest != actualLargest) {
            throw new IllegalStateException("cached largest free " + Unsigned.hex(largest) + ", actual "
                    + Unsigned.hex(actualLargest));
        }
        int awake = (byAddress.isDormant() ? 0 : 1) + (bySize.isDormant() ? 0 : 1) + (allocations.isDormant() ? 0 : 1);
        if (segs.awakeIndexes != awake) {
            throw new IllegalStateException(awake + " indexes are awake but " + segs.awakeIndexes + " are counted");
        }
        hash.check();
        byAddress.check();
        bySize.check();
        bySize.checkRemembered();
        allocations.check();
    }

    private String describe(int p) {
        String type = switch (segs.type(p)) {
            case FREE -> "free";
            case ALLOCATED -> "allocated";
            case SPAN -> "span";
            default -> "dead";
        };
        // Not a Range: the held carve's segment may be empty.
        return "[" + Unsigned.hex(segs.start(p)) + ", " + Unsigned.hex(segs.end(p)) + "] " + type;
    }
}
