package io.allot;

import io.allot.spi.AllocationPolicy;

import java.io.OutputStream;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One managed space of unsigned 64-bit values, carved into disjoint allocations.
 *
 * <p>The space is the union of its <em>spans</em> ({@link #addSpan}); a placement never crosses
 * from one span into another, even when two spans are adjacent. Every value is either free or in
 * exactly one live allocation. Every engine implements this interface with the same semantics;
 * obtain one from {@link Allocators#builder()}.
 *
 * <p><b>Failure atomicity.</b> A call that throws leaves the allocator exactly as it was: its
 * allocations, free ranges, next-fit rotor and statistics, except that
 * {@link AllocatorStats#failedAllocations()} counts every {@code allocate}, {@code tryAllocate},
 * {@code reserve} and {@code reallocate} call that allocated nothing for any reason but a
 * {@code null} argument.
 *
 * <p><b>Quantum.</b> Sizes are rounded up to a multiple of {@link #quantum()} (the returned range
 * shows the rounded size) and placements are aligned to at least the quantum.
 *
 * <p><b>Threads.</b> An allocator is not safe for concurrent use unless it was built with
 * {@link Allocators.Builder#threadSafe()}.
 */
public interface ResourceAllocator {

    /**
     * Places a request with the {@link #defaultPolicy() default policy}.
     *
     * @return the allocated range, of the request's size rounded up to the quantum
     * @throws ExhaustedException       if no free placement satisfies the request
     * @throws PolicyViolationException if the default policy answers with an unacceptable placement
     * @throws IllegalArgumentException if the request's phase is not a multiple of the quantum
     */
    Range allocate(Request request);

    /**
     * Places a request with {@code policy}.
     *
     * @throws ExhaustedException       if the policy finds no placement
     * @throws PolicyViolationException if the policy answers with a placement that is not free,
     *                                  not inside one span, of the wrong size, or not satisfying the request
     * @throws IllegalArgumentException as {@link #allocate(Request)}
     */
    Range allocate(Request request, AllocationPolicy policy);

    /** As {@link #allocate(Request)}, but empty instead of {@link ExhaustedException}. */
    Optional<Range> tryAllocate(Request request);

    /** As {@link #allocate(Request, AllocationPolicy)}, but empty instead of {@link ExhaustedException}. */
    Optional<Range> tryAllocate(Request request, AllocationPolicy policy);

    /**
     * Claims exactly {@code range} (ExactMatch), untagged.
     *
     * @return {@code range}
     * @throws OverlapException         if any part of it is allocated
     * @throws IllegalArgumentException if it is not inside one span, or not on quantum boundaries
     */
    Range reserve(Range range);

    /**
     * As {@link #reserve(Range)}, recording {@code tag} (may be {@code null}) with the allocation.
     *
     * @throws IllegalArgumentException also if {@code tag} holds an unpaired surrogate
     */
    Range reserve(Range range, String tag);

    /**
     * Frees exactly one live allocation.
     *
     * @throws NotAllocatedException if {@code range} is not exactly a live allocation: never
     *                               allocated, already freed, or a part or a superset of one
     */
    void free(Range range);

    /**
     * Frees the allocation that holds {@code value}.
     *
     * @return the range freed
     * @throws NotAllocatedException if no live allocation holds {@code value}
     */
    Range freeContaining(long value);

    /**
     * Moves an allocation atomically: a new placement for {@code request} is allocated and
     * {@code old} freed, or nothing changes. The new range is placed with the default policy as
     * if {@code old} were already free, so it may overlap {@code old}; the next-fit rotor does not
     * move. The old tag is kept unless the request carries one.
     *
     * @throws NotAllocatedException    if {@code old} is not exactly a live allocation
     * @throws ExhaustedException       if nothing fits even with {@code old} freed; {@code old}
     *                                  stays allocated
     * @throws PolicyViolationException as {@link #allocate(Request, AllocationPolicy)}
     */
    Range reallocate(Range old, Request request);

    /** The live allocation holding {@code value}, if any. */
    Optional<Allocation> allocationContaining(long value);

    /** Whether every value of {@code range} is free and the whole range lies inside one span. */
    boolean isFree(Range range);

    /**
     * Grows the managed space by one span, all free (vmem's {@code vmem_add}).
     *
     * @throws OverlapException         if {@code span} overlaps an existing span
     * @throws IllegalArgumentException if it is not on quantum boundaries, or the spans together
     *                                  would hold all 2<sup>64</sup> values
     */
    void addSpan(Range span);

    /** The spans, ascending; an unmodifiable copy. */
    List<Range> spans();

    /** Counts taken in O(1); see {@link AllocatorStats}. */
    AllocatorStats stats();

    /**
     * Visits every live allocation in ascending order. The action must not modify this allocator.
     */
    void forEachAllocated(Consumer<? super Allocation> action);

    /**
     * Visits every maximal free range in ascending order, span by span: adjacent free values in
     * one span are one range. The action must not modify this allocator.
     */
    void forEachFree(Consumer<? super Range> action);

    /** The name of the engine behind this allocator, as {@link Allocators#engines()} lists it. */
    String engine();

    /** The policy {@link #allocate(Request)} uses. */
    AllocationPolicy defaultPolicy();

    /** The unit of the space: a power of two, 1 unless the builder set one. */
    long quantum();

    /**
     * Writes an engine-neutral, versioned image of this allocator that
     * {@link Allocators#restore(java.io.InputStream)} reads back into any engine.
     *
     * @throws java.io.UncheckedIOException if {@code out} fails
     */
    void writeSnapshot(OutputStream out);
}
