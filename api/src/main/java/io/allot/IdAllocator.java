package io.allot;

import io.allot.internal.Unsigned;

import java.util.Objects;
import java.util.Optional;

/**
 * Hands out single ids from {@code [first, last]}: device ids, memory slots, IRQ numbers.
 *
 * <p>{@link #of(long, long)} gives the smallest free id first; {@link #cyclic(long, long)} hands
 * ids out round-robin (next-fit), so a freed id is not reused at once — the behaviour wanted for
 * PIDs or slot numbers a guest might still hold stale. Uses the {@code bitmap} engine when it is
 * installed and the range holds at most 2<sup>32</sup> ids, else {@code interval}, else any
 * installed engine. Needs the {@code io.allot.policies} module for its policies.
 *
 * <p>Not thread-safe; use {@link #allocator()} only to read (stats, snapshots).
 */
public final class IdAllocator {

    private static final Request ONE = Request.of(1);

    private final ResourceAllocator allocator;
    private final long first;
    private final long last;

    private IdAllocator(long first, long last, String engine, String policy) {
        Range ids = Range.of(first, last);
        this.allocator = Allocators.builder().engine(engine).policy(policy).span(ids).build();
        this.first = first;
        this.last = last;
    }

    /**
     * Ids {@code [first, last]}, smallest free first.
     *
     * @throws IllegalArgumentException if {@code last < first} (unsigned) or the range is all 2<sup>64</sup> values
     */
    public static IdAllocator of(long first, long last) {
        return new IdAllocator(first, last, defaultEngine(first, last), "first-match");
    }

    /** Ids {@code [first, last]}, handed out round-robin; otherwise as {@link #of(long, long)}. */
    public static IdAllocator cyclic(long first, long last) {
        return new IdAllocator(first, last, defaultEngine(first, last), "next-fit");
    }

    /** As {@link #of(long, long)}, on the named engine. */
    public static IdAllocator of(long first, long last, String engine) {
        return new IdAllocator(first, last, Objects.requireNonNull(engine, "engine"), "first-match");
    }

    /** As {@link #cyclic(long, long)}, on the named engine. */
    public static IdAllocator cyclic(long first, long last, String engine) {
        return new IdAllocator(first, last, Objects.requireNonNull(engine, "engine"), "next-fit");
    }

    private static String defaultEngine(long first, long last) {
        boolean bitmapSized = Unsigned.lessThan(last - first, 1L << 32);
        if (bitmapSized && Allocators.hasEngine("bitmap")) {
            return "bitmap";
        }
        if (Allocators.hasEngine("interval")) {
            return "interval";
        }
        return Allocators.engines().stream().findFirst()
                .orElseThrow(() -> new IllegalStateException("no allocator engine is installed"));
    }

    /**
     * A free id, now allocated.
     *
     * @throws ExhaustedException if every id is allocated
     */
    public long allocate() {
        Optional<Range> id = allocator.tryAllocate(ONE);
        if (id.isEmpty()) {
            throw new ExhaustedException("all ids in " + Range.of(first, last) + " are allocated");
        }
        return id.get().start();
    }

    /**
     * Marks {@code id} allocated.
     *
     * @throws IllegalArgumentException if {@code id} is outside {@code [first, last]}
     * @throws OverlapException         if it is already allocated
     */
    public void reserve(long id) {
        allocator.reserve(Range.of(checked(id), id));
    }

    /**
     * Returns {@code id} to the pool.
     *
     * @throws IllegalArgumentException if {@code id} is outside {@code [first, last]}
     * @throws NotAllocatedException    if it is free
     */
    public void free(long id) {
        allocator.free(Range.of(checked(id), id));
    }

    /** Whether {@code id} is allocated; false for ids outside {@code [first, last]}. */
    public boolean isAllocated(long id) {
        return inRange(id) && allocator.allocationContaining(id).isPresent();
    }

    /** How many ids are free, unsigned. */
    public long available() {
        return allocator.stats().free();
    }

    /** The lowest id. */
    public long first() {
        return first;
    }

    /** The highest id. */
    public long last() {
        return last;
    }

    /** The allocator underneath, for statistics and snapshots. */
    public ResourceAllocator allocator() {
        return allocator;
    }

    private boolean inRange(long id) {
        return Unsigned.atMost(id - first, last - first);
    }

    private long checked(long id) {
        if (!inRange(id)) {
            throw new IllegalArgumentException("id " + Unsigned.hex(id) + " is outside " + Range.of(first, last));
        }
        return id;
    }

    @Override
    public String toString() {
        return "IdAllocator" + Range.of(first, last) + " on " + allocator.engine() + ", "
                + Long.toUnsignedString(available()) + " available";
    }
}
