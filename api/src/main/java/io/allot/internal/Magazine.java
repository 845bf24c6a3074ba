package io.allot.internal;

/**
 * A magazine (Bonwick &amp; Adams 2001, section 3): a fixed-size stack of cached segments of one
 * size, the unit in which segments move between a thread's private cache, the depot and the
 * arena. Not thread-safe: whoever holds it holds the lock that guards it.
 */
final class Magazine {

    /** Rounds per magazine: one arena-lock round trip serves this many allocations or frees. */
    static final int ROUNDS = 16;

    private final CachedSegment[] rounds = new CachedSegment[ROUNDS];
    private int count;

    boolean isEmpty() {
        return count == 0;
    }

    boolean isFull() {
        return count == ROUNDS;
    }

    /** Pushes onto a magazine that is not full. */
    void push(CachedSegment segment) {
        rounds[count++] = segment;
    }

    /** Pops from a magazine that is not empty. */
    CachedSegment pop() {
        CachedSegment segment = rounds[--count];
        rounds[count] = null;
        return segment;
    }

    /** Reverses the order, so that what was pushed first is popped first. */
    void reverse() {
        for (int i = 0, j = count - 1; i < j; i++, j--) {
            CachedSegment t = rounds[i];
            rounds[i] = rounds[j];
            rounds[j] = t;
        }
    }
}
