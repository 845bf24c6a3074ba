package io.allot.policies;

import io.allot.Range;
import io.allot.Request;
import io.allot.spi.AllocationPolicy;
import io.allot.spi.FreeSpace;

import java.util.Optional;

/**
 * {@code best-fit}: a placement inside the smallest free segment that can hold one (ties to the
 * lower address; the lowest fit within it) — vmem's {@code VM_BESTFIT}. Keeps large free
 * segments whole for large requests.
 */
public final class BestFit implements AllocationPolicy {

    /** The name this policy is found by. */
    public static final String NAME = "best-fit";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Range> place(Request request, FreeSpace free) {
        return free.bestFit(request);
    }

    @Override
    public String toString() {
        return NAME;
    }
}
