package io.allot.engine.interval;

import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cores in the states the white-box tests of the short paths start from, and their checked free. */
final class CoreFixtures {

    private CoreFixtures() {
    }

    /** A core over {@code [0, space - 1]} with its first {@code ids} units claimed one by one. */
    static IntervalCore ids(long space, int ids) {
        IntervalCore core = new IntervalCore();
        core.addSpan(0, space - 1);
        for (int i = 0; i < ids; i++) {
            assertEquals(i, core.claimLowest(0, -1L));
        }
        core.checkInvariants();
        return core;
    }

    /**
     * A core over two adjacent spans {@code [base, base + half - 1]} and
     * {@code [base + half, base + 2 half - 1]}, every unit claimed one by one and marked in
     * {@code used}.
     */
    static IntervalCore twoFullSpans(long base, int half, BitSet used) {
        int space = 2 * half;
        IntervalCore core = new IntervalCore();
        core.addSpan(base, base + half - 1);
        core.addSpan(base + half, base + space - 1);
        for (int i = 0; i < space; i++) {
            assertEquals(base + i, core.claimLowest(base, base + space - 1));
            used.set(i);
        }
        return core;
    }

    /** A seeded random run of a white-box test at one span base. */
    interface SeededRun {
        void run(long seed, long base);
    }

    /**
     * Runs {@code run} at each of {@code bases} with one seed: {@code -Dallot.seed} if given (the
     * runs print it on failure, for the replay), else a fresh one.
     */
    static void atBases(SeededRun run, long... bases) {
        long seed = Long.getLong("allot.seed", System.nanoTime());
        for (long base : bases) {
            run.run(seed, base);
        }
    }

    /** Frees {@code [start, end]}, which must be an allocation, and checks every invariant. */
    static void free(IntervalCore core, long start, long end) {
        assertTrue(core.free(start, end), "free " + start + ".." + end);
        core.checkInvariants();
    }

    /** Frees the one-unit ids {@code first..last}, one by one (each checked): they merge into one free entry. */
    static void freeIds(IntervalCore core, long first, long last) {
        for (long id = first; id <= last; id++) {
            free(core, id, id);
        }
    }
}
