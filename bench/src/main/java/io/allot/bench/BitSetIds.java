package io.allot.bench;

import java.util.BitSet;

/**
 * The W1/W2 baseline: {@link BitSet}, a set bit per allocated id, the smallest free id found with
 * {@code nextClearBit(0)} — what a Java developer writes first. Same plan as {@link AllotIds}.
 */
public final class BitSetIds {

    private final BitSet bits;
    private final int ids;
    private final int[] live;
    private final XorShift64Star rng;

    /** Builds the W1/W2 state with {@code ids} ids. */
    public BitSetIds(int ids) {
        Plan plan = Plan.ids(ids);
        this.ids = ids;
        bits = new BitSet(ids);
        for (int i = 0; i < plan.count(); i++) {
            allocate();
        }
        for (int j = 0; j < plan.freedCount(); j++) {
            bits.clear((int) plan.start(plan.freed(j)));
        }
        live = new int[plan.liveCount()];
        for (int j = 0; j < live.length; j++) {
            live[j] = (int) plan.start(plan.live(j));
        }
        rng = plan.rng();
    }

    private int allocate() {
        int id = bits.nextClearBit(0);
        if (id >= ids) {
            throw new IllegalStateException("all " + ids + " ids are allocated");
        }
        bits.set(id);
        return id;
    }

    /** W1: {@code id = allocate(); free(id)}. */
    public int allocateFree() {
        int id = allocate();
        bits.clear(id);
        return id;
    }

    /** W2: {@code free(a random live id); allocate()}, the new id taking the freed one's slot. */
    public int freeAllocate() {
        int slot = rng.index(live.length);
        bits.clear(live[slot]);
        int id = allocate();
        live[slot] = id;
        return id;
    }

    /** A copy of the allocated ids' bits. */
    public BitSet allocated() {
        return (BitSet) bits.clone();
    }
}
