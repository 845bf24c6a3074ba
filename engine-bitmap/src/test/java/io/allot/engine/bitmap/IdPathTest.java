package io.allot.engine.bitmap;

import io.allot.ExhaustedException;
import io.allot.internal.UnitPath;
import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link IdPath}, the id allocator's hot path, on a {@link BitmapCore}: it serves allocations and
 * frees itself — the general path is not called — while the core has one span and no
 * multi-quantum or tagged allocation; it hands every other case to the general path (a recording
 * stand-in here), and comes back when the core is plain again; its answers and counts match a
 * {@link BitSet} model through long seeded runs in which the core also changes behind its back.
 */
class IdPathTest {

    /** The general path, standing in for the guarded allocator: it records and delegates to the core. */
    private static final class General implements UnitPath {
        final BitmapCore core;
        /** Calls, and calls that allocated or freed something. */
        int allocations;
        int frees;
        int served;
        int released;

        General(BitmapCore core) {
            this.core = core;
        }

        @Override
        public long allocateUnit(long none) {
            allocations++;
            long start = core.claimLowest(0, -1L);
            if (start == core.none()) {
                return none;
            }
            served++;
            return start;
        }

        @Override
        public long claimUnit() {
            long start = allocateUnit(core.none());
            if (start == core.none()) {
                throw new ExhaustedException("nothing free");
            }
            return start;
        }

        @Override
        public boolean freeUnit(long start) {
            frees++;
            boolean done = core.release(start) == BitmapCore.RELEASED;
            if (done) {
                released++;
            }
            return done;
        }

        @Override
        public boolean isAllocated(long value) {
            return core.isAllocated(value);
        }

        @Override
        public long freeValues() {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void servesAPlainSingleSpanCoreWithoutTheGeneralPath() {
        BitmapCore core = new BitmapCore(1, false);
        core.addSpan(100, 299);
        General general = new General(core);
        IdPath ids = core.lowestPath(general);
        for (long id = 100; id < 300; id++) {
            assertEquals(id, id % 2 == 0 ? ids.allocateUnit(-1) : ids.claimUnit());
        }
        assertThrows(ExhaustedException.class, ids::claimUnit, "nothing free");
        assertEquals(1, general.allocations, "an empty claim goes to the general path, which counts it");
        general.allocations = 0;
        assertTrue(ids.freeUnit(150));
        assertFalse(ids.freeUnit(150), "a free id is no allocation");
        assertFalse(ids.freeUnit(99), "below the span");
        assertFalse(ids.freeUnit(300), "above the span");
        assertFalse(ids.freeUnit(-1L), "far outside, unsigned");
        assertEquals(150, ids.allocateUnit(-1));
        assertEquals(0, general.allocations + general.frees, "the general path was called");
        assertEquals(201, ids.takeAllocations());
        assertEquals(1, ids.takeFrees());
        assertEquals(0, ids.takeAllocations(), "taking restarts the count");
        assertEquals(0, ids.takeFrees());
        assertThrows(IllegalStateException.class, () -> core.lowestPath(general));
    }

    @Test
    void handsEveryCaseItDoesNotCoverToTheGeneralPath() {
        BitmapCore core = new BitmapCore(0x1000, false);
        core.addSpan(0x10000, 0x1ffff); // 16 quanta
        General general = new General(core);
        IdPath ids = core.lowestPath(general);

        assertFalse(ids.freeUnit(0x10800), "off the quantum");
        assertEquals(0x10000, ids.allocateUnit(-1));

        assertTrue(core.allocate(0x12000, 0x13fff, null)); // two quanta: frees must read the boundaries
        assertFalse(ids.freeUnit(0x12000), "part of a two-quantum allocation");
        assertFalse(ids.freeUnit(0x13000), "part of a two-quantum allocation");
        assertTrue(ids.freeUnit(0x10000));
        assertEquals(3, general.frees);
        assertTrue(core.free(0x12000, 0x13fff));

        assertTrue(core.allocate(0x15000, 0x15fff, "tagged"));
        assertEquals(0x10000, ids.allocateUnit(-1), "claims need no boundaries or tags");
        assertTrue(ids.freeUnit(0x15000)); // through the general path, which drops the tag
        assertEquals(4, general.frees);
        assertNull(core.allocationContaining(0x15000));

        assertTrue(ids.freeUnit(0x10000), "plain again");
        assertEquals(4, general.frees, "plain again, yet the general path was called");

        core.addSpan(0x40000, 0x40fff);
        assertEquals(0x10000, ids.allocateUnit(-1));
        assertEquals(1, general.allocations, "two spans: claims go through the general path");
        assertFalse(ids.freeUnit(0x40000), "free already");
        assertEquals(5, general.frees, "two spans: frees go through the general path");
        assertTrue(core.removeSpan(0x40000, 0x40fff));
        for (long start = 0x11000; start <= 0x1f000; start += 0x1000) {
            assertEquals(start, ids.allocateUnit(-1));
        }
        assertEquals(1, general.allocations, "one span again");
        assertEquals(-7, ids.allocateUnit(-7), "exhausted");
        assertEquals(2, general.allocations, "an empty claim is counted by the general path");
        core.checkInvariants();
    }

    @Test
    void seededRunsMatchABitSetWhileTheCoreChangesBehindThePath() {
        for (long quantum : new long[] {1, 0x1000}) {
            for (long base : new long[] {0, 0x7fff_ffff_ffff_f000L, -200 * quantum}) {
                long seed = System.nanoTime();
                run(quantum, base, seed);
            }
        }
    }

    private static void run(long quantum, long base, long seed) {
        int units = 200;
        String context = "quantum " + quantum + ", base 0x" + Long.toHexString(base) + ", seed " + seed;
        SplittableRandom rnd = new SplittableRandom(seed);
        BitmapCore core = new BitmapCore(quantum, false);
        core.addSpan(base, base + units * quantum - 1);
        General general = new General(core);
        IdPath ids = core.lowestPath(general);
        BitSet allocated = new BitSet(units); // units allocated as one-unit allocations by the path
        BitSet blocked = new BitSet(units);   // units held by the multi-unit or tagged allocation below
        long blockStart = -1;
        long allocations = 0;
        long frees = 0;
        for (int op = 0; op < 30_000; op++) {
            String at = context + ", op " + op;
            int kind = rnd.nextInt(allocated.cardinality() > units * 3 / 4 ? 4 : 7);
            if (kind == 0 && blockStart < 0) { // a multi-unit or tagged allocation appears
                int u = rnd.nextInt(units - 3);
                int len = rnd.nextInt(3) + 1;
                boolean tagged = len == 1 || rnd.nextBoolean();
                if (allocated.get(u, u + len).isEmpty()) {
                    assertTrue(core.allocate(base + u * quantum, base + (u + len) * quantum - 1, tagged ? "t" : null), at);
                    blocked.set(u, u + len);
                    blockStart = u;
                }
            } else if (kind == 0) { // and goes again
                long len = blocked.cardinality();
                assertTrue(core.free(base + blockStart * quantum, base + (blockStart + len) * quantum - 1), at);
                blocked.clear();
                blockStart = -1;
            } else if (kind <= 3) {
                long u = rnd.nextBoolean() ? allocated.nextSetBit(0) : rnd.nextInt(units);
                if (u < 0) {
                    u = 0;
                }
                long value = base + u * quantum + (quantum > 1 && rnd.nextInt(8) == 0 ? 1 : 0); // sometimes off the quantum
                // A tagged one-quantum allocation is one too: the general path frees it, tag and all.
                boolean single = blockStart == u && blocked.cardinality() == 1;
                boolean expected = (allocated.get((int) u) || single) && (value - base) % quantum == 0;
                assertEquals(expected, ids.freeUnit(value), at + ": free of unit " + u);
                if (expected) {
                    allocated.clear((int) u);
                    frees++;
                    if (single) {
                        blocked.clear();
                        blockStart = -1;
                    }
                }
            } else {
                BitSet used = (BitSet) allocated.clone();
                used.or(blocked);
                int u = used.nextClearBit(0);
                // Both entries, claimUnit (IdAllocator's) throwing where allocateUnit answers the sentinel.
                boolean claim = rnd.nextBoolean();
                if (claim && u >= units) {
                    assertThrows(ExhaustedException.class, ids::claimUnit, at + ": exhausted");
                    continue;
                }
                long got = claim ? ids.claimUnit() : ids.allocateUnit(base - 1);
                if (u >= units) {
                    assertEquals(base - 1, got, at + ": exhausted");
                } else {
                    assertEquals(base + u * quantum, got, at);
                    allocated.set(u);
                    allocations++;
                }
            }
            if (rnd.nextInt(500) == 0) {
                core.checkInvariants();
                assertEquals(units - allocated.cardinality() - blocked.cardinality(), countFree(core, base, units, quantum),
                        at + ": free units");
            }
        }
        // Each allocation and free counted once, by whichever path served it.
        assertEquals(allocations, ids.takeAllocations() + general.served, context + ": allocations");
        assertEquals(frees, ids.takeFrees() + general.released, context + ": frees");
        assertTrue(general.frees > 0 && general.frees < frees, context + ": the run never left, or never used, the plain path");
        core.checkInvariants();
    }

    private static long countFree(BitmapCore core, long base, int units, long quantum) {
        long free = 0;
        for (int u = 0; u < units; u++) {
            if (!core.isAllocated(base + u * quantum)) {
                free++;
            }
        }
        return free;
    }
}
