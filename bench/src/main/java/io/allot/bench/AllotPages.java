package io.allot.bench;

import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.spi.AllocationPolicy;

/**
 * W3, W4 and W5 on an Allot engine: {@link PageSpace}'s span, {@code 2 * live} pages reserved at
 * {@code i * 4096}, then {@link Plan#pages the plan's} {@code live} of them freed.
 */
public final class AllotPages {

    /** W3's request: one page, page-aligned. */
    public static final Request PAGE = Request.of(Plan.PAGE).aligned(Plan.PAGE);
    /** W4's request: 256 KiB (64 pages), page-aligned; only the free tail holds it. */
    public static final Request PAGES_64 = Request.of(64 * Plan.PAGE).aligned(Plan.PAGE);
    /** W5's request: 1 GiB, page-aligned; only the free tail holds it. */
    public static final Request GIB = Request.of(1L << 30).aligned(Plan.PAGE);

    private final ResourceAllocator allocator;

    /** Builds the W3/W4/W5 state with {@code live} live pages (and as many free holes) on {@code engine}. */
    public AllotPages(String engine, int live) {
        allocator = PageSpace.build(engine);
        Plan.pages(live).applyTo(allocator);
    }

    /** W3 ({@link #PAGE}), W4 ({@link #PAGES_64}) or W5 ({@link #GIB}): {@code r = allocate(request, policy); free(r)}. */
    public Range allocateFree(Request request, AllocationPolicy policy) {
        Range placed = allocator.allocate(request, policy);
        allocator.free(placed);
        return placed;
    }

    /** The allocator, to read its state. */
    public ResourceAllocator allocator() {
        return allocator;
    }
}
