package io.allot.cli;

import io.allot.Allocators;
import io.allot.AllocatorStats;
import io.allot.ResourceAllocator;
import io.allot.SnapshotFormatException;
import io.allot.cli.report.Figures;
import io.allot.cli.run.Occupancy;
import io.allot.cli.trace.Quantity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code allot inspect}: what a snapshot holds, checked by restoring it. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Shows what a snapshot holds.", "",
            "Restores a snapshot (written by ResourceAllocator.writeSnapshot or 'allot replay "
                + "--snapshot') and prints its engine, policy, spans, statistics, an address map and every "
                + "allocation with its tag. A corrupt snapshot is an error naming the byte at fault."})
final class InspectCommand implements Callable<Integer> {

    private static final int MAP_BUCKETS = 64;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SNAPSHOT", description = "The snapshot file.")
    Path file;

    @Option(names = "--engine", paramLabel = "E",
            description = "Restore into this engine (default: the one that wrote it, if present).")
    String engine;

    @Override
    public Integer call() {
        byte[] image;
        try {
            image = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CliException(file + ": no such file", e);
        } catch (IOException e) {
            throw new CliException(file + ": " + e.getMessage(), e);
        }
        List<String> installed = Allocators.engines();
        if (installed.isEmpty()) {
            throw new CliException("no engine on the module path to restore " + file + " into");
        }
        if (engine != null && !installed.contains(engine)) {
            throw new ParameterException(spec.commandLine(), "--engine: unknown engine \"" + engine + "\"; present: "
                    + String.join(", ", installed));
        }
        Optional<SnapshotHeader> header = SnapshotHeader.read(image);
        String writer = header.map(SnapshotHeader::engine).orElse(null);
        String target = engine != null ? engine
                : writer != null && installed.contains(writer) ? writer
                : installed.contains("interval") ? "interval" : installed.get(0);
        ResourceAllocator allocator;
        try {
            allocator = Allocators.restore(new ByteArrayInputStream(image), target);
        } catch (SnapshotFormatException e) {
            throw new CliException(file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            // A sound image that cannot stand alone: an arena that imports from a source needs its parent.
            throw new CliException(file + ": " + e.getMessage() + "; inspect shows allocators without a source", e);
        }
        print(allocator, header.orElseThrow(), image.length);
        return Main.OK;
    }

    private void print(ResourceAllocator allocator, SnapshotHeader header, int bytes) {
        PrintWriter out = spec.commandLine().getOut();
        AllocatorStats stats = allocator.stats();
        out.println(file + ": Allot snapshot, " + Figures.count(bytes) + " bytes");
        out.println("  engine       " + header.engine() + (header.engine().equals(allocator.engine()) ? ""
                : " (shown restored into " + allocator.engine() + ")"));
        out.println("  policy       " + allocator.defaultPolicy().name());
        out.println("  quantum      " + Quantity.size(allocator.quantum()));
        out.println("  thread-safe  " + (header.threadSafe() ? "yes" : "no"));
        out.println("  rotor        " + Quantity.hex(header.rotor()));
        out.println("spans (" + allocator.spans().size() + ")");
        allocator.spans().forEach(s -> out.println("  " + s + "  " + Figures.units(s.size())));
        out.println("stats");
        out.println("  capacity " + Figures.units(stats.capacity()) + ", allocated " + Figures.units(stats.allocated())
                + ", free " + Figures.units(stats.free()));
        out.println("  live allocations " + Figures.count(stats.liveAllocations()) + ", free segments "
                + Figures.count(stats.freeSegments()) + ", largest free " + Figures.units(stats.largestFree())
                + ", fragmentation " + Figures.percent(stats.fragmentation()));
        out.println("  since creation: " + Figures.count(stats.totalAllocations()) + " allocations, "
                + Figures.count(stats.totalFrees()) + " frees, " + Figures.count(stats.failedAllocations()) + " failed");
        Occupancy map = Occupancy.of(allocator, MAP_BUCKETS);
        out.println("map (" + MAP_BUCKETS + " cells per span; ' ' free, ░ ▒ ▓ partly allocated, █ allocated)");
        for (int i = 0; i < map.spans().size(); i++) {
            out.println("  |" + map.strip(i) + "|  " + map.spans().get(i));
        }
        out.println("allocations (" + Figures.count(stats.liveAllocations()) + ")");
        allocator.forEachAllocated(a -> out.println("  " + a.range() + "  " + Figures.units(a.range().size())
                + (a.tag() == null ? "" : "  " + a.tag())));
        out.flush();
    }
}
