package io.allot.internal;

/**
 * A magazine (Bonwick &amp; Adams 2001, section 3): a fixed-size stack of cached segments of one
 * size, the unit in which segments move between a thread's {@link Stripe}, the depot and the
 * arena. Not thread-safe: whoever holds it holds the lock that guards it.
 */
final class Magazine {

    /** Rounds per magazine: one arena-lock round trip serves this many allocations or frees. */
    static final int ROUNDS = 16;

    /** The segments' {@linkplain CachedSegment#id ids}: ints, so moving them needs no GC write barrier. */
    private final int[] rounds = new int[ROUNDS];
    private int count;

    boolean isEmpty() {
        return count == 0;
    }

    boolean isFull() {
        return count == ROUNDS;
    }

    /** Segments in it. */
    int size() {
        return count;
    }

    /** Pushes the segment with id {@code id} onto a magazine that is not full. */
    void push(int id) {
        rounds[count++] = id;
    }

    /** Pops the id of the segment on top of a magazine that is not empty. */
    int pop() {
        return rounds[--count];
    }

    /** Reverses the order, so that what was pushed first is popped first. */
    void reverse() {
        for (int i = 0, j = count - 1; i < j; i++, j--) {
            int t = rounds[i];
            rounds[i] = rounds[j];
            rounds[j] = t;
        }
    }
}
