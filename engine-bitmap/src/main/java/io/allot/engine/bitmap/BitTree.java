package io.allot.engine.bitmap;

import io.allot.internal.Outlined;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One bit per unit, 1 = allocated, with two 64-ary summary hierarchies over the words, so that the
 * next (or previous) free or allocated unit from any point is found in O(log<sub>64</sub> n) word
 * reads — Linux's {@code find_next_zero_bit} steered the way IDA's {@code IDA_FREE} marks steer
 * its radix tree.
 *
 * <h2>Layout</h2>
 * {@code full[0] == any[0] == leaf}, the unit bits, unit {@code u} at bit {@code u & 63} of word
 * {@code u >>> 6}. For k &ge; 1, bit j of word i of {@code full[k]} says that word {@code 64i + j}
 * of level k&minus;1 is all ones (nothing free below it), and the same bit of {@code any[k]} says
 * that it is not zero (something allocated below it). Level {@code levels} is one word. Bits past
 * the end are padding: in the leaf they are set (allocated forever, so never handed out), in
 * {@code full[k]} they are set (a missing child has nothing free), in {@code any[k]} they are
 * clear. A new tree is all zeros but for padding: Java's zeroed arrays are an empty span.
 *
 * <h2>Invariant</h2>
 * Every summary bit equals its predicate of the word below, with one exception (below: lazy full
 * bits). Single-threaded updates keep it exactly after each call. Lock-free updates ({@link #claimNext}, {@link #release}) keep it
 * exactly whenever no update is in flight: after changing a word so that its predicate flips, the
 * changing thread sets the parent bit to the predicate of the word's <em>current</em> value and
 * repeats until the word's predicate stays what it wrote. Whoever writes a parent bit last has
 * re-read the word after writing, and any later flip of the word is followed by its own write, so
 * the last write is always right. In flight, a summary may be stale either way; a search that
 * descends into a word that is full after all continues past it (a stale bit costs a retry, never
 * a wrong answer).
 *
 * <h2>Lazy full bits</h2>
 * In a single-threaded tree, a {@code full} bit that is set is always right (nothing free below),
 * but a clear one may sit over a word that is full: {@link #claimLowest}, the id allocator's
 * claim, fills words without setting their bits. Setting them is what made a dense prefix with one
 * hole (W2) expensive: each claim that refilled the hole set a bit on every level where the word
 * became all ones, and the next free cleared them all again, a handful of read-modify-writes and
 * mispredicted branches per id. Searches of {@code full} ({@link #nextNonFullWord},
 * {@link #prevNonFullWord}) take a clear bit as "maybe": they read the word below, and if it is
 * full they set the bit then (upwards as words fill) and search on past it. Each lazy bit is left
 * by one claim and set by at most one search, so searches stay O(log<sub>64</sub> n) amortised;
 * frees clear bits as before ({@code unmarkFull} climbs only while words were all ones, and a
 * lazy word never was). The {@code any} summary, which finds allocated units and run ends, stays
 * exact.
 *
 * <h2>Change marks</h2>
 * Every change to a leaf word marks its group of eight words in its block of 64, and the block's
 * ancestors, in {@code changed} (one byte per summary word of each level, one bit per eighth of
 * the node), for {@link RunStats} to recompute lazily, an eighth at a time. A marked block's
 * ancestors are marked too, so the usual cost is one byte load. Lock-free writers mark
 * concurrently and may lose one another's group bits, never the mark itself (every store is of a
 * non-zero byte, and only the exclusive path clears), which is all that {@link RunStats} reads
 * of a concurrent tree's marks: it recomputes its marked nodes whole.
 * In a single-threaded tree an id's claim (always in the hint's low word {@link #lowWord}, below)
 * and a free in that word mark nothing: they set {@link #hintDirty}, a field beside the hint, and
 * the mark is written when it is needed — when the hint leaves that word, and before
 * {@link RunStats} reads the marks ({@link #flushHint}). A free below the hint, which makes its
 * word the low word, marks nothing either when the old low word had no unmarked change (W2's
 * steady state: the claim that refilled the last hole marked it, moving on); and a claim that
 * fills the low word marks its block, usually one load, as the hint leaves it. Reading the mark byte on each of them cost
 * W1 about 5 ns a pair through {@link io.allot.IdAllocator} (a third of it); keeping the hint's
 * block marked for good instead (as this tree once did) made every best- or instant-fit search
 * recount that block's 64 words and its ancestors, changed or not.
 *
 * <h2>Hint</h2>
 * Single-threaded trees keep two word indexes, {@code lowWord} L and {@code fullUntil} N, with
 * L &lt; N or L = words: every word below L is full, and so is every word strictly between L and
 * N. So the lowest free unit is in word L if L has one, else at or after word N: a claim reads one
 * word, where {@code BitSet.nextClearBit(0)} walks the whole dense prefix. The hint is kept exact
 * enough that a dense prefix with one hole — W2's steady state: free a random id, allocate the
 * lowest — never needs a summary search:
 * <ul>
 *   <li>a claim that fills word L moves L to N (words below N are now full) and N to N+1;</li>
 *   <li>freeing in a single word w below L makes N := L (the words between w and the old L are
 *       full) and L := w; freeing in a word between L and N lowers N to it;</li>
 *   <li>freeing across several words from w: L := min(L, w) and N := L+1 (nothing is known to be
 *       full past L any more), or N := min(N, w) when w lies above L;</li>
 *   <li>a search from the hint that finds word f makes L := f and N := max(N, f+1).</li>
 * </ul>
 * Setting bits keeps both true. Concurrent trees do not keep the hint.
 *
 * <h2>Pending unit</h2>
 * W2's free — a unit whose word was full, below the hint's low word, the word's full bit lazily
 * clear — leaves that unit the only free one below the hint, so it is the lowest free unit, and
 * the next claim takes it back whatever the hint says. Such a free only records the unit in
 * {@code pending}: its bit stays set and the hint as it was; a claim with a unit pending returns
 * it, with no read or write of the word or the hint. The pair changes nothing in the tree, so it
 * needs no change mark, no summary bit and no hint update: a free then a claim costs about what
 * remembering the last freed unit would. It also writes no leaf word: when the free cleared the
 * bit and the claim set it again (as this tree once did), both stores' addresses came from the
 * random id the caller had just loaded, and W2's pair at 10<sup>6</sup> ids cost about twice a
 * loop that makes the same loads without them, rising with the machine's memory latency. The
 * free's clear and hint update are deferred, not dropped: every other method that reads a leaf
 * word, the hint or the change marks, or writes a leaf word, first applies them
 * ({@link #settle}: the bit cleared, then exactly the update a free below the hint makes), so
 * everything else sees the tree as if the free had taken the ordinary path. Invariant:
 * {@code pending} is -1, or a free unit whose bit is still set in a full word below the hint's
 * low word, whose full bit is clear; every other word below the low word is full. Concurrent
 * trees never record one.
 */
final class BitTree {

    private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(long[].class);

    /** Units held, 1 to 2<sup>32</sup>. */
    final long units;
    /** The unit bits; {@code full[0]} and {@code any[0]}. */
    final long[] leaf;
    private final long[][] full;
    private final long[][] any;
    /** Index of the one-word top level; 0 when the leaf is a single word. */
    final int levels;
    private final boolean hinted;
    /** No leaf word below this one has a free unit; {@code leaf.length} when none has. */
    private int lowWord;
    /**
     * Word {@link #lowWord} changed since its block was last marked (single-threaded trees): the
     * one unmarked change the tree allows; see "Change marks".
     */
    private boolean hintDirty;
    /**
     * Every leaf word strictly between {@link #lowWord} and this one is full; above
     * {@code lowWord}, at most {@code leaf.length} (see the class comment).
     */
    private int fullUntil = 1;
    /**
     * The unit a free left as the only free one below the hint, not yet in the hint, or -1: see
     * "Pending unit".
     */
    private long pending = -1;
    /**
     * {@code changed[k][i]}: which eighths of the node under word i of level k changed (1 &le; k
     * &le; {@link #levels}), one bit per group of eight children (leaf words at level 1), so that
     * {@link RunStats} recomputes only those groups; 0 when nothing under it changed. A node
     * that is marked has its group's bit set in its parent. One more level above the top holds a
     * single 1 for good, so that marking upwards stops there without a bound check
     * ({@link #markChangedUp}). In a concurrent tree only whether a mark is 0 counts (see "Change
     * marks").
     */
    final byte[][] changed;
    /** {@code changed[1]}, or a one-byte array holding 1 when there is no level 1. */
    private final byte[] changedBlocks;
    /**
     * {@code full[1]}, or a one-word array holding 0 for good when there is no level 1, so that a
     * free below the hint tests its word's full bit with no level check.
     */
    private final long[] fullBlocks;

    BitTree(long units, boolean concurrent) {
        this.units = units;
        this.hinted = !concurrent;
        int words = (int) ((units + 63) >>> 6);
        int depth = 0;
        for (int count = words; count > 1; count = (count + 63) >>> 6) {
            depth++;
        }
        this.levels = depth;
        this.leaf = new long[words];
        this.full = new long[depth + 1][];
        this.any = new long[depth + 1][];
        this.changed = new byte[depth + 2][];
        this.changed[depth + 1] = new byte[] {1}; // the sentinel above the top
        full[0] = leaf;
        any[0] = leaf;
        int children = words;
        for (int k = 1; k <= depth; k++) {
            int count = (children + 63) >>> 6;
            full[k] = new long[count];
            any[k] = new long[count];
            changed[k] = new byte[count];
            if ((children & 63) != 0) {
                full[k][count - 1] = -1L << children; // missing children have nothing free
            }
            children = count;
        }
        this.changedBlocks = depth >= 1 ? changed[1] : new byte[] {1};
        this.fullBlocks = depth >= 1 ? full[1] : new long[1];
        if ((units & 63) != 0) {
            setRange(units, ((long) words << 6) - 1); // padding past the last unit
        }
    }

    /** Leaf words: {@code ceil(units / 64)}. */
    int words() {
        return leaf.length;
    }

    /** Words at summary level {@code k}, 1 &le; k &le; {@link #levels}. */
    int words(int k) {
        return full[k].length;
    }

    boolean isSet(long u) {
        settle();
        return (leaf[(int) (u >>> 6)] & (1L << u)) != 0;
    }

    // ---------------------------------------------------------------- searches (single-threaded)

    /** The first free unit at or after {@code p} (0 &le; p &lt; units), or -1. */
    long nextFree(long p) {
        settle();
        int w = (int) (p >>> 6);
        boolean fromHint = hinted && p <= (long) lowWord << 6;
        if (fromHint) {
            w = lowWord;
            if (w == leaf.length) {
                return -1;
            }
            if (leaf[w] == -1L) {
                w = fullUntil; // the words between are full too
                if (w == leaf.length) {
                    moveHint(w);
                    return -1;
                }
            }
            p = (long) w << 6;
        }
        long x = ~leaf[w] & (-1L << p);
        if (x == 0) {
            w = nextNonFullWord(w);
            if (w < 0) {
                if (fromHint) {
                    moveHint(leaf.length);
                }
                return -1;
            }
            x = ~leaf[w];
        }
        if (fromHint && w != lowWord) {
            moveHint(w);
            if (fullUntil <= w) {
                fullUntil = w + 1;
            }
        }
        return ((long) w << 6) + Long.numberOfTrailingZeros(x);
    }

    /** The last free unit at or before {@code p} (0 &le; p &lt; units), or -1. */
    long prevFree(long p) {
        settle();
        int w = (int) (p >>> 6);
        long x = ~leaf[w] & (-1L >>> (63 - (p & 63)));
        if (x == 0) {
            w = prevNonFullWord(w);
            if (w < 0) {
                return -1;
            }
            x = ~leaf[w];
        }
        return ((long) w << 6) + 63 - Long.numberOfLeadingZeros(x);
    }

    /** The first allocated unit at or after {@code p} (0 &le; p &lt; units), or -1. */
    long nextAllocated(long p) {
        settle();
        int w = (int) (p >>> 6);
        long x = leaf[w] & (-1L << p);
        if (x == 0) {
            w = nextWord(any, w, false);
            if (w < 0) {
                return -1;
            }
            x = leaf[w];
        }
        long u = ((long) w << 6) + Long.numberOfTrailingZeros(x);
        return u < units ? u : -1; // padding is "allocated" but is no unit
    }

    /** The last allocated unit at or before {@code p} (0 &le; p &lt; units), or -1. */
    long prevAllocated(long p) {
        settle();
        int w = (int) (p >>> 6);
        long x = leaf[w] & (-1L >>> (63 - (p & 63)));
        if (x == 0) {
            w = prevWord(any, w, false);
            if (w < 0) {
                return -1;
            }
            x = leaf[w];
        }
        return ((long) w << 6) + 63 - Long.numberOfLeadingZeros(x);
    }

    /**
     * The first unit of the first wholly free block of 4096 units (a clear bit of {@code any[2]})
     * whose block is at or after the block of unit {@code p}, or -1. A free run of at least
     * 2·4096&minus;1 units always holds one, so a search for such runs may jump from one to the next
     * instead of walking every shorter run in between. Reads {@code any[2]} word by word:
     * O(n / 2<sup>18</sup>) at most. Needs {@link #levels} &ge; 2.
     */
    long nextFreeBlock(long p) {
        long[] s = any[2];
        int blocks = full[1].length;
        long block = p >>> 12;
        for (int i = (int) (block >>> 6); i < s.length; i++) {
            long y = ~s[i];
            if (i == (int) (block >>> 6)) {
                y &= -1L << block;
            }
            if (y != 0) {
                long found = ((long) i << 6) + Long.numberOfTrailingZeros(y);
                return found < blocks ? found << 12 : -1;
            }
        }
        return -1;
    }

    /** As {@link #nextFreeBlock}, the last unit of the last wholly free block at or before unit {@code p}'s. */
    long prevFreeBlock(long p) {
        long[] s = any[2];
        long block = p >>> 12;
        for (int i = (int) (block >>> 6); i >= 0; i--) {
            long y = ~s[i];
            if (i == (int) (block >>> 6)) {
                y &= -1L >>> (63 - (block & 63));
            }
            if (y != 0) {
                long found = ((long) i << 6) + 63 - Long.numberOfLeadingZeros(y);
                return Math.min((found << 12) + 4095, units - 1); // the last block may be short
            }
        }
        return -1;
    }

    /**
     * The first leaf word after {@code w} with a free unit, or -1: {@link #nextWord} over
     * {@code full}, except that a clear bit over a word that is full after all (a lazy bit, or one
     * stale in flight) is set on the spot, upwards as words fill, and the search goes on past it.
     * So each lazy bit costs one extra read, once.
     */
    private int nextNonFullWord(int w) {
        long idx = w;
        int k = 1;
        while (true) {
            while (true) { // climb to a clear bit after idx
                if (k > levels) {
                    return -1;
                }
                int i = (int) (idx >>> 6);
                long y = ~full[k][i] & (-2L << idx);
                if (y != 0) {
                    idx = ((long) i << 6) + Long.numberOfTrailingZeros(y);
                    break;
                }
                idx = i;
                k++;
            }
            while (true) { // descend along the lowest clear bits; idx is a word of level k-1
                long v = full[k - 1][(int) idx];
                if (v == -1L) {
                    markFullFrom(k, idx); // a lazy bit: set it and search on after idx
                    break;
                }
                if (k == 1) {
                    return (int) idx;
                }
                idx = (idx << 6) + Long.numberOfTrailingZeros(~v);
                k--;
            }
        }
    }

    /** As {@link #nextNonFullWord}, the last leaf word before {@code w} with a free unit. */
    private int prevNonFullWord(int w) {
        long idx = w;
        int k = 1;
        while (true) {
            while (true) {
                if (k > levels) {
                    return -1;
                }
                int i = (int) (idx >>> 6);
                long y = ~full[k][i] & ((1L << idx) - 1);
                if (y != 0) {
                    idx = ((long) i << 6) + 63 - Long.numberOfLeadingZeros(y);
                    break;
                }
                idx = i;
                k++;
            }
            while (true) {
                long v = full[k - 1][(int) idx];
                if (v == -1L) {
                    markFullFrom(k, idx);
                    break;
                }
                if (k == 1) {
                    return (int) idx;
                }
                idx = (idx << 6) + 63 - Long.numberOfLeadingZeros(~v);
                k--;
            }
        }
    }

    /**
     * The first leaf word after {@code w} whose summary bit in {@code tree} is clear (for
     * {@code full}: a word with a free unit) or set (for {@code any}: a word with an allocated
     * unit), or -1: climb while the rest of each summary word is uninteresting, then descend along
     * the lowest interesting bit.
     */
    private int nextWord(long[][] tree, int w, boolean wantClear) {
        long idx = w;
        int k = 1;
        while (true) {
            if (k > levels) {
                return -1;
            }
            int i = (int) (idx >>> 6);
            long s = tree[k][i];
            long y = (wantClear ? ~s : s) & (-2L << idx);
            if (y != 0) {
                idx = ((long) i << 6) + Long.numberOfTrailingZeros(y);
                break;
            }
            idx = i;
            k++;
        }
        while (--k > 0) {
            long s = tree[k][(int) idx];
            idx = (idx << 6) + Long.numberOfTrailingZeros(wantClear ? ~s : s);
        }
        return (int) idx;
    }

    /** As {@link #nextWord}, the last such leaf word before {@code w}. */
    private int prevWord(long[][] tree, int w, boolean wantClear) {
        long idx = w;
        int k = 1;
        while (true) {
            if (k > levels) {
                return -1;
            }
            int i = (int) (idx >>> 6);
            long s = tree[k][i];
            long y = (wantClear ? ~s : s) & ((1L << idx) - 1);
            if (y != 0) {
                idx = ((long) i << 6) + 63 - Long.numberOfLeadingZeros(y);
                break;
            }
            idx = i;
            k++;
        }
        while (--k > 0) {
            long s = tree[k][(int) idx];
            idx = (idx << 6) + 63 - Long.numberOfLeadingZeros(wantClear ? ~s : s);
        }
        return (int) idx;
    }

    // ---------------------------------------------------------------- one unit (single-threaded)

    /**
     * Allocates the lowest free unit: the pending unit if a free left one (no read or write), else
     * the hint's word (one read when the hint is right, which it is after any free below it), else
     * the summary search.
     *
     * <p>Written for the JIT, which compiles it into an id allocator's callers with the branch
     * profile of whatever ran first (a benchmark's set-up, say, that filled the words one by one
     * and then freed at random — not the steady state that follows). Only the claims an id
     * allocator makes in its steady states are here: of the pending unit (W2's every claim,
     * refilling the hole its free left below the hint), and in a word neither empty before nor
     * full after (W1). Every other case is one call that the JIT never inlines, whatever the
     * profile ({@link #claimLowestRarely}, behind {@link Outlined#HOPS}), whose answer is returned as
     * it is. Inlined, the rarer cases (a word that was empty or fills, a search) made this method
     * and its callers so big in machine code that the JIT would not inline the id allocator's
     * caller into its own caller (InlineSmallCode, 2,500 bytes): a benchmark's loop, or an
     * application's, then paid a call, a frame and reloads of every field on each id.
     *
     * @return the unit, or -1 if none is free
     */
    long claimLowest() {
        long p = pending;
        if (p >= 0) { // W2's claim: the unit the last free left below the hint
            pending = -1; // its bit was never cleared: no read, no write, no summary, no mark
            return p;
        }
        int w = lowWord;
        long[] words = leaf;
        if (w < words.length) {
            long old = words[w];
            long now = old | (old + 1); // sets the lowest clear bit; all ones if old was
            if (now != -1L && old != 0) { // now != -1: old was not full either, one test for both
                words[w] = now;
                hintDirty = true; // no change mark: see "Change marks" (before the hint moves on)
                // The unit is counted from ~old, not from the new word, to keep the id's
                // dependency chain short.
                return ((long) w << 6) + Long.numberOfTrailingZeros(~old);
            }
        }
        return claimLowestRarely(Outlined.HOPS);
    }

    /**
     * {@link #claimLowest} in every case (a word that was empty, fills, is full, or none), after
     * {@code hops} calls of itself ({@link Outlined#HOPS}).
     */
    private long claimLowestRarely(int hops) {
        if (hops > 0) {
            return claimLowestRarely(hops - 1);
        }
        int w = lowWord;
        if (w < leaf.length) {
            long old = leaf[w];
            if (old != -1L) {
                long now = old | (old + 1); // sets the lowest clear bit
                leaf[w] = now;
                hintDirty = true; // no change mark: see "Change marks" (before the hint moves on)
                if (old == 0) {
                    markAny(w);
                }
                if (now == -1L) {
                    filledLowWord(w); // its full bit is left clear: see "Lazy full bits"
                }
                return ((long) w << 6) + Long.numberOfTrailingZeros(~old);
            }
        }
        return claimLowestSearching();
    }

    /** {@link #claimLowest} when the hint's low word is full or there is none: a search from the hint. */
    private long claimLowestSearching() {
        long u = nextFree(0); // from the hint, which it moves to u's word
        if (u >= 0) {
            set(u);
            int uw = (int) (u >>> 6);
            if (leaf[uw] == -1L) {
                filledLowWord(uw); // set(u) marked the word already; marking again is one load
            }
        }
        return u;
    }

    /**
     * Frees unit {@code u} if it is allocated.
     *
     * <p>Written for the JIT as {@link #claimLowest} is: W1's free (in the hint's word, which
     * changes unmarked, no summary bit changing) and W2's (a unit of a full word below the hint,
     * its full bit clear, becomes the pending unit, its word not written, which the next claim
     * takes back; see "Pending unit") are tested first, in that order, after a unit still pending
     * is settled; every other case is one call the JIT does not inline ({@link #clearedElsewhere},
     * behind {@link Outlined#HOPS}).
     *
     * @return false, changing nothing, if it was free
     */
    boolean clearIfSet(long u) {
        settle(); // a pending unit's bit is still set: two frees in a row, or a second free of it
        int w = (int) (u >>> 6);
        long[] words = leaf;
        long old = words[w];
        long bit = 1L << u;
        if ((old & bit) == 0) {
            return false;
        }
        long now = old ^ bit;
        int low = lowWord;
        if (w == low && now != 0 && old != -1L) { // W1's free: no summary bit changes
            words[w] = now;
            hintDirty = true; // no change mark: see "Change marks"
            return true;
        }
        if (old == -1L && w < low && (fullBlocks[w >>> 6] & (1L << w)) == 0) {
            pending = u; // W2's free: now the lowest free unit, its bit left set; see "Pending unit"
            return true;
        }
        words[w] = now;
        clearedElsewhere(w, old, now, Outlined.HOPS);
        return true;
    }

    /**
     * {@link #clearIfSet} in every other case, after {@code hops} calls of itself
     * ({@link Outlined#HOPS}): leaf word {@code w} changed from {@code old} to {@code now}, no unit
     * pending (the caller settled it before reading the word). The summaries follow the word if it was full with its full
     * bit set (lazy bits are usually clear) or emptied, and the hint: a word below the hint's,
     * where every word is full, becomes its low word, the words between it and the old one being
     * full, its change the hint's one unmarked change; a word above it lowers the word the words
     * are known full up to, and is marked.
     */
    private void clearedElsewhere(int w, long old, long now, int hops) {
        if (hops > 0) {
            clearedElsewhere(w, old, now, hops - 1);
            return;
        }
        int low = lowWord; // no unit is pending: clearIfSet settled it first
        if ((old == -1L && (fullBlocks[w >>> 6] & (1L << w)) != 0) || now == 0) {
            summarise(w, old, now);
        }
        if (w == low) {
            hintDirty = true; // no change mark: see "Change marks"
        } else if (w < low) {
            if (hintDirty) { // flushHint, before the hint moves
                markChanged(low);
            }
            fullUntil = low; // the words between w and the old low word are full
            lowWord = w;
            hintDirty = true; // w's change is the hint's one unmarked change now
        } else {
            if (w < fullUntil) {
                fullUntil = w;
            }
            markChanged(w);
        }
    }

    /**
     * Applies the free of the pending unit, if there is one ({@link #settlePending}): called first
     * by every method that reads a leaf word, the hint or the change marks, so that only
     * {@link #claimLowest} ever sees a unit pending.
     */
    void settle() {
        if (pending >= 0) {
            settlePending();
        }
    }

    /**
     * Applies the pending unit's free: clears its bit, which the free left set, and updates the
     * hint as {@link #clearIfSet} does for a free below the hint's low word: its word becomes the
     * low word, the words up to the old one being full. Nothing has touched the hint or that word
     * since that free, so the word is still below the low word.
     */
    private void settlePending() {
        int w = (int) (pending >>> 6);
        leaf[w] &= ~(1L << pending); // the free's clear, deferred
        pending = -1;
        int low = lowWord;
        if (hintDirty) {
            markChanged(low);
        }
        fullUntil = low;
        lowWord = w;
        hintDirty = true; // the pending free's change is the hint's one unmarked change now
    }

    /**
     * Word {@code w}, the hint's low word, became full: its change is marked (the hint leaves it),
     * and since every word below {@link #fullUntil} is full now, the lowest free unit is at or
     * after that word, which becomes the low word.
     */
    private void filledLowWord(int w) {
        markChanged(w);
        hintDirty = false;
        int n = fullUntil;
        lowWord = n;
        if (n < leaf.length) {
            fullUntil = n + 1;
        }
    }

    /** Units of leaf word {@code w}, and no other, became free: the hint's update. */
    private void freedIn(int w) {
        int low = lowWord;
        if (w < low) {
            fullUntil = low; // the words between w and the old low word are full
            moveHint(w);
        } else if (w > low && w < fullUntil) {
            fullUntil = w;
        }
    }

    /** Units of leaf words {@code first} to {@code last} (first &lt; last) became free. */
    private void freedAcross(int first) {
        int low = lowWord;
        if (first <= low) {
            moveHint(first);
            fullUntil = first + 1;
        } else if (first < fullUntil) {
            fullUntil = first;
        }
    }

    /** Moves the hint's low word to {@code w}, first marking the old one's block if it changed unmarked. */
    private void moveHint(int w) {
        flushHint();
        lowWord = w;
    }

    /**
     * Marks the hint's word's block if an id's claim or free changed it unmarked, so that every
     * change is marked: called before {@link RunStats} reads the marks, and when the hint moves.
     */
    void flushHint() {
        settle();
        if (hintDirty) {
            hintDirty = false;
            markChanged(lowWord);
        }
    }

    /**
     * Marks leaf word {@code w}'s group of eight words changed in its block: usually one load, the
     * group already being marked.
     */
    private void markChanged(int w) {
        markGroups(w >>> 6, 1 << (w >>> 3 & 7));
    }

    /** Marks the groups {@code groups} (a bit each) of block {@code i} changed. */
    private void markGroups(int i, int groups) {
        byte[] c = changedBlocks;
        int old = c[i];
        if ((old & groups) != groups) {
            c[i] = (byte) (old | groups);
            if (old == 0) {
                markChangedUp(i);
            }
        }
    }

    /**
     * Marks the groups over block {@code i}, which was unmarked, up to the first ancestor that was
     * marked (the sentinel above the top ends the loop). Run for a block's first change since the
     * statistics were last read, from paths the id path's steady states call out of line.
     */
    private void markChangedUp(int i) {
        byte[][] c = changed;
        for (int k = 2, old = 0; old == 0; k++, i >>>= 6) {
            old = c[k][i >>> 6];
            c[k][i >>> 6] = (byte) (old | 1 << (i >>> 3 & 7));
        }
    }

    /** Whether this tree is concurrent: {@link RunStats} then reads its change marks as flags. */
    boolean concurrent() {
        return !hinted;
    }

    /** Brings the summaries in line after leaf word {@code w} changed from {@code old} to {@code now}. */
    private void summarise(int w, long old, long now) {
        if (now == -1L && old != -1L) {
            markFull(w);
        } else if (old == -1L && now != -1L) {
            unmarkFull(w);
        }
        if (old == 0 && now != 0) {
            markAny(w);
        } else if (old != 0 && now == 0) {
            unmarkAny(w);
        }
    }

    // ---------------------------------------------------------------- updates (single-threaded)

    /** Marks unit {@code u}, which is free, allocated. */
    void set(long u) {
        settle();
        int w = (int) (u >>> 6);
        long old = leaf[w];
        long now = old | (1L << u);
        leaf[w] = now;
        if (now == -1L) {
            markFull(w);
        }
        if (old == 0) {
            markAny(w);
        }
        markChanged(w);
    }

    /** Marks unit {@code u}, which is allocated, free. */
    void clear(long u) {
        settle();
        int w = (int) (u >>> 6);
        long old = leaf[w];
        long now = old & ~(1L << u);
        leaf[w] = now;
        if (old == -1L) {
            unmarkFull(w);
        }
        if (now == 0) {
            unmarkAny(w);
        }
        freedIn(w);
        markChanged(w);
    }

    /**
     * Marks units {@code [a, b]}, all free, allocated. The words strictly inside are filled at once
     * and their summary bits set as ranges, so a long run costs O(words) stores and O(words / 64)
     * summary updates.
     */
    void setRange(long a, long b) {
        settle();
        int first = (int) (a >>> 6);
        int last = (int) (b >>> 6);
        setWordBits(first, wordMask(first, a, b));
        if (last > first) {
            setWordBits(last, wordMask(last, a, b));
        }
        if (last - first >= 2) {
            java.util.Arrays.fill(leaf, first + 1, last, -1L); // were empty: every unit free
            setBits(full, 1, first + 1, last - 1);
            setBits(any, 1, first + 1, last - 1);
        }
        markChanged(first, last);
    }

    /** Marks units {@code [a, b]}, all allocated, free; as {@link #setRange}, in reverse. */
    void clearRange(long a, long b) {
        settle();
        int first = (int) (a >>> 6);
        int last = (int) (b >>> 6);
        clearWordBits(first, wordMask(first, a, b));
        if (last > first) {
            clearWordBits(last, wordMask(last, a, b));
        }
        if (last - first >= 2) {
            java.util.Arrays.fill(leaf, first + 1, last, 0L); // were full: every unit allocated
            clearBits(full, 1, first + 1, last - 1);
            clearBits(any, 1, first + 1, last - 1);
        }
        markChanged(first, last);
        if (first == last) {
            freedIn(first);
        } else {
            freedAcross(first);
        }
    }

    private void setWordBits(int w, long mask) {
        long old = leaf[w];
        long now = old | mask;
        leaf[w] = now;
        if (now == -1L && old != -1L) {
            markFull(w);
        }
        if (old == 0 && now != 0) {
            markAny(w);
        }
    }

    private void clearWordBits(int w, long mask) {
        long old = leaf[w];
        long now = old & ~mask;
        leaf[w] = now;
        if (old == -1L && now != -1L) {
            unmarkFull(w);
        }
        if (old != 0 && now == 0) {
            unmarkAny(w);
        }
    }

    /**
     * Sets bits {@code [from, to]} of summary level {@code k} of {@code tree}, for words of level
     * k-1 that have just become all ones ({@code full}) or non-zero ({@code any}), and recurses on
     * the words of level k whose own predicate flipped. The flipped words of one call form
     * contiguous runs, each passed up as one range.
     */
    private void setBits(long[][] tree, int k, long from, long to) {
        if (k > levels) {
            return;
        }
        boolean ofFull = tree == full;
        long[] s = tree[k];
        long runFrom = -1;
        for (int i = (int) (from >>> 6); i <= (int) (to >>> 6); i++) {
            long old = s[i];
            long now = old | wordMask(i, from, to);
            s[i] = now;
            boolean flipped = ofFull ? now == -1L && old != -1L : old == 0 && now != 0;
            if (flipped && runFrom < 0) {
                runFrom = i;
            } else if (!flipped && runFrom >= 0) {
                setBits(tree, k + 1, runFrom, i - 1);
                runFrom = -1;
            }
        }
        if (runFrom >= 0) {
            setBits(tree, k + 1, runFrom, to >>> 6);
        }
    }

    /** As {@link #setBits}, clearing: words no longer all ones ({@code full}) or now zero ({@code any}). */
    private void clearBits(long[][] tree, int k, long from, long to) {
        if (k > levels) {
            return;
        }
        boolean ofFull = tree == full;
        long[] s = tree[k];
        long runFrom = -1;
        for (int i = (int) (from >>> 6); i <= (int) (to >>> 6); i++) {
            long old = s[i];
            long now = old & ~wordMask(i, from, to);
            s[i] = now;
            boolean flipped = ofFull ? old == -1L && now != -1L : old != 0 && now == 0;
            if (flipped && runFrom < 0) {
                runFrom = i;
            } else if (!flipped && runFrom >= 0) {
                clearBits(tree, k + 1, runFrom, i - 1);
                runFrom = -1;
            }
        }
        if (runFrom >= 0) {
            clearBits(tree, k + 1, runFrom, to >>> 6);
        }
    }

    /** Marks the groups of leaf words {@code [first, last]} changed: one mark per block. */
    private void markChanged(int first, int last) {
        int firstBlock = first >>> 6;
        int lastBlock = last >>> 6;
        for (int b = firstBlock; b <= lastBlock; b++) {
            int from = b == firstBlock ? first >>> 3 & 7 : 0;
            int to = b == lastBlock ? last >>> 3 & 7 : 7;
            markGroups(b, 0xff >>> (7 - to) & 0xff << from);
        }
    }

    /** The bits of word {@code w} that lie in positions {@code [a, b]} (units, or summary bits). */
    private static long wordMask(long w, long a, long b) {
        long lo = (long) w << 6;
        long mask = -1L;
        if (a > lo) {
            mask &= -1L << a;
        }
        if (b < lo + 63) {
            mask &= -1L >>> (63 - (b & 63));
        }
        return mask;
    }

    /** Leaf word {@code w} became all ones: set its bit in {@code full}, and upwards while words fill. */
    private void markFull(long idx) {
        markFullFrom(1, idx);
    }

    /** Word {@code idx} of level {@code k-1} is all ones: set its bit in {@code full[k]}, and upwards. */
    private void markFullFrom(int from, long idx) {
        for (int k = from; k <= levels; k++) {
            long[] s = full[k];
            int i = (int) (idx >>> 6);
            long now = s[i] | (1L << idx);
            s[i] = now;
            if (now != -1L) {
                return;
            }
            idx = i;
        }
    }

    /** Leaf word {@code w} stopped being all ones: clear its bit in {@code full}, and upwards. */
    private void unmarkFull(long idx) {
        for (int k = 1; k <= levels; k++) {
            long[] s = full[k];
            int i = (int) (idx >>> 6);
            long old = s[i];
            s[i] = old & ~(1L << idx);
            if (old != -1L) {
                return;
            }
            idx = i;
        }
    }

    /** Leaf word {@code w} became non-zero: set its bit in {@code any}, and upwards. */
    private void markAny(long idx) {
        for (int k = 1; k <= levels; k++) {
            long[] s = any[k];
            int i = (int) (idx >>> 6);
            long old = s[i];
            s[i] = old | (1L << idx);
            if (old != 0) {
                return;
            }
            idx = i;
        }
    }

    /** Leaf word {@code w} became zero: clear its bit in {@code any}, and upwards while words empty. */
    private void unmarkAny(long idx) {
        for (int k = 1; k <= levels; k++) {
            long[] s = any[k];
            int i = (int) (idx >>> 6);
            long now = s[i] & ~(1L << idx);
            s[i] = now;
            if (now != 0) {
                return;
            }
            idx = i;
        }
    }

    // ---------------------------------------------------------------- lock-free single units

    /**
     * Allocates the first free unit in {@code [p, last]}, lock-free; other threads may claim and
     * release units meanwhile.
     *
     * @return the unit, or -1 if every word looked full when the search passed it
     */
    long claimNext(long p, long last) {
        while (p <= last) {
            int w = (int) (p >>> 6);
            long old = (long) WORD.getVolatile(leaf, w);
            long x = ~old & (-1L << p);
            if (x == 0) {
                int next = nextWordConcurrent(full, w);
                if (next < 0) {
                    return -1;
                }
                p = (long) next << 6;
                continue;
            }
            long bit = Long.lowestOneBit(x);
            long u = ((long) w << 6) + Long.numberOfTrailingZeros(bit);
            if (u > last) {
                return -1;
            }
            if (setConcurrent(w, old, bit)) {
                return u;
            }
            // Lost a race for this word: read it again (p is unchanged, so no unit is skipped).
        }
        return -1;
    }

    /** As {@link #claimNext}, the last free unit in {@code [first, p]}. */
    long claimPrev(long first, long p) {
        while (p >= first) {
            int w = (int) (p >>> 6);
            long old = (long) WORD.getVolatile(leaf, w);
            long x = ~old & (-1L >>> (63 - (p & 63)));
            if (x == 0) {
                int prev = prevWordConcurrent(full, w);
                if (prev < 0) {
                    return -1;
                }
                p = ((long) prev << 6) + 63;
                continue;
            }
            long bit = Long.highestOneBit(x);
            long u = ((long) w << 6) + Long.numberOfTrailingZeros(bit);
            if (u < first) {
                return -1;
            }
            if (setConcurrent(w, old, bit)) {
                return u;
            }
            // Lost a race for this word, as in claimNext: read it again.
        }
        return -1;
    }

    /**
     * The claim both lock-free searches end in: sets {@code bit} in leaf word {@code w}, read as
     * {@code old}, by one compare-and-set, then brings the summaries and the change mark up to
     * date (a word that became full, one that was empty).
     *
     * @return false, changing nothing, if another thread changed the word since it was read
     */
    private boolean setConcurrent(int w, long old, long bit) {
        long now = old | bit;
        if (!WORD.compareAndSet(leaf, w, old, now)) {
            return false;
        }
        changedConcurrent(w, old, now);
        return true;
    }

    /**
     * After a lock-free compare-and-set of leaf word {@code w} from {@code old} to {@code now}
     * (one bit set, or one cleared): the summaries of a word that became or stopped being full,
     * or empty, and the change mark. One of the two words is full or empty only on the side the
     * bit moved, so the tests serve the claim and the release alike.
     */
    private void changedConcurrent(int w, long old, long now) {
        if (old == -1L || now == -1L) {
            sync(full, 1, w);
        }
        if (old == 0 || now == 0) {
            sync(any, 1, w);
        }
        markChanged(w);
    }

    /**
     * Frees unit {@code u} if it is allocated, lock-free.
     *
     * @return false, changing nothing, if it was free
     */
    boolean release(long u) {
        int w = (int) (u >>> 6);
        long bit = 1L << u;
        while (true) {
            long old = (long) WORD.getVolatile(leaf, w);
            if ((old & bit) == 0) {
                return false;
            }
            long now = old & ~bit;
            if (WORD.compareAndSet(leaf, w, old, now)) {
                changedConcurrent(w, old, now);
                return true;
            }
        }
    }

    /**
     * Makes bit {@code idx} of level {@code k} of {@code tree} equal to its predicate of word
     * {@code idx} of level k&minus;1 (all ones for {@code full}, non-zero for {@code any}), after
     * this thread flipped that predicate; see the class comment for why the re-check suffices.
     */
    private void sync(long[][] tree, int k, long idx) {
        if (k > levels) {
            return;
        }
        boolean ofFull = tree == full;
        long[] child = tree[k - 1];
        long[] parent = tree[k];
        int i = (int) (idx >>> 6);
        long bit = 1L << idx;
        boolean wrote;
        do {
            long v = (long) WORD.getVolatile(child, (int) idx);
            wrote = ofFull ? v == -1L : v != 0;
            long old = wrote ? (long) WORD.getAndBitwiseOr(parent, i, bit)
                    : (long) WORD.getAndBitwiseAnd(parent, i, ~bit);
            long now = wrote ? old | bit : old & ~bit;
            if (ofFull ? (old == -1L) != (now == -1L) : (old == 0) != (now == 0)) {
                sync(tree, k + 1, i);
            }
            long again = (long) WORD.getVolatile(child, (int) idx);
            if ((ofFull ? again == -1L : again != 0) == wrote) {
                return;
            }
        } while (true);
    }

    /**
     * The first leaf word after {@code w} whose {@code tree} bit looked clear, reading with
     * volatile semantics; a summary word found full on the way down (stale) makes the search go on
     * past it. -1 when none.
     */
    private int nextWordConcurrent(long[][] tree, int w) {
        long idx = w;
        int k = 1;
        while (true) {
            while (true) {
                if (k > levels) {
                    return -1;
                }
                int i = (int) (idx >>> 6);
                long y = ~(long) WORD.getVolatile(tree[k], i) & (-2L << idx);
                if (y != 0) {
                    idx = ((long) i << 6) + Long.numberOfTrailingZeros(y);
                    break;
                }
                idx = i;
                k++;
            }
            while (k > 1) {
                long v = (long) WORD.getVolatile(tree[k - 1], (int) idx);
                if (v == -1L) {
                    break; // stale: go on after word idx of level k-1
                }
                idx = (idx << 6) + Long.numberOfTrailingZeros(~v);
                k--;
            }
            if (k == 1) {
                return (int) idx;
            }
        }
    }

    /** As {@link #nextWordConcurrent}, the last such leaf word before {@code w}. */
    private int prevWordConcurrent(long[][] tree, int w) {
        long idx = w;
        int k = 1;
        while (true) {
            while (true) {
                if (k > levels) {
                    return -1;
                }
                int i = (int) (idx >>> 6);
                long y = ~(long) WORD.getVolatile(tree[k], i) & ((1L << idx) - 1);
                if (y != 0) {
                    idx = ((long) i << 6) + 63 - Long.numberOfLeadingZeros(y);
                    break;
                }
                idx = i;
                k++;
            }
            while (k > 1) {
                long v = (long) WORD.getVolatile(tree[k - 1], (int) idx);
                if (v == -1L) {
                    break;
                }
                idx = (idx << 6) + 63 - Long.numberOfLeadingZeros(~v);
                k--;
            }
            if (k == 1) {
                return (int) idx;
            }
        }
    }

    // ---------------------------------------------------------------- checks, for tests

    /** Bytes of the arrays (leaf and both summaries), without object headers. */
    long bytes() {
        long b = 8L * leaf.length;
        for (int k = 1; k <= levels; k++) {
            b += 8L * (full[k].length + any[k].length);
        }
        return b;
    }

    /** The unit a free left pending ("Pending unit"), or -1: for tests, to see that the path ran. */
    long pendingUnit() {
        return pending;
    }

    /**
     * Verifies every summary bit, the hint and the pending unit against the words below, O(n).
     *
     * @throws IllegalStateException naming the first wrong bit
     */
    void checkInvariants() {
        for (int k = 1; k <= levels; k++) {
            long[] below = full[k - 1];
            long[] belowAny = any[k - 1];
            for (int i = 0; i < full[k].length; i++) {
                for (int j = 0; j < 64; j++) {
                    long child = ((long) i << 6) + j;
                    boolean exists = child < below.length;
                    boolean isFull = !exists || below[(int) child] == -1L;
                    boolean isAny = exists && belowAny[(int) child] != 0;
                    long bit = (full[k][i] >>> j) & 1;
                    // A single-threaded tree's full bits may be lazily clear over a full word.
                    if (hinted ? bit == 1 && !isFull : bit != (isFull ? 1 : 0)) {
                        throw new IllegalStateException("full summary level " + k + " word " + i + " bit " + j + " is wrong");
                    }
                    if (((any[k][i] >>> j) & 1) != (isAny ? 1 : 0)) {
                        throw new IllegalStateException("any summary level " + k + " word " + i + " bit " + j + " is wrong");
                    }
                }
            }
        }
        long padding = ((long) leaf.length << 6) - units;
        if (padding > 0 && (leaf[leaf.length - 1] & (-1L << (64 - padding))) != -1L << (64 - padding)) {
            throw new IllegalStateException("padding bits past unit " + units + " are not set");
        }
        if (hintDirty && (!hinted || lowWord >= leaf.length)) {
            throw new IllegalStateException("an unmarked change is recorded for hint word " + lowWord);
        }
        if (pending >= 0) {
            int pw = (int) (pending >>> 6);
            if (!hinted || pending >= units || pw >= lowWord || leaf[pw] != -1L
                    || (fullBlocks[pw >>> 6] & (1L << pw)) != 0) {
                throw new IllegalStateException("pending unit " + pending + " is not in a full word (its own bit left set) below the hint "
                        + lowWord + " with its full bit clear");
            }
        }
        if (hinted) {
            for (int w = 0; w < Math.min(lowWord, leaf.length); w++) {
                if (leaf[w] != -1L && !(pending >= 0 && w == (int) (pending >>> 6))) {
                    throw new IllegalStateException("word " + w + " below the hint " + lowWord + " has a free unit");
                }
            }
            if (lowWord < leaf.length && (fullUntil <= lowWord || fullUntil > leaf.length)) {
                throw new IllegalStateException("the hint's full-until word " + fullUntil + " is not above its low word "
                        + lowWord + " and at most " + leaf.length);
            }
            for (int w = lowWord + 1; w < fullUntil; w++) {
                if (leaf[w] != -1L) {
                    throw new IllegalStateException("word " + w + " between the hint's low word " + lowWord
                            + " and its full-until word " + fullUntil + " has a free unit");
                }
            }
        }
    }
}
