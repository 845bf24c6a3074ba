package io.allot.spi;

import io.allot.Range;
import io.allot.Request;

import java.util.Iterator;
import java.util.Optional;

/**
 * An engine's read-only view of its free space, handed to an {@link AllocationPolicy}.
 *
 * <p>Every placement it returns is free, lies inside one span, has exactly the request's size and
 * satisfies the request; the {@code *Fit} methods differ only in which such placement they pick.
 * The view is valid only during the {@code place} call it is given to.
 */
public interface FreeSpace {

    /** The lowest placement whose start is at or above {@code from} (unsigned). */
    Optional<Range> firstFit(Request request, long from);

    /** The highest placement whose end is at or below {@code to} (unsigned). */
    Optional<Range> lastFit(Request request, long to);

    /**
     * The lowest placement inside the smallest free segment (by its whole size, not clipped to the
     * request's window) that can hold one; ties between equal sizes go to the lower address.
     */
    Optional<Range> bestFit(Request request);

    /**
     * vmem's instant fit: a placement in a segment of the lowest power-of-two size class whose
     * every member is big enough (size &ge; the request's size rounded up to a power of two).
     * Empty when no such segment holds a placement; callers fall back to {@link #bestFit}.
     */
    Optional<Range> instantFit(Request request);

    /**
     * The allocator's quantum: requests reaching a policy are already aligned to it, so a policy
     * that treats "aligned above the quantum" specially (instant-fit) needs to know it. Default 1.
     */
    default long quantum() {
        return 1;
    }

    /** Where the next next-fit search starts. */
    long rotor();

    /** The maximal free segments ending at or after {@code from}, ascending. */
    Iterator<Range> ascending(long from);

    /** The maximal free segments starting at or before {@code to}, descending. */
    Iterator<Range> descending(long to);
}
