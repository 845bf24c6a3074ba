package io.allot;

import io.allot.internal.UnitPath;
import io.allot.internal.Unsigned;

import java.util.Objects;

/**
 * Hands out single ids from {@code [first, last]}: device ids, memory slots, IRQ numbers.
 *
 * <p>{@link #of(long, long)} gives the smallest free id first; {@link #cyclic(long, long)} hands
 * ids out round-robin (next-fit), so a freed id is not reused at once — the behaviour wanted for
 * PIDs or slot numbers a guest might still hold stale: like Linux's {@code idr_alloc_cyclic}, it
 * searches from just past the last id handed out to the top, then wraps to {@code first}. Uses the
 * {@code bitmap} engine when it is installed and the range holds at most 2<sup>26</sup> ids (about
 * 9 MB of bitmap, taken up front), else {@code interval}, whose memory grows with the allocations rather than the range,
 * else any installed engine. A larger range can still choose the bitmap (up to 2<sup>32</sup> ids,
 * about 1.06 bits each) with {@link #of(long, long, String)}. Needs the {@code io.allot.policies}
 * module for its policies.
 *
 * <p>{@link #allocate()} and {@link #free(long)} build no {@link Range}, {@link java.util.Optional}
 * or {@link Request} per id: they take the allocator's one-quantum path, which gives the same ids,
 * counters and snapshots as the general one (on the bitmap engine, a word read and a bit flip).
 * Messages name ids: {@code id 2 (0x2) is not allocated}.
 *
 * <p>Not thread-safe; use {@link #allocator()} only to read (stats, snapshots).
 */
public final class IdAllocator {

    /**
     * Ranges of up to 2^this ids default to the bitmap engine. The bitmap holds the whole range from
     * the start (1.06 bits per id: 2^32 ids would take 568 MB for an allocator that may hold ten
     * ids), so the default stops where that cost stops being negligible.
     */
    static final int BITMAP_DEFAULT_LIMIT_LOG2 = 26;

    private final ResourceAllocator allocator;
    private final UnitPath ids;
    private final long first;
    private final long last;

    private IdAllocator(long first, long last, String engine, String policy) {
        Range range = Range.of(first, last);
        this.allocator = Allocators.builder().engine(engine).policy(policy).span(range).build();
        this.ids = UnitPath.of(allocator);
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
        boolean bitmapSized = Unsigned.lessThan(last - first, 1L << BITMAP_DEFAULT_LIMIT_LOG2);
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
        try {
            return ids.claimUnit(); // no sentinel held across the call and compared after it
        } catch (ExhaustedException e) {
            throw new ExhaustedException("all ids in " + Range.of(first, last) + " are allocated");
        }
    }

    /**
     * Marks {@code id} allocated.
     *
     * @throws IllegalArgumentException if {@code id} is outside {@code [first, last]}
     * @throws OverlapException         if it is already allocated
     */
    public void reserve(long id) {
        try {
            allocator.reserve(Range.of(checked(id), id));
        } catch (OverlapException e) {
            throw new OverlapException(name(id) + " is already allocated");
        }
    }

    /**
     * Returns {@code id} to the pool.
     *
     * @throws IllegalArgumentException if {@code id} is outside {@code [first, last]}
     * @throws NotAllocatedException    if it is free
     */
    public void free(long id) {
        // An id outside [first, last] starts no allocation (allocator() is only for reading), so
        // freeUnit refuses it, changing nothing: the range is checked only to pick the exception,
        // off the hot path.
        if (!ids.freeUnit(id)) {
            throw new NotAllocatedException(name(checked(id)) + " is not allocated");
        }
    }

    /** Whether {@code id} is allocated; false for ids outside {@code [first, last]}. */
    public boolean isAllocated(long id) {
        return inRange(id) && ids.isAllocated(id);
    }

    /** How many ids are free, unsigned. O(1). */
    public long available() {
        return ids.freeValues();
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
            throw new IllegalArgumentException(name(id) + " is outside " + Range.of(first, last));
        }
        return id;
    }

    /** {@code id 42 (0x2a)}: ids are counted in decimal, values everywhere else in hex. */
    private static String name(long id) {
        return "id " + Long.toUnsignedString(id) + " (" + Unsigned.hex(id) + ")";
    }

    @Override
    public String toString() {
        return "IdAllocator" + Range.of(first, last) + " on " + allocator.engine() + ", "
                + Long.toUnsignedString(available()) + " available";
    }
}
