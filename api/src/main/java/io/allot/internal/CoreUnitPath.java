package io.allot.internal;

/**
 * A {@link UnitPath} that an engine's core runs on its own structures, for
 * {@link io.allot.IdAllocator#of}: an id's {@code allocate} and {@code free} reach the bits with no
 * layer in between. {@link GuardedAllocator} asks its core for one ({@link SingleUnits#lowestPath})
 * when its default policy takes the lowest free quantum, it has no source, and it is not
 * thread-safe.
 *
 * <p>It answers exactly what {@link GuardedAllocator}'s own one-quantum path would: the lowest
 * free quantum of the whole space, and the free of a one-quantum allocation. What it does not
 * handle itself — nothing free, a core state it does not cover — it passes to that path, which
 * counts its own. Its own allocations and frees it counts here, one increment each, and the
 * guarded allocator takes the counts ({@link #takeAllocations}, {@link #takeFrees}) before any of
 * its counters is read, so statistics and snapshots are the same as through the general path.
 *
 * <p>Not thread-safe: calls run on the allocator's one thread.
 */
public interface CoreUnitPath extends UnitPath {

    /** One-quantum allocations this path made since the last call; the count restarts at 0. */
    long takeAllocations();

    /** One-quantum frees this path made since the last call; the count restarts at 0. */
    long takeFrees();
}
