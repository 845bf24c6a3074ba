package io.allot.engine.bitmap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.BitSet;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link BitTree} against a {@link BitSet} model: every search from random points, after random
 * single and range updates, with every summary bit and the hint checked. Sizes cover no summary
 * (one word), padding in the last word, exactly full words and summary words, and three levels.
 * Seeds are printed on failure.
 */
class BitTreeTest {

    @ParameterizedTest(name = "{0} units")
    @ValueSource(longs = {1, 2, 63, 64, 65, 127, 4095, 4096, 4097, 64 * 64 * 64, 64 * 64 * 64 + 1, 300_001})
    void searchesAndUpdatesMatchABitSet(long units) {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        BitTree tree = new BitTree(units, false);
        BitSet model = new BitSet();
        int ops = units > 100_000 ? 3_000 : 20_000;
        for (int op = 0; op < ops; op++) {
            String context = "seed " + seed + ", op " + op + ", " + units + " units";
            long p = rnd.nextLong(units);
            switch (rnd.nextInt(7)) {
                case 0: { // claim the lowest free unit
                    long u = tree.claimLowest();
                    long expected = model.nextClearBit(0) < units ? model.nextClearBit(0) : -1;
                    assertEquals(expected, u, context);
                    if (u >= 0) {
                        model.set((int) u);
                    }
                    break;
                }
                case 1: { // clear one unit
                    boolean was = model.get((int) p);
                    assertEquals(was, tree.clearIfSet(p), context);
                    model.clear((int) p);
                    break;
                }
                case 2: { // set a free unit
                    if (!model.get((int) p)) {
                        tree.set(p);
                        model.set((int) p);
                    }
                    break;
                }
                case 3: { // set a free range, starting at a free unit; sometimes longer than blocks
                    long a = p;
                    if (!model.get((int) a)) {
                        long longest = rnd.nextInt(8) == 0 ? 20_000 : 300;
                        long end = Math.min(units - 1, a + rnd.nextLong(Math.min(units, longest)));
                        long b = Math.min(end, nextSet(model, a, units) - 1);
                        tree.setRange(a, b);
                        model.set((int) a, (int) b + 1);
                    }
                    break;
                }
                case 4: { // clear an allocated range
                    if (model.get((int) p)) {
                        long longest = rnd.nextInt(8) == 0 ? 20_000 : 300;
                        long end = Math.min(units - 1, p + rnd.nextLong(Math.min(units, longest)));
                        long b = Math.min(end, model.nextClearBit((int) p) - 1L);
                        tree.clearRange(p, b);
                        model.clear((int) p, (int) b + 1);
                    }
                    break;
                }
                case 5: { // clear a unit through the single-unit path
                    if (model.get((int) p)) {
                        tree.clear(p);
                        model.clear((int) p);
                    }
                    break;
                }
                default:
                    break;
            }
            assertSearches(tree, model, units, rnd.nextLong(units), context);
            if (units <= 5000 || op % 500 == 0) {
                tree.checkInvariants();
            }
        }
        tree.checkInvariants();
    }

    private static void assertSearches(BitTree tree, BitSet model, long units, long p, String context) {
        long nextFree = model.nextClearBit((int) p);
        assertEquals(nextFree < units ? nextFree : -1, tree.nextFree(p), context + ": nextFree(" + p + ")");
        assertEquals(model.previousClearBit((int) p), tree.prevFree(p), context + ": prevFree(" + p + ")");
        assertEquals(model.nextSetBit((int) p), tree.nextAllocated(p), context + ": nextAllocated(" + p + ")");
        assertEquals(model.previousSetBit((int) p), tree.prevAllocated(p), context + ": prevAllocated(" + p + ")");
        assertEquals(model.get((int) p), tree.isSet(p), context + ": isSet(" + p + ")");
        if (tree.levels >= 2) {
            long words = (units + 63) >>> 6;
            long blocks = (words + 63) >>> 6;
            long next = -1;
            for (long b = p >>> 12; b < blocks && next < 0; b++) {
                if (blockFree(model, units, words, b)) {
                    next = b << 12;
                }
            }
            assertEquals(next, tree.nextFreeBlock(p), context + ": nextFreeBlock(" + p + ")");
            long prev = -1;
            for (long b = p >>> 12; b >= 0 && prev < 0; b--) {
                if (blockFree(model, units, words, b)) {
                    prev = Math.min((b << 12) + 4095, units - 1);
                }
            }
            assertEquals(prev, tree.prevFreeBlock(p), context + ": prevFreeBlock(" + p + ")");
        }
    }

    /** Block b's words hold no allocated unit; padding past the last unit counts as allocated. */
    private static boolean blockFree(BitSet model, long units, long words, long b) {
        long end = Math.min((b + 1) << 12, words << 6);
        for (long u = b << 12; u < end; u++) {
            if (u >= units || model.get((int) u)) {
                return false;
            }
        }
        return true;
    }

    private static long nextSet(BitSet model, long from, long units) {
        int next = model.nextSetBit((int) from);
        return next < 0 ? units : next;
    }

    /**
     * W2's steady state — a dense prefix, free a unit anywhere in it, claim the lowest — and its
     * disturbances (frees above the prefix, frees across words, claims that fill a word, searches
     * from below the hint): every claim is the model's lowest free unit and the hint's two words
     * stay true ({@link BitTree#checkInvariants} checks both after every step).
     */
    @ParameterizedTest(name = "{0} units")
    @ValueSource(longs = {64, 65, 200, 64 * 64 + 3, 3 * 64 * 64})
    void theHintFollowsADensePrefixWithHoles(long units) {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        BitTree tree = new BitTree(units, false);
        BitSet model = new BitSet();
        long prefix = units / 2;
        for (long u = 0; u < prefix; u++) {
            assertEquals(u, tree.claimLowest());
            model.set((int) u);
        }
        for (int op = 0; op < 6_000; op++) {
            String context = "seed " + seed + ", op " + op + ", " + units + " units";
            int kind = rnd.nextInt(10);
            long p = rnd.nextLong(units);
            if (kind < 5 && model.get((int) p)) { // the usual step: a hole anywhere
                assertTrue(tree.clearIfSet(p), context);
                model.clear((int) p);
            } else if (kind == 5 && model.get((int) p)) { // a free across words
                long b = Math.min(model.nextClearBit((int) p) - 1L, p + rnd.nextLong(200));
                tree.clearRange(p, b);
                model.clear((int) p, (int) b + 1);
            } else if (kind == 6 && !model.get((int) p)) {
                tree.set(p);
                model.set((int) p);
            } else if (kind == 7) {
                long next = model.nextClearBit((int) p);
                assertEquals(next < units ? next : -1, tree.nextFree(p), context + ": nextFree(" + p + ")");
            }
            long lowest = model.nextClearBit(0);
            long claimed = tree.claimLowest();
            assertEquals(lowest < units ? lowest : -1, claimed, context + ": claim");
            if (claimed >= 0) {
                model.set((int) claimed);
            }
            tree.checkInvariants();
        }
    }

    /**
     * The pending unit (W2's free, which defers the hint's update to the next claim): a free below
     * the hint leaves one, and then any other operation — a second free, setting the pending unit
     * itself or another, range updates, searches and reads, the change-mark flush — runs before the
     * claim. The pending unit's bit is still set in its word, so every read (asked at the pending
     * unit itself half the time) must answer as if it were clear, and a second free of it must say
     * it is not allocated. Each must see the tree as if the free had updated the hint: the claim is still the model's
     * lowest free unit, never a unit set meanwhile, and the invariants (pending unit included) hold
     * after every step. The run counts the frees that left a unit pending, so that it fails if the
     * path it tests stops being taken.
     */
    @ParameterizedTest(name = "{0} units")
    @ValueSource(longs = {64 * 20 + 7, 64 * 64 + 3, 3 * 64 * 64}) // enough words below the hint for a free to land in a full one
    void aPendingFreeIsSettledByWhateverRunsBeforeTheNextClaim(long units) {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        BitTree tree = new BitTree(units, false);
        BitSet model = new BitSet();
        long prefix = units * 3 / 4;
        for (long u = 0; u < prefix; u++) {
            assertEquals(u, tree.claimLowest());
            model.set((int) u);
        }
        int pendingFrees = 0;
        int ops = 4_000;
        for (int op = 0; op < ops; op++) {
            String context = "seed " + seed + ", op " + op + ", " + units + " units";
            while (op % 100 == 0 && model.nextClearBit(0) < prefix) { // the dense prefix again, by claims
                long lowest = model.nextClearBit(0);
                assertEquals(lowest, tree.claimLowest(), context + ": refilling the prefix");
                model.set((int) lowest);
            }
            long lowestFree = model.nextClearBit(0);
            if (lowestFree > 0) { // free a unit below the lowest free one: a pending free if its word was full
                long q = rnd.nextLong(lowestFree);
                boolean wordWasFull = isWordFull(model, q, units);
                assertTrue(tree.clearIfSet(q), context);
                model.clear((int) q);
                if (wordWasFull && tree.pendingUnit() == q) {
                    pendingFrees++;
                }
                tree.checkInvariants();
            }
            long p = rnd.nextLong(units);
            long pending = tree.pendingUnit();
            long at = pending >= 0 && rnd.nextBoolean() ? pending : p; // reads ask at the pending unit half the time
            switch (rnd.nextInt(26)) { // half the steps are W2's: the claim follows at once
                case 0: // a second free, anywhere
                    assertEquals(model.get((int) p), tree.clearIfSet(p), context);
                    model.clear((int) p);
                    break;
                case 1: // the pending unit itself set by another path (a reserve)
                    if (pending >= 0) {
                        tree.set(pending);
                        model.set((int) pending);
                    }
                    break;
                case 2:
                    if (!model.get((int) p)) {
                        tree.set(p);
                        model.set((int) p);
                    }
                    break;
                case 3: { // a range set from a free unit, possibly the pending one
                    long a = pending >= 0 && rnd.nextBoolean() ? pending : p;
                    if (!model.get((int) a)) {
                        long b = Math.min(Math.min(units - 1, a + rnd.nextLong(150)), nextSet(model, a, units) - 1);
                        tree.setRange(a, b);
                        model.set((int) a, (int) b + 1);
                    }
                    break;
                }
                case 4: // a range freed from an allocated unit
                    if (model.get((int) p)) {
                        long b = Math.min(Math.min(units - 1, p + rnd.nextLong(150)), model.nextClearBit((int) p) - 1L);
                        tree.clearRange(p, b);
                        model.clear((int) p, (int) b + 1);
                    }
                    break;
                case 5:
                    if (model.get((int) p)) {
                        tree.clear(p);
                        model.clear((int) p);
                    }
                    break;
                case 6: {
                    long next = model.nextClearBit((int) p);
                    assertEquals(next < units ? next : -1, tree.nextFree(p), context + ": nextFree(" + p + ")");
                    break;
                }
                case 7:
                    tree.flushHint();
                    break;
                case 8:
                    assertEquals(model.get((int) at), tree.isSet(at), context + ": isSet(" + at + ")");
                    break;
                case 9: {
                    long prev = model.previousClearBit((int) at);
                    assertEquals(prev, tree.prevFree(at), context + ": prevFree(" + at + ")");
                    break;
                }
                case 10: {
                    long from = rnd.nextBoolean() ? at : at & ~63L; // from the unit or its word's start
                    long next = nextSet(model, from, units);
                    assertEquals(next < units ? next : -1, tree.nextAllocated(from), context + ": nextAllocated(" + from + ")");
                    break;
                }
                case 11: {
                    long to = rnd.nextBoolean() ? at : Math.min(units - 1, at | 63L); // to the unit or its word's end
                    assertEquals(model.previousSetBit((int) to), tree.prevAllocated(to), context + ": prevAllocated(" + to + ")");
                    break;
                }
                case 12: // a second free of the pending unit itself: not allocated, nothing changes
                    if (pending >= 0) {
                        assertFalse(tree.clearIfSet(pending), context + ": second free of pending unit " + pending);
                    }
                    break;
                default: // the usual W2 step: the claim follows at once
                    break;
            }
            tree.checkInvariants();
            long lowest = model.nextClearBit(0);
            long claimed = tree.claimLowest();
            assertEquals(lowest < units ? lowest : -1, claimed, context + ": claim after pending " + pending);
            if (claimed >= 0) {
                model.set((int) claimed);
            }
            tree.checkInvariants();
            if (model.cardinality() > units - 8) { // keep free units about, below the prefix and above
                long b = Math.min(units - 1, units * 3 / 4 + rnd.nextLong(units / 4));
                long a = Math.max(0, b - rnd.nextLong(40));
                for (long u = a; u <= b; u++) {
                    if (model.get((int) u)) {
                        assertTrue(tree.clearIfSet(u), context);
                        model.clear((int) u);
                    }
                }
            }
        }
        assertTrue(pendingFrees > ops / 20, "seed " + seed + ": only " + pendingFrees + " of " + ops
                + " frees left a unit pending; the path under test hardly ran");
    }

    /** Whether unit {@code q}'s word in {@code model} is all allocated (padding past {@code units} counts as allocated). */
    private static boolean isWordFull(BitSet model, long q, long units) {
        long from = q & ~63L;
        for (long u = from; u < from + 64; u++) {
            if (u < units && !model.get((int) u)) {
                return false;
            }
        }
        return true;
    }

    @Test
    void fillingAndDrainingEveryUnitKeepsTheSummariesExact() {
        long units = 64 * 64 + 5; // two summary levels and padding
        BitTree tree = new BitTree(units, false);
        for (long u = 0; u < units; u++) {
            assertEquals(u, tree.claimLowest());
        }
        assertEquals(-1, tree.claimLowest());
        assertEquals(-1, tree.nextFree(0));
        tree.checkInvariants();
        for (long u = units - 1; u >= 0; u--) {
            assertTrue(tree.clearIfSet(u));
            assertFalse(tree.clearIfSet(u));
        }
        assertEquals(-1, tree.nextAllocated(0));
        assertEquals(0, tree.nextFree(0));
        tree.checkInvariants();
    }

    @Test
    void thePaddingPastTheLastUnitIsNeverHandedOut() {
        BitTree tree = new BitTree(70, false);
        for (int i = 0; i < 70; i++) {
            assertTrue(tree.claimLowest() < 70);
        }
        assertEquals(-1, tree.claimLowest());
        assertEquals(-1, tree.nextFree(0));
        assertTrue(tree.clearIfSet(69));
        assertEquals(-1, tree.nextAllocated(69), "padding bits are allocated but are no units");
        assertEquals(68, tree.prevAllocated(69));
        assertEquals(69, tree.claimLowest());
        tree.checkInvariants();
    }

    @ParameterizedTest(name = "{0} units")
    @ValueSource(longs = {1, 64, 65, 4097, 300_001})
    void lockFreeClaimsAndReleasesMatchTheModelOnOneThread(long units) {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        BitTree tree = new BitTree(units, true);
        BitSet model = new BitSet();
        for (int op = 0; op < 20_000; op++) {
            String context = "seed " + seed + ", op " + op;
            long a = rnd.nextLong(units);
            long b = Math.min(units - 1, a + rnd.nextLong(200));
            switch (rnd.nextInt(3)) {
                case 0: {
                    int next = model.nextClearBit((int) a);
                    long expected = next <= b ? next : -1;
                    assertEquals(expected, tree.claimNext(a, b), context);
                    if (expected >= 0) {
                        model.set(next);
                    }
                    break;
                }
                case 1: {
                    int prev = model.previousClearBit((int) b);
                    long expected = prev >= a ? prev : -1;
                    assertEquals(expected, tree.claimPrev(a, b), context);
                    if (expected >= 0) {
                        model.set(prev);
                    }
                    break;
                }
                default:
                    assertEquals(model.get((int) a), tree.release(a), context);
                    model.clear((int) a);
            }
            if (units <= 5000 || op % 1000 == 0) {
                tree.checkInvariants();
            }
        }
        tree.checkInvariants();
    }
}
