package io.allot.cli.report;

import io.allot.AllocatorStats;
import io.allot.Range;
import io.allot.cli.run.Combination;
import io.allot.cli.run.Occupancy;
import io.allot.cli.run.Outcome;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultTableTest {

    private static Outcome.Completed run(String policy, long nanos, long failed, long largestFree, long heap) {
        AllocatorStats stats = new AllocatorStats(1000, 600, 400, 12, 3, largestFree, 20, 8, failed, 0);
        return new Outcome.Completed(new Combination("interval", policy), 1_000_000, nanos, failed, 0, 0.5, stats,
                heap, new float[] {0.1f}, 1, new Occupancy(List.of(Range.of(0, 999)), new double[][] {{0.6}}));
    }

    @Test
    void rowsAlignAndProblemsReplaceTheNumbers() {
        List<Outcome> outcomes = List.of(
                run("best-fit", 1_000_000_000L, 3, 400, 2048),
                run("first-match", 500_000_000L, 12_345, 100, 4096),
                new Outcome.Refused(new Combination("bitmap", "first-match"), "spans hold 2^36 units; at most 2^32"));
        assertEquals("""
                engine    policy       ops/s  failed  peak frag  final frag  largest free  live      heap
                interval  best-fit     1.00M       3      50.0%        0.0%           400    12  2.00 KiB
                interval  first-match  2.00M  12,345      50.0%       75.0%           100    12  4.00 KiB
                bitmap    first-match  not run: the engine refused this space: spans hold 2^36 units; at most 2^32
                """, ResultTable.render(outcomes));
    }

    @Test
    void leadersAreNamedAndTiesAsPrintedAreShared() {
        List<Outcome> outcomes = List.of(
                run("best-fit", 1_000_000_000L, 3, 400, 2048),
                run("first-match", 500_000_000L, 3, 100, 2049),            // 2049 B prints as 2.00 KiB too
                run("next-fit", 800_000_000L, 9, 400, 8192));
        assertEquals("fastest: interval / first-match (2.00M); fewest failed: interval / best-fit, interval / "
                + "first-match (3); lowest final fragmentation: interval / best-fit, interval / next-fit (0.0%); least heap:"
                + " interval / best-fit, interval / first-match (2.00 KiB)", ResultTable.leaders(outcomes));
        assertTrue(Best.HEAP.leads((Outcome.Completed) outcomes.get(1), outcomes));
        assertFalse(Best.HEAP.leads((Outcome.Completed) outcomes.get(2), outcomes));
        assertTrue(Best.PEAK_FRAGMENTATION.leaders(outcomes).isEmpty(), "every row shows 50.0%: no leader");
        assertEquals("", ResultTable.leaders(List.of(outcomes.get(0))), "one row leads nothing");
    }

    @Test
    void figuresReadAsPeopleWriteThem() {
        assertEquals("99,999", Figures.units(99_999));
        assertEquals("97.7 Ki", Figures.units(100_000));
        assertEquals("16.0 Ei", Figures.units(-1L));
        assertEquals("1.00 Gi", Figures.units(1L << 30));
        assertEquals("812 B", Figures.bytes(812));
        assertEquals("1.21 MiB", Figures.bytes(1_268_777));
        assertEquals("845k", Figures.rate(845_123));
        assertEquals("1.23M", Figures.rate(1_234_567));
        assertEquals("12.3%", Figures.percent(0.1234));
    }
}
