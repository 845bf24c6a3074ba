package io.allot.cli.run;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Measures the heap an object holds: the used heap with it reachable, minus the used heap once its
 * only reference is cleared, each read after {@link System#gc()} has run until the used heap stops
 * changing (two readings within 1 KiB, at most ten collections). It is the object's <em>retained</em>
 * size — everything only it keeps alive, arrays at their capacity, tags and slack included —
 * which is what an allocator costs the process that keeps it, rather than a sum of object sizes
 * that would need an agent.
 *
 * <p>Each reading is the heap pools' <em>collection usage</em> — what each held right after the
 * latest collection — summed, rather than {@link Runtime}'s used heap now: any thread that takes a
 * fresh allocation buffer between the collection and the reading counts in the latter, whole, and
 * not in the former (the likely cause of a CI run that read a dropped 16-byte wrapper as 87 KiB). Where
 * a pool does not report collection usage, the reading falls back to {@link Runtime}. Under the
 * parallel collector, which the {@code allot} script selects, {@code System.gc()} is a full
 * compacting collection after which the pools hold exactly the live bytes. Measured on JDK 17: G1's
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
            long used = usedAfterCollection(runtime);
            if (previous >= 0 && Math.abs(used - previous) <= STABLE_BYTES) {
                return used;
            }
            previous = used;
        }
        return previous;
    }

    private static long usedAfterCollection(Runtime runtime) {
        List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans();
        long used = 0;
        for (MemoryPoolMXBean pool : pools) {
            if (pool.getType() != MemoryType.HEAP) {
                continue;
            }
            MemoryUsage afterCollection = pool.getCollectionUsage();
            if (afterCollection == null) {
                return runtime.totalMemory() - runtime.freeMemory();
            }
            used += afterCollection.getUsed();
        }
        return used;
    }
}
