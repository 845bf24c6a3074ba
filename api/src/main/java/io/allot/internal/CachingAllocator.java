package io.allot.internal;

import io.allot.Allocation;
import io.allot.AllocatorStats;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.spi.AllocationPolicy;
import io.allot.spi.Restorable;

import java.io.OutputStream;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An allocator with quantum caches ({@link QuantumCache}) in front of its arena: small
 * unconstrained {@code allocate(Request)}s and the frees of what they returned go to the caches;
 * everything else goes to the arena (a {@link GuardedAllocator}, inside a {@link LockedAllocator}
 * when thread-safe), and every observation first returns what the caches hold.
 *
 * <p>Threads: as the arena. When thread-safe, a cache hit or a free into the cache takes only the
 * calling thread's own stripe lock; {@code freeContaining} and {@code reallocate} of a cached
 * allocation, misses, and observations take the arena lock, which is the
 * {@link LockedAllocator}'s.
 */
final class CachingAllocator implements ResourceAllocator, Restorable, Importing {

    private final ResourceAllocator arena;
    private final QuantumCache caches;
    private final CachedCore core;
    private final GuardedAllocator guarded;
    private final Object lock;

    /**
     * @param arena   the guarded allocator, or a {@link LockedAllocator} around it using {@code lock}
     * @param guarded the guarded allocator itself
     * @param caches  the caches, attached to {@code guarded}
     * @param core    the view of the core that {@code guarded} uses
     * @param lock    the arena lock
     */
    CachingAllocator(ResourceAllocator arena, GuardedAllocator guarded, QuantumCache caches, CachedCore core,
                     Object lock) {
        this.arena = arena;
        this.guarded = guarded;
        this.caches = caches;
        this.core = core;
        this.lock = lock;
    }

    @Override
    public Range allocate(Request request) {
        Objects.requireNonNull(request, "request");
        int c = caches.classOf(request);
        if (c < 0) {
            return arena.allocate(request);
        }
        Range placed = caches.allocate(c, request.tag());
        if (placed == null) {
            synchronized (lock) {
                throw guarded.exhaustedFor(request);
            }
        }
        return placed;
    }

    @Override
    public Range allocate(Request request, AllocationPolicy policy) {
        return arena.allocate(request, policy);
    }

    @Override
    public Optional<Range> tryAllocate(Request request) {
        Objects.requireNonNull(request, "request");
        int c = caches.classOf(request);
        return c < 0 ? arena.tryAllocate(request) : Optional.ofNullable(caches.allocate(c, request.tag()));
    }

    @Override
    public Optional<Range> tryAllocate(Request request, AllocationPolicy policy) {
        return arena.tryAllocate(request, policy);
    }

    @Override
    public Range reserve(Range range) {
        return arena.reserve(range);
    }

    @Override
    public Range reserve(Range range, String tag) {
        return arena.reserve(range, tag);
    }

    @Override
    public void free(Range range) {
        Objects.requireNonNull(range, "range");
        if (!caches.free(range)) {
            freeInArena(range, Outlined.HOPS);
        }
    }

    /**
     * {@link #free} of a range the caches do not hold, after {@code hops} calls of itself
     * ({@link Outlined}): a set-up's frees through the arena would otherwise compile the arena's
     * whole free into {@link #free} and make it too big to be inlined into its caller.
     */
    private void freeInArena(Range range, int hops) {
        if (hops > 0) {
            freeInArena(range, hops - 1);
            return;
        }
        arena.free(range);
    }

    @Override
    public Range freeContaining(long value) {
        synchronized (lock) {
            CachedSegment segment = core.liveSegmentHolding(value);
            if (segment != null) {
                Range range = new Range(segment.start, segment.end);
                if (caches.free(range)) {
                    return range;
                }
            }
            return arena.freeContaining(value);
        }
    }

    @Override
    public Range reallocate(Range old, Request request) {
        Objects.requireNonNull(old, "old");
        Objects.requireNonNull(request, "request");
        synchronized (lock) {
            caches.adopt(old);
            return arena.reallocate(old, request);
        }
    }

    @Override
    public Optional<Allocation> allocationContaining(long value) {
        return arena.allocationContaining(value);
    }

    @Override
    public boolean isFree(Range range) {
        Objects.requireNonNull(range, "range");
        return caches.observe(() -> arena.isFree(range));
    }

    @Override
    public void addSpan(Range span) {
        arena.addSpan(span);
    }

    @Override
    public List<Range> spans() {
        return caches.observe(arena::spans);
    }

    @Override
    public AllocatorStats stats() {
        return caches.observe(arena::stats);
    }

    @Override
    public void forEachAllocated(Consumer<? super Allocation> action) {
        Objects.requireNonNull(action, "action");
        caches.observe(() -> {
            arena.forEachAllocated(action);
            return null;
        });
    }

    @Override
    public void forEachFree(Consumer<? super Range> action) {
        Objects.requireNonNull(action, "action");
        caches.observe(() -> {
            arena.forEachFree(action);
            return null;
        });
    }

    @Override
    public String engine() {
        return arena.engine();
    }

    @Override
    public AllocationPolicy defaultPolicy() {
        return arena.defaultPolicy();
    }

    @Override
    public long quantum() {
        return arena.quantum();
    }

    @Override
    public void writeSnapshot(OutputStream out) {
        Objects.requireNonNull(out, "out");
        caches.observe(() -> {
            arena.writeSnapshot(out);
            return null;
        });
    }

    @Override
    public void restoreState(long rotor, long totalAllocations, long totalFrees, long failedAllocations) {
        caches.observe(() -> {
            guarded.restoreState(rotor, totalAllocations, totalFrees, failedAllocations);
            return null;
        });
    }

    @Override
    public void restoreImported(Range span) {
        synchronized (lock) {
            guarded.restoreImported(span);
        }
    }

    @Override
    public String toString() {
        return caches.observe(() -> "quantum-cached " + arena);
    }
}
