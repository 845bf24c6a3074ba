package io.allot.cli;

import io.allot.cli.report.Figures;
import io.allot.cli.report.HtmlReport;
import io.allot.cli.report.Progress;
import io.allot.cli.report.ResultTable;
import io.allot.cli.report.WorkloadResult;
import io.allot.cli.run.Catalog;
import io.allot.cli.run.Combination;
import io.allot.cli.run.Outcome;
import io.allot.cli.run.Replayer;
import io.allot.cli.trace.Quantity;
import io.allot.cli.trace.Trace;
import io.allot.cli.workload.Workload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code allot compare}: every engine &times; policy on every workload, a table per workload and an HTML report. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Runs every engine x policy on workloads and compares them.", "",
            "Runs every engine x policy present (or those chosen) on each workload (default: all "
                + "bundled ones) and prints, per workload, a table: ops/s, failed allocations, peak and final "
                + "fragmentation (1 - largest free / free), largest free range and live allocations at the end, "
                + "and the heap the allocator holds. Writes a self-contained HTML report with charts.",
            "Bundled workloads: " + "vmm-boot, pid-churn, dma, fragmenter (see 'allot workload NAME')."})
final class CompareCommand implements Callable<Integer> {

    /** Operations each combination runs untimed first, so that every engine is compiled before any is timed. */
    private static final int WARM_UP_OPERATIONS = 20_000;

    /**
     * A combination whose first timed run takes longer than this is not run again: a run that long
     * is already an average over many operations, and repeating the slowest combinations would
     * dominate the command's time (a bitmap best-fit walking a shattered space) without changing
     * what the table says.
     */
    static final long ONE_RUN_ENOUGH_NANOS = 1_500_000_000L;
    /** Address-map buckets per span in the report's strips. */
    private static final int MAP_BUCKETS = 480;

    @Spec
    CommandSpec spec;

    @Mixin
    PluginOption plugins;

    @Option(names = {"-w", "--workload"}, paramLabel = "NAME|FILE",
            description = "A bundled workload or a trace file (repeatable; default: every bundled workload).")
    List<String> workloads = new ArrayList<>();

    @Option(names = "--engines", split = ",", paramLabel = "E", description = "Engines to run (default: all present).")
    List<String> engines = new ArrayList<>();

    @Option(names = "--policies", split = ",", paramLabel = "P", description = "Policies to run (default: all present).")
    List<String> policies = new ArrayList<>();

    @Option(names = "--report", paramLabel = "FILE.html", defaultValue = "allot-report.html",
            description = "Where to write the HTML report (default: ${DEFAULT-VALUE}).")
    Path report;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the bundled workloads' generators (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "3",
            description = "Timed runs of each combination, interleaved; ops/s is their median. A combination whose"
                    + " first run takes over 1.5 s runs once (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--no-heap", description = "Skip the heap measurement (it runs full garbage collections).")
    boolean noHeap;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (runs < 1) {
            throw new ParameterException(spec.commandLine(), "--runs " + runs + " must be at least 1");
        }
        Catalog catalog = plugins.catalog(err);
        List<String> chosenEngines = chosen("--engines", "engine", engines, catalog.engines());
        List<String> chosenPolicies = chosen("--policies", "policy", policies, catalog.policies());
        List<TraceSource> sources = new ArrayList<>();
        for (String argument : workloads.isEmpty() ? Workload.ids() : workloads) {
            sources.add(TraceSource.resolve(argument, spec.commandLine()));
        }
        Map<TraceSource, Trace> files = new LinkedHashMap<>();
        for (TraceSource source : sources) {
            if (source.workload() == null) {
                files.put(source, source.load(seed));      // every file is checked before anything runs
            }
        }
        List<Combination> combinations = new ArrayList<>();
        for (String engine : chosenEngines) {
            for (String policy : chosenPolicies) {
                combinations.add(new Combination(engine, policy));
            }
        }
        out.println("allot compare: " + chosenEngines.size() + " engine" + (chosenEngines.size() == 1 ? "" : "s")
                + " (" + String.join(", ", chosenEngines) + ") x " + chosenPolicies.size() + " polic"
                + (chosenPolicies.size() == 1 ? "y" : "ies") + " (" + String.join(", ", chosenPolicies) + ") on "
                + sources.size() + " workload" + (sources.size() == 1 ? "" : "s"));
        catalog.plugins().forEach((what, jar) -> out.println("plug-in " + what + " from " + jar));
        out.flush();

        long started = System.nanoTime();
        Replayer replayer = new Replayer(catalog, !noHeap, MAP_BUCKETS);
        Progress progress = new Progress(err, Progress.stderrIsTerminal(), sources.size() * combinations.size() * runs);
        List<WorkloadResult> results = new ArrayList<>();
        int timedRuns = 0;
        for (TraceSource source : sources) {
            Trace trace = files.containsKey(source) ? files.remove(source) : source.load(seed);
            progress.start(source.name() + ": warming up");
            for (Combination combination : combinations) {
                replayer.warmUp(trace, combination, WARM_UP_OPERATIONS);
            }
            List<Outcome> outcomes = new ArrayList<>();
            long[][] timings = new long[combinations.size()][runs];
            for (int round = 0; round < runs; round++) {
                for (int i = 0; i < combinations.size(); i++) {
                    Combination combination = combinations.get(i);
                    if (round > 0 && (timings[i][0] < 0 || timings[i][0] > ONE_RUN_ENOUGH_NANOS)) {
                        timings[i][round] = -1;
                        progress.finishRun();
                        continue;
                    }
                    progress.start(source.name() + ": " + combination.label()
                            + (runs == 1 ? "" : " (run " + (round + 1) + " of " + runs + ")"));
                    Replayer.Listener listener = progressListener(progress, trace.ops().size());
                    if (round == 0) {
                        Outcome outcome = replayer.run(trace, combination, listener);
                        outcomes.add(outcome);
                        timings[i][0] = outcome instanceof Outcome.Completed c ? c.nanos() : -1;
                    } else {
                        timings[i][round] = replayer.time(trace, combination, listener);
                    }
                    if (timings[i][round] >= 0) {
                        timedRuns++;
                    }
                    progress.finishRun();
                }
            }
            for (int i = 0; i < outcomes.size(); i++) {
                if (outcomes.get(i) instanceof Outcome.Completed c) {
                    outcomes.set(i, c.withNanos(median(timings[i])));
                }
            }
            progress.clear();
            WorkloadResult result = new WorkloadResult(source.name(), source.description(), trace.ops().size(),
                    trace.quantum(), trace.spans(), outcomes);
            results.add(result);
            out.println();
            out.println(heading(result));
            out.print(ResultTable.render(outcomes));
            String leaders = ResultTable.leaders(outcomes);
            if (!leaders.isEmpty()) {
                out.println(leaders);
            }
            out.flush();
        }
        writeReport(results, catalog, chosenEngines, chosenPolicies);
        out.println();
        out.println("report: " + report + " (" + timedRuns + " runs in "
                + Figures.seconds(System.nanoTime() - started) + ")");
        return Main.OK;
    }

    private static Replayer.Listener progressListener(Progress progress, long total) {
        return new Replayer.Listener() {
            @Override
            public void progress(long done) {
                progress.update(done, total);
            }
        };
    }

    /** The median of the non-negative timings (the upper middle one of an even count). */
    static long median(long[] nanos) {
        long[] valid = Arrays.stream(nanos).filter(n -> n >= 0).sorted().toArray();
        return valid.length == 0 ? -1 : valid[valid.length / 2];
    }

    private List<String> chosen(String option, String kind, List<String> asked, List<String> present) {
        if (asked.isEmpty()) {
            return present;
        }
        for (String name : asked) {
            if (!present.contains(name)) {
                throw new ParameterException(spec.commandLine(), option + ": unknown " + kind + " \"" + name
                        + "\"; present: " + String.join(", ", present));
            }
        }
        return asked.stream().distinct().toList();
    }

    static String heading(WorkloadResult result) {
        String spans = result.spans().stream().map(Object::toString).collect(Collectors.joining(" "));
        return result.name() + ": " + Figures.count(result.operations()) + " operations, spans " + spans
                + (result.quantum() == 1 ? "" : ", quantum " + Quantity.size(result.quantum()));
    }

    private void writeReport(List<WorkloadResult> results, Catalog catalog, List<String> chosenEngines,
                             List<String> chosenPolicies) {
        String html = HtmlReport.render(results, new HtmlReport.Context(VersionProvider.version(), seed,
                chosenEngines, chosenPolicies, catalog.plugins(), !noHeap));
        try {
            Path parent = report.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(report, html, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException("--report " + report + ": " + e.getMessage(), e);
        }
    }
}
