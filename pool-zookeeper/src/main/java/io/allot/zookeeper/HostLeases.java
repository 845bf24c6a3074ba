package io.allot.zookeeper;

import io.allot.Allocation;
import io.allot.AllocatorStats;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.spi.AllocationPolicy;

import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The source of a host's arena: the fleet-wide pool, with a few <em>spare</em> leases kept back.
 *
 * <p>An arena hands an imported span back the moment it is wholly free (vmem's rule). Against a
 * pool in ZooKeeper that would cost two writes per id when a host hovers at a block boundary
 * (allocate one id: lease a block; free it: return the block). So a lease the arena hands back is
 * kept, still leased, as a spare while fewer than {@code maxSpares} are kept, and the next import
 * that a spare satisfies takes it with no ZooKeeper write. Only beyond that is it returned.
 * Returning never fails here: if ZooKeeper cannot take a lease back now, it stays a spare.
 *
 * <p>While {@linkplain #pin() pinned} (a COMMIT_EACH arena undoing a change), every hand-back is
 * kept as a spare so that the arena can take it back.
 *
 * <p>Only the calls an arena makes of its source are served; the rest delegate to the pool.
 */
final class HostLeases implements ResourceAllocator {

    private final ZooKeeperPool pool;
    private final int maxSpares;
    private final Deque<Range> spares = new ArrayDeque<>();
    private int pinned;

    HostLeases(ZooKeeperPool pool, int maxSpares) {
        this.pool = pool;
        this.maxSpares = maxSpares;
    }

    synchronized void pin() {
        pinned++;
    }

    synchronized void unpin() {
        pinned--;
    }

    /** Takes back a spare that is exactly {@code lease}; false if there is none. */
    synchronized boolean takeSpare(Range lease) {
        return spares.remove(lease);
    }

    synchronized List<Range> spares() {
        return List.copyOf(spares);
    }

    /** Returns spares beyond the limit that could not be returned before. */
    synchronized void trim() {
        while (spares.size() > maxSpares) {
            Range r = spares.peekLast();
            if (!pool.returnFromArena(r)) {
                return;
            }
            spares.pollLast();
        }
    }

    @Override
    public Optional<Range> tryAllocate(Request request) {
        synchronized (this) {
            for (Iterator<Range> it = spares.iterator(); it.hasNext(); ) {
                Range spare = it.next();
                if (spare.size() == request.size() && request.admits(spare.start())) {
                    it.remove();
                    return Optional.of(spare);
                }
            }
        }
        return Optional.ofNullable(pool.leaseForArena(request));
    }

    @Override
    public void free(Range span) {
        synchronized (this) {
            if (pinned > 0 || spares.size() < maxSpares) {
                spares.addFirst(span);
                return;
            }
        }
        if (!pool.returnFromArena(span)) {
            synchronized (this) {
                spares.addLast(span);
            }
        }
    }

    @Override
    public long quantum() {
        return pool.quantum();
    }

    @Override
    public Optional<Allocation> allocationContaining(long value) {
        return pool.allocationContaining(value);
    }

    // ------------------------------------------------------------------ not used by an arena

    @Override
    public Range allocate(Request request) {
        return tryAllocate(request).orElseThrow(() -> new io.allot.ExhaustedException("no block for " + request));
    }

    @Override
    public Range allocate(Request request, AllocationPolicy policy) {
        throw unsupported();
    }

    @Override
    public Optional<Range> tryAllocate(Request request, AllocationPolicy policy) {
        throw unsupported();
    }

    @Override
    public Range reserve(Range range) {
        throw unsupported();
    }

    @Override
    public Range reserve(Range range, String tag) {
        throw unsupported();
    }

    @Override
    public Range freeContaining(long value) {
        throw unsupported();
    }

    @Override
    public Range reallocate(Range old, Request request) {
        throw unsupported();
    }

    @Override
    public boolean isFree(Range range) {
        return pool.isFree(range);
    }

    @Override
    public void addSpan(Range span) {
        throw unsupported();
    }

    @Override
    public List<Range> spans() {
        return pool.spans();
    }

    @Override
    public AllocatorStats stats() {
        return pool.stats();
    }

    @Override
    public void forEachAllocated(Consumer<? super Allocation> action) {
        pool.forEachAllocated(action);
    }

    @Override
    public void forEachFree(Consumer<? super Range> action) {
        pool.forEachFree(action);
    }

    @Override
    public String engine() {
        return pool.engine();
    }

    @Override
    public AllocationPolicy defaultPolicy() {
        return pool.defaultPolicy();
    }

    @Override
    public void writeSnapshot(OutputStream out) {
        pool.writeSnapshot(out);
    }

    private static UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException("a host's lease source serves only its arena");
    }
}
