package io.allot.bench.report;

import io.allot.Allocators;
import io.allot.IdAllocator;
import io.allot.bench.Discover;
import io.allot.bench.PageSpace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Writes {@code bench/results/latest.md} from JMH's JSON and {@code Memory}'s TSV: per workload,
 * the median time per operation of every implementation × engine × policy × size, each Allot
 * row's ratio to every baseline of the same workload and size measured in the same run, bytes
 * allocated per operation ({@code -prof gc}), the scaling table cost(1M) ÷ cost(1k), bytes per
 * allocation, and the engine issues' targets, met or missed.
 *
 * <p>Runs on the benchmarks jar's class path, so it also asks the installed engines what the
 * benchmarks asked them: the page-space quantum each uses, and which refuse V2's quantum caches.
 *
 * <p>Usage: {@code Report --json latest.json[,more.json...] --out latest.md [--memory memory.tsv]
 * [--command "bench/run"] [--wall seconds] [--host "cpu model"]}.
 */
public final class Report {

    private static final Map<String, String> WORKLOADS = new LinkedHashMap<>();

    static {
        WORKLOADS.put("W1", "ids `[0, size−1]`, a random half live; `id = allocate(); free(id)`. size = ids");
        WORKLOADS.put("W2", "W1's state; `free(random live id); allocate()`. size = ids");
        WORKLOADS.put("W3", "`[0, 2^40−1]`, 2·size pages reserved, a random size of them freed; "
                + "`allocate(4 KiB, align 4 KiB, policy); free`. size = live pages");
        WORKLOADS.put("W4", "W3's state; `allocate(256 KiB, align 4 KiB, first-match); free` (passes every hole, "
                + "too small a request to jump between wholly free blocks). size = live pages");
        WORKLOADS.put("W5", "W3's state; `allocate(1 GiB, align 4 KiB, first-match); free` (passes every hole). size = live pages");
        WORKLOADS.put("W6", "empty `[0, 2^40−1]`; whole-run time to allocate size pages of 4 KiB first-match "
                + "(single shot, fresh state per iteration). size = pages");
        WORKLOADS.put("V1", "`[0, 2^40−1]`, quantum 4 KiB, size blocks of 4 KiB–1 MiB packed, a random half freed; "
                + "`allocate(4–64 KiB, policy); free`. size = blocks created");
        WORKLOADS.put("V2", "V1 instant-fit with `quantumCache(16 × 4 KiB)`. size = blocks created");
        WORKLOADS.put("V3", "V1's state; `free(random live block); allocate(4 KiB–1 MiB, instant-fit)` into its slot. "
                + "size = blocks created");
    }

    private final Results results;
    private final Map<String, String> options;
    private final Map<String, Long> pageQuantum = new HashMap<>();
    private final StringBuilder md = new StringBuilder();

    private Report(Results results, Map<String, String> options) {
        this.results = results;
        this.options = options;
    }

    /** Reads the inputs named by the options and writes the report. */
    public static void main(String[] args) throws IOException {
        Map<String, String> options = options(args);
        List<Result> jmh = new ArrayList<>();
        List<Object> parsed = new ArrayList<>();
        for (String file : required(options, "--json").split(",")) {
            String json = Files.readString(Path.of(file), StandardCharsets.UTF_8);
            parsed.addAll(json.isBlank() ? List.of() : (List<?>) Json.parse(json));
        }
        for (Object element : parsed) {
            @SuppressWarnings("unchecked")
            Map<String, Object> entry = (Map<String, Object>) element;
            jmh.add(Result.from(entry));
        }
        List<MemoryRow> memory = new ArrayList<>();
        if (options.containsKey("--memory") && Files.exists(Path.of(options.get("--memory")))) {
            List<String> lines = Files.readAllLines(Path.of(options.get("--memory")), StandardCharsets.UTF_8);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                if (!line.isBlank()) {
                    memory.add(MemoryRow.parse(line));
                }
            }
        }
        Results results = new Results(jmh, memory, Allocators.engines());
        String text = new Report(results, options).render(jmhSettings(parsed));
        Files.writeString(Path.of(required(options, "--out")), text, StandardCharsets.UTF_8);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 == args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got " + String.join(" ", args));
            }
            options.put(args[i], args[++i]);
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("missing " + name + " (usage: Report --json F[,F...] --out F [--memory F] "
                    + "[--command C] [--wall S] [--host H])");
        }
        return value;
    }

    /** The settings line of results measured outside JMH, by {@code bench/anchors}. */
    static final String OUTSIDE_JMH = "outside JMH, by bench/anchors (15 rounds in one process, the last 10 measured)";

    /**
     * JMH's settings, once for each distinct set: forks, warm-up and measurement, and the
     * workloads run with them when there is more than one set (bench/run gives W6's single shots
     * a longer warm-up of their own).
     */
    @SuppressWarnings("unchecked")
    private static String jmhSettings(List<Object> all) {
        if (all.isEmpty()) {
            return "no results";
        }
        Map<String, Set<String>> workloads = new LinkedHashMap<>();
        for (Object element : all) {
            Map<String, Object> result = (Map<String, Object>) element;
            // bench/anchors writes JMH's shape of result with none of its settings: it is no JMH run.
            String settings = !result.containsKey("jmhVersion") ? OUTSIDE_JMH
                    : String.format(Locale.ROOT, "JMH %s, %s, forks: %s, warm-up %s × %s, measurement %s × %s, "
                    + "fork JVM options %s", result.get("jmhVersion"), result.get("vmName") + " " + result.get("jdkVersion"),
                    integer(result.get("forks")), integer(result.get("warmupIterations")), result.get("warmupTime"),
                    integer(result.get("measurementIterations")), result.get("measurementTime"), result.get("jvmArgs"));
            workloads.computeIfAbsent(settings, k -> new TreeSet<>()).add(workloadOf(String.valueOf(result.get("benchmark"))));
        }
        if (workloads.size() == 1) {
            return workloads.keySet().iterator().next();
        }
        List<String> parts = new ArrayList<>();
        workloads.forEach((settings, names) -> parts.add(String.join(", ", names) + ": " + settings));
        return String.join("\n- ", parts);
    }

    /** {@code W6} of {@code io.allot.bench.W6.allot}. */
    private static String workloadOf(String benchmark) {
        String[] parts = benchmark.split("\\.");
        return parts.length >= 2 ? parts[parts.length - 2] : benchmark;
    }

    private static String integer(Object number) {
        return number instanceof Double d ? Long.toString(d.longValue()) : String.valueOf(number);
    }

    private String render(String settings) {
        md.append("# Allot benchmarks: latest run\n\n");
        md.append("Written by `bench/run` (`io.allot.bench.report.Report`); do not edit. Workloads are defined in ")
                .append("[`bench/README.md`](../README.md).\n\n");
        line("- Command: `" + options.getOrDefault("--command", "bench/run") + "`");
        if (options.containsKey("--wall")) {
            long seconds = Long.parseLong(options.get("--wall"));
            line(String.format(Locale.ROOT, "- Wall time of the whole command (build, JMH, memory main): %d min %02d s",
                    seconds / 60, seconds % 60));
        }
        if (options.containsKey("--host")) {
            line("- Machine: " + options.get("--host"));
        }
        line("- " + settings);
        line("- Engines: " + describeEngines() + "; policies: " + String.join(", ", Allocators.policies()));
        line("- `IdAllocator.of(first, last)` picks the `" + IdAllocator.of(0, 999_999).allocator().engine()
                + "` engine for W1/W2's 1M ids");
        Map<String, String> refused = Discover.cacheRefusals();
        for (Map.Entry<String, String> e : refused.entrySet()) {
            line("- V2 skipped on `" + e.getKey() + "`: it refuses `quantumCache(65536)` (" + e.getValue()
                    + "); V2 is measured on an engine as soon as it accepts quantum caches");
        }
        md.append('\n');
        md.append("Times are medians of all measurement iterations (all forks) from the JSON's raw data. ")
                .append("**÷ X** is this row's median divided by baseline X's at the same size in this same run: ")
                .append("below 1× Allot is faster, above 1× slower. B/op is JMH's `gc.alloc.rate.norm` ")
                .append("(bytes allocated per operation).\n\n");

        for (String workload : workloadsInOrder()) {
            workloadTable(workload);
        }
        scalingTable();
        memoryTable();
        targetsTable();
        notMeasured(refused);
        return md.toString();
    }

    private String describeEngines() {
        List<String> parts = new ArrayList<>();
        for (String engine : Allocators.engines()) {
            parts.add("`" + engine + "` (W3–W6 quantum " + pageQuantum(engine) + ")");
        }
        return String.join(", ", parts);
    }

    private long pageQuantum(String engine) {
        return pageQuantum.computeIfAbsent(engine, e -> PageSpace.build(e).quantum());
    }

    private Set<String> workloadsInOrder() {
        Set<String> present = new TreeSet<>();
        for (Result r : results.all()) {
            present.add(r.workload());
        }
        Set<String> ordered = new LinkedHashSet<>();
        for (String w : WORKLOADS.keySet()) {
            if (present.contains(w)) {
                ordered.add(w);
            }
        }
        ordered.addAll(present);
        return ordered;
    }

    private void workloadTable(String workload) {
        List<Result> rows = new ArrayList<>();
        Set<String> baselineNames = new TreeSet<>();
        for (Result r : results.all()) {
            if (r.workload().equals(workload)) {
                rows.add(r);
                if (r.baseline()) {
                    baselineNames.add(r.implementation());
                }
            }
        }
        rows.sort(Comparator.comparing(Result::baseline).thenComparing(Result::implementation)
                .thenComparing(Result::engine).thenComparing(Result::policy).thenComparingInt(Result::size));
        md.append("## ").append(workload).append("\n\n");
        if (WORKLOADS.containsKey(workload)) {
            md.append(WORKLOADS.get(workload)).append(".\n\n");
        }
        StringBuilder header = new StringBuilder("| implementation | engine | policy | size | median |");
        StringBuilder rule = new StringBuilder("|---|---|---|---:|---:|");
        for (String b : baselineNames) {
            header.append(" ÷ ").append(b).append(" |");
            rule.append("---:|");
        }
        header.append(" B/op |");
        rule.append("---:|");
        line(header.toString());
        line(rule.toString());
        for (Result r : rows) {
            StringBuilder row = new StringBuilder("| ").append(r.implementation()).append(" | ").append(engineCell(r))
                    .append(" | ").append(r.policy()).append(" | ").append(Format.size(r.size())).append(" | ")
                    .append(Format.time(r.medianNs())).append(" |");
            for (String b : baselineNames) {
                Optional<Result> base = results.baseline(workload, r.size(), b);
                row.append(' ').append(r.baseline() || base.isEmpty() ? "" : Format.ratio(r.medianNs() / base.get().medianNs()))
                        .append(" |");
            }
            row.append(' ').append(Format.bytes(r.bytesPerOp())).append(" |");
            line(row.toString());
        }
        md.append('\n');
    }

    private String engineCell(Result r) {
        if (r.engine().equals("default")) {
            return "default: `" + IdAllocator.of(0, Math.max(0, r.size() - 1)).allocator().engine() + "`";
        }
        if (r.baseline()) {
            return "—";
        }
        boolean pageSpace = r.workload().equals("W3") || r.workload().equals("W4") || r.workload().equals("W5")
                || r.workload().equals("W6");
        if (pageSpace && Allocators.engines().contains(r.engine()) && pageQuantum(r.engine()) != 1) {
            return "`" + r.engine() + "` (quantum " + pageQuantum(r.engine()) + ")";
        }
        return "`" + r.engine() + "`";
    }

    private void scalingTable() {
        List<List<Result>> series = new ArrayList<>();
        for (Result r : results.all()) {
            if (r.size() != 1_000) {
                continue;
            }
            List<Result> s = new ArrayList<>();
            for (Result other : results.all()) {
                if (other.sameSeries(r)) {
                    s.add(other);
                }
            }
            if (s.size() > 1) {
                s.sort(Comparator.comparingInt(Result::size));
                series.add(s);
            }
        }
        if (series.isEmpty()) {
            return;
        }
        List<String> order = new ArrayList<>(workloadsInOrder());
        series.sort(Comparator.comparing((List<Result> s) -> order.indexOf(s.get(0).workload())).thenComparing(s -> s.get(0).baseline())
                .thenComparing(s -> s.get(0).implementation()).thenComparing(s -> s.get(0).engine()));
        md.append("## Scaling: cost at 1M ÷ cost at 1k\n\n");
        line("| workload | implementation | engine | policy | 1k | 10k | 100k | 1M | 1M ÷ 1k |");
        line("|---|---|---|---|---:|---:|---:|---:|---:|");
        for (List<Result> s : series) {
            Result first = s.get(0);
            StringBuilder row = new StringBuilder("| ").append(first.workload()).append(" | ").append(first.implementation())
                    .append(" | ").append(engineCell(first)).append(" | ").append(first.policy()).append(" |");
            double small = Double.NaN;
            double large = Double.NaN;
            for (int size : new int[] {1_000, 10_000, 100_000, 1_000_000}) {
                Optional<Result> at = s.stream().filter(x -> x.size() == size).findFirst();
                row.append(' ').append(at.map(x -> Format.time(x.medianNs())).orElse("—")).append(" |");
                if (size == 1_000 && at.isPresent()) {
                    small = at.get().medianNs();
                }
                if (size == 1_000_000 && at.isPresent()) {
                    large = at.get().medianNs();
                }
            }
            row.append(" **").append(Format.ratio(large / small)).append("** |");
            line(row.toString());
        }
        md.append('\n');
    }

    private void memoryTable() {
        if (results.memory().isEmpty()) {
            return;
        }
        md.append("## Memory: retained heap per allocation\n\n");
        md.append("`io.allot.bench.Memory` (not JMH): heap used after `System.gc()` until stable (Serial GC, no dead wood), ")
                .append("state built minus the empty allocator; segments = live allocations + free segments. ")
                .append("\"Empty\" is the empty allocator's own footprint (below the 64 KiB resolution: \"< 64 KiB\").\n\n");
        line("| state | implementation | engine | quantum | live | segments | bytes per live allocation | bytes per segment | empty |");
        line("|---|---|---|---:|---:|---:|---:|---:|---:|");
        for (MemoryRow m : results.memory()) {
            line("| " + m.workload() + " at " + Format.size(m.size()) + " | " + m.implementation() + " | "
                    + (m.engine().equals("-") ? "—" : "`" + m.engine() + "`") + " | " + m.quantum() + " | "
                    + String.format(Locale.ROOT, "%,d", m.live()) + " | " + String.format(Locale.ROOT, "%,d", m.segments())
                    + " | " + Format.bytes(m.bytesPerLive()) + " | " + Format.bytes(m.bytesPerSegment()) + " | "
                    + (Math.abs(m.emptyBytes()) < 64 * 1024 ? "< 64 KiB" : Format.bytes(m.emptyBytes())) + " |");
        }
        md.append('\n');
    }

    private void targetsTable() {
        md.append("## Engine targets (issues #7, #8, #9)\n\n");
        line("| issue | engine | target | measured | verdict |");
        line("|---|---|---|---|---|");
        for (Target t : Target.ALL) {
            Target.Outcome outcome = t.check(results);
            line("| " + t.issue() + " | `" + t.engine() + "` | " + t.what() + " | " + outcome.measured() + " | "
                    + outcome.status().text + " |");
        }
        md.append('\n');
    }

    private void notMeasured(Map<String, String> refused) {
        List<String> missing = new ArrayList<>();
        for (String workload : workloadsInOrder()) {
            Set<String> measured = new TreeSet<>();
            boolean hasEngines = false;
            for (Result r : results.all()) {
                if (r.workload().equals(workload) && !r.baseline() && !r.engine().equals("default")) {
                    measured.add(r.engine());
                    hasEngines = true;
                }
            }
            if (!hasEngines) {
                continue;
            }
            for (String engine : Allocators.engines()) {
                if (!measured.contains(engine) && !(workload.equals("V2") && refused.containsKey(engine))) {
                    missing.add(workload + " on `" + engine + "`: no result (its set-up or benchmark failed; see the JMH log)");
                }
            }
        }
        if (!missing.isEmpty()) {
            md.append("## Not measured\n\n");
            for (String m : missing) {
                line("- " + m);
            }
            md.append('\n');
        }
    }

    private void line(String text) {
        md.append(text).append('\n');
    }
}
