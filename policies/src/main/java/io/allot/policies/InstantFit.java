package io.allot.policies;

import io.allot.Range;
import io.allot.Request;
import io.allot.spi.AllocationPolicy;
import io.allot.spi.FreeSpace;

import java.util.Optional;

/**
 * {@code instant-fit}: vmem's {@code VM_INSTANTFIT} — the head of the lowest power-of-two free list
 * whose every member is big enough, O(1) on the vmem engine. A constrained request (alignment
 * above the quantum, a phase, a no-cross boundary or a window) or an empty set of such lists falls
 * back to best-fit, as in Bonwick and Adams' design.
 */
public final class InstantFit implements AllocationPolicy {

    /** The name this policy is found by. */
    public static final String NAME = "instant-fit";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Range> place(Request request, FreeSpace free) {
        if (isConstrained(request, free.quantum())) {
            return free.bestFit(request);
        }
        Optional<Range> instant = free.instantFit(request);
        return instant.isPresent() ? instant : free.bestFit(request);
    }

    /** Whether anything but the size limits the placement (the engine has raised alignment to the quantum). */
    private static boolean isConstrained(Request r, long quantum) {
        return Long.compareUnsigned(r.alignment(), quantum) > 0
                || r.phase() != 0 || r.noCross() != 0 || r.min() != 0 || r.max() != -1L;
    }

    @Override
    public String toString() {
        return NAME;
    }
}
