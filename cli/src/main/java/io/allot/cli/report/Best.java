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
    THROUGHPUT(2, "fastest", Outcome.Completed::opsPerSecond, true),
    /** Fewest failed allocations. */
    FAILED(3, "fewest failed", c -> c.failed(), false),
    /** Lowest peak fragmentation. */
    PEAK_FRAGMENTATION(4, "lowest peak fragmentation", Outcome.Completed::peakFragmentation, false),
    /** Lowest final fragmentation. */
    FINAL_FRAGMENTATION(5, "lowest final fragmentation", c -> c.stats().fragmentation(), false),
    /** Largest free range at the end. */
    LARGEST_FREE(6, "largest free range", c -> Figures.unsigned(c.stats().largestFree()), true),
    /** Least heap held. */
    HEAP(8, "least heap", c -> c.heapBytes() < 0 ? Double.NaN : c.heapBytes(), false);

    private final int column;
    private final String title;
    private final ToDoubleFunction<Outcome.Completed> value;
    private final boolean higherIsBetter;

    Best(int column, String title, ToDoubleFunction<Outcome.Completed> value, boolean higherIsBetter) {
        this.column = column;
        this.title = title;
        this.value = value;
        this.higherIsBetter = higherIsBetter;
    }

    /** The column of {@link ResultTable#HEADINGS} this ranks. */
    public int column() {
        return column;
    }

    /** What leading this column means, for a summary line: {@code "fastest"}. */
    public String title() {
        return title;
    }

    /** The value this ranks by. */
    public double of(Outcome.Completed completed) {
        return value.applyAsDouble(completed);
    }

    /**
     * The best value among {@code outcomes}, if any completed with a value and they do not all
     * read the same in the table (a column where every row shows the same has no leader).
     */
    public Optional<Double> best(List<Outcome> outcomes) {
        Comparator<Double> order = higherIsBetter ? Comparator.reverseOrder() : Comparator.naturalOrder();
        List<Outcome.Completed> ranked = completed(outcomes);
        if (ranked.stream().map(this::shown).distinct().count() < 2) {
            return Optional.empty();
        }
        return ranked.stream().map(this::of).min(order);
    }

    /** Whether {@code completed} leads: it reads in the table as the best value does. */
    public boolean leads(Outcome.Completed completed, List<Outcome> outcomes) {
        Optional<Double> best = best(outcomes);
        if (best.isEmpty() || Double.isNaN(of(completed))) {
            return false;
        }
        Outcome.Completed top = completed(outcomes).stream().filter(c -> of(c) == best.get()).findFirst().orElseThrow();
        return shown(completed).equals(shown(top));
    }

    private List<Outcome.Completed> completed(List<Outcome> outcomes) {
        return outcomes.stream().filter(Outcome.Completed.class::isInstance).map(Outcome.Completed.class::cast)
                .filter(c -> !Double.isNaN(of(c))).toList();
    }

    /** The cell as the table prints it: values that print the same tie. */
    private String shown(Outcome.Completed completed) {
        return ResultTable.cells(completed).get(column);
    }

    /** The combinations that lead, in table order; empty when the column has no leader. */
    public List<Outcome.Completed> leaders(List<Outcome> outcomes) {
        return completed(outcomes).stream().filter(c -> leads(c, outcomes)).toList();
    }
}
