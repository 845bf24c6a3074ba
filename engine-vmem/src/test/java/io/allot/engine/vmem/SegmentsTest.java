package io.allot.engine.vmem;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The packed record store against a plain model: bounds split into two {@code int}s must come back
 * whole for every bit pattern (sign bits of either half, the top of the 64-bit space), fields of
 * neighbouring records sharing a line must not disturb each other, and growth, death and reuse keep
 * every live record's fields, links and pending bits.
 */
class SegmentsTest {

    private static final long[] EDGES = {
        0, 1, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL, 0x1_0000_0000L, 0x7fff_ffff_ffff_ffffL,
        0x8000_0000_0000_0000L, 0xffff_ffff_0000_0000L, 0xffff_ffff_7fff_ffffL, 0xffff_ffff_ffff_fffeL, -1L,
    };

    @Test
    void boundsOfEveryShapeComeBackWhole() {
        Segments segs = new Segments(2);
        List<Integer> recs = new ArrayList<>();
        for (long start : EDGES) {
            for (long end : EDGES) {
                recs.add(segs.create(start, end, Segments.ALLOCATED));
            }
        }
        int i = 0;
        for (long start : EDGES) {
            for (long end : EDGES) {
                int p = recs.get(i++);
                assertEquals(start, segs.start(p), "start of record " + p);
                assertEquals(end, segs.end(p), "end of record " + p);
                assertEquals(end - start + 1, segs.size(p), "size of record " + p);
                assertEquals(Segments.ALLOCATED, segs.type(p));
            }
        }
        int p = recs.get(0);
        segs.setStart(p, 0xdead_beef_8000_0001L);
        segs.setEnd(p, 0x8000_0000_ffff_ffffL);
        assertEquals(0xdead_beef_8000_0001L, segs.start(p));
        assertEquals(0x8000_0000_ffff_ffffL, segs.end(p));
        assertEquals(EDGES[0], segs.start(recs.get(1)), "the next record is untouched");
        assertEquals(EDGES[1], segs.end(recs.get(1)), "the next record is untouched");
    }

    @Test
    void randomChurnKeepsEveryFieldThroughGrowthDeathAndReuse() {
        long seed = Long.getLong("allot.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        Segments segs = new Segments(1);
        int slots = 1 << 12;
        long[] start = new long[slots];
        long[] end = new long[slots];
        int[] type = new int[slots];
        int[][] kin = new int[slots][2];
        List<Integer> order = new ArrayList<>(); // the address list after the sentinel, as the model has it
        int[] pending = new int[slots];
        boolean[] alive = new boolean[slots];
        List<Integer> live = new ArrayList<>();
        int[] flags = {Segments.PENDING_ADDRESS, Segments.PENDING_SIZE, Segments.PENDING_ALLOCATED};
        try {
            for (int op = 0; op < 40_000; op++) {
                int dice = random.nextInt(10);
                if ((dice < 4 || live.isEmpty()) && live.size() < 3_000) { // dead slots go first: ids stay below slots
                    segs.ensureSpare(1);
                    long s = random.nextLong();
                    long e = random.nextBoolean() ? s + random.nextInt(1 << 20) : random.nextLong();
                    int t = 1 + random.nextInt(3);
                    int p = segs.create(s, e, t);
                    assertTrue(p > 0 && p < segs.capacity() && !alive[p], "record " + p + " handed out twice");
                    assertEquals(pending[p], pendingOf(segs, p, flags), "pending bits survive death and reuse");
                    alive[p] = true;
                    live.add(p);
                    start[p] = s;
                    end[p] = e;
                    type[p] = t;
                    kin[p][0] = random.nextInt(slots);
                    kin[p][1] = random.nextInt(slots);
                    segs.setKin(p, kin[p][0], kin[p][1]);
                    int at = random.nextInt(order.size() + 1); // insert after the sentinel or order[at - 1]
                    segs.insertAfter(at == 0 ? Segments.SENTINEL : order.get(at - 1), p);
                    order.add(at, p);
                } else if (dice < 6) {
                    int p = live.remove(random.nextInt(live.size()));
                    alive[p] = false;
                    segs.unlink(p);
                    order.remove(Integer.valueOf(p));
                    segs.destroy(p);
                    assertEquals(Segments.DEAD, segs.type(p));
                } else if (dice < 8) {
                    int p = live.get(random.nextInt(live.size()));
                    int f = flags[random.nextInt(3)];
                    if (random.nextBoolean()) {
                        assertEquals((pending[p] & f) == 0, segs.markPending(p, f));
                        pending[p] |= f;
                    } else {
                        segs.clearPending(p, f);
                        pending[p] &= ~f;
                    }
                } else {
                    int p = live.get(random.nextInt(live.size()));
                    start[p] = random.nextLong();
                    end[p] = random.nextLong();
                    segs.setStart(p, start[p]);
                    segs.setEnd(p, end[p]);
                    kin[p][0] = random.nextInt(slots);
                    segs.setKprev(p, kin[p][0]);
                    kin[p][1] = random.nextInt(slots);
                    segs.setKnext(p, kin[p][1]);
                    type[p] = 1 + random.nextInt(3);
                    segs.setType(p, type[p]);
                }
                if (op % 97 == 0 || op == 39_999) {
                    for (int p : live) {
                        assertEquals(start[p], segs.start(p), "start of " + p);
                        assertEquals(end[p], segs.end(p), "end of " + p);
                        assertEquals(type[p], segs.type(p), "type of " + p);
                        assertEquals(pending[p], pendingOf(segs, p, flags), "pending bits of " + p);
                        assertEquals(kin[p][0], segs.kprev(p), "kprev of " + p);
                        assertEquals(kin[p][1], segs.knext(p), "knext of " + p);
                    }
                    int q = Segments.SENTINEL;
                    for (int p : order) {
                        assertEquals(p, segs.next(q), "next of " + q);
                        assertEquals(q, segs.prev(p), "prev of " + p);
                        q = p;
                    }
                    assertEquals(Segments.SENTINEL, segs.next(q), "the address list closes");
                    assertEquals(q, segs.prev(Segments.SENTINEL), "the address list closes backwards");
                    assertEquals(live.size(), segs.live());
                }
            }
            assertFalse(live.isEmpty());
            assertTrue(segs.capacity() >= 64, "the store grew from one slot");
        } catch (AssertionError | RuntimeException e) {
            fail("seed " + seed + ": " + e, e);
        }
    }

    private static int pendingOf(Segments segs, int p, int[] flags) {
        int bits = 0;
        for (int f : flags) {
            if (segs.isPending(p, f)) {
                bits |= f;
            }
        }
        return bits;
    }
}
