package io.allot.cli;

import io.allot.ResourceAllocator;
import io.allot.cli.report.Figures;
import io.allot.cli.run.Catalog;
import io.allot.cli.run.Combination;
import io.allot.cli.run.FailedOperation;
import io.allot.cli.run.Outcome;
import io.allot.cli.run.Replayer;
import io.allot.cli.trace.Trace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code allot replay}: one trace on one engine &times; policy, with its statistics. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Runs one trace on one engine x policy and prints its statistics.", "",
            "Runs one trace (a file, '-' for standard input, or a bundled workload's name) on one "
                + "engine x policy and prints its statistics. An allocation that fails is counted, not fatal."})
final class ReplayCommand implements Callable<Integer> {

    private static final int MAP_BUCKETS = 64;
    /** Operations run untimed first, so that the reported ops/s is not the interpreter's. */
    private static final int WARM_UP_OPERATIONS = 20_000;

    @Spec
    CommandSpec spec;

    @Mixin
    PluginOption plugins;

    @Parameters(index = "0", paramLabel = "FILE", description = "The trace (format: docs/trace-format.md).")
    String file;

    @Option(names = "--engine", paramLabel = "E", description = "Engine (default: interval if present, else the first).")
    String engine;

    @Option(names = "--policy", paramLabel = "P", description = "Default policy (default: first-match if present, else the first).")
    String policy;

    @Option(names = {"-v", "--verbose"}, description = "Print each failed operation with its line number.")
    boolean verbose;

    @Option(names = "--snapshot", paramLabel = "OUT", description = "Write the final state as a snapshot to OUT (see 'allot inspect').")
    Path snapshot;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed, when FILE names a bundled workload (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Catalog catalog = plugins.catalog(spec.commandLine().getErr());
        Combination combination = new Combination(pick("--engine", "engine", engine, "interval", catalog.engines()),
                pick("--policy", "policy", policy, "first-match", catalog.policies()));
        TraceSource source = TraceSource.resolve(file, spec.commandLine());
        Trace trace = source.load(seed);
        Replayer replayer = new Replayer(catalog, true, MAP_BUCKETS);
        replayer.warmUp(trace, combination, WARM_UP_OPERATIONS);
        Outcome outcome = replayer.run(trace, combination, new Replayer.Listener() {
            @Override
            public boolean wantsFailures() {
                return verbose;
            }

            @Override
            public void failed(FailedOperation failure) {
                out.println(trace.source() + ":" + failure.line() + ": " + failure.operation() + ": " + failure.reason());
            }

            @Override
            public void finished(ResourceAllocator allocator) {
                if (snapshot != null) {
                    write(allocator);
                }
            }
        });
        if (outcome instanceof Outcome.Refused refused) {
            throw new CliException(combination.engine() + " cannot run " + trace.source() + ": " + refused.reason());
        }
        if (outcome instanceof Outcome.Broken broken) {
            throw new CliException(trace.source() + ":" + broken.line() + ": " + combination.label() + " broke: "
                    + broken.reason());
        }
        Outcome.Completed done = (Outcome.Completed) outcome;
        var stats = done.stats();
        out.println(trace.source() + ": " + Figures.count(done.operations()) + " operations on " + combination.label()
                + " in " + Figures.seconds(done.nanos()) + " (" + Figures.rate(done.opsPerSecond()) + " ops/s)");
        out.println("  failed allocations  " + Figures.count(done.failed())
                + (done.skipped() == 0 ? "" : " (and " + Figures.count(done.skipped())
                + " frees or reallocs skipped: their allocation had failed)"));
        out.println("  fragmentation       peak " + Figures.percent(done.peakFragmentation()) + ", final "
                + Figures.percent(stats.fragmentation()));
        out.println("  live allocations    " + Figures.count(stats.liveAllocations()));
        out.println("  allocated / free    " + Figures.units(stats.allocated()) + " / " + Figures.units(stats.free())
                + " of " + Figures.units(stats.capacity()));
        out.println("  free segments       " + Figures.count(stats.freeSegments()) + ", largest "
                + Figures.units(stats.largestFree()));
        out.println("  heap held           " + Figures.bytes(done.heapBytes()));
        for (int i = 0; i < done.map().spans().size(); i++) {
            out.println("  map " + done.map().spans().get(i) + " |" + done.map().strip(i) + "|");
        }
        if (snapshot != null) {
            out.println("snapshot: " + snapshot);
        }
        return Main.OK;
    }

    private String pick(String option, String kind, String asked, String preferred, List<String> present) {
        if (asked == null) {
            return present.contains(preferred) ? preferred : present.get(0);
        }
        if (!present.contains(asked)) {
            throw new ParameterException(spec.commandLine(), option + ": unknown " + kind + " \"" + asked
                    + "\"; present: " + String.join(", ", present));
        }
        return asked;
    }

    private void write(ResourceAllocator allocator) {
        try (OutputStream stream = Files.newOutputStream(snapshot)) {
            allocator.writeSnapshot(stream);
        } catch (IOException | UncheckedIOException e) {
            throw new CliException("--snapshot " + snapshot + ": " + e.getMessage(), e);
        }
    }
}
