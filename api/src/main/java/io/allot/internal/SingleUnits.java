package io.allot.internal;

/**
 * An optional capability of an {@link EngineCore}: allocating and freeing exactly one quantum
 * without building a {@link io.allot.Range}, an {@link java.util.Optional} or a
 * {@link io.allot.Request}. {@link SingleQuantum} uses it for {@link io.allot.IdAllocator}'s hot
 * path, and {@link ConcurrentAllocator} for lock-free single-quantum requests.
 *
 * <p>Every method answers exactly what the general path of {@link GuardedAllocator} would: a claim
 * is the placement first-match (or last-match) would choose for a one-quantum, unconstrained,
 * untagged request inside the window, allocated. Values are unsigned and, for starts, on quantum
 * boundaries.
 *
 * <p><b>Threading.</b> A core built for a single thread implements these methods with plain
 * memory accesses. A core built for {@link ConcurrentAllocator} ({@link #lockFree()} true)
 * implements them lock-free: any number of threads may call them at once, while the core's
 * other methods run only when no such call is in flight (the allocator's gate guarantees it).
 * Under contention a claim may report nothing free although a quantum was freed behind its
 * search; it never hands one quantum out twice and never loses one.
 */
public interface SingleUnits {

    /** {@link #release}: the quantum was a live one-quantum allocation and is now free. */
    int RELEASED = 1;
    /** {@link #release}: no one-quantum allocation starts there; nothing changed. */
    int NOT_AN_ALLOCATION = 0;
    /**
     * {@link #release} in a concurrent core: the allocation carries a tag, whose removal needs the
     * exclusive path; nothing changed.
     */
    int NEEDS_EXCLUSIVE = -1;

    /**
     * What the claims return when nothing is free: a value that is the first value of no quantum
     * of any span. It changes only when the spans change (never during lock-free calls).
     */
    long none();

    /**
     * Allocates the lowest free quantum whose first value is at least {@code lo} and whose last
     * value is at most {@code hi}.
     *
     * @return the quantum's first value, or {@link #none()}
     */
    long claimLowest(long lo, long hi);

    /** As {@link #claimLowest}, the highest such quantum. */
    long claimHighest(long lo, long hi);

    /**
     * Frees the allocation that is exactly the quantum starting at {@code start}.
     *
     * @return {@link #RELEASED}, {@link #NOT_AN_ALLOCATION} or {@link #NEEDS_EXCLUSIVE}
     */
    int release(long start);

    /** Whether {@code value} lies in a live allocation. Not for use concurrently with claims. */
    boolean isAllocated(long value);

    /**
     * Whether the claims and {@link #release} are lock-free as the class comment describes, so
     * that {@link ConcurrentAllocator} may call them from many threads at once. A core whose
     * methods use plain accesses says false (the default), and a thread-safe allocator over it
     * takes a lock ({@link LockedAllocator}) instead.
     */
    default boolean lockFree() {
        return false;
    }

    /**
     * This core's own path for a single-threaded allocator whose default policy takes the lowest
     * free quantum ({@link io.allot.IdAllocator#of}), or null (the default) if it has none; see
     * {@link CoreUnitPath}. Asked at most once, by the {@link GuardedAllocator} over this core.
     *
     * @param general the allocator's own one-quantum path, which the returned path calls for
     *                everything it does not do itself
     */
    default CoreUnitPath lowestPath(UnitPath general) {
        return null;
    }
}
