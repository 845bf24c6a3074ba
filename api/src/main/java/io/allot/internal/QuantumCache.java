package io.allot.internal;

import io.allot.Range;
import io.allot.Request;
import io.allot.spi.AllocationPolicy;
import io.allot.spi.AllocatorSpec;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * vmem's quantum caches (Bonwick &amp; Adams, "Magazines and Vmem", USENIX 2001, sections 3 and
 * 4.4), around any engine: for each size {@code k x quantum} up to {@code maxSize}, free segments
 * of exactly that size held ready in magazines, so that the common small allocation and free take
 * no arena lock and do no search.
 *
 * <h2>Structure</h2>
 * <ul>
 *   <li>A cached segment is <em>allocated in the arena's core</em> (so the engine can never place
 *       anything over it) but counts as <em>free</em> to every observer; {@link CachedCore} hides
 *       it from the arena's contract logic, and {@link CachedSegment} records its state (in a
 *       single-threaded allocator, the {@link SegmentTable}'s arrays by id hold state and tag
 *       instead: a few hundred bytes that stay in the L1 cache).</li>
 *   <li>Each thread has a {@link Stripe}: per size class a stack of up to two
 *       {@link Magazine}s' worth of segments, kmem's loaded and previous magazines laid end to end
 *       in one array (kmem's per-CPU layer).</li>
 *   <li>Per size class a {@link Depot} of full and empty magazines, under the arena lock.</li>
 *   <li>A {@link SegmentTable} of every segment the caches own, by start, read without locks.</li>
 * </ul>
 *
 * <h2>Operations</h2>
 * <ul>
 *   <li><b>Allocate</b> (a hit): lock the own stripe (a thread-safe allocator's: a single-threaded
 *       one has one stripe and no lock), pop, mark live, unlock: no arena lock, no search, and
 *       nothing allocated at all, since the returned {@code Range} is the segment's own, made when
 *       it was cached. Single-threaded, "mark live" is the stripe's flag for its latest segment
 *       ({@link Stripe#latestLive}); the table's state array learns it only if the next hit finds
 *       that segment still out, and no tag is stored while no caller ever tagged. A miss takes the arena lock once and loads a full magazine: from the depot, else filled with {@link Magazine#ROUNDS}
 *       placements of the arena's default policy (the first of them may empty every cache and
 *       import from a source, as any request the arena cannot place does; the others take only
 *       what is free).</li>
 *   <li><b>Free</b>: the range this thread's stripe handed out last is recognised by identity from
 *       the id the stripe kept ({@link Stripe#latest}), with no table probe; any other is found in
 *       the table without locks (the range handed out by identity, any equal one by its end).
 *       Under the own stripe's lock, flip it live &rarr; cached and push it (single-threaded, a free of
 *       the latest clears the stripe's flag and pushes: no state to write, and no volatile read, so
 *       the compiled pair keeps every field it loaded in registers). The push is its count:
 *       a stripe counts hits only, and derives frees from its stack depth ({@link Stripe#hits}).
 *       When the stack is full, take the arena lock once: its older half goes to the depot as a
 *       full magazine, and the depot's oldest full magazine beyond {@link Depot#FULL_LIMIT} is
 *       drained into the arena.</li>
 *   <li><b>Reclaim</b> (a request the arena cannot place, a reservation over a cached segment):
 *       every stripe's stacks and every depot's magazines are drained into the arena, which merges the
 *       segments with their free neighbours and hands wholly free imported spans back; then the
 *       request is tried again. So no cached segment is ever lost to a large request.</li>
 *   <li><b>Observe</b> ({@code stats}, {@code isFree}, {@code forEachFree}, {@code forEachAllocated},
 *       {@code spans}, {@code writeSnapshot}): under the arena lock and every stripe's lock, reclaim,
 *       fold the stripes' counts into the arena, then look. The arena then holds no cached
 *       segment, so what is reported is exact, merged, and one consistent state; the price is
 *       that the next allocations refill the caches.</li>
 * </ul>
 *
 * <h2>Lock order</h2>
 * arena lock &rarr; stripe locks (in registration order) &rarr; the source's locks. A thread holding
 * its stripe's lock never waits for anything, so observers (which hold the arena lock and wait
 * for stripes) always make progress.
 *
 * <h2>Which requests</h2>
 * {@code allocate(Request)} and {@code tryAllocate(Request)} of a request with no constraint but
 * its size and tag (alignment at most the quantum, no phase, no boundary, the whole window) whose
 * size rounds up to at most {@code maxSize}. Everything else, and every call naming a policy,
 * goes to the arena. Because a cached segment is whatever was freed last (or filled first), a
 * cached allocator's placements are not its default policy's: first-match's "lowest placement"
 * becomes "lowest placement among the values not held in a cache". A default policy that moves
 * the next-fit rotor is refused, since a cache reuses exactly the value just freed.
 */
final class QuantumCache {

    /** The most size classes (multiples of the quantum) one allocator may cache. */
    static final int MAX_CLASSES = 64;

    private final long quantum;
    /** log2 of the quantum (a power of two): size classes by shift, not by a 64-bit division. */
    private final int quantumShift;
    private final int classes;
    private final boolean concurrent;
    private final Object arenaLock;
    private final SegmentTable table = new SegmentTable();
    private final Depot[] depots;
    /** The only stripe of a single-threaded allocator; null in a thread-safe one. */
    private final Stripe single;
    private final ThreadLocal<Stripe> local;
    /** Every stripe, in lock order. Replaced (never changed in place) under the arena lock. */
    private volatile Stripe[] stripes;
    private GuardedAllocator arena;
    private CachedCore core;

    /**
     * @param spec      a spec with quantum caches, checked by {@link #check}
     * @param arenaLock the lock that guards the arena (the {@link LockedAllocator}'s, if thread-safe)
     */
    QuantumCache(AllocatorSpec spec, Object arenaLock) {
        this.quantum = spec.quantum();
        this.quantumShift = Long.numberOfTrailingZeros(quantum);
        this.classes = (int) Long.divideUnsigned(spec.quantumCacheMax(), quantum);
        this.concurrent = spec.threadSafe();
        this.arenaLock = arenaLock;
        this.depots = new Depot[classes];
        for (int c = 0; c < classes; c++) {
            depots[c] = new Depot();
        }
        if (concurrent) {
            single = null;
            stripes = new Stripe[0];
            local = ThreadLocal.withInitial(this::register);
        } else {
            single = new Stripe(classes, false, null);
            stripes = new Stripe[] {single};
            local = null;
        }
    }

    /**
     * Why {@code spec}'s quantum cache cannot be built, if it cannot.
     *
     * @throws IllegalArgumentException as {@link #problem}
     */
    static void check(AllocatorSpec spec) {
        String problem = problem(spec.quantumCacheMax(), spec.quantum(), spec.defaultPolicy());
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /**
     * Why a quantum cache of {@code maxSize} cannot serve an allocator of this quantum and default
     * policy, or null if it can: it must hold at least one quantum and at most
     * {@link #MAX_CLASSES} quanta, and the policy must not move the next-fit rotor.
     */
    static String problem(long maxSize, long quantum, AllocationPolicy policy) {
        if (Unsigned.lessThan(maxSize, quantum)) {
            return "quantum cache size " + Unsigned.hex(maxSize) + " is below the quantum " + Unsigned.hex(quantum)
                    + ": it would cache nothing";
        }
        if (Unsigned.greaterThan(Long.divideUnsigned(maxSize, quantum), MAX_CLASSES)) {
            return "quantum cache size " + Unsigned.hex(maxSize) + " is more than " + MAX_CLASSES + " quanta of "
                    + Unsigned.hex(quantum);
        }
        if (policy.advancesRotor()) {
            return "default policy " + policy.name() + " cannot have a quantum cache: it promises not to reuse a"
                    + " freed value at once, and a cache reuses the last one freed first";
        }
        return null;
    }

    /** Connects the arena; once, before use. */
    void attach(GuardedAllocator arena, CachedCore core) {
        this.arena = arena;
        this.core = core;
    }

    // ------------------------------------------------------------------ the hot paths

    /**
     * The size class that serves {@code request} (size {@code (class + 1) x quantum}), or −1 if
     * the caches do not serve it.
     */
    int classOf(Request request) {
        // Phase, boundary and window minimum all 0, the maximum 2^64 - 1 (so max + 1 == 0), and the
        // alignment at most the quantum (alignment - 1 below it; an alignment of 0 wraps and fails):
        // one test.
        if ((request.phase() | request.noCross() | request.min() | request.max() + 1
                | (request.alignment() - 1) >>> quantumShift) != 0) {
            return -1;
        }
        long quanta = (request.size() - 1) >>> quantumShift; // size >= 1
        return quanta >= 0 && quanta < classes ? (int) quanta : -1;
    }

    /**
     * Allocates a segment of class {@code c} for a caller.
     *
     * @return the segment, or null, counted as a failed allocation, when the arena holds none
     */
    Range allocate(int c, String tag) {
        Stripe alone = single;
        if (alone != null) {
            int id = alone.pop(c); // alone: no lock to take, nobody else to see the stripe
            return id >= 0 ? handAlone(alone, c, id, tag) : allocateAfterMiss(alone, c, tag);
        }
        Stripe stripe = local.get();
        stripe.lock();
        try {
            int id = stripe.pop(c);
            if (id >= 0) {
                return hand(stripe, c, id, tag);
            }
        } finally {
            stripe.unlock();
        }
        return allocateAfterMiss(stripe, c, tag);
    }

    /**
     * Takes {@code range} back if it is exactly a segment the caches handed out and it is still
     * live.
     *
     * @return false, having changed nothing, if it is not (then the arena decides what it is)
     */
    boolean free(Range range) {
        // The commonest free is of the range just handed out: the stripe names its segment, and the
        // range confirms it by identity, with no table probe. A miss, or a segment no longer live,
        // falls back to the table, whose answer is the same segment whenever the hint was right.
        Stripe alone = single;
        if (alone != null) {
            // Alone, the latest segment's state is the stripe's flag (see handAlone): while it is
            // live, the table still says cached, so its free writes no state, only the push.
            int latest = alone.latest;
            if (alone.latestLive && table.rangeOfAlone(latest) == range) {
                int c = alone.latestClass;
                if (alone.hasRoom(c)) {
                    alone.latestLive = false;
                    alone.push(c, latest); // counted by the push: Stripe#pushedNet
                    return true;
                }
            }
            return freeLookedUp(alone, range, Outlined.HOPS);
        }
        Stripe stripe = local.get();
        // Records, not the id arrays: an id may change owner between two loads from them, a
        // record's range never does.
        int latest = stripe.latest;
        CachedSegment segment = table.byId(latest);
        if (segment != null && segment.range == range && freeInto(stripe, stripe.latestClass, latest, segment)) {
            return true;
        }
        return freeLookedUp(stripe, range, Outlined.HOPS);
    }

    /**
     * {@link #free} of a range other than the stripe's latest, found in the table, after
     * {@code hops} calls of itself ({@link Outlined}), so that the hint's path stays small enough
     * to be inlined into its callers.
     */
    private boolean freeLookedUp(Stripe stripe, Range range, int hops) {
        if (hops > 0) {
            return freeLookedUp(stripe, range, hops - 1);
        }
        long start = range.start();
        CachedSegment segment = table.get(start);
        // The range handed out is the segment's own object: identity, and no second look at the end.
        if (segment == null || segment.range != range && segment.end != range.end()) {
            return false;
        }
        int c = (int) ((segment.end - start) >>> quantumShift); // (class + 1) quanta, less one value
        return freeInto(stripe, c, segment.id, segment);
    }

    /**
     * Pushes live segment {@code id} of class {@code c} onto {@code stripe}; false, having changed
     * nothing, if it is not live. {@code segment} is its record (null is allowed when single-threaded).
     */
    private boolean freeInto(Stripe stripe, int c, int id, CachedSegment segment) {
        if (!concurrent) {
            return stripe.hasRoom(c) ? take(stripe, c, id, segment) : freeAfterOverflow(stripe, c, id, segment);
        }
        stripe.lock();
        try {
            if (stripe.hasRoom(c)) {
                return take(stripe, c, id, segment);
            }
        } finally {
            stripe.unlock();
        }
        return freeAfterOverflow(stripe, c, id, segment);
    }

    /**
     * Class {@code c}'s stack was full: one arena-lock round trip hands its older half to the depot,
     * whose oldest full magazine beyond {@link Depot#FULL_LIMIT} is drained into the arena. Apart
     * from {@link #free} so that the hit stays small enough to inline.
     */
    private boolean freeAfterOverflow(Stripe stripe, int c, int id, CachedSegment segment) {
        synchronized (arenaLock) {
            boolean taken;
            stripe.lock();
            try {
                if (!stripe.hasRoom(c)) {
                    Magazine older = depots[c].takeEmpty();
                    stripe.unload(c, older);
                    depots[c].putFull(older);
                }
                taken = take(stripe, c, id, segment);
            } finally {
                stripe.unlock();
            }
            for (Magazine m = depots[c].excess(); m != null; m = depots[c].excess()) {
                drain(m);
                depots[c].putEmpty(m);
            }
            return taken;
        }
    }

    /** Hands the cached segment with id {@code id}, just popped from {@code stripe}, to a caller. */
    private Range hand(Stripe stripe, int c, int id, String tag) {
        if (concurrent) {
            table.byId(id).hand(tag);
            stripe.served(id, c);
            return table.rangeOf(id); // not through the segment: one dependent load fewer
        }
        return handAlone(stripe, c, id, tag);
    }

    /**
     * {@link #hand} in a single-threaded allocator. The segment handed out last is live by the
     * stripe's {@link Stripe#latestLive} flag alone, its entry in the table's states left saying
     * cached: the commonest free, of that very segment, then only clears the flag. Its state goes
     * into the table only when the next hit finds it still live ({@link #stateAlone} reads both).
     * No tag is written while nobody has tagged a cached allocation.
     */
    private Range handAlone(Stripe alone, int c, int id, String tag) {
        if (alone.latestLive) {
            table.setState(alone.latest, CachedSegment.LIVE); // the last one stays out: record it
        }
        if (tag != null || table.tagged()) {
            table.setTag(id, tag);
        }
        alone.served(id, c);
        return table.rangeOfAlone(id);
    }

    /** A single-threaded allocator's state of segment {@code id}: the stripe's flag for its latest. */
    private int stateAlone(int id) {
        return single.latestLive && single.latest == id ? CachedSegment.LIVE : table.state(id);
    }

    /** Live &rarr; cached for segment {@code id} of class {@code c}, and onto the stack, which has room. */
    private boolean take(Stripe stripe, int c, int id, CachedSegment segment) {
        if (concurrent) {
            if (!segment.release()) {
                return false;
            }
        } else if (stripe.latestLive && stripe.latest == id) {
            stripe.latestLive = false; // its table state still says cached
        } else if (table.state(id) == CachedSegment.LIVE) {
            table.setState(id, CachedSegment.CACHED);
        } else {
            return false;
        }
        stripe.push(c, id); // counted by the push: Stripe#pushedNet
        return true;
    }

    /** Whether cached {@code segment}, which the table holds, is live (handed to a caller). */
    boolean isLive(CachedSegment segment) {
        return concurrent ? segment.isLive() : stateAlone(segment.id) == CachedSegment.LIVE;
    }

    /** The tag live {@code segment}, which the table holds, was handed out with. */
    String tagOf(CachedSegment segment) {
        return concurrent ? segment.tag() : table.tag(segment.id);
    }

    /** The stack was empty: one arena-lock round trip loads a full magazine onto it. */
    private Range allocateAfterMiss(Stripe stripe, int c, String tag) {
        synchronized (arenaLock) {
            Magazine full;
            try {
                full = depots[c].takeFull();
                if (full == null) {
                    full = fill(c);
                }
            } catch (RuntimeException e) {
                arena.countFailedAllocation(); // a policy that misbehaved while filling
                throw e;
            }
            if (full == null) {
                arena.countFailedAllocation();
                return null;
            }
            stripe.lock();
            try {
                int id = stripe.pop(c);
                if (id < 0) {
                    stripe.load(c, full);
                    depots[c].putEmpty(full);
                    id = stripe.pop(c);
                } else {
                    depots[c].putFull(full); // a free refilled the stack meanwhile
                }
                return hand(stripe, c, id, tag);
            } finally {
                stripe.unlock();
            }
        }
    }

    /**
     * A magazine of new segments of class {@code c} from the arena, lowest-placed on top, or null
     * if the arena has none. Arena lock.
     */
    private Magazine fill(int c) {
        long size = (c + 1) * quantum;
        Request request = new Request(size, quantum, 0, 0, 0, Unsigned.MAX, null);
        Magazine m = depots[c].takeEmpty();
        try {
            for (int i = 0; i < Magazine.ROUNDS; i++) {
                Range placed = arena.placeForCache(request, i == 0);
                if (placed == null) {
                    break;
                }
                CachedSegment segment = new CachedSegment(placed);
                table.insert(segment);
                m.push(segment.id);
            }
        } catch (RuntimeException e) {
            drain(m);
            depots[c].putEmpty(m);
            throw e;
        }
        if (m.isEmpty()) {
            depots[c].putEmpty(m);
            return null;
        }
        m.reverse();
        return m;
    }

    // ------------------------------------------------------------------ reclaiming and observing

    /**
     * Drains every cached segment into the arena. The caller holds the arena lock.
     *
     * @return whether there was any
     */
    boolean reclaim() {
        Stripe[] all = stripes;
        lockAll(all);
        try {
            boolean any = false;
            for (Stripe stripe : all) {
                for (int c = 0; c < classes; c++) {
                    for (int id = stripe.popForDrain(c); id >= 0; id = stripe.popForDrain(c)) {
                        drain(table.byId(id));
                        any = true;
                    }
                }
            }
            for (Depot depot : depots) {
                for (Magazine m = depot.anyFull(); m != null; m = depot.anyFull()) {
                    any |= drain(m);
                    depot.putEmpty(m);
                }
            }
            return any;
        } finally {
            unlockAll(all);
        }
    }

    /**
     * Runs {@code observation} on an arena that holds no cached segment and has counted
     * everything the caches served, with every cache stopped: under the arena lock and every
     * stripe's lock.
     */
    <T> T observe(Supplier<T> observation) {
        synchronized (arenaLock) {
            Stripe[] all = stripes;
            lockAll(all);
            try {
                reclaim();
                long allocations = 0;
                long frees = 0;
                long netUnits = 0;
                for (Stripe stripe : all) {
                    long hits = stripe.hits();
                    allocations += hits;
                    frees += hits;
                    for (int c = 0; c < classes; c++) {
                        long net = stripe.pushedNet(c); // frees minus allocations of class c
                        frees += net;
                        netUnits -= net * (c + 1) * quantum; // may wrap, as the arena's count
                    }
                    stripe.clearCounts();
                }
                arena.fold(allocations, frees, netUnits);
                return observation.get();
            } finally {
                unlockAll(all);
            }
        }
    }

    /**
     * The live cached segment that is exactly {@code range}, made an ordinary allocation of the
     * arena (carrying its tag), so that {@code reallocate} can move it. Arena lock.
     *
     * @return whether {@code range} was such a segment
     */
    boolean adopt(Range range) {
        CachedSegment segment = table.get(range.start());
        if (segment == null || segment.end != range.end()) {
            return false;
        }
        String tag = tagOf(segment);
        if (concurrent) {
            if (!segment.adopt()) {
                return false;
            }
        } else if (stateAlone(segment.id) == CachedSegment.LIVE) {
            if (single.latest == segment.id) {
                single.latestLive = false; // the id goes back to the table for reuse
            }
            segment.drop(); // the record's own state, for anyone still holding it
        } else {
            return false;
        }
        table.remove(segment);
        core.retag(segment.start, segment.end, tag);
        return true;
    }

    /** The segment the caches own that starts at {@code start}, or null. Exact under the arena lock. */
    CachedSegment segmentAt(long start) {
        return table.get(start);
    }

    /** Puts every segment of {@code m} back into the arena; leaves {@code m} empty. Arena lock. */
    private boolean drain(Magazine m) {
        if (m == null || m.isEmpty()) {
            return false;
        }
        while (!m.isEmpty()) {
            drain(table.byId(m.pop()));
        }
        return true;
    }

    /** Puts cached {@code segment} back into the arena. Arena lock. */
    private void drain(CachedSegment segment) {
        segment.drop();
        table.remove(segment);
        arena.releaseFromCache(segment.start, segment.end);
    }

    // ------------------------------------------------------------------ stripes

    /** A stripe for the calling thread: one a dead thread left, or a new one. */
    private Stripe register() {
        synchronized (arenaLock) {
            Thread me = Thread.currentThread();
            for (Stripe stripe : stripes) {
                if (!stripe.owner.isAlive()) {
                    stripe.owner = me; // its magazines carry over: still cached, still counted
                    return stripe;
                }
            }
            Stripe[] grown = Arrays.copyOf(stripes, stripes.length + 1);
            grown[stripes.length] = new Stripe(classes, true, me);
            stripes = grown;
            return grown[grown.length - 1];
        }
    }

    private static void lockAll(Stripe[] all) {
        for (Stripe stripe : all) {
            stripe.lock();
        }
    }

    private static void unlockAll(Stripe[] all) {
        for (int i = all.length - 1; i >= 0; i--) {
            all[i].unlock();
        }
    }
}
