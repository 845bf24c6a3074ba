package io.allot.bench;

import io.allot.IdAllocator;

/** W1 and W2 through {@link IdAllocator}: the same plan as {@link AllotIds}. */
public final class IdAllocatorIds {

    private final IdAllocator ids;
    private final long[] live;
    private final XorShift64Star rng;

    /**
     * Builds the W1/W2 state on {@code ids}, which must be empty and hold {@code [0, count-1]}.
     *
     * @throws IllegalArgumentException if {@code ids} does not hold exactly {@code [0, count-1]}
     * @throws IllegalStateException    if it does not hand out the smallest free id first
     */
    public IdAllocatorIds(IdAllocator ids, int count) {
        if (ids.first() != 0 || ids.last() != count - 1L) {
            throw new IllegalArgumentException(ids + " does not hold ids [0, " + (count - 1) + "]");
        }
        this.ids = ids;
        Plan plan = Plan.ids(count);
        for (int i = 0; i < plan.count(); i++) {
            long id = ids.allocate();
            if (id != plan.start(i)) {
                throw new IllegalStateException(ids + " handed out " + id + " as id " + i + " of an empty space");
            }
        }
        for (int j = 0; j < plan.freedCount(); j++) {
            ids.free(plan.start(plan.freed(j)));
        }
        live = new long[plan.liveCount()];
        for (int j = 0; j < live.length; j++) {
            live[j] = plan.start(plan.live(j));
        }
        rng = plan.rng();
    }

    /** W1: {@code id = allocate(); free(id)}. */
    public long allocateFree() {
        long id = ids.allocate();
        ids.free(id);
        return id;
    }

    /** W2: {@code free(a random live id); allocate()}, the new id taking the freed one's slot. */
    public long freeAllocate() {
        int slot = rng.index(live.length);
        ids.free(live[slot]);
        long id = ids.allocate();
        live[slot] = id;
        return id;
    }

    /** The id allocator. */
    public IdAllocator ids() {
        return ids;
    }

    /** A copy of the live list. */
    public long[] liveIds() {
        return live.clone();
    }
}
