package io.allot.internal;

import java.util.ArrayDeque;

/**
 * The depot of one size class (Bonwick &amp; Adams 2001, section 3.2): full magazines that threads
 * returned and may take, and empty ones kept for reuse. Guarded by the arena lock.
 *
 * <p>At most {@link #FULL_LIMIT} full magazines stay here; the quantum cache drains the oldest
 * beyond that back into the arena, so the caches hold a bounded number of segments:
 * {@code (2 x threads + FULL_LIMIT) x ROUNDS} per size class.
 */
final class Depot {

    /** Full magazines kept per size class before the oldest goes back to the arena. */
    static final int FULL_LIMIT = 4;
    private static final int EMPTY_LIMIT = 8;

    private final ArrayDeque<Magazine> full = new ArrayDeque<>();
    private final ArrayDeque<Magazine> empty = new ArrayDeque<>();

    /** The most recently returned full magazine, or null. */
    Magazine takeFull() {
        return full.pollLast();
    }

    void putFull(Magazine m) {
        full.addLast(m);
    }

    /** The oldest full magazine if more than {@link #FULL_LIMIT} are here, else null. */
    Magazine excess() {
        return full.size() > FULL_LIMIT ? full.pollFirst() : null;
    }

    /** Every full magazine, oldest first, or null when there is none. */
    Magazine anyFull() {
        return full.pollFirst();
    }

    /** An empty magazine, reused if one is here. */
    Magazine takeEmpty() {
        Magazine m = empty.pollLast();
        return m != null ? m : new Magazine();
    }

    void putEmpty(Magazine m) {
        if (empty.size() < EMPTY_LIMIT) {
            empty.addLast(m);
        }
    }
}
