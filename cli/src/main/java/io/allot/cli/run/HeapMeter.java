package io.allot.cli.run;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Measures the heap an object holds: the used heap with it reachable, minus the used heap once its
 * only reference is cleared, each read after {@link System#gc()} has run until the used heap stops
 * changing (two readings within 1 KiB, at most ten collections). It is the object's <em>retained</em>
 * size — everything only it keeps alive, arrays at their capacity, tags and slack included —
 * which is what an allocator costs the process that keeps it, rather than a sum of object sizes
 * that would need an agent. Used-heap readings come from {@link Runtime}. Under the parallel
 * collector, which the {@code allot} script selects, {@code System.gc()} is a full compacting
 * collection after which the reading counts exactly the live bytes, so the difference is exact up
 * to objects other threads allocate meanwhile (the command runs none). Measured on JDK 17: G1's
 * reading can miss a few hundred KiB, and the serial collector sometimes frees a dropped object only
 * several collections later; under those, small allocators may show 0 (never a negative number).
 */
public final class HeapMeter {

    private static final int MAX_COLLECTIONS = 10;
    private static final long STABLE_BYTES = 1024;

    private HeapMeter() {
    }

    /**
     * The bytes retained by {@code holder}'s referent; clears {@code holder}. The caller must hold no
     * other reference to the referent (not even in a local variable of a frame still running).
     */
    public static long retainedAndRelease(AtomicReference<?> holder) {
        long with = settledUsedHeap();
        holder.set(null);
        long without = settledUsedHeap();
        return Math.max(0, with - without);
    }

    private static long settledUsedHeap() {
        Runtime runtime = Runtime.getRuntime();
        long previous = -1;
        for (int i = 0; i < MAX_COLLECTIONS; i++) {
            System.gc();
            long used = runtime.totalMemory() - runtime.freeMemory();
            if (previous >= 0 && Math.abs(used - previous) <= STABLE_BYTES) {
                return used;
            }
            previous = used;
        }
        return previous;
    }
}
