package io.allot.cli.run;

import io.allot.Allocation;
import io.allot.Range;
import io.allot.ResourceAllocator;

import java.util.List;

/**
 * An address map at low resolution: each span cut into the same number of equal buckets, each
 * bucket holding the fraction of its values that are allocated (0 = all free, 1 = all allocated).
 * The report draws it as a strip per engine &times; policy and {@code inspect} as a line of text.
 *
 * @param spans     the allocator's spans, ascending
 * @param allocated per span, per bucket, the allocated fraction in [0, 1]
 */
public record Occupancy(List<Range> spans, double[][] allocated) {

    /** Copies the span list. */
    public Occupancy {
        spans = List.copyOf(spans);
    }

    /**
     * The map of {@code allocator} as it is now, {@code buckets} per span.
     *
     * @throws IllegalArgumentException if {@code buckets} is not positive
     */
    public static Occupancy of(ResourceAllocator allocator, int buckets) {
        if (buckets < 1) {
            throw new IllegalArgumentException("buckets " + buckets + " must be >= 1");
        }
        List<Range> spans = allocator.spans();
        double[][] fractions = new double[spans.size()][buckets];
        int[] spanIndex = {0};
        allocator.forEachAllocated((Allocation allocation) -> {
            Range range = allocation.range();
            while (!spans.get(spanIndex[0]).contains(range.start())) {
                spanIndex[0]++;
            }
            Range span = spans.get(spanIndex[0]);
            double width = unsigned(span.size()) / buckets;
            double from = unsigned(range.start() - span.start()) / width;
            double to = (unsigned(range.end() - span.start()) + 1) / width;
            double[] row = fractions[spanIndex[0]];
            for (int b = (int) Math.min(from, buckets - 1); b < buckets && b < to; b++) {
                row[b] += Math.min(to, b + 1) - Math.max(from, b);
            }
        });
        for (double[] row : fractions) {
            for (int b = 0; b < row.length; b++) {
                row[b] = Math.max(0, Math.min(1, row[b]));
            }
        }
        return new Occupancy(spans, fractions);
    }

    /** {@code value} read as unsigned. */
    static double unsigned(long value) {
        return (double) (value >>> 1) * 2.0 + (value & 1);
    }

    /**
     * One span as text: {@code ' '} free, {@code '░' '▒' '▓'} partly allocated, {@code '█'} full
     * (a bucket counts as full or free only when it wholly is).
     */
    public String strip(int span) {
        StringBuilder s = new StringBuilder();
        for (double f : allocated[span]) {
            s.append(f <= 0 ? ' ' : f >= 1 ? '█' : f < 1.0 / 3 ? '░' : f < 2.0 / 3 ? '▒' : '▓');
        }
        return s.toString();
    }
}
