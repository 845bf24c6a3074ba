package io.allot.policies;

import io.allot.Range;
import io.allot.Request;
import io.allot.spi.AllocationPolicy;
import io.allot.spi.FreeSpace;

import java.util.Optional;

/**
 * {@code next-fit}: the lowest placement starting at or after the rotor, wrapping once to the
 * bottom. Each successful next-fit allocation moves the rotor past itself
 * ({@link #advancesRotor()}), so freed values are not reused at once — vmem's {@code VM_NEXTFIT},
 * used for ids that a stale holder might still name.
 */
public final class NextFit implements AllocationPolicy {

    /** The name this policy is found by. */
    public static final String NAME = "next-fit";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Range> place(Request request, FreeSpace free) {
        Optional<Range> ahead = free.firstFit(request, free.rotor());
        return ahead.isPresent() ? ahead : free.firstFit(request, 0);
    }

    /** @return true: next-fit's placements move the rotor */
    @Override
    public boolean advancesRotor() {
        return true;
    }

    @Override
    public String toString() {
        return NAME;
    }
}
