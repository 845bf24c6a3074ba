package io.allot.bench;

import io.allot.Range;

/**
 * V1's and V3's harnesses with no allocator behind them. {@link #allocateFree()} is V1's loop
 * ({@link AllotBlocks#allocateFree(io.allot.spi.AllocationPolicy)}) with the allocator left out: the
 * draw, the request it picks and the {@code Range} an allocation returns, which JMH then consumes.
 * {@link #freeReplace()} has the same plan, live list and random draws as
 * {@link AllotBlocks#freeReplace()}, with the free and the allocation left out. It reads the live
 * {@code Range} a free would be given, makes the replacement {@code Range} an allocation would
 * return (at the old start, of the drawn size) and stores it in the slot: what every V3
 * implementation pays before its allocator does anything (two draws, a random slot of a
 * 500k-entry {@code Range[]}, the {@code Range} object it points to, a new {@code Range} and its
 * store into an old array): the floor under V3's figures, measured in the same run.
 */
public final class BlocksHarness {

    private final Range[] live;
    private final XorShift64Star rng;

    /** Builds V1/V3's live list for {@code blocks} blocks, as {@link AllotBlocks} does. */
    public BlocksHarness(int blocks) {
        Plan plan = Plan.blocks(blocks);
        live = new Range[plan.liveCount()];
        for (int j = 0; j < live.length; j++) {
            int block = plan.live(j);
            live[j] = Range.ofSize(plan.start(block), plan.size(block));
        }
        rng = plan.rng();
    }

    /**
     * V1's harness alone: draw a request as V1 does and make the {@code Range} an allocation of it
     * would return (at 0: where it lies costs nothing here).
     */
    public Range allocateFree() {
        return Range.ofSize(0, AllotBlocks.REQUESTS[rng.index(AllotBlocks.SMALL_PAGES)].size());
    }

    /** V3's harness alone: draw a slot, read its range, store a new one of the drawn size there. */
    public Range freeReplace() {
        int slot = rng.index(live.length);
        Range old = live[slot];
        Range placed = Range.ofSize(old.start(), Plan.randomBlockSize(rng, Plan.MAX_BLOCK_PAGES));
        live[slot] = placed;
        return placed;
    }

    /** A copy of the live list. */
    public Range[] live() {
        return live.clone();
    }
}
