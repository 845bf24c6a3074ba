package io.allot.internal;

import io.allot.Allocation;
import io.allot.Range;
import io.allot.Request;

import java.util.Iterator;
import java.util.function.Consumer;

/**
 * An engine's core as {@link GuardedAllocator} must see it when quantum caches are on: segments
 * the caches hold are allocated in the real core (so nothing is placed over them) but are not
 * allocations of the contract. Cached ones are invisible, live ones appear with the tag their
 * caller gave, neither can be freed through the arena (the caches free them), and a claim that
 * overlaps a cached segment empties the caches and tries again.
 *
 * <p>The free-space side (fit searches, iterators, free counts) is the real core's: policies do
 * not see cached segments as free. Observers never read it with anything cached, because
 * {@link QuantumCache#observe} empties the caches first. Same threading as the core: the caller
 * holds the arena lock.
 */
final class CachedCore implements EngineCore {

    private final EngineCore core;
    private final QuantumCache caches;

    CachedCore(EngineCore core, QuantumCache caches) {
        this.core = core;
        this.caches = caches;
    }

    @Override
    public void addSpan(long start, long end) {
        core.addSpan(start, end);
    }

    @Override
    public boolean removeSpan(long start, long end) {
        return core.removeSpan(start, end);
    }

    /** Allocates; if only cached segments are in the way, empties the caches and tries again. */
    @Override
    public boolean allocate(long start, long end, String tag) {
        if (core.allocate(start, end, tag)) {
            return true;
        }
        return onlyCachedIn(start, end) && caches.reclaim() && core.allocate(start, end, tag);
    }

    @Override
    public boolean free(long start, long end) {
        return caches.segmentAt(start) == null && core.free(start, end);
    }

    @Override
    public Range freeContaining(long value) {
        Allocation holder = core.allocationContaining(value);
        if (holder == null || caches.segmentAt(holder.range().start()) != null) {
            return null;
        }
        return core.freeContaining(value);
    }

    @Override
    public boolean isFree(long start, long end) {
        return core.isFree(start, end);
    }

    @Override
    public Allocation allocationContaining(long value) {
        return visible(core.allocationContaining(value));
    }

    @Override
    public Allocation firstAllocationIn(long start, long end) {
        long from = start;
        while (true) {
            Allocation a = core.firstAllocationIn(from, end);
            if (a == null) {
                return null;
            }
            Allocation shown = visible(a);
            if (shown != null) {
                return shown;
            }
            if (Unsigned.atLeast(a.range().end(), end)) {
                return null;
            }
            from = a.range().end() + 1;
        }
    }

    @Override
    public long freeSegments() {
        return core.freeSegments();
    }

    @Override
    public long largestFree() {
        return core.largestFree();
    }

    @Override
    public Range firstFit(Request r, long from) {
        return core.firstFit(r, from);
    }

    @Override
    public Range lastFit(Request r, long to) {
        return core.lastFit(r, to);
    }

    @Override
    public Range bestFit(Request r) {
        return core.bestFit(r);
    }

    @Override
    public Range instantFit(Request r) {
        return core.instantFit(r);
    }

    @Override
    public Iterator<Range> ascending(long from) {
        return core.ascending(from);
    }

    @Override
    public Iterator<Range> descending(long to) {
        return core.descending(to);
    }

    @Override
    public void forEachAllocated(Consumer<? super Allocation> action) {
        core.forEachAllocated(a -> {
            Allocation shown = visible(a);
            if (shown != null) {
                action.accept(shown);
            }
        });
    }

    @Override
    public void forEachFree(Consumer<? super Range> action) {
        core.forEachFree(action);
    }

    /** Whether {@code [start, end]} overlaps cached segments and no allocation of the contract. */
    private boolean onlyCachedIn(long start, long end) {
        boolean any = false;
        long from = start;
        while (true) {
            Allocation a = core.firstAllocationIn(from, end);
            if (a == null) {
                return any;
            }
            CachedSegment segment = caches.segmentAt(a.range().start());
            if (segment == null || caches.isLive(segment)) {
                return false;
            }
            any = true;
            if (Unsigned.atLeast(a.range().end(), end)) {
                return true;
            }
            from = a.range().end() + 1;
        }
    }

    /** The live cached segment holding {@code value}, or null. */
    CachedSegment liveSegmentHolding(long value) {
        Allocation holder = core.allocationContaining(value);
        if (holder == null) {
            return null;
        }
        CachedSegment segment = caches.segmentAt(holder.range().start());
        return segment != null && caches.isLive(segment) ? segment : null;
    }

    /** Gives the core allocation {@code [start, end]} the tag {@code tag} (it had none). */
    void retag(long start, long end, String tag) {
        if (tag != null) {
            core.free(start, end);
            core.allocate(start, end, tag);
        }
    }

    /** How the contract sees core allocation {@code a}: itself, with its cache tag, or not at all. */
    private Allocation visible(Allocation a) {
        if (a == null) {
            return null;
        }
        CachedSegment segment = caches.segmentAt(a.range().start());
        if (segment == null) {
            return a;
        }
        if (!caches.isLive(segment)) {
            return null;
        }
        String tag = caches.tagOf(segment);
        return tag == null ? a : new Allocation(a.range(), tag);
    }
}
