package io.allot.internal;

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
     * Allocations served here since the last fold, all classes together. Frees are not counted one
     * by one: every free pushes one segment and nothing else pushes without adjusting {@link #bias},
     * so per class the frees less the allocations are {@code depth + bias} ({@link #pushedNet}),
     * which is all a fold needs besides this: one increment of one field per pair, not two array
     * counters per class.
     */
    private long hits;
    /**
     * Per size class, what makes {@code depth + bias} the frees less the allocations since the last
     * fold: minus the depth at the fold, less every segment a magazine load added, plus every
     * segment an unload or a drain took away. Changed only off the hot path.
     */
    private final long[] bias;
    /**
     * The id of the segment this stripe handed out last: a free of exactly its {@code Range} (the
     * commonest free, of what was just allocated) finds it here without probing the
     * {@link SegmentTable}. Only a hint, written and read by the owner thread alone: the caller
     * confirms it by the segment's own range and falls back to the table.
     */
    int latest;
    /** The size class of {@link #latest}, so that its free needs no size arithmetic on the segment. */
    int latestClass;
    /**
     * Whether {@link #latest} is still live. Only a single-threaded allocator reads it: there it is
     * that segment's state, which the table's state array does not hold until the next hit
     * ({@link QuantumCache}'s {@code handAlone}).
     */
    boolean latestLive;

    Stripe(int classes, boolean locked, Thread owner) {
        this.lock = locked ? new ReentrantLock() : null;
        this.stack = new int[classes * CAPACITY];
        this.depth = new int[classes];
        this.bias = new long[classes];
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

    /**
     * As {@link #pop}, for a segment leaving the stack other than to a caller (drained into the
     * arena), so that the frees stay {@code served + depth + bias}.
     */
    int popForDrain(int c) {
        int id = pop(c);
        if (id >= 0) {
            bias[c]++;
        }
        return id;
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
        bias[c] -= n;
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
        bias[c] += half;
    }

    /** Counts a hit that handed out segment {@code id} of class {@code c}, remembered as {@link #latest}. */
    void served(int id, int c) {
        hits++;
        latest = id;
        latestClass = c;
        latestLive = true;
    }

    /** Allocations served here since the last {@link #clearCounts}. */
    long hits() {
        return hits;
    }

    /**
     * Frees less allocations of class {@code c} here since the last {@link #clearCounts}: see
     * {@link #hits}.
     */
    long pushedNet(int c) {
        return depth[c] + bias[c];
    }

    /** Starts counting from zero again, once the counts are folded into the arena. */
    void clearCounts() {
        hits = 0;
        for (int c = 0; c < bias.length; c++) {
            bias[c] = -depth[c];
        }
    }
}
