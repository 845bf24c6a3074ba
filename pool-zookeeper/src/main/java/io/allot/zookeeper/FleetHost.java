package io.allot.zookeeper;

import io.allot.Allocation;
import io.allot.Allocators;
import io.allot.Range;
import io.allot.ResourceAllocator;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One host of a fleet sharing a pool in ZooKeeper: its registration, its view of the pool
 * ({@link #pool()}) and its arena ({@link #arena()}), where the host's ids come from.
 *
 * <pre>{@code
 * try (FleetHost host = FleetHost.builder(PoolSpec.of("/allot/vni", Range.of(0, 0xFF_FFFF), 1024))
 *         .connect("zk1:2181,zk2:2181,zk3:2181").hostId("host-a").join()) {
 *     long vni = host.arena().allocate(Request.of(1)).start();   // leases a block on first use
 * }
 * }</pre>
 *
 * <p><b>Joining</b> creates the pool if the path is empty (or checks it: a path holding anything
 * else is refused with {@link PoolFormatException} and left untouched), registers the host (an
 * ephemeral node, a new incarnation) and <em>re-adopts</em> every lease the host id still holds:
 * they become spans of the new arena, with their live allocations under
 * {@link Durability#COMMIT_EACH}, empty under {@link Durability#LEASE_ONLY} (the application
 * {@code reserve}s the ids it still holds). If a previous process of the same host id still holds
 * the registration (its session has not expired yet), joining waits for it up to the join wait.
 *
 * <p><b>Failures.</b> While the ZooKeeper connection is suspended or lost the host is fenced:
 * allocations throw {@link PoolUnavailableException}. It is unfenced when it has reconnected and
 * verified that it still holds its registration, or, after its session expired, registered again
 * and found all its leases (leases it did not know about, from transactions cut off by the lost
 * connection, are adopted). If its leases were returned to the pool meanwhile (LEASE_ONLY, grace
 * period shorter than the outage) it stays fenced for good.
 *
 * <p>With no {@link Builder#connect connect string} and no {@link Builder#client client}, the host
 * uses a ZooKeeper server started inside this JVM ({@link EmbeddedZooKeeper#shared()}).
 */
public final class FleetHost implements AutoCloseable {

    private final HostSession session;
    private final ZooKeeperPool pool;
    private final HostLeases leases;
    private final FleetArena arena;
    private final Janitor janitor;
    private final boolean ownsClient;

    private FleetHost(HostSession session, ZooKeeperPool pool, HostLeases leases, FleetArena arena, Janitor janitor,
                      boolean ownsClient) {
        this.session = session;
        this.pool = pool;
        this.leases = leases;
        this.arena = arena;
        this.janitor = janitor;
        this.ownsClient = ownsClient;
    }

    /** A builder for a host of the pool {@code spec}. */
    public static Builder builder(PoolSpec spec) {
        return new Builder(spec);
    }

    /**
     * The host's arena: an Allot allocator (thread-safe) whose values come from leases of the
     * pool, imported a block at a time, and returned when wholly free (a few are kept as spares).
     * Under {@link Durability#COMMIT_EACH} each change is committed to ZooKeeper before it returns.
     */
    public ResourceAllocator arena() {
        return arena;
    }

    /** The pool as this host sees it: the fleet's leases. */
    public ZooKeeperPool pool() {
        return pool;
    }

    public String hostId() {
        return session.hostId;
    }

    /** Whether the host is fenced now (see the class comment). */
    public boolean isFenced() {
        return session.isFenced();
    }

    /**
     * Waits until the host is unfenced.
     *
     * @return false if it is still fenced after {@code timeout}
     */
    public boolean awaitUnfenced(Duration timeout) throws InterruptedException {
        return session.awaitUnfenced(timeout);
    }

    /** How long the host was fenced the last time it recovered, or null if it never was. */
    public Duration lastRecovery() {
        long nanos = session.lastRecoveryNanos();
        return nanos < 0 ? null : Duration.ofNanos(nanos);
    }

    /** ZooKeeper transactions this host issued (registration, leases, commits, janitor work). */
    public long writes() {
        return session.writes.sum();
    }

    /** Leases this host took from the pool since it joined. */
    public long leasesTaken() {
        return pool.leasesTaken();
    }

    /** Leases this host returned to the pool since it joined. */
    public long leasesReturned() {
        return pool.leasesReturned();
    }

    /** Times this host lost the race for a block to another host and placed again. */
    public long conflicts() {
        return pool.conflicts();
    }

    /** The leases this host holds now (in use by the arena, or spare). */
    public List<Range> leases() {
        return pool.ownLeases();
    }

    /**
     * Leaves the fleet: returns every lease this host holds to the pool now, whatever the arena
     * still holds, and closes. Use it when the host is retired and none of its ids is in use.
     *
     * @throws PoolUnavailableException if the host is fenced; it is then not closed
     */
    public void leave() {
        session.checkUnfenced();
        for (Range lease : pool.ownLeases()) {
            pool.forceReturn(lease);
        }
        try {
            session.commit(List.of(Op.setData(session.layout.owner(session.hostId),
                    new OwnerRecord(HostState.RELEASED).encode(), session.incarnation()),
                    Op.delete(session.layout.host(session.hostId), -1)));
        } catch (TxnConflict e) {
            throw new PoolUnavailableException("host \"" + session.hostId + "\" could not leave: " + e.getMessage());
        }
        close();
    }

    /**
     * Stops this host: no more allocations, its registration ends (its ephemeral node goes), and
     * its leases stay its own, to be re-adopted when the host id joins again or, under LEASE_ONLY,
     * returned after the grace period. Idempotent.
     */
    @Override
    public void close() {
        janitor.close();
        session.close();
        if (ownsClient) {
            session.client.close();
        } else {
            try {
                session.client.delete().guaranteed().forPath(session.layout.host(session.hostId));
            } catch (KeeperException.NoNodeException e) {
                // already gone
            } catch (Exception e) {
                // the session's end removes it anyway
            }
        }
    }

    /** The ZooKeeper client this host uses. */
    CuratorFramework client() {
        return session.client;
    }

    HostSession session() {
        return session;
    }

    FleetArena fleetArena() {
        return arena;
    }

    HostLeases hostLeases() {
        return leases;
    }

    // ------------------------------------------------------------------ adoption

    /** Adopts every lease the owner index lists for this host and the arena does not hold yet. */
    private void adoptListed(boolean failOnLost) throws Exception {
        String owner = session.layout.owner(session.hostId);
        List<String> names = session.client.getChildren().forPath(owner);
        Set<Range> listed = new HashSet<>();
        for (String name : names) {
            listed.add(PoolLayout.parseLease(name, owner + "/" + name));
        }
        if (failOnLost) {
            List<Range> lost = new ArrayList<>();
            for (Range mine : pool.ownLeases()) {
                if (!listed.contains(mine)) {
                    lost.add(mine);
                }
            }
            if (!lost.isEmpty()) {
                throw new LeasesLostException("host \"" + session.hostId + "\" lost leases " + lost
                        + " while away: they went back to pool " + session.spec.path() + " after its grace period;"
                        + " ids it handed out from them may be someone else's now. Restart the host.");
            }
        }
        Set<Range> known = new HashSet<>(pool.ownLeases());
        for (Range lease : listed) {
            if (known.contains(lease)) {
                continue;
            }
            BlockRecord record = pool.readBlock(lease.start());
            String node = session.layout.block(lease.start());
            if (record == null || !record.owner().equals(session.hostId) || !record.lease().equals(lease)) {
                throw new PoolFormatException(node + " is corrupt: host \"" + session.hostId + "\"'s owner index lists lease "
                        + lease + " but the block node " + (record == null ? "is missing" : "says " + record.lease()
                        + " of host \"" + record.owner() + "\""));
            }
            pool.adopt(lease, record.token(), true);
            List<Allocation> allocations = session.spec.durability() == Durability.COMMIT_EACH
                    ? record.allocations() : List.of();
            arena.adopt(lease, allocations);
        }
    }

    private void reconcile() throws Exception {
        adoptListed(true);
        arena.rewriteAll();
        leases.trim();
        pool.refresh();
    }

    /**
     * Settings for one host. Mutable, not thread-safe; {@link #join()} builds the host.
     */
    public static final class Builder {
        private final PoolSpec spec;
        private String connect;
        private CuratorFramework client;
        private String hostId;
        private String engine;
        private int spareLeases = 2;
        private Duration sessionTimeout = Duration.ofSeconds(10);
        private Duration connectionTimeout = Duration.ofSeconds(5);
        private Duration joinWait;
        private Duration janitorPeriod;
        private long seed = System.nanoTime();

        private Builder(PoolSpec spec) {
            this.spec = Objects.requireNonNull(spec, "spec");
        }

        /** ZooKeeper's connect string ({@code host:port,...}); the host makes and closes its own client. */
        public Builder connect(String connectString) {
            this.connect = Objects.requireNonNull(connectString, "connectString");
            return this;
        }

        /** A started Curator client to use (not closed by the host). */
        public Builder client(CuratorFramework client) {
            this.client = Objects.requireNonNull(client, "client");
            return this;
        }

        /**
         * This host's id, stable across restarts: 1 to 64 of {@code [A-Za-z0-9._-]}. Default: the
         * machine's host name.
         *
         * @throws IllegalArgumentException naming the id if it is not such a name
         */
        public Builder hostId(String hostId) {
            this.hostId = HostSession.checkHostId(hostId);
            return this;
        }

        /**
         * The engine of the host's arena (default: {@code interval} when installed).
         *
         * @throws IllegalArgumentException if no such engine is installed
         */
        public Builder engine(String engine) {
            Allocators.builder().engine(engine);
            this.engine = engine;
            return this;
        }

        /**
         * How many wholly free leases the host keeps rather than returns (default 2): a host that
         * hovers at a block boundary then costs no ZooKeeper write per id.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder spareLeases(int spares) {
            if (spares < 0) {
                throw new IllegalArgumentException("spareLeases " + spares + " is negative");
            }
            this.spareLeases = spares;
            return this;
        }

        /**
         * The ZooKeeper session timeout of a client the host makes (default 10 s): how long a dead
         * host stays registered, and about how long a host may be cut off before its session ends.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder sessionTimeout(Duration timeout) {
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("sessionTimeout " + timeout + " is not positive");
            }
            this.sessionTimeout = timeout;
            return this;
        }

        /**
         * How long {@link #join()} waits for a previous process of the same host id to lose its
         * registration (default: twice the session timeout).
         */
        public Builder joinWait(Duration wait) {
            this.joinWait = Objects.requireNonNull(wait, "wait");
            return this;
        }

        /** How often the janitor looks for departed hosts (default: a quarter of the grace, 1 s at most). */
        public Builder janitorPeriod(Duration period) {
            if (period.isZero() || period.isNegative()) {
                throw new IllegalArgumentException("janitorPeriod " + period + " is not positive");
            }
            this.janitorPeriod = period;
            return this;
        }

        /** Seeds the host's random choices (its home in the pool, lease tokens). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Joins the pool: connects, creates or checks the pool, registers, re-adopts this host id's
         * leases.
         *
         * @throws PoolFormatException      if the path holds foreign or corrupt data or another pool
         * @throws PoolUnavailableException if ZooKeeper cannot be reached, or another live process
         *                                  holds this host id past the join wait
         */
        public FleetHost join() {
            String id = hostId != null ? hostId : defaultHostId();
            CuratorFramework c = client;
            boolean owns = false;
            if (c == null) {
                String cs = connect != null ? connect : EmbeddedZooKeeper.shared().connectString();
                c = CuratorFrameworkFactory.builder().connectString(cs)
                        .sessionTimeoutMs((int) sessionTimeout.toMillis())
                        .connectionTimeoutMs((int) connectionTimeout.toMillis())
                        .retryPolicy(new RetryNTimes(3, 100)).build();
                c.start();
                owns = true;
            }
            try {
                if (!c.blockUntilConnected((int) connectionTimeout.toMillis() * 3, TimeUnit.MILLISECONDS)) {
                    throw new PoolUnavailableException("could not connect to ZooKeeper at "
                            + c.getZookeeperClient().getCurrentConnectionString());
                }
                HostSession.ensurePool(c, spec);
                checkOwnLeases(c, spec, id);
                HostSession session = new HostSession(c, spec, id);
                Duration wait = joinWait != null ? joinWait
                        : Duration.ofMillis(2L * c.getZookeeperClient().getZooKeeper().getSessionTimeout() + 1000);
                session.register(wait);
                ZooKeeperPool pool = new ZooKeeperPool(session, seed);
                HostLeases leases = new HostLeases(pool, spareLeases);
                ResourceAllocator inner = Allocators.builder()
                        .engine(engine != null ? engine : ZooKeeperPool.viewEngine())
                        .source(leases, spec.blockSize()).threadSafe().build();
                FleetArena arena = new FleetArena(inner, leases, pool, session);
                Janitor janitor = new Janitor(session, pool);
                FleetHost host = new FleetHost(session, pool, leases, arena, janitor, owns);
                session.asVerifier(() -> host.adoptListed(false));
                session.setReconciler(host::reconcile);
                pool.refresh();
                janitor.start(period());
                session.start();
                return host;
            } catch (RuntimeException e) {
                if (owns) {
                    c.close();
                }
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (owns) {
                    c.close();
                }
                throw new PoolUnavailableException("interrupted while joining " + spec.path(), e);
            } catch (Exception e) {
                if (owns) {
                    c.close();
                }
                throw new PoolUnavailableException("could not join pool " + spec.path() + ": " + e, e);
            }
        }

        /**
         * Reads the records this host id will adopt before registering, so that a corrupt one is
         * refused before anything is written.
         */
        private static void checkOwnLeases(CuratorFramework c, PoolSpec spec, String id) throws Exception {
            PoolLayout layout = new PoolLayout(spec.path(), spec.blockSize());
            String owner = layout.owner(id);
            if (c.checkExists().forPath(owner) == null) {
                return;
            }
            OwnerRecord.decode(c.getData().forPath(owner), owner);
            for (String name : c.getChildren().forPath(owner)) {
                Range lease = PoolLayout.parseLease(name, owner + "/" + name);
                String node = layout.block(lease.start());
                try {
                    BlockRecord record = BlockRecord.decode(c.getData().forPath(node), node);
                    if (!record.owner().equals(id) || !record.lease().equals(lease)) {
                        throw new PoolFormatException(node + " is corrupt: it says lease " + record.lease() + " of host \""
                                + record.owner() + "\" where host \"" + id + "\"'s owner index lists " + lease);
                    }
                } catch (KeeperException.NoNodeException e) {
                    throw new PoolFormatException(node + " is missing: host \"" + id + "\"'s owner index lists lease " + lease);
                }
            }
        }

        private long period() {
            if (janitorPeriod != null) {
                return janitorPeriod.toMillis();
            }
            long p = 1000;
            if (spec.grace() != null && spec.durability() == Durability.LEASE_ONLY) {
                p = Math.min(p, Math.max(50, spec.grace().toMillis() / 4));
            }
            return p;
        }

        private static String defaultHostId() {
            try {
                String name = InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "-");
                return HostSession.checkHostId(name.length() > 64 ? name.substring(0, 64) : name);
            } catch (Exception e) {
                throw new IllegalStateException("no host name to use as host id; set hostId()", e);
            }
        }
    }
}
