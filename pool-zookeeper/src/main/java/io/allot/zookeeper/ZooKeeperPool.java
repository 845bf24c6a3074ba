package io.allot.zookeeper;

import io.allot.Allocation;
import io.allot.AllocatorStats;
import io.allot.Allocators;
import io.allot.ExhaustedException;
import io.allot.NotAllocatedException;
import io.allot.OverlapException;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.spi.AllocationPolicy;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooDefs;

import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A pool shared by a fleet, whose state lives in ZooKeeper, as one host sees it: a
 * {@link ResourceAllocator} whose allocations are the fleet's <em>leases</em> — runs of whole
 * blocks, each held by one host and tagged with its host id — and whose {@code allocate} leases
 * blocks to this host. Per-host arenas use it as their source (see {@link FleetHost#arena()}), so
 * ZooKeeper sees one write per block, not per id.
 *
 * <h2>How a lease is taken</h2>
 * The host keeps a <em>view</em> of the lease table (an ordinary in-memory allocator over the
 * pool's range, quantum = block size) and places the request there with the policy — by default
 * {@link HomeFit}, which spreads hosts over the range. It then claims the placement in one atomic
 * multi-op: the fencing checks of {@link HostSession}, a create of every block node of the run
 * (ZooKeeper refuses a create of an existing node, so two leases never share a block) and a create
 * of the lease under the host's owner index. If another host won a block first, the transaction
 * changes nothing; the host re-reads the table (one multi-read) and places again. Returning a lease
 * is the mirror image: one multi-op that deletes the same nodes.
 *
 * <h2>Where this differs from the contract, and why</h2>
 * <ul>
 *   <li>{@link PoolUnavailableException} (an {@link IllegalStateException}): the host is fenced or
 *       ZooKeeper did not answer. Nothing changed, except that a lease whose transaction was cut off
 *       by a lost connection may have been taken; the host finds it in its owner index when it
 *       reconnects and keeps it, so it is never lost or given twice.</li>
 *   <li>Observers ({@code stats}, {@code forEach*}, {@code isFree}, {@code writeSnapshot}) read the
 *       lease table from ZooKeeper: a {@code sync}, then one multi-read, exact as of one moment
 *       and reflecting every write any host saw complete before the call; another host's lease may
 *       follow at once. {@code allocationContaining} reads one block node.
 *       {@code stats()} is therefore a network round trip, not O(1); its counts of units, leases
 *       and free segments are fleet-wide, while {@code totalAllocations}, {@code totalFrees} and
 *       {@code failedAllocations} count this handle's own calls.</li>
 *   <li>Tags: a lease's tag is its holder's host id. A request or reservation may carry no tag or
 *       this host's id; any other tag is refused with {@link IllegalArgumentException}.</li>
 *   <li>{@code free}, {@code freeContaining} and {@code reallocate} accept only this host's own
 *       leases; another host's lease is refused with {@link NotAllocatedException} naming its
 *       holder. A lease that this host's arena is using is refused with
 *       {@link IllegalStateException}: the arena returns it when it is wholly free.</li>
 *   <li>{@code addSpan} throws {@link UnsupportedOperationException}: the range is fixed when the
 *       pool is created.</li>
 *   <li>{@code writeSnapshot} writes an ordinary Allot image of the lease table as of one moment
 *       (spans: the range; quantum: the block size; one allocation per lease, tagged with its
 *       holder; policy {@code first-match}), which {@link Allocators#restore} reads into any engine:
 *       an audit or a backup, not a way to move the pool.</li>
 * </ul>
 *
 * <p>Thread-safe: calls that change leases are serialised per handle.
 */
public final class ZooKeeperPool implements ResourceAllocator {

    /** Rounds of "place, claim, lose the race, re-read" before a call gives up. */
    private static final int MAX_ATTEMPTS = 64;

    private final HostSession session;
    private final PoolSpec spec;
    private final PoolLayout layout;
    private final String hostId;
    private final HomeFit policy;
    private final SplittableRandom random;
    /** This host's view of the lease table: placement only; refreshed when a claim loses a race. */
    private final ResourceAllocator view;
    /** This host's own leases, by start (unsigned). */
    private final NavigableMap<Long, Own> own = new TreeMap<>(Long::compareUnsigned);

    private long totalAllocations;
    private long totalFrees;
    private long failedAllocations;
    /** Leases taken and returned, and races lost, by this handle (for the fleet report). */
    private long leasesTaken;
    private long leasesReturned;
    private long conflicts;

    /** One of this host's leases: its random token and whether this host's arena uses it. */
    private static final class Own {
        final Range range;
        final long token;
        boolean arena;

        Own(Range range, long token, boolean arena) {
            this.range = range;
            this.token = token;
            this.arena = arena;
        }
    }

    ZooKeeperPool(HostSession session, long seed) {
        this.session = session;
        this.spec = session.spec;
        this.layout = session.layout;
        this.hostId = session.hostId;
        this.random = new SplittableRandom(seed);
        this.policy = new HomeFit(randomBlock());
        this.view = Allocators.builder().engine(viewEngine()).quantum(spec.blockSize()).span(spec.range())
                .policy("first-match").build();
    }

    /** The engine of the view and of snapshots: interval when installed (any span), else the first. */
    static String viewEngine() {
        List<String> engines = Allocators.engines();
        if (engines.isEmpty()) {
            throw new IllegalStateException("no Allot engine is installed; put allot-engine-interval on the path");
        }
        return engines.contains("interval") ? "interval" : engines.get(0);
    }

    /** The host id this handle leases for. */
    public String hostId() {
        return hostId;
    }

    /** The pool's parameters as stored in ZooKeeper. */
    public PoolSpec spec() {
        return spec;
    }

    // ------------------------------------------------------------------ leasing

    @Override
    public Range allocate(Request request) {
        return allocate(request, policy);
    }

    @Override
    public Range allocate(Request request, AllocationPolicy policy) {
        Range lease = lease(request, policy, false);
        if (lease == null) {
            throw new ExhaustedException("no free run of blocks for " + request + " in pool " + spec.path() + " "
                    + spec.range() + " (blocks of 0x" + Long.toHexString(spec.blockSize()) + ")");
        }
        return lease;
    }

    @Override
    public Optional<Range> tryAllocate(Request request) {
        return tryAllocate(request, policy);
    }

    @Override
    public Optional<Range> tryAllocate(Request request, AllocationPolicy policy) {
        return Optional.ofNullable(lease(request, policy, false));
    }

    /** Leases blocks for this host's arena: as {@code tryAllocate}, but the lease is marked as the arena's. */
    Range leaseForArena(Request request) {
        return lease(request, policy, true);
    }

    private synchronized Range lease(Request request, AllocationPolicy chosen, boolean forArena) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(chosen, "policy");
        boolean done = false;
        try {
            Request tagged = request.tagged(checkTag(request.tag()));
            session.checkUnfenced();
            boolean fresh = false;
            for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
                Optional<Range> placed = view.tryAllocate(tagged, chosen);
                if (placed.isEmpty()) {
                    if (fresh) {
                        return null;
                    }
                    refresh();
                    fresh = true;
                    continue;
                }
                Range lease = placed.get();
                long token = random.nextLong();
                try {
                    session.commit(claim(lease, token));
                } catch (TxnConflict conflict) {
                    view.free(lease);
                    if (ownCreateLanded(lease, token)) {
                        view.reserve(lease, hostId);
                    } else {
                        conflicts++;
                        policy.moveHome(randomBlock());
                        refresh();
                        fresh = true;
                        continue;
                    }
                } catch (RuntimeException e) {
                    view.free(lease);
                    throw e;
                }
                own.put(lease.start(), new Own(lease, token, forArena));
                policy.moveHome(lease.end() == spec.range().end() ? spec.range().start() : lease.end() + 1);
                leasesTaken++;
                totalAllocations++;
                done = true;
                return lease;
            }
            throw new PoolUnavailableException("host \"" + hostId + "\" lost the race for blocks " + MAX_ATTEMPTS
                    + " times in a row in " + spec.path());
        } finally {
            if (!done) {
                failedAllocations++;
            }
        }
    }

    /** The operations that claim {@code lease}: every block node, and the entry in this host's owner index. */
    private List<Op> claim(Range lease, long token) {
        byte[] record = new BlockRecord(hostId, lease, token, List.of()).encode();
        List<Op> ops = new ArrayList<>();
        for (long b = lease.start(); ; b += spec.blockSize()) {
            ops.add(Op.create(layout.block(b), record, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
            if (b == layout.blockOf(lease.end())) {
                break;
            }
        }
        ops.add(Op.create(layout.ownerLease(hostId, lease), new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT));
        return ops;
    }

    /** The operations that return {@code lease}. */
    private List<Op> release(Range lease) {
        List<Op> ops = new ArrayList<>();
        for (long b = lease.start(); ; b += spec.blockSize()) {
            ops.add(Op.delete(layout.block(b), -1));
            if (b == layout.blockOf(lease.end())) {
                break;
            }
        }
        ops.add(Op.delete(layout.ownerLease(hostId, lease), -1));
        return ops;
    }

    /**
     * Whether a claim that failed with "node exists" had in fact landed: Curator retried it after a
     * lost connection, and the first attempt had created the nodes with this token.
     */
    private boolean ownCreateLanded(Range lease, long token) {
        try {
            BlockRecord record = readBlock(lease.start());
            return record != null && record.owner().equals(hostId) && record.token() == token
                    && record.lease().equals(lease);
        } catch (PoolFormatException e) {
            throw e;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public Range reserve(Range range) {
        return reserve(range, null);
    }

    @Override
    public synchronized Range reserve(Range range, String tag) {
        Objects.requireNonNull(range, "range");
        boolean done = false;
        try {
            checkTag(tag);
            long mask = spec.blockSize() - 1;
            if ((range.start() & mask) != 0 || (range.end() & mask) != mask) {
                throw new IllegalArgumentException("reservation " + range + " is not on blocks of 0x"
                        + Long.toHexString(spec.blockSize()));
            }
            if (!spec.range().contains(range)) {
                throw new IllegalArgumentException(range + " is not inside one span of [" + spec.range() + "]");
            }
            session.checkUnfenced();
            long token = random.nextLong();
            try {
                session.commit(claim(range, token));
            } catch (TxnConflict conflict) {
                if (!ownCreateLanded(range, token)) {
                    Allocation holder = firstLeaseIn(range);
                    throw new OverlapException(range + " overlaps allocation "
                            + (holder == null ? "(returned meanwhile)" : holder.range() + " leased by " + holder.tag()));
                }
            }
            own.put(range.start(), new Own(range, token, false));
            refresh();
            leasesTaken++;
            totalAllocations++;
            done = true;
            return range;
        } finally {
            if (!done) {
                failedAllocations++;
            }
        }
    }

    @Override
    public synchronized void free(Range range) {
        Objects.requireNonNull(range, "range");
        Own lease = own.get(range.start());
        if (lease == null || !lease.range.equals(range)) {
            throw new NotAllocatedException(notOwnLease(range));
        }
        if (lease.arena) {
            throw new IllegalStateException("lease " + range + " is in use by host \"" + hostId
                    + "\"'s arena, which returns it when it is wholly free");
        }
        returnLease(lease);
    }

    @Override
    public synchronized Range freeContaining(long value) {
        Map.Entry<Long, Own> e = own.floorEntry(value);
        if (e == null || !e.getValue().range.contains(value)) {
            Allocation holder = leaseHolding(value);
            throw new NotAllocatedException("0x" + Long.toHexString(value)
                    + (holder == null ? " is not inside any allocation" : " is inside lease " + holder.range()
                    + " of host \"" + holder.tag() + "\", not of this host \"" + hostId + "\""));
        }
        free(e.getValue().range);
        return e.getValue().range;
    }

    /** Returns one of this host's leases to the pool. */
    private void returnLease(Own lease) {
        session.checkUnfenced();
        try {
            session.commit(release(lease.range));
        } catch (TxnConflict conflict) {
            // Someone deleted this host's lease: only an operator's releaseHost can; it is gone either way.
            System.getLogger("io.allot.zookeeper").log(System.Logger.Level.WARNING,
                    "lease " + lease.range + " of host " + hostId + " was already gone (" + conflict.code + ")");
        }
        own.remove(lease.range.start());
        if (view.allocationContaining(lease.range.start()).map(a -> a.range().equals(lease.range)).orElse(false)) {
            view.free(lease.range);
        }
        leasesReturned++;
        totalFrees++;
    }

    /** Returns one of this host's leases whatever uses it ({@link FleetHost#leave()}). */
    synchronized void forceReturn(Range range) {
        Own lease = own.get(range.start());
        if (lease != null) {
            returnLease(lease);
        }
    }

    /**
     * Returns a lease the arena handed back. Never throws: if ZooKeeper cannot take it now, the
     * lease stays this host's and is returned when the host next verifies its leases.
     *
     * @return whether it went back now
     */
    synchronized boolean returnFromArena(Range range) {
        Own lease = own.get(range.start());
        if (lease == null) {
            return true;
        }
        try {
            returnLease(lease);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public synchronized Range reallocate(Range old, Request request) {
        Objects.requireNonNull(old, "old");
        Objects.requireNonNull(request, "request");
        boolean done = false;
        try {
            Request tagged = request.tagged(checkTag(request.tag()));
            Own lease = own.get(old.start());
            if (lease == null || !lease.range.equals(old)) {
                throw new NotAllocatedException(notOwnLease(old));
            }
            if (lease.arena) {
                throw new IllegalStateException("lease " + old + " is in use by host \"" + hostId + "\"'s arena");
            }
            session.checkUnfenced();
            for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
                Range moved = view.reallocate(old, tagged); // ExhaustedException: nothing changed
                long token = random.nextLong();
                List<Op> ops = new ArrayList<>(release(old));
                ops.addAll(claim(moved, token));
                try {
                    session.commit(ops);
                } catch (TxnConflict | RuntimeException e) {
                    view.free(moved);
                    view.reserve(old, hostId);
                    if (e instanceof RuntimeException r) {
                        throw r;
                    }
                    conflicts++;
                    refresh();
                    continue;
                }
                own.remove(old.start());
                own.put(moved.start(), new Own(moved, token, false));
                totalAllocations++;
                totalFrees++;
                done = true;
                return moved;
            }
            throw new PoolUnavailableException("host \"" + hostId + "\" lost the race for blocks " + MAX_ATTEMPTS
                    + " times in a row in " + spec.path());
        } finally {
            if (!done) {
                failedAllocations++;
            }
        }
    }

    // ------------------------------------------------------------------ this host's leases

    /** Records a lease found in ZooKeeper as this host's (adoption, reconciliation). */
    synchronized void adopt(Range lease, long token, boolean arena) {
        own.put(lease.start(), new Own(lease, token, arena));
        if (view.isFree(lease)) {
            view.reserve(lease, hostId);
        }
    }

    /** Forgets a lease that is no longer this host's. */
    synchronized void forget(Range lease) {
        own.remove(lease.start());
    }

    /** This host's leases, ascending. */
    synchronized List<Range> ownLeases() {
        List<Range> leases = new ArrayList<>(own.size());
        own.values().forEach(o -> leases.add(o.range));
        return leases;
    }

    /** The token of this host's lease {@code lease}. */
    synchronized long token(Range lease) {
        Own o = own.get(lease.start());
        return o == null ? 0 : o.token;
    }

    /** This host's lease holding {@code value}, or null. */
    synchronized Range ownLeaseHolding(long value) {
        Map.Entry<Long, Own> e = own.floorEntry(value);
        return e != null && e.getValue().range.contains(value) ? e.getValue().range : null;
    }

    synchronized long leasesTaken() {
        return leasesTaken;
    }

    synchronized long leasesReturned() {
        return leasesReturned;
    }

    synchronized long conflicts() {
        return conflicts;
    }

    /** Re-reads the lease table into the placement view. */
    synchronized void refresh() {
        LeaseTable table = table();
        List<Allocation> stale = new ArrayList<>();
        view.forEachAllocated(a -> {
            Lease l = table.leases().get(a.range().start());
            if (l == null || !l.range().equals(a.range())) {
                stale.add(a);
            }
        });
        stale.forEach(a -> view.free(a.range()));
        for (Lease l : table.leases().values()) {
            if (view.allocationContaining(l.range().start()).isEmpty()) {
                view.reserve(l.range(), l.host());
            }
        }
    }

    // ------------------------------------------------------------------ observers

    /** Every lease of the pool, ascending, as of one moment. */
    public List<Lease> leases() {
        return List.copyOf(table().leases().values());
    }

    /** Every host id the pool has seen, with its standing, as of one moment. */
    public Map<String, HostState> hosts() {
        Map<String, HostState> hosts = new TreeMap<>();
        table().owners().forEach((h, o) -> hosts.put(h, o.state()));
        return hosts;
    }

    /**
     * Returns every lease of a host that is not registered, now, whatever the grace period: for an
     * operator retiring a host for good. Its ids must not be in use anywhere.
     *
     * @return the number of leases returned
     * @throws IllegalStateException    if the host is registered (alive), or is this host
     * @throws IllegalArgumentException if {@code hostId} is not a valid host id
     */
    public int releaseHost(String hostId) {
        HostSession.checkHostId(hostId);
        if (hostId.equals(this.hostId)) {
            throw new IllegalStateException("host \"" + hostId + "\" cannot release itself; close it with leave()");
        }
        return Janitor.releaseNow(session, hostId);
    }

    LeaseTable table() {
        try {
            HostSession.sync(session.client, spec.path());
            return LeaseTable.read(session.client, layout);
        } catch (PoolFormatException | PoolUnavailableException e) {
            throw e;
        } catch (Exception e) {
            throw new PoolUnavailableException("could not read the lease table of " + spec.path() + ": " + e, e);
        }
    }

    /** The block node of the block holding {@code value}, or null if the block is not leased. */
    BlockRecord readBlock(long value) throws Exception {
        String node = layout.block(layout.blockOf(value));
        try {
            return BlockRecord.decode(session.client.getData().forPath(node), node);
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
    }

    private Allocation leaseHolding(long value) {
        if (!spec.range().contains(value)) {
            return null;
        }
        try {
            HostSession.sync(session.client, spec.path());
            BlockRecord record = readBlock(value);
            return record == null ? null : new Allocation(record.lease(), record.owner());
        } catch (PoolFormatException e) {
            throw e;
        } catch (Exception e) {
            throw new PoolUnavailableException("could not read the block of 0x" + Long.toHexString(value) + ": " + e, e);
        }
    }

    private Allocation firstLeaseIn(Range range) {
        for (Lease l : table().leases().values()) {
            if (l.range().overlaps(range)) {
                return new Allocation(l.range(), l.host());
            }
        }
        return null;
    }

    private String notOwnLease(Range range) {
        Allocation holder = leaseHolding(range.start());
        if (holder == null) {
            holder = spec.range().overlaps(range) ? firstLeaseIn(range) : null;
        }
        String why;
        if (holder == null) {
            why = spec.range().contains(range) ? "it is free" : "no allocation overlaps it";
        } else if (!holder.tag().equals(hostId)) {
            why = "it is leased by host \"" + holder.tag() + "\" as " + holder.range() + ", not by this host \"" + hostId + "\"";
        } else if (holder.range().contains(range)) {
            why = "it lies inside " + holder.range();
        } else if (range.contains(holder.range())) {
            why = "it covers " + holder.range();
        } else {
            why = "it overlaps " + holder.range();
        }
        return range + " is not an allocation (" + why + ")";
    }

    @Override
    public Optional<Allocation> allocationContaining(long value) {
        return Optional.ofNullable(leaseHolding(value));
    }

    @Override
    public boolean isFree(Range range) {
        Objects.requireNonNull(range, "range");
        if (!spec.range().contains(range)) {
            return false;
        }
        for (Lease l : table().leases().values()) {
            if (l.range().overlaps(range)) {
                return false;
            }
        }
        return true;
    }

    /** @throws UnsupportedOperationException always: a pool's range is fixed when it is created */
    @Override
    public void addSpan(Range span) {
        Objects.requireNonNull(span, "span");
        throw new UnsupportedOperationException("the range of pool " + spec.path() + " is fixed at " + spec.range()
                + "; create a new pool to grow it");
    }

    @Override
    public List<Range> spans() {
        return List.of(spec.range());
    }

    @Override
    public AllocatorStats stats() {
        LeaseTable table = table();
        long allocated = 0;
        for (Lease l : table.leases().values()) {
            allocated += l.range().size();
        }
        long capacity = spec.range().size();
        long[] gaps = {0, 0};
        forEachGap(table, g -> {
            gaps[0]++;
            if (Long.compareUnsigned(g.size(), gaps[1]) > 0) {
                gaps[1] = g.size();
            }
        });
        synchronized (this) {
            return new AllocatorStats(capacity, allocated, capacity - allocated, table.leases().size(), gaps[0],
                    gaps[1], totalAllocations, totalFrees, failedAllocations, 0);
        }
    }

    @Override
    public void forEachAllocated(Consumer<? super Allocation> action) {
        Objects.requireNonNull(action, "action");
        for (Lease l : table().leases().values()) {
            action.accept(new Allocation(l.range(), l.host()));
        }
    }

    @Override
    public void forEachFree(Consumer<? super Range> action) {
        Objects.requireNonNull(action, "action");
        forEachGap(table(), action);
    }

    private void forEachGap(LeaseTable table, Consumer<? super Range> action) {
        long next = spec.range().start();
        boolean done = false;
        for (Lease l : table.leases().values()) {
            if (Long.compareUnsigned(l.range().start(), next) > 0) {
                action.accept(Range.of(next, l.range().start() - 1));
            }
            if (l.range().end() == spec.range().end()) {
                done = true;
                break;
            }
            next = l.range().end() + 1;
        }
        if (!done) {
            action.accept(Range.of(next, spec.range().end()));
        }
    }

    /** {@value #ENGINE}: a fleet-wide pool is not an installed engine. */
    @Override
    public String engine() {
        return ENGINE;
    }

    /** The name {@link #engine()} returns. */
    public static final String ENGINE = "zookeeper";

    /** {@link HomeFit}: lowest free run at or after this host's home, else lowest. */
    @Override
    public AllocationPolicy defaultPolicy() {
        return policy;
    }

    /** The block size. */
    @Override
    public long quantum() {
        return spec.blockSize();
    }

    @Override
    public void writeSnapshot(OutputStream out) {
        Objects.requireNonNull(out, "out");
        LeaseTable table = table();
        ResourceAllocator image = Allocators.builder().engine(viewEngine()).quantum(spec.blockSize())
                .span(spec.range()).policy("first-match").build();
        for (Lease l : table.leases().values()) {
            image.reserve(l.range(), l.host());
        }
        try {
            image.writeSnapshot(out);
        } catch (UncheckedIOException e) {
            throw e;
        }
    }

    @Override
    public String toString() {
        return "fleet pool " + spec.path() + " " + spec.range() + " seen from host \"" + hostId + "\"";
    }

    private String checkTag(String tag) {
        if (tag != null && !tag.equals(hostId)) {
            throw new IllegalArgumentException("tag \"" + tag + "\" is not this host's id \"" + hostId
                    + "\": a lease is always tagged with its holder");
        }
        return hostId;
    }

    private long randomBlock() {
        long blocks = spec.blocks();
        long index = blocks == 0 ? random.nextLong() : Long.remainderUnsigned(random.nextLong(), blocks);
        return spec.range().start() + index * spec.blockSize();
    }
}
