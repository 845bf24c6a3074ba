package io.allot.policies;

import io.allot.Range;
import io.allot.Request;
import io.allot.spi.AllocationPolicy;
import io.allot.spi.FreeSpace;

import java.util.Optional;

/**
 * {@code first-match}: the lowest-starting placement that satisfies the request (rust-vmm's
 * {@code FirstMatch}). Packs allocations at the bottom of the space; O(log n) on the interval engine.
 */
public final class FirstMatch implements AllocationPolicy {

    /** The name this policy is found by. */
    public static final String NAME = "first-match";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Range> place(Request request, FreeSpace free) {
        return free.firstFit(request, 0);
    }

    @Override
    public String toString() {
        return NAME;
    }
}
