package io.allot.bench;

/**
 * W2's harness with no allocator behind it: the same plan, live list and random draws as
 * {@link IdAllocatorIds#freeAllocate()}, with the free and the allocation left out. It reads the
 * live id a free would be given and writes an id back into that slot, so it pays what every W2
 * implementation pays before its allocator does anything (the draw, the read of a random slot of a
 * 500k-entry {@code long[]}, the store): the floor under W2's figures, measured in the same run.
 */
public final class IdsHarness {

    private final long[] live;
    private final XorShift64Star rng;
    /**
     * Always 0, but a field the JIT cannot fold: storing {@code id | zero} keeps the store that
     * storing the value just loaded from the same slot would let C2 drop.
     */
    private long zero;

    /** Builds W1/W2's live list for {@code ids} ids, as {@link IdAllocatorIds} does. */
    public IdsHarness(int ids) {
        Plan plan = Plan.ids(ids);
        live = new long[plan.liveCount()];
        for (int j = 0; j < live.length; j++) {
            live[j] = plan.start(plan.live(j));
        }
        rng = plan.rng();
    }

    /** W2's harness alone: draw a slot, read its live id, write it back; returns that id. */
    public long freeAllocate() {
        int slot = rng.index(live.length);
        long id = live[slot];
        live[slot] = id | zero;
        return id;
    }
}
