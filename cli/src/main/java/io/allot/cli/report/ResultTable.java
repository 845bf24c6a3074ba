package io.allot.cli.report;

import io.allot.cli.run.Outcome;

import java.util.ArrayList;
import java.util.List;

/**
 * The comparison as a text table, one row per engine &times; policy, the columns {@code compare}
 * promises: throughput, failed allocations, peak and final fragmentation, largest free range and
 * live allocations at the end, and the heap the allocator held. A combination that did not
 * complete gets its reason in place of the numbers. The same cells feed the HTML report.
 */
public final class ResultTable {

    /** Column headings, in order. */
    public static final List<String> HEADINGS = List.of("engine", "policy", "ops/s", "failed", "peak frag",
            "final frag", "largest free", "live", "heap");
    private static final int NUMERIC_FROM = 2;

    private ResultTable() {
    }

    /** The cells of one row: the headings' values, or engine, policy and a reason. */
    public static List<String> cells(Outcome outcome) {
        List<String> row = new ArrayList<>();
        row.add(outcome.combination().engine());
        row.add(outcome.combination().policy());
        if (outcome instanceof Outcome.Completed c) {
            row.add(Figures.rate(c.opsPerSecond()));
            row.add(Figures.count(c.failed()));
            row.add(Figures.percent(c.peakFragmentation()));
            row.add(Figures.percent(c.stats().fragmentation()));
            row.add(Figures.units(c.stats().largestFree()));
            row.add(Figures.count(c.stats().liveAllocations()));
            row.add(c.heapBytes() < 0 ? "-" : Figures.bytes(c.heapBytes()));
        } else {
            row.add(problem(outcome));
        }
        return row;
    }

    /** Why a combination did not complete, one line. */
    public static String problem(Outcome outcome) {
        if (outcome instanceof Outcome.Refused r) {
            return "not run: the engine refused this space: " + r.reason();
        }
        if (outcome instanceof Outcome.Broken b) {
            return "stopped at line " + b.line() + ": " + b.reason();
        }
        return "";
    }

    /**
     * Who leads the columns that matter most for choosing — throughput, failed allocations, final
     * fragmentation, heap — as one line ({@code fastest: interval / instant-fit; fewest failed: ...}),
     * or empty when there is only one combination or every column ties.
     */
    public static String leaders(List<Outcome> outcomes) {
        List<String> parts = new ArrayList<>();
        for (Best best : List.of(Best.THROUGHPUT, Best.FAILED, Best.FINAL_FRAGMENTATION, Best.HEAP)) {
            List<Outcome.Completed> leaders = best.leaders(outcomes);
            if (!leaders.isEmpty()) {
                String who = leaders.stream().map(c -> c.combination().label()).limit(3)
                        .reduce((a, b) -> a + ", " + b).orElseThrow() + (leaders.size() > 3 ? " and "
                        + (leaders.size() - 3) + " more" : "");
                parts.add(best.title() + ": " + who + " (" + cells(leaders.get(0)).get(best.column()) + ")");
            }
        }
        return String.join("; ", parts);
    }

    /** The table as aligned text, headings first; numbers right-aligned. */
    public static String render(List<Outcome> outcomes) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(HEADINGS);
        outcomes.forEach(o -> rows.add(cells(o)));
        int[] width = new int[HEADINGS.size()];
        for (List<String> row : rows) {
            boolean full = row.size() == HEADINGS.size();
            for (int i = 0; i < row.size(); i++) {
                if (full || i < NUMERIC_FROM) {
                    width[i] = Math.max(width[i], row.get(i).length());
                }
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                if (i > 0) {
                    line.append("  ");
                }
                if (row.size() < HEADINGS.size() && i == row.size() - 1) {
                    line.append(cell);
                } else if (i < NUMERIC_FROM) {
                    line.append(cell).append(" ".repeat(width[i] - cell.length()));
                } else {
                    line.append(" ".repeat(width[i] - cell.length())).append(cell);
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
