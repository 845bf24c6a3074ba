package io.allot.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SegmentTable} against a {@link HashMap}: lookups by start (page-aligned starts, whose low
 * bits are all equal, and starts near 2^64), growth, shrinking and tombstones, and the ids that
 * stripes and magazines hold — distinct among the segments in the table, reused once freed, and
 * always leading back to their segment and its range.
 */
class SegmentTableTest {

    @Test
    void lookupsAndIdsMatchAModel() {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        SegmentTable table = new SegmentTable();
        Map<Long, CachedSegment> model = new HashMap<>();
        List<CachedSegment> held = new ArrayList<>();
        int maxId = 0;
        int peak = 0;
        for (int op = 0; op < 200_000; op++) {
            String where = "seed " + seed + ", op " + op;
            // Phases of growth and shrinkage so the table rebuilds both ways.
            boolean grow = op / 25_000 % 2 == 0;
            long start = rnd.nextBoolean() ? rnd.nextLong(20_000) << 12 : -4096L * (1 + rnd.nextLong(2_000));
            int pick = rnd.nextInt(10);
            if (pick < (grow ? 6 : 3)) {
                if (!model.containsKey(start)) {
                    CachedSegment s = new CachedSegment(start, start + 4095);
                    table.insert(s);
                    model.put(start, s);
                    held.add(s);
                    maxId = Math.max(maxId, s.id);
                    peak = Math.max(peak, model.size());
                }
            } else if (pick < 8 && !held.isEmpty()) {
                int i = rnd.nextInt(held.size());
                CachedSegment s = held.get(i);
                held.set(i, held.get(held.size() - 1));
                held.remove(held.size() - 1);
                table.remove(s);
                model.remove(s.start);
                assertNull(table.get(s.start), where);
            } else {
                assertSame(model.get(start), table.get(start), where);
            }
        }
        Set<Integer> ids = new HashSet<>();
        for (CachedSegment s : held) {
            assertSame(s, table.get(s.start), "seed " + seed);
            assertSame(s, table.byId(s.id), "seed " + seed);
            assertSame(s.range, table.rangeOf(s.id), "seed " + seed + ": the range a hit hands out");
            assertTrue(ids.add(s.id), "seed " + seed + ": id " + s.id + " given twice");
        }
        // Freed ids are reused first, so no id reaches the most segments ever held at once.
        assertTrue(maxId < peak, "seed " + seed + ": id " + maxId + " with at most " + peak + " held");
        assertEquals(model.size(), held.size());
    }

    @Test
    void freedIdsAreReusedBeforeNewOnes() {
        SegmentTable table = new SegmentTable();
        List<CachedSegment> first = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            CachedSegment s = new CachedSegment(i * 4096L, i * 4096L + 4095);
            table.insert(s);
            first.add(s);
        }
        Set<Integer> freed = new HashSet<>();
        for (int i = 0; i < 100; i += 2) {
            table.remove(first.get(i));
            freed.add(first.get(i).id);
        }
        for (int i = 0; i < 50; i++) {
            CachedSegment s = new CachedSegment((1000 + i) * 4096L, (1000 + i) * 4096L + 4095);
            table.insert(s);
            assertTrue(freed.remove(s.id), "id " + s.id + " is new while freed ones remain");
            assertSame(s, table.byId(s.id));
            assertSame(s.range, table.rangeOf(s.id), "a reused id leads to its new segment's range");
        }
        for (int i = 1; i < 100; i += 2) {
            assertSame(first.get(i), table.byId(first.get(i).id));
            assertSame(first.get(i), table.get(first.get(i).start));
        }
    }
}
