package io.allot.cli.report;

import io.allot.cli.run.Outcome;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * Which combination leads a column: the most operations per second, the fewest failed allocations,
 * the lowest fragmentation, the largest free range, the least heap. Ties go to the first in table
 * order. Only completed runs compete.
 */
public enum Best {
    /** Highest ops/s. */
    THROUGHPUT(2, Outcome.Completed::opsPerSecond, true),
    /** Fewest failed allocations. */
    FAILED(3, c -> c.failed(), false),
    /** Lowest peak fragmentation. */
    PEAK_FRAGMENTATION(4, Outcome.Completed::peakFragmentation, false),
    /** Lowest final fragmentation. */
    FINAL_FRAGMENTATION(5, c -> c.stats().fragmentation(), false),
    /** Largest free range at the end. */
    LARGEST_FREE(6, c -> Figures.unsigned(c.stats().largestFree()), true),
    /** Least heap held. */
    HEAP(8, c -> c.heapBytes() < 0 ? Double.NaN : c.heapBytes(), false);

    private final int column;
    private final ToDoubleFunction<Outcome.Completed> value;
    private final boolean higherIsBetter;

    Best(int column, ToDoubleFunction<Outcome.Completed> value, boolean higherIsBetter) {
        this.column = column;
        this.value = value;
        this.higherIsBetter = higherIsBetter;
    }

    /** The column of {@link ResultTable#HEADINGS} this ranks. */
    public int column() {
        return column;
    }

    /** The value this ranks by. */
    public double of(Outcome.Completed completed) {
        return value.applyAsDouble(completed);
    }

    /** The best value among {@code outcomes}, if any completed with a value. */
    public Optional<Double> best(List<Outcome> outcomes) {
        Comparator<Double> order = higherIsBetter ? Comparator.reverseOrder() : Comparator.naturalOrder();
        return outcomes.stream().filter(Outcome.Completed.class::isInstance).map(Outcome.Completed.class::cast)
                .map(this::of).filter(v -> !Double.isNaN(v)).min(order);
    }

    /** The first combination holding the best value, if any. */
    public Optional<Outcome.Completed> leader(List<Outcome> outcomes) {
        Optional<Double> best = best(outcomes);
        return best.flatMap(b -> outcomes.stream().filter(Outcome.Completed.class::isInstance)
                .map(Outcome.Completed.class::cast).filter(c -> of(c) == b).findFirst());
    }
}
