package io.allot.bench.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Everything one run measured: the JMH results, the memory rows, and the engines installed. */
final class Results {

    /** Any policy: the worst of all policies measured. */
    static final String ANY_POLICY = "*";

    private final List<Result> jmh;
    private final List<MemoryRow> memory;
    private final Set<String> engines;

    Results(List<Result> jmh, List<MemoryRow> memory, List<String> engines) {
        this.jmh = List.copyOf(jmh);
        this.memory = List.copyOf(memory);
        this.engines = new TreeSet<>(engines);
    }

    List<Result> all() {
        return jmh;
    }

    List<MemoryRow> memory() {
        return memory;
    }

    boolean installed(String engine) {
        return engines.contains(engine);
    }

    /**
     * The result for these coordinates; with {@link #ANY_POLICY}, the slowest of the policies
     * measured (empty if none is).
     */
    Optional<Result> find(String workload, String implementation, String engine, String policy, int size) {
        return jmh.stream()
                .filter(r -> r.workload().equals(workload) && r.implementation().equals(implementation)
                        && r.engine().equals(engine) && r.size() == size
                        && (policy.equals(ANY_POLICY) || r.policy().equals(policy)))
                .max(Comparator.comparingDouble(Result::medianNs));
    }

    /** All results for these coordinates, one per policy when {@code policy} is {@link #ANY_POLICY}. */
    List<Result> findAll(String workload, String implementation, String engine, String policy, int size) {
        List<Result> found = new ArrayList<>();
        for (Result r : jmh) {
            if (r.workload().equals(workload) && r.implementation().equals(implementation) && r.engine().equals(engine)
                    && r.size() == size && (policy.equals(ANY_POLICY) || r.policy().equals(policy))) {
                found.add(r);
            }
        }
        return found;
    }

    /** The baseline results of {@code workload} at {@code size}. */
    List<Result> baselines(String workload, int size) {
        List<Result> found = new ArrayList<>();
        for (Result r : jmh) {
            if (r.baseline() && r.workload().equals(workload) && r.size() == size) {
                found.add(r);
            }
        }
        return found;
    }

    /** The baseline named {@code implementation} of {@code workload} at {@code size}, if the run measured it. */
    Optional<Result> baseline(String workload, int size, String implementation) {
        for (Result r : baselines(workload, size)) {
            if (r.implementation().equals(implementation)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** The memory row of Allot on {@code engine} in {@code workload}'s state. */
    Optional<MemoryRow> memory(String workload, String engine) {
        return memory.stream().filter(m -> m.workload().equals(workload) && m.implementation().equals("Allot")
                && m.engine().equals(engine)).findFirst();
    }
}
