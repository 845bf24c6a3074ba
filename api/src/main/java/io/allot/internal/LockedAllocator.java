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
 * Makes any allocator safe for concurrent use with one lock per allocator.
 *
 * <p>Every method holds the lock for its whole run, so each call is atomic and
 * {@code forEachAllocated}, {@code forEachFree}, {@code stats} and {@code writeSnapshot} see one
 * consistent state. The lock is re-entrant: an action passed to {@code forEach*} may query the
 * allocator (but, as always, must not modify it). Policies run under the lock too. Engines with
 * finer-grained concurrency of their own do not use this class.
 */
public final class LockedAllocator implements ResourceAllocator, Restorable, Importing {

    private final ResourceAllocator delegate;
    private final Object lock;

    /** @param delegate an allocator no other code uses directly */
    public LockedAllocator(ResourceAllocator delegate) {
        this(delegate, new Object());
    }

    /**
     * @param delegate an allocator no other code uses directly
     * @param lock     the monitor to hold, shared with a layer that must hold the same lock (the
     *                 quantum caches take it once per batch)
     */
    public LockedAllocator(ResourceAllocator delegate, Object lock) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.lock = Objects.requireNonNull(lock, "lock");
    }

    @Override
    public Range allocate(Request request) {
        synchronized (lock) {
            return delegate.allocate(request);
        }
    }

    @Override
    public Range allocate(Request request, AllocationPolicy policy) {
        synchronized (lock) {
            return delegate.allocate(request, policy);
        }
    }

    @Override
    public Optional<Range> tryAllocate(Request request) {
        synchronized (lock) {
            return delegate.tryAllocate(request);
        }
    }

    @Override
    public Optional<Range> tryAllocate(Request request, AllocationPolicy policy) {
        synchronized (lock) {
            return delegate.tryAllocate(request, policy);
        }
    }

    @Override
    public Range reserve(Range range) {
        synchronized (lock) {
            return delegate.reserve(range);
        }
    }

    @Override
    public Range reserve(Range range, String tag) {
        synchronized (lock) {
            return delegate.reserve(range, tag);
        }
    }

    @Override
    public void free(Range range) {
        synchronized (lock) {
            delegate.free(range);
        }
    }

    @Override
    public Range freeContaining(long value) {
        synchronized (lock) {
            return delegate.freeContaining(value);
        }
    }

    @Override
    public Range reallocate(Range old, Request request) {
        synchronized (lock) {
            return delegate.reallocate(old, request);
        }
    }

    @Override
    public Optional<Allocation> allocationContaining(long value) {
        synchronized (lock) {
            return delegate.allocationContaining(value);
        }
    }

    @Override
    public boolean isFree(Range range) {
        synchronized (lock) {
            return delegate.isFree(range);
        }
    }

    @Override
    public void addSpan(Range span) {
        synchronized (lock) {
            delegate.addSpan(span);
        }
    }

    @Override
    public List<Range> spans() {
        synchronized (lock) {
            return delegate.spans();
        }
    }

    @Override
    public AllocatorStats stats() {
        synchronized (lock) {
            return delegate.stats();
        }
    }

    @Override
    public void forEachAllocated(Consumer<? super Allocation> action) {
        synchronized (lock) {
            delegate.forEachAllocated(action);
        }
    }

    @Override
    public void forEachFree(Consumer<? super Range> action) {
        synchronized (lock) {
            delegate.forEachFree(action);
        }
    }

    @Override
    public String engine() {
        return delegate.engine();
    }

    @Override
    public AllocationPolicy defaultPolicy() {
        return delegate.defaultPolicy();
    }

    @Override
    public long quantum() {
        return delegate.quantum();
    }

    @Override
    public void writeSnapshot(OutputStream out) {
        synchronized (lock) {
            delegate.writeSnapshot(out);
        }
    }

    @Override
    public void restoreState(long rotor, long totalAllocations, long totalFrees, long failedAllocations) {
        synchronized (lock) {
            if (delegate instanceof Restorable restorable) {
                restorable.restoreState(rotor, totalAllocations, totalFrees, failedAllocations);
            }
        }
    }

    @Override
    public void restoreImported(Range span) {
        synchronized (lock) {
            if (!(delegate instanceof Importing importing)) {
                throw new IllegalStateException(delegate + " cannot import spans");
            }
            importing.restoreImported(span);
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "thread-safe " + delegate;
        }
    }
}
