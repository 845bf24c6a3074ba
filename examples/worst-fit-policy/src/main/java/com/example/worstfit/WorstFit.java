package com.example.worstfit;

import io.allot.Range;
import io.allot.Request;
import io.allot.spi.AllocationPolicy;
import io.allot.spi.FreeSpace;

import java.util.Optional;

/**
 * Worst fit: place each request in the largest free segment, so that the piece left over is as
 * large as it can be (the opposite bet to best fit, which keeps large segments whole).
 *
 * <p>{@link FreeSpace} offers no "largest segment" query, and walking every free segment would cost
 * O(n) per allocation. Instead this finds the largest free size L by asking
 * {@link FreeSpace#firstFit} whether an unconstrained block of a given size fits anywhere: doubling
 * from the request's size until one does not, then bisecting. Each probe is one O(log n) search
 * (a failing one is O(1) in an engine that keeps the largest free run at its root), so a placement
 * costs O(log L &middot; log n). The block of size L that fits lowest is the largest segment.
 *
 * <p>When the request's window, alignment or boundary rule admits no placement in that segment,
 * it falls back to the lowest placement anywhere (first fit), so worst fit never fails where first
 * fit would succeed. Stateless and thread-safe, as every policy must be.
 */
public final class WorstFit implements AllocationPolicy {

    /** Called by {@link java.util.ServiceLoader}. */
    public WorstFit() {
    }

    @Override
    public String name() {
        return "worst-fit";
    }

    @Override
    public Optional<Range> place(Request request, FreeSpace free) {
        long quantum = free.quantum();
        if (!fits(free, request.size(), quantum)) {
            return Optional.empty();
        }
        Range largest = free.firstFit(block(largestFreeSize(free, request.size(), quantum), quantum), 0).orElseThrow();
        long min = Long.compareUnsigned(request.min(), largest.start()) > 0 ? request.min() : largest.start();
        long max = Long.compareUnsigned(request.max(), largest.end()) < 0 ? request.max() : largest.end();
        if (Long.compareUnsigned(min, max) <= 0) {
            Optional<Range> inLargest = free.firstFit(request.within(min, max), min);
            if (inLargest.isPresent()) {
                return inLargest;
            }
        }
        return free.firstFit(request, request.min());
    }

    /** The size of the largest free segment, knowing one of at least {@code atLeast} exists. */
    private static long largestFreeSize(FreeSpace free, long atLeast, long quantum) {
        long low = atLeast;                         // fits
        long high = 0;                              // 0 stands for "2^64": nothing that big fits
        for (long size = atLeast; ; ) {
            long next = size << 1;
            if (next >>> 1 != size || next == 0) {  // doubling would pass 2^64 - 1
                break;
            }
            if (!fits(free, next, quantum)) {
                high = next;
                break;
            }
            low = next;
            size = next;
        }
        // Invariant: low fits; high (or 2^64) does not. Bisect in units of the quantum.
        while (true) {
            long gap = high == 0 ? -low : high - low;                  // unsigned distance
            if (Long.compareUnsigned(gap, quantum) <= 0) {
                return low;
            }
            long middle = low + ((gap >>> 1) & -quantum);
            if (middle == low) {
                middle = low + quantum;
            }
            if (fits(free, middle, quantum)) {
                low = middle;
            } else {
                high = middle;
            }
        }
    }

    private static boolean fits(FreeSpace free, long size, long quantum) {
        return free.firstFit(block(size, quantum), 0).isPresent();
    }

    /** An unconstrained request of {@code size}, aligned to the quantum as the engine expects. */
    private static Request block(long size, long quantum) {
        return Request.of(size).aligned(quantum);
    }
}
