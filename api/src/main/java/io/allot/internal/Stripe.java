package io.allot.internal;

import java.util.concurrent.locks.ReentrantLock;

/**
 * One thread's quantum caches (kmem's per-CPU cache, Bonwick &amp; Adams 2001, section 3.1): for
 * each size class a <em>loaded</em> and a <em>previous</em> magazine, and the counts of what this
 * thread allocated and freed through them since the last fold.
 *
 * <p>Invariant (kmem's): the previous magazine is either full or empty, so that when the loaded
 * one runs out (or over) a swap gives a whole magazine's worth of rounds (or room) without going
 * to the depot.
 *
 * <p><b>Threads.</b> In a thread-safe allocator each thread has its own stripe and holds its lock
 * for a few instructions per allocation or free; the lock exists only so that an observer (which
 * holds the arena lock, then every stripe's lock) can empty the magazines and see a state no free
 * is changing. The owner never waits for the arena lock while it holds its stripe's lock. In a
 * single-threaded allocator there is one stripe and no lock.
 */
final class Stripe {

    private final ReentrantLock lock;
    private final Magazine[] loaded;
    private final Magazine[] previous;
    /** The thread this stripe serves; replaced when that thread has died. Arena lock. */
    Thread owner;
    /** Since the last fold: allocations and frees served, and values allocated minus freed (may wrap). */
    long allocations;
    long frees;
    long netUnits;

    Stripe(int classes, boolean locked, Thread owner) {
        this.lock = locked ? new ReentrantLock() : null;
        this.loaded = new Magazine[classes];
        this.previous = new Magazine[classes];
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

    /** A cached segment of class {@code c}, or null if both magazines are empty. */
    CachedSegment pop(int c) {
        Magazine m = loaded[c];
        if (m == null) {
            return null;
        }
        if (m.isEmpty()) {
            Magazine p = previous[c];
            if (p.isEmpty()) {
                return null;
            }
            previous[c] = m;
            loaded[c] = p;
            m = p;
        }
        return m.pop();
    }

    /** Whether class {@code c} can take a segment without the depot (swapping magazines if that helps). */
    boolean makeRoom(int c) {
        Magazine m = loaded[c];
        if (m == null) {
            loaded[c] = new Magazine();
            previous[c] = new Magazine();
            return true;
        }
        if (!m.isFull()) {
            return true;
        }
        Magazine p = previous[c];
        if (p.isEmpty()) {
            previous[c] = m;
            loaded[c] = p;
            return true;
        }
        return false;
    }

    /** Pushes after {@link #makeRoom} said yes. */
    void push(int c, CachedSegment segment) {
        loaded[c].push(segment);
    }

    /**
     * Loads {@code full} for class {@code c}, whose magazines are both empty: the previous (empty)
     * one goes to {@code depot}, the loaded one becomes previous.
     */
    void load(int c, Magazine full, Depot depot) {
        Magazine m = loaded[c];
        if (m == null) {
            previous[c] = new Magazine();
        } else {
            depot.putEmpty(previous[c]);
            previous[c] = m;
        }
        loaded[c] = full;
    }

    /**
     * Makes room in class {@code c}, whose magazines are both full: the previous one goes to
     * {@code depot}'s full magazines, the loaded one becomes previous, an empty one is loaded.
     */
    void unload(int c, Depot depot) {
        depot.putFull(previous[c]);
        previous[c] = loaded[c];
        loaded[c] = depot.takeEmpty();
    }

    /** The magazines of every class, for draining: loaded then previous, null where none yet. */
    Magazine magazine(int c, boolean isLoaded) {
        return isLoaded ? loaded[c] : previous[c];
    }

    /** Counts an allocation of {@code size} values served here. */
    void countAllocation(long size) {
        allocations++;
        netUnits += size;
    }

    /** Counts a free of {@code size} values taken here. */
    void countFree(long size) {
        frees++;
        netUnits -= size;
    }
}
