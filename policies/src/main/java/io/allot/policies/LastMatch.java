package io.allot.policies;

import io.allot.Range;
import io.allot.Request;
import io.allot.spi.AllocationPolicy;
import io.allot.spi.FreeSpace;

import java.util.Optional;

/**
 * {@code last-match}: the highest placement, its end as high as the request allows (rust-vmm's
 * {@code LastMatch}). Keeps allocations at the top, away from those made with first-match.
 */
public final class LastMatch implements AllocationPolicy {

    /** The name this policy is found by. */
    public static final String NAME = "last-match";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Range> place(Request request, FreeSpace free) {
        return free.lastFit(request, -1L);
    }

    @Override
    public String toString() {
        return NAME;
    }
}
