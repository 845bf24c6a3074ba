package io.allot;

import io.allot.spi.AllocationPolicy;

/**
 * Hands out aligned address ranges from {@code [base, base + size - 1]}: MMIO windows, port-I/O
 * ranges, guest-physical memory regions — rust-vmm's {@code AddressAllocator}, without its bugs.
 *
 * <p>Uses the {@code interval} engine when it is installed, else any installed engine; first-match
 * unless a policy is given. Needs the {@code io.allot.policies} module for its default policy.
 * Not thread-safe.
 */
public final class AddressAllocator {

    private final ResourceAllocator allocator;
    private final Range space;

    private AddressAllocator(Range space, String engine) {
        this.space = space;
        this.allocator = Allocators.builder().engine(engine).policy("first-match").span(space).build();
    }

    /**
     * The addresses {@code [base, base + size - 1]}.
     *
     * @param size unsigned, at least 1
     * @throws IllegalArgumentException if {@code size} is 0 or the range would pass 2<sup>64</sup>&minus;1
     */
    public static AddressAllocator of(long base, long size) {
        Range space = Range.ofSize(base, size);
        String engine = Allocators.hasEngine("interval") ? "interval"
                : Allocators.engines().stream().findFirst()
                        .orElseThrow(() -> new IllegalStateException("no allocator engine is installed"));
        return new AddressAllocator(space, engine);
    }

    /**
     * The lowest free range of {@code size} addresses starting at a multiple of {@code alignment}.
     *
     * @throws IllegalArgumentException if {@code size} is 0 or {@code alignment} not a power of two
     * @throws ExhaustedException       if none is free
     */
    public Range allocate(long size, long alignment) {
        return allocator.allocate(Request.of(size).aligned(alignment));
    }

    /**
     * As {@link #allocate(long, long)}, placed by {@code policy}.
     *
     * @throws PolicyViolationException if the policy answers with an unacceptable range
     */
    public Range allocate(long size, long alignment, AllocationPolicy policy) {
        return allocator.allocate(Request.of(size).aligned(alignment), policy);
    }

    /**
     * Claims exactly {@code range}.
     *
     * @throws OverlapException         if any part of it is allocated
     * @throws IllegalArgumentException if it is not inside {@code [base(), end()]}
     */
    public Range reserve(Range range) {
        return allocator.reserve(range);
    }

    /**
     * Frees exactly one earlier allocation or reservation.
     *
     * @throws NotAllocatedException if {@code range} is not exactly one
     */
    public void free(Range range) {
        allocator.free(range);
    }

    /** The lowest address. */
    public long base() {
        return space.start();
    }

    /** The highest address. */
    public long end() {
        return space.end();
    }

    /** The allocator underneath, for every other operation. */
    public ResourceAllocator allocator() {
        return allocator;
    }

    @Override
    public String toString() {
        return "AddressAllocator" + space + " on " + allocator.engine();
    }
}
