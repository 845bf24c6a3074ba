package io.allot.zookeeper;

import io.allot.Allocation;
import io.allot.AllocatorStats;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.internal.Importing;
import io.allot.spi.AllocationPolicy;
import org.apache.zookeeper.Op;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * A host's arena over the fleet-wide pool: an ordinary thread-safe Allot arena that imports whole
 * leases from the pool (through {@link HostLeases}), behind the host's fence and, for
 * {@link Durability#COMMIT_EACH}, committing each change to the lease's first block node.
 *
 * <p><b>LEASE_ONLY</b>: a call checks the fence (one volatile read) and goes to the arena: ids
 * inside leased blocks cost what the engine costs; ZooKeeper is written only when a lease is taken
 * or returned.
 *
 * <p><b>COMMIT_EACH</b>: calls are serialised. An allocation is placed in the arena, then the
 * lease's record (every live allocation inside the lease) is written in one transaction behind the
 * fencing checks; if that fails the allocation is undone and the call throws
 * {@link PoolUnavailableException}. A free writes the record without the allocation first and then
 * frees it in the arena, so a failed write changes nothing. The record is the whole lease's state,
 * not a delta, so a write whose outcome a lost connection hid is settled by the next one, and by the
 * rewrite of every lease when the host verifies itself after a new session.
 *
 * <p>Failure atomicity holds as in the contract, and {@code stats()} hides undone changes. A
 * fenced allocation throws {@link PoolUnavailableException} and counts as a failed allocation. A
 * LEASE_ONLY free is served while fenced (it gives no value to anyone; a lease it empties stays a
 * spare until the host is unfenced); a COMMIT_EACH free is a write, and fenced.
 * {@code addSpan} is refused (an arena's values must come from the pool), and so is
 * {@code reallocate} in COMMIT_EACH (it would need a two-lease undo; allocate and free instead).
 */
final class FleetArena implements ResourceAllocator {

    private final ResourceAllocator inner;
    private final HostLeases leases;
    private final ZooKeeperPool pool;
    private final HostSession session;
    private final boolean commitEach;
    /** COMMIT_EACH: every live allocation, by start (unsigned); guarded by this. */
    private final NavigableMap<Long, Allocation> live = new TreeMap<>(Long::compareUnsigned);
    /** Failed calls the inner arena did not see (fenced), and changes undone after a failed commit. */
    private final LongAdder fencedFailures = new LongAdder();
    private long undone;

    FleetArena(ResourceAllocator inner, HostLeases leases, ZooKeeperPool pool, HostSession session) {
        this.inner = inner;
        this.leases = leases;
        this.pool = pool;
        this.session = session;
        this.commitEach = session.spec.durability() == Durability.COMMIT_EACH;
    }

    ResourceAllocator inner() {
        return inner;
    }

    /** Adds a lease this host holds as an imported span, with its recorded allocations (adoption). */
    synchronized void adopt(Range lease, Collection<Allocation> allocations) {
        ((Importing) inner).restoreImported(lease);
        for (Allocation a : allocations) {
            inner.reserve(a.range(), a.tag());
            if (commitEach) {
                live.put(a.range().start(), a);
            }
        }
    }

    /** Whether the arena holds {@code lease} as a span. */
    boolean holds(Range lease) {
        return inner.spans().contains(lease);
    }

    private void checkFence() {
        if (session.isFenced()) {
            fencedFailures.increment();
            session.checkUnfenced();
        }
    }

    // ------------------------------------------------------------------ allocate

    @Override
    public Range allocate(Request request) {
        Objects.requireNonNull(request, "request");
        if (!commitEach) {
            checkFence();
            return inner.allocate(request);
        }
        return committed(request, null);
    }

    @Override
    public Range allocate(Request request, AllocationPolicy policy) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(policy, "policy");
        if (!commitEach) {
            checkFence();
            return inner.allocate(request, policy);
        }
        return committed(request, policy);
    }

    @Override
    public Optional<Range> tryAllocate(Request request) {
        Objects.requireNonNull(request, "request");
        if (!commitEach) {
            checkFence();
            return inner.tryAllocate(request);
        }
        synchronized (this) {
            checkFence();
            return inner.tryAllocate(request).map(r -> commitAllocation(r, request.tag()));
        }
    }

    @Override
    public Optional<Range> tryAllocate(Request request, AllocationPolicy policy) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(policy, "policy");
        if (!commitEach) {
            checkFence();
            return inner.tryAllocate(request, policy);
        }
        synchronized (this) {
            checkFence();
            return inner.tryAllocate(request, policy).map(r -> commitAllocation(r, request.tag()));
        }
    }

    private synchronized Range committed(Request request, AllocationPolicy policy) {
        checkFence();
        Range placed = policy == null ? inner.allocate(request) : inner.allocate(request, policy);
        return commitAllocation(placed, request.tag());
    }

    @Override
    public Range reserve(Range range) {
        return reserve(range, null);
    }

    @Override
    public Range reserve(Range range, String tag) {
        Objects.requireNonNull(range, "range");
        if (!commitEach) {
            checkFence();
            return inner.reserve(range, tag);
        }
        synchronized (this) {
            checkFence();
            return commitAllocation(inner.reserve(range, tag), tag);
        }
    }

    /** COMMIT_EACH: writes the lease holding {@code placed} with it; undoes it if the write fails. */
    private Range commitAllocation(Range placed, String tag) {
        Allocation allocation = new Allocation(placed, tag);
        live.put(placed.start(), allocation);
        try {
            commitLease(placed.start());
        } catch (RuntimeException e) {
            live.remove(placed.start());
            undo(placed);
            throw e;
        }
        return placed;
    }

    /** Frees {@code placed} in the arena; if that hands its span back, takes the span back again. */
    private void undo(Range placed) {
        Range span = pool.ownLeaseHolding(placed.start());
        boolean hadSpan = span != null && inner.spans().contains(span);
        leases.pin();
        try {
            inner.free(placed);
        } finally {
            leases.unpin();
        }
        if (hadSpan && !inner.spans().contains(span) && leases.takeSpare(span)) {
            ((Importing) inner).restoreImported(span);
        }
        undone++;
    }

    /** Writes the record of the lease holding {@code value}: every live allocation in it. */
    private void commitLease(long value) {
        Range lease = pool.ownLeaseHolding(value);
        if (lease == null) {
            throw new IllegalStateException("0x" + Long.toHexString(value) + " is in no lease of host \""
                    + session.hostId + "\"");
        }
        commitLeases(List.of(lease));
    }

    private void commitLeases(List<Range> leaseList) {
        List<Op> ops = new ArrayList<>(leaseList.size());
        for (Range lease : leaseList) {
            Collection<Allocation> inside = live.subMap(lease.start(), true, lease.end(), true).values();
            BlockRecord record = new BlockRecord(session.hostId, lease, pool.token(lease), new ArrayList<>(inside));
            ops.add(Op.setData(session.layout.block(lease.start()), record.encode(), -1));
        }
        try {
            session.commit(ops);
        } catch (TxnConflict conflict) {
            session.fence("lease record " + leaseList.get(conflict.index) + " is gone (" + conflict.code + ")");
            session.scheduleVerify();
            throw new PoolUnavailableException("host \"" + session.hostId + "\" no longer holds lease "
                    + leaseList.get(conflict.index) + " in ZooKeeper; it is fenced until it verifies its leases");
        }
    }

    /** COMMIT_EACH, after a new session: rewrites every lease record from memory. */
    synchronized void rewriteAll() {
        if (!commitEach) {
            return;
        }
        List<Range> all = pool.ownLeases();
        for (int i = 0; i < all.size(); i += Janitor.BATCH) {
            commitLeasesUnfenced(all.subList(i, Math.min(all.size(), i + Janitor.BATCH)));
        }
    }

    private void commitLeasesUnfenced(List<Range> batch) {
        commitLeases(batch); // on the verifying thread, which may write while the host is fenced
    }

    // ------------------------------------------------------------------ free

    @Override
    public void free(Range range) {
        Objects.requireNonNull(range, "range");
        if (!commitEach) {
            inner.free(range); // safe while fenced: a lease it hands back stays a spare until unfenced
            return;
        }
        synchronized (this) {
            checkFenceForFree();
            Allocation a = live.get(range.start());
            if (a == null || !a.range().equals(range)) {
                inner.free(range); // throws the contract's NotAllocatedException
                throw new IllegalStateException(range + " was allocated in the arena but not recorded");
            }
            live.remove(range.start());
            try {
                commitLease(range.start());
            } catch (RuntimeException e) {
                live.put(range.start(), a);
                throw e;
            }
            inner.free(range);
        }
    }

    /** Under COMMIT_EACH a free is a write, so it is fenced like an allocation. */
    private void checkFenceForFree() {
        session.checkUnfenced();
    }

    @Override
    public Range freeContaining(long value) {
        if (!commitEach) {
            return inner.freeContaining(value);
        }
        synchronized (this) {
            checkFenceForFree();
            Map.Entry<Long, Allocation> e = live.floorEntry(value);
            if (e == null || !e.getValue().range().contains(value)) {
                return inner.freeContaining(value); // throws NotAllocatedException
            }
            Range range = e.getValue().range();
            free(range);
            return range;
        }
    }

    @Override
    public Range reallocate(Range old, Request request) {
        Objects.requireNonNull(old, "old");
        Objects.requireNonNull(request, "request");
        if (commitEach) {
            throw new UnsupportedOperationException("a COMMIT_EACH arena does not reallocate; allocate the new range and free "
                    + old);
        }
        checkFence();
        return inner.reallocate(old, request);
    }

    // ------------------------------------------------------------------ observers

    @Override
    public Optional<Allocation> allocationContaining(long value) {
        return inner.allocationContaining(value);
    }

    @Override
    public boolean isFree(Range range) {
        return inner.isFree(range);
    }

    /** @throws UnsupportedOperationException always: a host arena's values come from the pool */
    @Override
    public void addSpan(Range span) {
        Objects.requireNonNull(span, "span");
        throw new UnsupportedOperationException("host \"" + session.hostId + "\"'s arena takes its values from pool "
                + session.spec.path() + "; " + span + " cannot be added by hand");
    }

    @Override
    public List<Range> spans() {
        return inner.spans();
    }

    @Override
    public AllocatorStats stats() {
        AllocatorStats s = inner.stats();
        long u;
        synchronized (this) {
            u = undone;
        }
        return new AllocatorStats(s.capacity(), s.allocated(), s.free(), s.liveAllocations(), s.freeSegments(),
                s.largestFree(), s.totalAllocations() - u, s.totalFrees() - u,
                s.failedAllocations() + u + fencedFailures.sum(), s.imported());
    }

    @Override
    public void forEachAllocated(Consumer<? super Allocation> action) {
        inner.forEachAllocated(action);
    }

    @Override
    public void forEachFree(Consumer<? super Range> action) {
        inner.forEachFree(action);
    }

    @Override
    public String engine() {
        return inner.engine();
    }

    @Override
    public AllocationPolicy defaultPolicy() {
        return inner.defaultPolicy();
    }

    @Override
    public long quantum() {
        return inner.quantum();
    }

    /**
     * The arena's own image (its leases as imported spans, its allocations); restore it with
     * {@code Allocators.restore(in, pool)}, which checks that the pool still holds every lease.
     */
    @Override
    public void writeSnapshot(OutputStream out) {
        inner.writeSnapshot(out);
    }

    @Override
    public String toString() {
        return "arena of host \"" + session.hostId + "\" on " + session.spec.path() + ": " + inner;
    }

    /** Counts that a failed call was undone (for tests). */
    synchronized long undone() {
        return undone;
    }

    /** Whether {@code range} is recorded as live (COMMIT_EACH). */
    synchronized boolean recorded(Range range) {
        Allocation a = live.get(range.start());
        return a != null && a.range().equals(range);
    }

    /** COMMIT_EACH: the allocations recorded inside {@code lease}. */
    synchronized List<Allocation> recordedIn(Range lease) {
        return new ArrayList<>(live.subMap(lease.start(), true, lease.end(), true).values());
    }
}
