package io.allot.internal;

import io.allot.Allocation;
import io.allot.ExhaustedException;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;

import java.util.Optional;

/**
 * Allocating and freeing one quantum by its first value, with no {@link Range}, {@link Optional}
 * or {@link Request} per call: {@link io.allot.IdAllocator}'s hot path. It behaves exactly as
 * {@code tryAllocate(Request.of(quantum))} with the default policy and {@code free} of that one
 * quantum — same placements, rotor, counters and snapshots — only without the garbage.
 *
 * <p>{@link GuardedAllocator} and {@link ConcurrentAllocator} implement it, as does a core's own
 * {@link CoreUnitPath} (the bitmap's, for {@link io.allot.IdAllocator#of}); they go through the core's
 * {@link SingleUnits} when it has them and the default policy is a standard one whose choice is
 * known ({@link KnownSearch}), else through their general path; {@link #of} falls back to the
 * public API for any other allocator.
 */
public interface UnitPath {

    /**
     * Allocates one quantum, untagged, with the default policy; an empty result counts as a
     * failed allocation, as an empty {@code tryAllocate} does.
     *
     * @param none a value that starts no quantum of any span, returned when nothing is free
     * @return the quantum's first value, or {@code none}
     */
    long allocateUnit(long none);

    /**
     * Allocates one quantum as {@link #allocateUnit} does, for a caller to which nothing free is
     * an error ({@link io.allot.IdAllocator#allocate}): with no sentinel to pass in and compare
     * after, the caller holds no value across the call, and its failure branch is the exception
     * table, not a test on the hot path. A failure counts as {@link #allocateUnit}'s does.
     *
     * @return the quantum's first value
     * @throws ExhaustedException if no quantum is free (its message names only the quantum: the
     *                            caller knows what the values mean)
     */
    long claimUnit();

    /**
     * Frees the allocation that is exactly the quantum starting at {@code start}.
     *
     * @return false, changing nothing and counting nothing, if there is no such allocation
     */
    boolean freeUnit(long start);

    /** Whether {@code value} lies in a live allocation. */
    boolean isAllocated(long value);

    /** Free values, unsigned: {@code stats().free()} without computing the rest of the stats. */
    long freeValues();

    /**
     * {@code allocator}'s fastest own path ({@link GuardedAllocator#unitPath}) if it has one, else
     * one over its public API.
     */
    static UnitPath of(ResourceAllocator allocator) {
        if (allocator instanceof GuardedAllocator guarded) {
            return guarded.unitPath();
        }
        return allocator instanceof UnitPath path ? path : new Public(allocator);
    }

    /** The same operations through the public API, for allocators with no path of their own. */
    final class Public implements UnitPath {
        private final ResourceAllocator allocator;
        private final Request one;

        Public(ResourceAllocator allocator) {
            this.allocator = allocator;
            this.one = Request.of(allocator.quantum());
        }

        @Override
        public long allocateUnit(long none) {
            Optional<Range> placed = allocator.tryAllocate(one);
            return placed.isPresent() ? placed.get().start() : none;
        }

        @Override
        public long claimUnit() {
            Optional<Range> placed = allocator.tryAllocate(one);
            if (placed.isEmpty()) {
                throw new ExhaustedException("no quantum of " + Unsigned.hex(allocator.quantum()) + " is free");
            }
            return placed.get().start();
        }

        @Override
        public boolean freeUnit(long start) {
            Optional<Allocation> held = allocator.allocationContaining(start);
            if (held.isEmpty() || held.get().range().start() != start || held.get().range().size() != allocator.quantum()) {
                return false;
            }
            allocator.free(held.get().range());
            return true;
        }

        @Override
        public boolean isAllocated(long value) {
            return allocator.allocationContaining(value).isPresent();
        }

        @Override
        public long freeValues() {
            return allocator.stats().free();
        }
    }
}
