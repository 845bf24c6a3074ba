package io.allot.bench;

import java.util.Arrays;

/**
 * W2's harness plus the one memory access no bitmap id allocator can skip: the freed id's word,
 * read and tested ("is it allocated?"), in the state W2 drifts to. No allocator, no write: a
 * floor, not a competitor. Where {@link IdsHarness} says what the loop costs, this says what the
 * loop and one dependent read of a random word cost on this machine at this moment — at 10⁶ ids a
 * load of a 4 MB live list followed by a load its value chooses in a 61 KB bitmap — so that a W2
 * figure can be read against the least any bitmap could do in the same run.
 *
 * <p>The state: W2 frees a random live id and allocates the lowest free one, so it drifts to a
 * dense prefix, the live ids {@code [0, liveCount)}, after which every allocation hands back the
 * id just freed. This class starts there: the plan's live list with each id replaced by its rank
 * among the live ids (the slots keep their order, so the draws are {@link IdsHarness}'s), and
 * one bit per id, the prefix set.
 */
public final class IdsWordRead {

    private final long[] live;
    private final long[] words;
    private final XorShift64Star rng;
    /** Always 0, as {@link IdsHarness}'s: keeps the store of the id back into its slot. */
    private long zero;

    /** Builds W2's drifted state for {@code ids} ids (the plan of {@link IdsHarness}). */
    public IdsWordRead(int ids) {
        Plan plan = Plan.ids(ids);
        int n = plan.liveCount();
        long[] ranked = new long[n];
        for (int j = 0; j < n; j++) {
            ranked[j] = plan.start(plan.live(j)) << 32 | j; // an id below 2^31, its slot below
        }
        Arrays.sort(ranked);
        live = new long[n];
        for (int rank = 0; rank < n; rank++) {
            live[(int) ranked[rank]] = rank;
        }
        words = new long[(ids + 63) >>> 6];
        for (int id = 0; id < n; id++) {
            words[id >>> 6] |= 1L << id;
        }
        rng = plan.rng();
    }

    /**
     * Draws a slot as W2 does, reads its id, reads and tests the id's word, and writes the id
     * back: the id a W2 pair in the drifted state would free and get back.
     *
     * @throws IllegalStateException if the id's bit is clear (never: the state does not change)
     */
    public long freeAllocate() {
        int slot = rng.index(live.length);
        long id = live[slot];
        if ((words[(int) (id >>> 6)] & 1L << id) == 0) {
            throw new IllegalStateException("id " + id + " is not allocated");
        }
        live[slot] = id | zero;
        return id;
    }

    /** Ids in the live list. */
    int liveCount() {
        return live.length;
    }
}
