package io.allot.bench.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One JMH result, labelled for the report: the workload is the benchmark class's name, the
 * implementation comes from the method ({@code allot}, {@code scaling}, {@code instantFit},
 * {@code bestFit}, {@code freeReplace}: Allot; {@code idAllocator}; baselines {@code bitSet},
 * {@code treeMap}, {@code rangeSet}, {@code harness}, the workload's own loop with no allocator:
 * the floor under every row of its table, {@code wordRead} and {@code dependentLoad}, W2's and
 * V3's least memory traffic with no allocator, {@code bareCarve}, V1's instant fit with none of
 * the contract's work, and {@code offsetAllocator}, the C++ anchor that
 * {@code bench/anchors/offset-allocator} measures in the same run), the engine and policy from the
 * parameters, or, where the workload fixes the policy, from its definition.
 *
 * @param workload       W1 … V3
 * @param implementation "Allot", "IdAllocator", "IdAllocator (default engine)" or a baseline's name
 * @param baseline       whether this is one of the baselines Allot is compared with
 * @param engine         the engine parameter, or "-" for a baseline, "default" for {@code IdAllocator.of}
 * @param policy         the placement rule
 * @param size           the {@code size} parameter (its meaning depends on the workload)
 * @param medianNs       median of all measurement iterations of all forks, in ns per operation
 * @param bytesPerOp     {@code gc.alloc.rate.norm}, or NaN without {@code -prof gc}
 * @param samples        how many iteration samples the median is of
 */
record Result(String workload, String implementation, boolean baseline, String engine, String policy, int size,
              double medianNs, double bytesPerOp, int samples) {

    /** Reads one element of JMH's JSON array. */
    @SuppressWarnings("unchecked")
    static Result from(Map<String, Object> jmh) {
        String benchmark = (String) jmh.get("benchmark");
        String[] parts = benchmark.split("\\.");
        String workload = parts[parts.length - 2];
        String method = parts[parts.length - 1];
        Map<String, Object> params = (Map<String, Object>) jmh.getOrDefault("params", Map.of());
        Map<String, Object> primary = (Map<String, Object>) jmh.get("primaryMetric");
        List<Double> samples = new ArrayList<>();
        for (Object fork : (List<Object>) primary.get("rawData")) {
            for (Object sample : (List<Object>) fork) {
                samples.add(Json.number(sample));
            }
        }
        double toNs = nanosPer((String) primary.get("scoreUnit"));
        Map<String, Object> secondary = (Map<String, Object>) jmh.getOrDefault("secondaryMetrics", Map.of());
        Object norm = secondary.containsKey("gc.alloc.rate.norm") ? secondary.get("gc.alloc.rate.norm")
                : secondary.get("\u00b7gc.alloc.rate.norm");
        double bytes = norm == null ? Double.NaN : Json.number(((Map<String, Object>) norm).get("score"));

        String implementation;
        boolean baseline = true;
        switch (method) {
            case "bitSet" -> implementation = "BitSet";
            case "treeMap" -> implementation = "TreeMap first-fit";
            case "rangeSet" -> implementation = "Guava TreeRangeSet";
            case "harness" -> implementation = Target.HARNESS;
            case "offsetAllocator" -> implementation = Target.ANCHOR;
            case "wordRead" -> implementation = Target.WORD_READ;
            case "dependentLoad" -> implementation = Target.DEPENDENT_LOAD;
            case "bareCarve" -> implementation = Target.BARE_CARVE;
            default -> {
                baseline = false;
                implementation = switch (method) {
                    case "idAllocator" -> "IdAllocator";
                    case "idAllocatorDefault" -> "IdAllocator (default engine)";
                    default -> "Allot";
                };
            }
        }
        String engine = (String) params.getOrDefault("engine", params.get("cachingEngine"));
        if (engine == null) {
            engine = baseline ? "-" : "default";
        }
        String policy = (String) params.get("policy");
        if (policy == null) {
            policy = impliedPolicy(workload, method);
        }
        int size = Integer.parseInt((String) params.getOrDefault("size", "0"));
        return new Result(workload, implementation, baseline, engine, policy, size, median(samples) * toNs, bytes,
                samples.size());
    }

    /** The policy of a baseline that runs a workload's loop with no allocator at all. */
    static final String NO_ALLOCATOR = "— (no allocator)";

    /**
     * Whether this row, a floor ({@link Target#FLOORS}), lies under a target of {@code policy}: a
     * loop with no allocator lies under every policy, an allocator's bare work only under its own.
     */
    boolean isFloorOf(String policy) {
        return this.policy.equals(NO_ALLOCATOR) || this.policy.equals(policy);
    }

    /** The policy a workload's definition fixes, where the benchmark has no {@code policy} parameter. */
    private static String impliedPolicy(String workload, String method) {
        return switch (method) {
            case "bitSet" -> "nextClearBit(0)";
            case "treeMap", "rangeSet" -> "first-fit";
            case "harness", "wordRead", "dependentLoad" -> NO_ALLOCATOR;
            case "offsetAllocator" -> "its own: smallest bin sure to fit, 8 bins per power of two";
            case "bestFit" -> "best-fit";
            case "instantFit", "freeReplace", "bareCarve" -> "instant-fit";
            default -> "first-match";
        };
    }

    private static double nanosPer(String unit) {
        return switch (unit) {
            case "ns/op" -> 1;
            case "us/op" -> 1e3;
            case "ms/op" -> 1e6;
            case "s/op" -> 1e9;
            default -> throw new IllegalArgumentException("unexpected JMH score unit " + unit + " (use a time per op mode)");
        };
    }

    /** The median of {@code values} (mean of the middle two for an even count). */
    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int mid = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(mid) : (sorted.get(mid - 1) + sorted.get(mid)) / 2;
    }

    /** Whether {@code other} is the same series (all but the size). */
    boolean sameSeries(Result other) {
        return workload.equals(other.workload) && implementation.equals(other.implementation)
                && engine.equals(other.engine) && policy.equals(other.policy);
    }
}
