package io.allot.bench;

import io.allot.Allocators;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.spi.AllocationPolicy;

/**
 * V1, V2 and V3 on an Allot engine: span {@code [0, 2^40 - 1]} with quantum 4096, {@code blocks}
 * blocks of 4 KiB–1 MiB packed from 0, then {@link Plan#blocks the plan's} half freed.
 */
public final class AllotBlocks {

    /** V1/V2's request sizes: 1 to 16 pages (4–64 KiB). */
    public static final int SMALL_PAGES = 16;

    /** Requests by page count minus one, made once so that the measured loops create none. */
    static final Request[] REQUESTS = new Request[Plan.MAX_BLOCK_PAGES];

    static {
        for (int pages = 1; pages <= REQUESTS.length; pages++) {
            REQUESTS[pages - 1] = Request.of(pages * Plan.PAGE);
        }
    }

    private final ResourceAllocator allocator;
    private final AllocationPolicy instantFit;
    private final Range[] live;
    private final XorShift64Star rng;

    /**
     * Builds the V1/V3 state on {@code engine}; with {@code quantumCacheMax} &gt; 0 the allocator
     * has {@code quantumCache(quantumCacheMax)} (V2). Its default policy is instant-fit.
     *
     * @throws UnsupportedOperationException if the engine refuses quantum caches
     */
    public AllotBlocks(String engine, int blocks, long quantumCacheMax) {
        this(engine, blocks, quantumCacheMax, Allocators.policy("instant-fit"));
    }

    /**
     * As {@link #AllotBlocks(String, int, long)}, with {@code defaultPolicy} as the allocator's
     * default policy: the one {@link #allocateFree()} and a quantum cache's refills use.
     */
    AllotBlocks(String engine, int blocks, long quantumCacheMax, AllocationPolicy defaultPolicy) {
        Allocators.Builder builder = Allocators.builder().engine(engine).span(PageSpace.SPAN).quantum(Plan.PAGE)
                .policy(defaultPolicy);
        if (quantumCacheMax > 0) {
            builder.quantumCache(quantumCacheMax);
        }
        allocator = builder.build();
        instantFit = Allocators.policy("instant-fit");
        Plan plan = Plan.blocks(blocks);
        plan.applyTo(allocator);
        live = new Range[plan.liveCount()];
        for (int j = 0; j < live.length; j++) {
            int block = plan.live(j);
            live[j] = Range.ofSize(plan.start(block), plan.size(block));
        }
        rng = plan.rng();
    }

    /** V1/V2: {@code r = allocate(random 4–64 KiB, policy); free(r)}. */
    public Range allocateFree(AllocationPolicy policy) {
        Range placed = allocator.allocate(REQUESTS[rng.index(SMALL_PAGES)], policy);
        allocator.free(placed);
        return placed;
    }

    /**
     * V2: {@code r = allocate(random 4–64 KiB); free(r)} with the allocator's default policy,
     * instant-fit. Naming no policy is what lets a quantum cache serve the request (vmem's
     * {@code vmem_alloc} rather than {@code vmem_xalloc}): a call naming a policy always goes to the
     * arena, so {@link #allocateFree(AllocationPolicy)} on a cached allocator measures the arena.
     */
    public Range allocateFree() {
        Range placed = allocator.allocate(REQUESTS[rng.index(SMALL_PAGES)]);
        allocator.free(placed);
        return placed;
    }

    /**
     * V3: free a random live block, then allocate a replacement of random size 4 KiB–1 MiB with
     * instant-fit into its slot of the live list (index drawn first, then size).
     */
    public Range freeReplace() {
        int slot = rng.index(live.length);
        allocator.free(live[slot]);
        Range placed = allocator.allocate(REQUESTS[rng.index(Plan.MAX_BLOCK_PAGES)], instantFit);
        live[slot] = placed;
        return placed;
    }

    /** The allocator, to read its state. */
    public ResourceAllocator allocator() {
        return allocator;
    }

    /** A copy of the live list. */
    public Range[] live() {
        return live.clone();
    }
}
