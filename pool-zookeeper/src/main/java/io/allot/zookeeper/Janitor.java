package io.allot.zookeeper;

import io.allot.Range;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooDefs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.HashSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Every host's background duty towards the others: notice departed hosts, quarantine their leases
 * and, in a {@link Durability#LEASE_ONLY} pool with a grace period, return them to the pool when
 * it has run out. Every live host runs one; they need no leader, because each step is one
 * transaction guarded by versions, so two janitors doing the same step cannot both succeed.
 *
 * <ul>
 *   <li><b>Quarantine</b> of host {@code h} (registered in its owner record, no ephemeral node):
 *       one multi-op that creates and deletes {@code hosts/h} (so it fails if {@code h} has
 *       registered meanwhile: ZooKeeper has no "check absent") and sets {@code owners/h} to
 *       {@link HostState#QUARANTINED} at its expected version. The version bump is what fences any
 *       surviving process of {@code h}; the write's mtime starts the grace period.</li>
 *   <li><b>Release</b>, when ZooKeeper's clock (the mtime of a touch of {@code clock}) is past
 *       that mtime + grace: multi-ops of at most {@value #BATCH} deletes of {@code h}'s block
 *       nodes and owner index entries, each checking that {@code owners/h} is still at the
 *       quarantined version (so a host that comes back stops the release at once), then
 *       {@code owners/h} set to {@link HostState#RELEASED}.</li>
 * </ul>
 * A janitor acts only while its own host is unfenced, through the host's fencing checks.
 */
final class Janitor implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("io.allot.zookeeper");
    static final int BATCH = 200;

    private final HostSession session;
    private final ZooKeeperPool pool;
    private final ScheduledExecutorService timer;

    Janitor(HostSession session, ZooKeeperPool pool) {
        this.session = session;
        this.pool = pool;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "allot-janitor-" + session.hostId);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts passes every {@code periodMillis}. */
    void start(long periodMillis) {
        timer.scheduleWithFixedDelay(this::passQuietly, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    private void passQuietly() {
        try {
            if (!session.isFenced()) {
                pass();
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "janitor pass of " + session.hostId + " failed", e);
        }
    }

    /** One pass: quarantine departed hosts, release those whose grace ran out. */
    void pass() {
        LeaseTable table = pool.table();
        Set<String> alive = alive(session);
        Long now = null;
        for (Map.Entry<String, LeaseTable.Owner> e : table.owners().entrySet()) {
            String host = e.getKey();
            LeaseTable.Owner owner = e.getValue();
            if (host.equals(session.hostId)) {
                continue;
            }
            if (owner.state() == HostState.REGISTERED && !alive.contains(host)) {
                quarantine(session, host, owner.version());
            } else if (owner.state() == HostState.QUARANTINED && session.spec.durability() == Durability.LEASE_ONLY
                    && session.spec.grace() != null) {
                if (now == null) {
                    now = zkNow(session);
                }
                if (now - owner.mtime() >= session.spec.grace().toMillis()) {
                    release(session, host, owner.version(), owner.leases());
                }
            }
        }
    }

    /** Quarantines and releases a host now (an operator's {@link ZooKeeperPool#releaseHost}). */
    static int releaseNow(HostSession session, String host) {
        for (int attempt = 0; attempt < 16; attempt++) {
            LeaseTable table;
            try {
                table = LeaseTable.read(session.client, session.layout);
            } catch (PoolFormatException | PoolUnavailableException e) {
                throw e;
            } catch (Exception e) {
                throw new PoolUnavailableException("could not read the lease table of " + session.spec.path() + ": " + e, e);
            }
            LeaseTable.Owner owner = table.owners().get(host);
            if (owner == null) {
                return 0;
            }
            if (alive(session).contains(host)) {
                throw new IllegalStateException("host \"" + host + "\" is registered in " + session.spec.path()
                        + "; only a departed host's leases can be released");
            }
            if (owner.state() == HostState.RELEASED && owner.leases().isEmpty()) {
                return 0;
            }
            if (owner.state() == HostState.REGISTERED) {
                quarantine(session, host, owner.version());
                continue;
            }
            if (release(session, host, owner.version(), owner.leases())) {
                return owner.leases().size();
            }
        }
        throw new PoolUnavailableException("host \"" + host + "\" kept changing while being released");
    }

    private static Set<String> alive(HostSession session) {
        try {
            return new HashSet<>(session.client.getChildren().forPath(session.layout.child(PoolLayout.HOSTS)));
        } catch (Exception e) {
            throw new PoolUnavailableException("could not list the hosts of " + session.spec.path() + ": " + e, e);
        }
    }

    private static boolean quarantine(HostSession session, String host, int version) {
        String hostNode = session.layout.host(host);
        try {
            session.commit(List.of(
                    Op.create(hostNode, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                    Op.delete(hostNode, -1),
                    Op.setData(session.layout.owner(host), new OwnerRecord(HostState.QUARANTINED).encode(), version)));
            LOG.log(System.Logger.Level.INFO, "host " + session.hostId + " quarantined the leases of departed host " + host);
            return true;
        } catch (TxnConflict e) {
            return false; // it came back, or another janitor was first
        }
    }

    private static boolean release(HostSession session, String host, int version, List<Range> leases) {
        String owner = session.layout.owner(host);
        List<Op> batch = new ArrayList<>();
        try {
            for (Range lease : leases) {
                List<Op> ops = new ArrayList<>();
                for (long b = lease.start(); ; b += session.spec.blockSize()) {
                    ops.add(Op.delete(session.layout.block(b), -1));
                    if (b == session.layout.blockOf(lease.end())) {
                        break;
                    }
                }
                ops.add(Op.delete(session.layout.ownerLease(host, lease), -1));
                if (!batch.isEmpty() && batch.size() + ops.size() > BATCH) {
                    session.commit(withCheck(owner, version, batch));
                    batch.clear();
                }
                batch.addAll(ops);
            }
            if (!batch.isEmpty()) {
                session.commit(withCheck(owner, version, batch));
            }
            session.commit(List.of(Op.setData(owner, new OwnerRecord(HostState.RELEASED).encode(), version)));
            LOG.log(System.Logger.Level.INFO, "host " + session.hostId + " returned " + leases.size()
                    + " leases of departed host " + host + " to the pool");
            return true;
        } catch (TxnConflict e) {
            return false;
        }
    }

    private static List<Op> withCheck(String owner, int version, List<Op> ops) {
        List<Op> all = new ArrayList<>(ops.size() + 1);
        all.add(Op.check(owner, version));
        all.addAll(ops);
        return all;
    }

    /** ZooKeeper's time: the mtime the leader stamps on a touch of the clock node. */
    static long zkNow(HostSession session) {
        try {
            List<OpResult> results = session.commit(List.of(Op.setData(session.layout.child(PoolLayout.CLOCK), new byte[0], -1)));
            return ((OpResult.SetDataResult) results.get(results.size() - 1)).getStat().getMtime();
        } catch (TxnConflict e) {
            throw new PoolFormatException(session.layout.child(PoolLayout.CLOCK) + " is missing");
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
