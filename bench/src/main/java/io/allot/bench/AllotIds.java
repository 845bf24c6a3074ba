package io.allot.bench;

import io.allot.Allocators;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;

/**
 * W1 and W2 on an Allot engine, with 1-unit requests and the default policy first-match: ids
 * {@code [0, ids-1]}, all allocated, then {@link Plan#ids the plan's} half freed.
 */
public final class AllotIds {

    private static final Request ONE = Request.of(1);

    private final ResourceAllocator allocator;
    /** The live list, as the {@code Range}s the allocator handed out (a user keeps them to free). */
    private final Range[] live;
    private final XorShift64Star rng;

    /**
     * Builds the W1/W2 state with {@code ids} ids on {@code engine}.
     *
     * @throws IllegalStateException if the engine does not hand out the smallest free id first
     */
    public AllotIds(String engine, int ids) {
        Plan plan = Plan.ids(ids);
        allocator = Allocators.builder().engine(engine).span(Range.of(0, ids - 1)).build();
        for (int i = 0; i < plan.count(); i++) {
            Range id = allocator.allocate(ONE);
            if (id.start() != plan.start(i)) {
                throw new IllegalStateException(engine + " handed out " + id + " as id " + i + " of an empty space");
            }
        }
        for (int j = 0; j < plan.freedCount(); j++) {
            long id = plan.start(plan.freed(j));
            allocator.free(Range.of(id, id));
        }
        live = new Range[plan.liveCount()];
        for (int j = 0; j < live.length; j++) {
            long id = plan.start(plan.live(j));
            live[j] = Range.of(id, id);
        }
        rng = plan.rng();
    }

    /** W1: {@code id = allocate(); free(id)}. */
    public Range allocateFree() {
        Range id = allocator.allocate(ONE);
        allocator.free(id);
        return id;
    }

    /** W2: {@code free(a random live id); allocate()}, the new id taking the freed one's slot. */
    public Range freeAllocate() {
        int slot = rng.index(live.length);
        allocator.free(live[slot]);
        Range id = allocator.allocate(ONE);
        live[slot] = id;
        return id;
    }

    /** The allocator, to read its state. */
    public ResourceAllocator allocator() {
        return allocator;
    }

    /** A copy of the live list's ids. */
    public long[] liveIds() {
        long[] ids = new long[live.length];
        for (int j = 0; j < ids.length; j++) {
            ids[j] = live[j].start();
        }
        return ids;
    }
}
