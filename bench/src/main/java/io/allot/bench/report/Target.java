package io.allot.bench.report;

import java.util.List;
import java.util.Optional;

/**
 * A performance target an engine issue set, checked against one run. The list in {@link #ALL} is
 * data copied from issues 7 (interval), 8 (bitmap) and 9 (vmem); an engine not installed shows as
 * "engine not yet present", a workload the run skipped as "not measured".
 */
sealed interface Target {

    /** Verdict of one target. */
    enum Status {
        MET("met"), MISSED("**missed**"), ABSENT("engine not yet present"), NOT_MEASURED("not measured in this run");

        final String text;

        Status(String text) {
            this.text = text;
        }
    }

    /** What was measured (text) and the verdict. */
    record Outcome(String measured, Status status) {
    }

    /** The implementation name of a workload's loop run with no allocator (see {@code Result}). */
    String HARNESS = "harness alone";
    /**
     * The implementation name of W2's loop plus the read of the freed id's bitmap word, with no
     * allocator ({@code IdsWordRead}): the least a bitmap does there.
     */
    String WORD_READ = "harness + word read";
    /**
     * The implementation name of V3's chain of dependent loads through a block of V3's size, with
     * no allocator ({@code DependentLoads}): what one random access into that much memory costs,
     * less than any free of a random old block can do.
     */
    String DEPENDENT_LOAD = "one dependent load in 64 MiB";
    /**
     * The implementation name of V1's pair on {@code BareInstantFit}: instant fit's free-list work
     * alone, in Java, with none of the contract's (no checks, look-up, statistics or reserved
     * room): the least an instant-fit allocator written in Java does there.
     */
    String BARE_CARVE = "bare instant-fit carve (Java)";
    /**
     * The rows a {@link Time} target quotes beside its figure, when the run measured them and they
     * are floors of its policy ({@link Result#isFloorOf}): the floors under it.
     */
    List<String> FLOORS = List.of(HARNESS, WORD_READ, DEPENDENT_LOAD, BARE_CARVE);
    /**
     * The implementation name of OffsetAllocator, the C++ allocator issue #9 quotes beside its
     * targets, when {@code bench/run} measured it in the same run ({@code bench/anchors}): a
     * {@link Time} target quotes it, and the ratio to it, beside its figure.
     */
    String ANCHOR = "OffsetAllocator (C++)";

    String issue();

    String engine();

    /** The target in words, as the issue states it. */
    String what();

    Outcome check(Results results);

    /** Median time at one point ≤ {@code maxNs}; with policy {@code *}, every policy. */
    record Time(String issue, String engine, String what, String workload, String implementation, String policy,
                int size, double maxNs) implements Target {
        @Override
        public Outcome check(Results results) {
            if (!results.installed(engine)) {
                return new Outcome("", Status.ABSENT);
            }
            List<Result> found = results.findAll(workload, implementation, engine, policy, size);
            if (found.isEmpty()) {
                return new Outcome("", Status.NOT_MEASURED);
            }
            Result worst = found.stream().max((a, b) -> Double.compare(a.medianNs(), b.medianNs())).orElseThrow();
            String measured = Format.time(worst.medianNs()) + (found.size() > 1 ? " (slowest: " + worst.policy() + ")" : "");
            // Where the run measured the workload's loop with no allocator (and, for W2, with the
            // one word read a bitmap must make; for V3, one load from memory; for V1's instant
            // fit, its free-list work alone in Java), say so: a target below such a floor cannot
            // be met under this harness on this machine at that moment.
            for (String name : FLOORS) {
                Optional<Result> floor = results.baseline(workload, size, name);
                if (floor.isPresent() && floor.get().isFloorOf(policy)) {
                    measured += "; " + name + ": " + Format.time(floor.get().medianNs());
                }
            }
            // The anchor's figure from another hour says little (the machine's speed changes
            // between hours); measured in the same run, the ratio to it does.
            Optional<Result> anchor = results.baseline(workload, size, ANCHOR);
            if (anchor.isPresent()) {
                measured += "; " + ANCHOR + ", same run: " + Format.time(anchor.get().medianNs()) + " ("
                        + Format.ratio(worst.medianNs() / anchor.get().medianNs()) + ")";
            }
            return new Outcome(measured, worst.medianNs() <= maxNs ? Status.MET : Status.MISSED);
        }
    }

    /** Allot ÷ a baseline at one point ≤ {@code maxRatio}; with policy {@code *}, every policy. */
    record Versus(String issue, String engine, String what, String workload, String implementation, String policy,
                  String baseline, int size, double maxRatio) implements Target {
        @Override
        public Outcome check(Results results) {
            if (!results.installed(engine)) {
                return new Outcome("", Status.ABSENT);
            }
            List<Result> found = results.findAll(workload, implementation, engine, policy, size);
            Optional<Result> base = results.baseline(workload, size, baseline);
            if (found.isEmpty() || base.isEmpty()) {
                return new Outcome("", Status.NOT_MEASURED);
            }
            Result worst = found.stream().max((a, b) -> Double.compare(a.medianNs(), b.medianNs())).orElseThrow();
            double ratio = worst.medianNs() / base.get().medianNs();
            String measured = Format.ratio(ratio) + " " + baseline + (found.size() > 1 ? " (slowest: " + worst.policy() + ")" : "");
            return new Outcome(measured, ratio <= maxRatio ? Status.MET : Status.MISSED);
        }
    }

    /** cost(1M) ÷ cost(1k) ≤ {@code maxRatio}. */
    record Scaling(String issue, String engine, String what, String workload, String implementation, String policy,
                   double maxRatio) implements Target {
        @Override
        public Outcome check(Results results) {
            if (!results.installed(engine)) {
                return new Outcome("", Status.ABSENT);
            }
            Optional<Result> small = results.find(workload, implementation, engine, policy, 1_000);
            Optional<Result> large = results.find(workload, implementation, engine, policy, 1_000_000);
            if (small.isEmpty() || large.isEmpty()) {
                return new Outcome("", Status.NOT_MEASURED);
            }
            double ratio = large.get().medianNs() / small.get().medianNs();
            return new Outcome(Format.ratio(ratio) + " (" + Format.time(small.get().medianNs()) + " → "
                    + Format.time(large.get().medianNs()) + ")", ratio <= maxRatio ? Status.MET : Status.MISSED);
        }
    }

    /** Retained bytes per segment (live allocations + free segments) in a workload's 1M state ≤ {@code maxBytes}. */
    record Memory(String issue, String engine, String what, String workload, double maxBytes) implements Target {
        @Override
        public Outcome check(Results results) {
            if (!results.installed(engine)) {
                return new Outcome("", Status.ABSENT);
            }
            Optional<MemoryRow> row = results.memory(workload, engine);
            if (row.isEmpty()) {
                return new Outcome("", Status.NOT_MEASURED);
            }
            double perSegment = row.get().bytesPerSegment();
            return new Outcome(Format.bytes(perSegment) + " B per segment", perSegment <= maxBytes ? Status.MET : Status.MISSED);
        }
    }

    /**
     * {@code gc.alloc.rate.norm} ≤ {@code maxBytes} per operation, to within one byte (JMH's own
     * per-iteration bookkeeping adds a few hundredths of a byte to every operation); with policy
     * {@code *}, every policy.
     */
    record Garbage(String issue, String engine, String what, String workload, String implementation, String policy,
                   int size, double maxBytes) implements Target {
        @Override
        public Outcome check(Results results) {
            if (!results.installed(engine)) {
                return new Outcome("", Status.ABSENT);
            }
            List<Result> found = results.findAll(workload, implementation, engine, policy, size);
            if (found.isEmpty() || found.stream().anyMatch(r -> Double.isNaN(r.bytesPerOp()))) {
                return new Outcome("", Status.NOT_MEASURED);
            }
            Result worst = found.stream().max((a, b) -> Double.compare(a.bytesPerOp(), b.bytesPerOp())).orElseThrow();
            return new Outcome(String.format(java.util.Locale.ROOT, "%.2f B/op", worst.bytesPerOp())
                    + (found.size() > 1 ? " (most: " + worst.policy() + ")" : ""),
                    worst.bytesPerOp() < maxBytes + 1 ? Status.MET : Status.MISSED);
        }
    }

    /** The engine issues' targets. */
    List<Target> ALL = List.of(
            new Time("#7", "interval", "W3, every policy, 100k live: ≤ 100 ns", "W3", "Allot", Results.ANY_POLICY, 100_000, 100),
            new Versus("#7", "interval", "W3, every policy, 100k live: ≥ 2× faster than TreeMap first-fit (ratio ≤ 0.5×)",
                    "W3", "Allot", Results.ANY_POLICY, "TreeMap first-fit", 100_000, 0.5),
            new Scaling("#7", "interval", "W3 first-match: cost(1M) ÷ cost(1k) ≤ 2", "W3", "Allot", "first-match", 2),
            new Time("#7", "interval", "W5, 1M live: ≤ 2 µs", "W5", "Allot", "first-match", 1_000_000, 2_000),
            new Time("#7", "interval", "W6, 1M pages: ≤ 30 ms", "W6", "Allot", "first-match", 1_000_000, 30e6),
            new Time("#7", "interval", "W1 on the engine (1M ids): ≤ 60 ns", "W1", "Allot", "first-match", 1_000_000, 60),
            new Memory("#7", "interval", "memory, W3 at 1M live: ≤ 32 B per segment", "W3", 32),
            new Garbage("#7", "interval", "garbage per W3 pair, every policy: ≤ 32 B/op (only the Range)",
                    "W3", "Allot", Results.ANY_POLICY, 100_000, 32),
            new Time("#8", "bitmap", "W1 through IdAllocator: ≤ 10 ns", "W1", "IdAllocator", "first-match", 1_000_000, 10),
            new Time("#8", "bitmap", "W2 through IdAllocator: ≤ 15 ns", "W2", "IdAllocator", "first-match", 1_000_000, 15),
            new Versus("#8", "bitmap", "W2 through IdAllocator: ≥ 100× faster than BitSet (ratio ≤ 0.01×)",
                    "W2", "IdAllocator", "first-match", "BitSet", 1_000_000, 0.01),
            new Scaling("#8", "bitmap", "W1: cost(1M) ÷ cost(1k) ≤ 1.3", "W1", "Allot", "first-match", 1.3),
            new Time("#8", "bitmap", "W6 (quantum 4 KiB), 1M pages: ≤ 30 ms", "W6", "Allot", "first-match", 1_000_000, 30e6),
            new Time("#9", "vmem", "V1 instant-fit, 100k blocks: ≤ 20 ns", "V1", "Allot", "instant-fit", 100_000, 20),
            new Scaling("#9", "vmem", "V1 instant-fit: cost(1M) ÷ cost(1k) ≤ 1.3", "V1", "Allot", "instant-fit", 1.3),
            new Time("#9", "vmem", "V1 best-fit, 100k blocks: ≤ 200 ns", "V1", "Allot", "best-fit", 100_000, 200),
            new Time("#9", "vmem", "V2 (quantum caches), 100k blocks: ≤ 15 ns", "V2", "Allot", "instant-fit", 100_000, 15),
            new Time("#9", "vmem", "V3, 500k live: ≤ 150 ns", "V3", "Allot", "instant-fit", 1_000_000, 150));
}
