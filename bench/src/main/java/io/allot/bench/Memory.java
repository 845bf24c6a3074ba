package io.allot.bench;

import io.allot.Allocators;
import io.allot.Range;
import io.allot.ResourceAllocator;
import io.allot.bench.baseline.FreeRanges;
import io.allot.bench.baseline.RangeSetFirstFit;
import io.allot.bench.baseline.TreeMapFirstFit;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.function.Supplier;

/**
 * Bytes per live allocation at 1M, by retained heap: not JMH, a main run by {@code bench/run} in
 * its own JVM with {@code -XX:+UseSerialGC -XX:MarkSweepDeadRatio=0
 * -XX:MarkSweepAlwaysCompactCount=1}, so that {@code System.gc()} is a full collection that
 * compacts everything (by default Serial leaves up to 5% of the old generation as dead objects
 * counted as used, which hid whole dropped states here).
 *
 * <p>For each engine (and the baselines), the workload's {@link Plan} is made first and kept
 * reachable throughout, so it cancels out; then heap used is read after {@code System.gc()} until
 * two readings agree within 64 KiB: with the empty allocator, with the plan applied, and after the
 * allocator is dropped. "Bytes per live" is (built − empty) ÷ live allocations; "per segment"
 * divides by live allocations + free segments (what a segment tree stores); "empty" is the empty
 * allocator's own footprint, empty − dropped (a bitmap's is most of it). A small throwaway
 * measurement runs first, so that class loading and JIT start-up garbage are not counted.
 *
 * <p>States: W3's at {@code size} live pages ({@code 2 * size} reserved, half freed), V1's at
 * {@code size} blocks (half live), W1's at {@code size} ids (half live).
 */
public final class Memory {

    private static final long STABLE = 64 * 1024;
    private static final int AGREEING = 3;
    private static final int MAX_GCS = 30;
    private static final MemoryMXBean HEAP = ManagementFactory.getMemoryMXBean();

    private Memory() {
    }

    /** One measurement, a line of the TSV file. */
    record Row(String workload, String implementation, String engine, long quantum, int size, long live,
               long segments, long emptyBytes, long builtBytes) {

        static final String HEADER = "workload\timplementation\tengine\tquantum\tsize\tlive\tsegments\temptyBytes\tbuiltBytes";

        String tsv() {
            return String.join("\t", workload, implementation, engine, Long.toString(quantum), Integer.toString(size),
                    Long.toString(live), Long.toString(segments), Long.toString(emptyBytes), Long.toString(builtBytes));
        }
    }

    /**
     * Writes the TSV to {@code args[0]} (and stdout); {@code args[1]}, if given, is the size
     * (default 1,000,000).
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: Memory <out.tsv> [size]");
        }
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        for (String engine : Allocators.engines()) {
            allot("warm-up", engine, Plan.pages(1_000), () -> PageSpace.build(engine), 1_000);
        }
        baseline("warm-up", 1_000, () -> new TreeMapFirstFit(0, Plan.SPAN_LAST));
        StringBuilder tsv = new StringBuilder(Row.HEADER).append('\n');
        PrintStream out = System.out;
        out.println(Row.HEADER);
        for (String engine : Allocators.engines()) {
            for (Row row : new Row[] {
                    allot("W3", engine, Plan.pages(size), () -> PageSpace.build(engine), size),
                    allot("V1", engine, Plan.blocks(size), () -> Allocators.builder().engine(engine)
                            .span(PageSpace.SPAN).quantum(Plan.PAGE).build(), size),
                    allot("W1", engine, Plan.ids(size), () -> Allocators.builder().engine(engine)
                            .span(Range.of(0, size - 1)).build(), size)}) {
                out.println(row.tsv());
                tsv.append(row.tsv()).append('\n');
            }
        }
        for (Row row : new Row[] {
                baseline("TreeMap first-fit", size, () -> new TreeMapFirstFit(0, Plan.SPAN_LAST)),
                baseline("Guava TreeRangeSet", size, () -> new RangeSetFirstFit(0, Plan.SPAN_LAST)),
                bitSet(size)}) {
            out.println(row.tsv());
            tsv.append(row.tsv()).append('\n');
        }
        Files.writeString(Path.of(args[0]), tsv, StandardCharsets.UTF_8);
    }

    private static Row allot(String workload, String engine, Plan plan, Supplier<ResourceAllocator> empty, int size) {
        ResourceAllocator[] held = {empty.get()};   // a slot to clear, so the allocator can be dropped
        long emptyHeap = settledHeap();
        plan.applyTo(held[0]);
        long built = settledHeap();
        long live = held[0].stats().liveAllocations();
        long segments = live + held[0].stats().freeSegments();
        long quantum = held[0].quantum();
        held[0] = null;
        long dropped = settledHeap();
        Reference.reachabilityFence(plan);
        return new Row(workload, "Allot", engine, quantum, size, live, segments, emptyHeap - dropped, built - emptyHeap);
    }

    private static Row baseline(String name, int size, Supplier<FreeRanges> empty) {
        Plan plan = Plan.pages(size);
        FreeRanges[] held = {empty.get()};
        long emptyHeap = settledHeap();
        plan.applyTo(held[0]);
        long built = settledHeap();
        long live = plan.liveCount();
        long segments = live + held[0].freeRanges();
        held[0] = null;
        long dropped = settledHeap();
        Reference.reachabilityFence(plan);
        return new Row("W3", name, "-", 1, size, live, segments, emptyHeap - dropped, built - emptyHeap);
    }

    private static Row bitSet(int size) {
        BitSetIds[] held = {new BitSetIds(size)};
        long built = settledHeap();
        long live = held[0].allocated().cardinality();
        held[0] = null;
        long dropped = settledHeap();
        // BitSetIds keeps its live list (4 bytes an id) besides the bits; subtract it.
        return new Row("W1", "BitSet", "-", 1, size, live, live, 0, built - dropped - 4L * live);
    }

    /** Heap in use after full collections, once {@link #AGREEING} readings in a row agree within {@link #STABLE} bytes. */
    static long settledHeap() {
        long previous = Long.MIN_VALUE;
        int agreeing = 0;
        for (int i = 0; i < MAX_GCS; i++) {
            System.gc();
            long used = HEAP.getHeapMemoryUsage().getUsed();
            agreeing = Math.abs(used - previous) < STABLE ? agreeing + 1 : 1;
            if (agreeing == AGREEING) {
                return used;
            }
            previous = used;
        }
        throw new IllegalStateException("heap in use did not settle after " + MAX_GCS + " collections");
    }
}
