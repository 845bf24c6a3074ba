package io.allot.internal;

import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One thread's quantum caches (kmem's per-CPU cache, Bonwick &amp; Adams 2001, section 3.1): for
 * each size class a stack of up to {@link #CAPACITY} cached segments — kmem's loaded and previous
 * magazines laid end to end in one array — and, per size class, the counts of what this thread
 * allocated and freed through them since the last fold.
 *
 * <p>Layout: the stacks of all classes share one {@code int} array of segment ids, class {@code c}
 * in {@code [c x CAPACITY, c x CAPACITY + depth[c])}, top last. A hit is then one index
 * computation and one load, where two magazine objects cost four dependent loads before the
 * segment and a reference store with its GC barrier.
 * Exchanges with the depot keep kmem's hysteresis: an empty stack loads a full magazine (leaving
 * room for a magazine's worth of frees and of allocations), a full one hands its older half to the
 * depot, so a thread goes to the depot at most once per {@link Magazine#ROUNDS} calls of one class.
 *
 * <p><b>Threads.</b> In a thread-safe allocator each thread has its own stripe and holds its lock
 * for a few instructions per allocation or free; the lock exists only so that an observer (which
 * holds the arena lock, then every stripe's lock) can empty the stacks and see a state no free is
 * changing. The owner never waits for the arena lock while it holds its stripe's lock. In a
 * single-threaded allocator there is one stripe and no lock.
 */
final class Stripe {

    /** Segments one class's stack holds: two magazines' worth, as kmem's loaded and previous. */
    static final int CAPACITY = 2 * Magazine.ROUNDS;

    private final ReentrantLock lock;
    /**
     * Every class's stack, {@link #CAPACITY} slots each, of segment {@linkplain CachedSegment#id ids}:
     * ints, so that a push or pop stores no reference (under G1 a reference store into this
     * long-lived array costs a card-marking barrier with a full fence; an int store costs nothing).
     */
    private final int[] stack;
    /** Segments on each class's stack. */
    private final int[] depth;
    /** The thread this stripe serves; replaced when that thread has died. Arena lock. */
    Thread owner;
    /**
     * Since the last fold, per size class: allocations served at {@code 2c}, frees taken at
     * {@code 2c + 1}. One increment per call, where totals and a net value count would take two;
     * {@link QuantumCache#observe} derives the values from the class sizes.
     */
    private final long[] counts;

    Stripe(int classes, boolean locked, Thread owner) {
        this.lock = locked ? new ReentrantLock() : null;
        this.stack = new int[classes * CAPACITY];
        this.depth = new int[classes];
        this.counts = new long[2 * classes];
        this.owner = owner;
    }

    void lock() {
        if (lock != null) {
            lock.lock();
        }
    }

    void unlock() {
        if (lock != null) {
            lock.unlock();
        }
    }

    /** The id of the segment of class {@code c} pushed last, taken off its stack, or −1 if it is empty. */
    int pop(int c) {
        int d = depth[c] - 1;
        if (d < 0) {
            return -1;
        }
        depth[c] = d;
        return stack[c * CAPACITY + d];
    }

    /** Whether class {@code c}'s stack has room for one more segment. */
    boolean hasRoom(int c) {
        return depth[c] < CAPACITY;
    }

    /** Pushes the segment with id {@code id} onto class {@code c}'s stack after {@link #hasRoom} said yes. */
    void push(int c, int id) {
        int d = depth[c];
        stack[c * CAPACITY + d] = id;
        depth[c] = d + 1;
    }

    /**
     * Moves every segment of {@code full} onto class {@code c}'s stack, which is empty, so that
     * {@code full}'s top is the stack's top; leaves {@code full} empty.
     */
    void load(int c, Magazine full) {
        int base = c * CAPACITY;
        int n = full.size();
        for (int d = n - 1; d >= 0; d--) {
            stack[base + d] = full.pop();
        }
        depth[c] = n;
    }

    /**
     * Makes room on class {@code c}'s stack, which is full: its older half (the bottom
     * {@link Magazine#ROUNDS}) goes into {@code empty}, in stack order, and the newer half moves down.
     */
    void unload(int c, Magazine empty) {
        int base = c * CAPACITY;
        int half = Magazine.ROUNDS;
        for (int i = 0; i < half; i++) {
            empty.push(stack[base + i]);
        }
        System.arraycopy(stack, base + half, stack, base, CAPACITY - half);
        depth[c] = CAPACITY - half;
    }

    /** Counts an allocation of class {@code c} served here. */
    void countAllocation(int c) {
        counts[2 * c]++;
    }

    /** Counts a free of class {@code c} taken here. */
    void countFree(int c) {
        counts[2 * c + 1]++;
    }

    /** Allocations of class {@code c} counted since the last {@link #clearCounts}. */
    long allocations(int c) {
        return counts[2 * c];
    }

    /** Frees of class {@code c} counted since the last {@link #clearCounts}. */
    long frees(int c) {
        return counts[2 * c + 1];
    }

    /** Starts counting from zero again, once the counts are folded into the arena. */
    void clearCounts() {
        Arrays.fill(counts, 0);
    }
}
