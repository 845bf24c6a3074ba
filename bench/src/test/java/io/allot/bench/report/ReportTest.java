package io.allot.bench.report;

import io.allot.bench.V3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report reads JMH's JSON as JMH writes it and computes medians, ratios and scaling as documented. */
class ReportTest {

    /** V3 on {@code vmem} at a median of 1,000 ns, and V3's loop with no allocator at 200: the floor tests' common rows. */
    private static final String V3_ON_VMEM = result("io.allot.bench.V3.freeReplace",
            "\"engine\" : \"vmem\", \"size\" : \"1000000\"", "ns/op", "[ 900.0, 1000.0, 1100.0 ]", 32.0);
    private static final String V3_HARNESS = result("io.allot.bench.V3.harness", "\"size\" : \"1000000\"", "ns/op",
            "[ 190.0, 200.0, 210.0 ]", 32.0);

    /** V1 instant-fit on {@code vmem} at a median of 60 ns, and V1's loop with no allocator at 8: the V1 floor tests' common rows. */
    private static final String V1_ON_VMEM = result("io.allot.bench.V1.instantFit",
            "\"engine\" : \"vmem\", \"size\" : \"100000\"", "ns/op", "[ 59.0, 60.0, 61.0 ]", 32.0);
    private static final String V1_HARNESS = result("io.allot.bench.V1.harness", "\"size\" : \"100000\"", "ns/op",
            "[ 7.0, 8.0, 9.0 ]", 32.0);

    /** One JMH result element in the shape JMH 1.37 writes (trimmed to the fields the report reads). */
    private static String result(String benchmark, String params, String unit, String raw, double bytes) {
        return """
                {"jmhVersion" : "1.37", "benchmark" : "%s", "mode" : "avgt", "threads" : 1, "forks" : 1,
                 "jvmArgs" : [ "-Xmx2g" ], "jdkVersion" : "17", "vmName" : "VM", "warmupIterations" : 2,
                 "warmupTime" : "500 ms", "measurementIterations" : 3, "measurementTime" : "500 ms",
                 "params" : { %s },
                 "primaryMetric" : { "score" : 1.0, "scoreError" : "NaN", "scoreUnit" : "%s", "rawData" : [ %s ] },
                 "secondaryMetrics" : { "gc.alloc.rate.norm" : { "score" : %s, "scoreUnit" : "B/op", "rawData" : [ [ 1.0 ] ] } }
                }""".formatted(benchmark, params, unit, raw, bytes);
    }

    @Test
    void tablesShowMediansRatiosToSameRunBaselinesScalingAndTargets(@TempDir Path dir) throws IOException {
        String json = "[" + String.join(",",
                result("io.allot.bench.W3.allot", "\"engine\" : \"interval\", \"policy\" : \"best-fit\", \"size\" : \"100000\"",
                        "ns/op", "[ 100.0, 900.0, 300.0 ], [ 200.0 ]", 32.0),
                result("io.allot.bench.W3.treeMap", "\"size\" : \"100000\"", "us/op", "[ 0.05, 0.05, 0.04 ]", 0.0),
                result("io.allot.bench.W3.scaling", "\"engine\" : \"interval\", \"size\" : \"1000\"", "ns/op", "[ 50.0 ]", 24.0),
                result("io.allot.bench.W3.scaling", "\"engine\" : \"interval\", \"size\" : \"1000000\"", "ns/op", "[ 400.0 ]", 24.0),
                result("io.allot.bench.W6.allot", "\"engine\" : \"interval\", \"size\" : \"1000000\"", "ms/op", "[ 25.0, 35.0 ]", 9.0)) + "]";
        Path in = dir.resolve("latest.json");
        Files.writeString(in, json, StandardCharsets.UTF_8);
        Path memory = dir.resolve("memory.tsv");
        Files.writeString(memory, "workload\timplementation\tengine\tquantum\tsize\tlive\tsegments\temptyBytes\tbuiltBytes\n"
                + "W3\tAllot\tinterval\t1\t1000000\t1000000\t1500000\t100\t60000000\n", StandardCharsets.UTF_8);
        Path out = dir.resolve("latest.md");
        Report.main(new String[] {"--json", in.toString(), "--memory", memory.toString(), "--out", out.toString(),
                "--command", "bench/run", "--wall", "754"});
        String md = Files.readString(out, StandardCharsets.UTF_8);

        // median of 100, 900, 300, 200 (two forks) = 250; TreeMap's median 0.05 us = 50 ns; 250 / 50 = 5
        assertTrue(md.contains("| Allot | `interval` | best-fit | 100k | 250 ns | 5.00× | 32 |"), md);
        assertTrue(md.contains("| TreeMap first-fit | — | first-fit | 100k | 50.0 ns |  | 0 |"), md);
        assertTrue(md.contains("| W3 | Allot | `interval` | first-match | 50.0 ns | — | — | 400 ns | **8.00×** |"), md);
        assertTrue(md.contains("| W6, 1M pages: ≤ 30 ms | 30.0 ms | met |"), md);   // median of 25 and 35 ms
        assertTrue(md.contains("W3 first-match: cost(1M) ÷ cost(1k) ≤ 2 | 8.00× (50.0 ns → 400 ns) | **missed** |"), md);
        assertTrue(md.contains("| memory, W3 at 1M live: ≤ 32 B per segment | 40 B per segment | **missed** |"), md);
        assertTrue(md.contains("| W3 at 1M | Allot | `interval` | 1 | 1,000,000 | 1,500,000 | 60 | 40 | < 64 KiB |"), md);
        assertTrue(md.contains("12 min 34 s"), md);
        assertTrue(md.contains("engine not yet present") || md.contains("`bitmap` |"), md);
    }

    /** The report {@code bench/run} would write for one run whose JMH JSON is {@code json}. */
    private static String reportOf(Path dir, String json) throws IOException {
        Path in = dir.resolve("latest.json");
        Files.writeString(in, json, StandardCharsets.UTF_8);
        Path out = dir.resolve("latest.md");
        Report.main(new String[] {"--json", in.toString(), "--out", out.toString(), "--command", "bench/run", "--wall", "1"});
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    @Test
    void theHarnessRowIsAFloorShownInItsTableAndBesideItsTargets(@TempDir Path dir) throws IOException {
        String json = "[" + String.join(",",
                V3_ON_VMEM, V3_HARNESS) + "]";
        String md = reportOf(dir, json);

        assertTrue(md.contains("| harness alone | — | — (no allocator) | 1M | 200 ns |  | 32 |"), md);
        assertTrue(md.contains("| Allot | `vmem` | instant-fit | 1M | 1,000 ns | 5.00× | 32 |"), md);
        assertTrue(md.contains("| V3, 500k live: ≤ 150 ns | 1,000 ns; harness alone: 200 ns | **missed** |"), md);
    }

    @Test
    void theCppAnchorIsABaselineOfItsRunAndItsRatioStandsBesideTheTarget(@TempDir Path dir) throws IOException {
        // The line bench/anchors/offset_allocator_v.cpp prints with "json": no secondary metrics,
        // one fork of ten rounds, and a key of its own that the report ignores.
        String anchor = "{\"benchmark\": \"io.allot.bench.V1.offsetAllocator\", \"params\": {\"size\": \"100000\"}, "
                + "\"primaryMetric\": {\"scoreUnit\": \"ns/op\", \"rawData\": [[31.0, 29.0, 30.0, 28.0, 32.0, 30.0, "
                + "30.0, 29.5, 30.5, 33.0]]}, \"sink\": 1}";
        String json = "[" + String.join(",",
                V1_ON_VMEM,
                V1_HARNESS,
                anchor) + "]";
        String md = reportOf(dir, json);

        assertTrue(md.contains("| OffsetAllocator (C++) | — | its own: smallest bin sure to fit, 8 bins per power of two "
                + "| 100k | 30.0 ns |"), md);
        assertTrue(md.contains("| Allot | `vmem` | instant-fit | 100k | 60.0 ns | 2.00× | 7.50× | 32 |"), md);
        assertTrue(md.contains("| V1 instant-fit, 100k blocks: ≤ 20 ns | 60.0 ns; harness alone: 8.00 ns; "
                + "OffsetAllocator (C++), same run: 30.0 ns (2.00×) | **missed** |"), md);
        // The anchor's line has no JMH settings to show: it says where it comes from instead.
        assertTrue(md.contains("- V1: " + Report.OUTSIDE_JMH + "\n"), md);
        assertFalse(md.contains("null"), md);
    }

    @Test
    void theDependentLoadRowIsV3sMemoryFloorBesideItsTargetAndARatioColumn(@TempDir Path dir) throws IOException {
        String json = "[" + String.join(",",
                V3_ON_VMEM, V3_HARNESS,
                result("io.allot.bench.V3.dependentLoad", "\"size\" : \"1000000\"", "ns/op", "[ 240.0, 250.0, 260.0 ]",
                        0.0)) + "]";
        String md = reportOf(dir, json);

        assertTrue(Target.DEPENDENT_LOAD.endsWith(" " + (V3.WORKING_SET >> 20) + " MiB"),
                "the row's name gives the size V3.dependentLoad chains through: " + Target.DEPENDENT_LOAD);
        assertTrue(md.contains("| one dependent load in 64 MiB | — | — (no allocator) | 1M | 250 ns |"), md);
        assertTrue(md.contains("| Allot | `vmem` | instant-fit | 1M | 1,000 ns | 5.00× | 4.00× | 32 |"), md);
        assertTrue(md.contains("| V3, 500k live: ≤ 150 ns | 1,000 ns; harness alone: 200 ns; "
                + "one dependent load in 64 MiB: 250 ns | **missed** |"), md);
    }

    @Test
    void theBareCarveIsAFloorBesideInstantFitsTargetButNotBestFits(@TempDir Path dir) throws IOException {
        String json = "[" + String.join(",",
                V1_ON_VMEM,
                result("io.allot.bench.V1.bestFit", "\"engine\" : \"vmem\", \"size\" : \"100000\"",
                        "ns/op", "[ 140.0, 150.0, 160.0 ]", 32.0),
                V1_HARNESS,
                result("io.allot.bench.V1.bareCarve", "\"size\" : \"100000\"", "ns/op", "[ 17.0, 18.0, 19.0 ]", 32.0))
                + "]";
        String md = reportOf(dir, json);

        assertTrue(md.contains("| bare instant-fit carve (Java) | — | instant-fit | 100k | 18.0 ns |"), md);
        assertTrue(md.contains("| Allot | `vmem` | instant-fit | 100k | 60.0 ns | 3.33× | 7.50× | 32 |"), md);
        assertTrue(md.contains("| V1 instant-fit, 100k blocks: ≤ 20 ns | 60.0 ns; harness alone: 8.00 ns; "
                + "bare instant-fit carve (Java): 18.0 ns | **missed** |"), md);
        // Best-fit's floor is the loop alone: the bare carve is instant fit's work, not best-fit's.
        assertTrue(md.contains("| V1 best-fit, 100k blocks: ≤ 200 ns | 150 ns; harness alone: 8.00 ns | met |"), md);
    }

    @Test
    void theWordReadRowIsAFloorBesideW2sTargetAfterTheHarness(@TempDir Path dir) throws IOException {
        String json = "[" + String.join(",",
                result("io.allot.bench.W2.idAllocator", "\"engine\" : \"bitmap\", \"size\" : \"1000000\"",
                        "ns/op", "[ 20.0, 21.0, 22.0 ]", 0.0),
                result("io.allot.bench.W2.harness", "\"size\" : \"1000000\"", "ns/op", "[ 4.0, 5.0, 6.0 ]", 0.0),
                result("io.allot.bench.W2.wordRead", "\"size\" : \"1000000\"", "ns/op", "[ 11.0, 12.0, 13.0 ]", 0.0))
                + "]";
        String md = reportOf(dir, json);

        assertTrue(md.contains("| harness + word read | — | — (no allocator) | 1M | 12.0 ns |"), md);
        assertTrue(md.contains("| W2 through IdAllocator: ≤ 15 ns | 21.0 ns; harness alone: 5.00 ns; harness + word read: 12.0 ns | **missed** |"), md);
    }

    @Test
    void resultsOfSeveralRunsAreReportedTogetherWithEachRunsSettings(@TempDir Path dir) throws IOException {
        Path main = dir.resolve("latest.json");
        Files.writeString(main, "[" + result("io.allot.bench.W3.treeMap", "\"size\" : \"100000\"", "ns/op", "[ 50.0 ]", 0.0)
                + "]", StandardCharsets.UTF_8);
        Path shots = dir.resolve("latest-w6.json");
        Files.writeString(shots, "[" + result("io.allot.bench.W6.allot", "\"engine\" : \"interval\", \"size\" : \"1000000\"",
                "ms/op", "[ 25.0, 27.0, 29.0 ]", 9.0).replace("\"warmupIterations\" : 2", "\"warmupIterations\" : 10") + "]",
                StandardCharsets.UTF_8);
        Path out = dir.resolve("latest.md");
        Report.main(new String[] {"--json", main + "," + shots, "--out", out.toString()});
        String md = Files.readString(out, StandardCharsets.UTF_8);

        assertTrue(md.contains("- W3: JMH 1.37, VM 17, forks: 1, warm-up 2 × 500 ms, measurement 3 × 500 ms"), md);
        assertTrue(md.contains("- W6: JMH 1.37, VM 17, forks: 1, warm-up 10 × 500 ms, measurement 3 × 500 ms"), md);
        assertTrue(md.contains("| W6, 1M pages: ≤ 30 ms | 27.0 ms | met |"), md);
        assertTrue(md.contains("| TreeMap first-fit | — | first-fit | 100k | 50.0 ns |"), md);
    }

    @Test
    void jsonReaderHandlesWhatJmhWrites() {
        Object parsed = Json.parse("{\"a\" : [ 1, -2.5e3, \"NaN\", true, null, \"q\\\"\\u00e9\" ], \"b\" : {}}");
        Map<?, ?> map = (Map<?, ?>) parsed;
        List<?> a = (List<?>) map.get("a");
        assertEquals(1.0, Json.number(a.get(0)));
        assertEquals(-2500.0, Json.number(a.get(1)));
        assertTrue(Double.isNaN(Json.number(a.get(2))));
        assertEquals(Boolean.TRUE, a.get(3));
        assertEquals(null, a.get(4));
        assertEquals("q\"é", a.get(5));
        assertEquals(Map.of(), map.get("b"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1, 2"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\" 1}"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[] x"));
    }

    @Test
    void medianOfEvenAndOddCounts() {
        assertEquals(2.0, Result.median(List.of(3.0, 1.0, 2.0)));
        assertEquals(2.5, Result.median(List.of(4.0, 1.0, 2.0, 3.0)));
        assertTrue(Double.isNaN(Result.median(List.of())));
    }
}
