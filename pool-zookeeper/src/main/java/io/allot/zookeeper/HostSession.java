package io.allot.zookeeper;

import org.apache.curator.RetryLoop;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One host's standing in a pool: its registration, its fencing token and its fence.
 *
 * <p><b>Registration.</b> A host registers by one multi-op that creates its ephemeral node
 * {@code hosts/<id>} and creates or bumps its persistent {@code owners/<id>} record. The owner
 * record's version after that write is the host's <em>incarnation</em>.
 *
 * <p><b>Fencing token.</b> Every write the host makes ({@link #commit}) is one multi-op that begins
 * with two checks: {@code hosts/<id>} exists, and {@code owners/<id>} still has the host's
 * incarnation. The janitor of another host quarantines a departed host by bumping that version,
 * and a re-registration (a restart) bumps it too, so no write of an earlier incarnation, or of a
 * host declared gone, can land: ZooKeeper refuses it atomically with the rest of the transaction.
 *
 * <p><b>Fence.</b> The host is fenced, and serves no allocation from its leases, from the moment
 * Curator reports the connection {@code SUSPENDED} or {@code LOST} until it has reconnected and
 * verified its standing: the same session still owns {@code hosts/<id>} and the incarnation is
 * unchanged; or, after a new session, it registered again and {@linkplain Reconciler reconciled}
 * its leases. ZooKeeper's client reports {@code SUSPENDED} after two thirds of the session timeout
 * without an answer, before the servers can expire the session; so a host stops handing out ids
 * before anyone can declare it gone.
 */
final class HostSession implements ConnectionStateListener, AutoCloseable {

    /** What the host does after registering again under a new session, before it is unfenced. */
    interface Reconciler {
        /**
         * @throws RuntimeException to stay fenced (the host lost leases while it was away)
         */
        void reconcile() throws Exception;
    }

    private static final System.Logger LOG = System.getLogger("io.allot.zookeeper");

    final CuratorFramework client;
    final PoolLayout layout;
    final PoolSpec spec;
    final String hostId;
    /** ZooKeeper transactions this host issued (each multi-op counts once, failed ones too). */
    final LongAdder writes = new LongAdder();

    private final ExecutorService verifier;
    private volatile Reconciler reconciler = () -> { };
    private volatile boolean fenced = true;
    private volatile String fenceReason = "not registered yet";
    private volatile int incarnation = -1;
    private volatile long sessionId;
    private volatile long fencedAtNanos = System.nanoTime();
    private volatile long lastRecoveryNanos = -1;
    private volatile long lastUnfencedAtNanos = -1;
    private volatile boolean closed;
    private volatile boolean started;
    /** The thread verifying or adopting this host's leases: it may write while the host is fenced. */
    private volatile Thread verifying;
    /** Unfences and fence checks synchronise on this; waiters wait on it. */
    private final Object fenceLock = new Object();

    HostSession(CuratorFramework client, PoolSpec spec, String hostId) {
        this.client = client;
        this.spec = spec;
        this.hostId = hostId;
        this.layout = new PoolLayout(spec.path(), spec.blockSize());
        this.verifier = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "allot-fence-" + hostId);
            t.setDaemon(true);
            return t;
        });
    }

    void setReconciler(Reconciler reconciler) {
        this.reconciler = reconciler;
    }

    /** Checks that a host id is a ZooKeeper node name Allot accepts. */
    static String checkHostId(String hostId) {
        if (hostId == null) {
            throw new NullPointerException("hostId");
        }
        if (hostId.isEmpty() || hostId.length() > 64 || !hostId.matches("[A-Za-z0-9._-]+")
                || hostId.equals(".") || hostId.equals("..")) {
            throw new IllegalArgumentException("host id \"" + hostId
                    + "\" must be 1 to 64 of [A-Za-z0-9._-], not \".\" or \"..\"");
        }
        return hostId;
    }

    // ------------------------------------------------------------------ the pool's nodes

    /**
     * Creates the pool at {@code spec.path()} if nothing is there, or checks that what is there is
     * this pool; in one multi-op, so a pool is never half created.
     *
     * @throws PoolFormatException if the path holds foreign or corrupt data or another pool; nothing
     *                             is written then
     */
    static void ensurePool(CuratorFramework client, PoolSpec spec) throws Exception {
        String path = spec.path();
        Stat stat = client.checkExists().forPath(path);
        if (stat == null) {
            int slash = path.lastIndexOf('/');
            if (slash > 0) {
                client.createContainers(path.substring(0, slash));
            }
            List<Op> ops = new ArrayList<>();
            ops.add(Op.create(path, PoolDescriptor.encode(spec), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
            for (String child : List.of(PoolLayout.HOSTS, PoolLayout.OWNERS, PoolLayout.BLOCKS, PoolLayout.CLOCK)) {
                ops.add(Op.create(path + "/" + child, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
            }
            try {
                multi(client, ops);
                return;
            } catch (KeeperException.NodeExistsException e) {
                // another host created it at the same moment: check it as any existing pool
            }
        }
        PoolSpec found = PoolDescriptor.decode(client.getData().forPath(path), path);
        PoolDescriptor.checkSame(found, spec);
        List<String> children = client.getChildren().forPath(path);
        for (String needed : List.of(PoolLayout.HOSTS, PoolLayout.OWNERS, PoolLayout.BLOCKS, PoolLayout.CLOCK)) {
            if (!children.contains(needed)) {
                throw new PoolFormatException(path + " is corrupt: it has no child \"" + needed + "\"");
            }
        }
        for (String child : children) {
            if (!List.of(PoolLayout.HOSTS, PoolLayout.OWNERS, PoolLayout.BLOCKS, PoolLayout.CLOCK).contains(child)) {
                throw new PoolFormatException(path + " holds a foreign child \"" + child + "\"");
            }
        }
    }

    // ------------------------------------------------------------------ registration

    /**
     * Registers this host: a new incarnation, its ephemeral node under this session. If another
     * session still holds the ephemeral node (this host's previous process, whose session has not
     * expired yet), waits up to {@code wait} for it to go.
     *
     * @throws PoolUnavailableException if another live session holds the host id after {@code wait}
     * @throws PoolFormatException      if the owner record is foreign or corrupt
     */
    void register(Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            long session = zk().getSessionId();
            String owner = layout.owner(hostId);
            Stat stat = new Stat();
            int expected;
            List<Op> ops = new ArrayList<>();
            byte[] registered = new OwnerRecord(HostState.REGISTERED).encode();
            try {
                byte[] data = client.getData().storingStatIn(stat).forPath(owner);
                OwnerRecord.decode(data, owner);
                expected = stat.getVersion();
                ops.add(Op.setData(owner, registered, expected));
            } catch (KeeperException.NoNodeException e) {
                expected = -1;
                ops.add(Op.create(owner, registered, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
            }
            ops.add(Op.create(layout.host(hostId), ByteBuffer.allocate(8).putLong(session).array(),
                    ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL));
            writes.increment();
            try {
                multi(client, ops);
                incarnation = expected + 1;
                sessionId = session;
                return;
            } catch (KeeperException.NodeExistsException | KeeperException.BadVersionException e) {
                Stat host = client.checkExists().forPath(layout.host(hostId));
                if (host != null && host.getEphemeralOwner() == session) {
                    // our own create landed before a lost connection made Curator retry it
                    Stat now = client.checkExists().forPath(owner);
                    incarnation = now.getVersion();
                    sessionId = session;
                    return;
                }
                if (host != null && System.nanoTime() > deadline) {
                    throw new PoolUnavailableException("host id \"" + hostId + "\" is registered in " + spec.path()
                            + " by another live session 0x" + Long.toHexString(host.getEphemeralOwner())
                            + "; two hosts must not share an id");
                }
                Thread.sleep(host == null ? 5 : 100);
            }
        }
    }

    /** Runs {@code action} (the first adoption) with the right to write while still fenced. */
    void asVerifier(Reconciler action) throws Exception {
        verifying = Thread.currentThread();
        try {
            action.reconcile();
        } finally {
            verifying = null;
        }
    }

    /** Unfences after the first registration and adoption. */
    void start() {
        client.getConnectionStateListenable().addListener(this);
        synchronized (fenceLock) {
            started = true;
            fenced = false; // the first unfence is no recovery
            fenceReason = "";
            fenceLock.notifyAll();
        }
    }

    // ------------------------------------------------------------------ the fence

    boolean isFenced() {
        return fenced;
    }

    /** Throws if the host is fenced. */
    void checkUnfenced() {
        if (fenced && Thread.currentThread() != verifying) {
            throw new PoolUnavailableException("host \"" + hostId + "\" is fenced: " + fenceReason);
        }
    }

    /** Last time from being fenced to being unfenced again, or -1 if never recovered. */
    long lastRecoveryNanos() {
        return lastRecoveryNanos;
    }

    /** {@link System#nanoTime()} when the host was last unfenced after a fence, or -1. */
    long lastUnfencedAtNanos() {
        return lastUnfencedAtNanos;
    }

    boolean awaitUnfenced(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (fenceLock) {
            while (fenced && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(fenceLock, left);
            }
            return !fenced;
        }
    }

    void fence(String why) {
        synchronized (fenceLock) {
            if (!fenced) {
                fencedAtNanos = System.nanoTime();
                fenced = true;
            }
            fenceReason = why;
        }
    }

    private void unfence() {
        synchronized (fenceLock) {
            if (closed) {
                return;
            }
            if (!started) {
                return;
            }
            if (fenced) {
                long now = System.nanoTime();
                lastRecoveryNanos = now - fencedAtNanos;
                lastUnfencedAtNanos = now;
            }
            fenced = false;
            fenceReason = "";
            fenceLock.notifyAll();
        }
    }

    @Override
    public void stateChanged(CuratorFramework c, ConnectionState state) {
        switch (state) {
            case SUSPENDED, LOST -> fence("ZooKeeper connection " + state);
            case RECONNECTED, CONNECTED -> scheduleVerify();
            default -> { }
        }
    }

    /** Verifies this host's standing in the background and unfences it if it holds. */
    void scheduleVerify() {
        if (closed) {
            return;
        }
        verifier.execute(this::verify);
    }

    private void verify() {
        if (closed || !client.getZookeeperClient().isConnected()) {
            return;
        }
        try {
            long session = zk().getSessionId();
            Stat host = client.checkExists().forPath(layout.host(hostId));
            Stat owner = client.checkExists().forPath(layout.owner(hostId));
            if (host != null && host.getEphemeralOwner() == session && session == sessionId
                    && owner != null && owner.getVersion() == incarnation) {
                unfence(); // the session survived: nobody could have declared this host gone
                return;
            }
            fence("registering again after the session changed");
            register(Duration.ofMillis(2L * client.getZookeeperClient().getConnectionTimeoutMs()
                    + 2L * zk().getSessionTimeout()));
            verifying = Thread.currentThread();
            try {
                reconciler.reconcile();
            } finally {
                verifying = null;
            }
            unfence();
        } catch (Exception e) {
            fence("verification failed: " + e);
            LOG.log(System.Logger.Level.WARNING, "host " + hostId + " stays fenced", e);
            if (!(e instanceof PoolFormatException) && !(e instanceof LeasesLostException)) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                scheduleVerify();
            }
        }
    }

    // ------------------------------------------------------------------ writes

    /**
     * Runs {@code ops} as one transaction behind this host's fencing checks.
     *
     * @throws TxnConflict              if one of {@code ops} failed (index among {@code ops}); nothing changed
     * @throws PoolUnavailableException if the host is fenced, the fencing checks failed (the host is
     *                                  fenced from then on), or ZooKeeper did not answer; in that last
     *                                  case the transaction may or may not have happened
     */
    List<OpResult> commit(List<Op> ops) throws TxnConflict {
        checkUnfenced();
        List<Op> all = new ArrayList<>(ops.size() + 2);
        all.add(Op.check(layout.host(hostId), -1));
        all.add(Op.check(layout.owner(hostId), incarnation));
        all.addAll(ops);
        writes.increment();
        try {
            return multi(client, all);
        } catch (KeeperException e) {
            List<OpResult> results = e.getResults();
            if (results == null) {
                throw unavailable(e);
            }
            for (int i = 0; i < results.size(); i++) {
                if (results.get(i) instanceof OpResult.ErrorResult error
                        && error.getErr() != KeeperException.Code.OK.intValue()
                        && error.getErr() != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()) {
                    if (i < 2) {
                        fence("its registration was superseded (" + KeeperException.Code.get(error.getErr()) + ")");
                        scheduleVerify();
                        throw new PoolUnavailableException("host \"" + hostId + "\" is fenced: its registration in "
                                + spec.path() + " changed; it verifies its leases before allocating again");
                    }
                    throw new TxnConflict(i - 2, KeeperException.Code.get(error.getErr()));
                }
            }
            throw unavailable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PoolUnavailableException("interrupted while writing to ZooKeeper", e);
        } catch (Exception e) {
            throw unavailable(e);
        }
    }

    private PoolUnavailableException unavailable(Exception e) {
        return new PoolUnavailableException("ZooKeeper did not complete a write for host \"" + hostId + "\": " + e, e);
    }

    ZooKeeper zk() throws Exception {
        return client.getZookeeperClient().getZooKeeper();
    }

    /** One multi-op (writes, or reads), retried by Curator's retry policy on a lost connection. */
    static List<OpResult> multi(CuratorFramework client, List<Op> ops) throws Exception {
        return RetryLoop.callWithRetry(client.getZookeeperClient(),
                () -> client.getZookeeperClient().getZooKeeper().multi(ops));
    }

    /**
     * Brings this client's server up to date with the leader before a read. ZooKeeper's reads are
     * served by whichever server a client is connected to and may lag writes other clients have
     * already seen complete; a {@code sync} first makes the read that follows it (same session,
     * so processed in order) reflect every write committed before it.
     */
    static void sync(CuratorFramework client, String path) throws Exception {
        RetryLoop.callWithRetry(client.getZookeeperClient(), () -> {
            CountDownLatch done = new CountDownLatch(1);
            int[] rc = {KeeperException.Code.OK.intValue()};
            client.getZookeeperClient().getZooKeeper().sync(path, (code, p, ctx) -> {
                rc[0] = code;
                done.countDown();
            }, null);
            if (!done.await(client.getZookeeperClient().getConnectionTimeoutMs(), TimeUnit.MILLISECONDS)) {
                throw new KeeperException.ConnectionLossException();
            }
            if (rc[0] != KeeperException.Code.OK.intValue()) {
                throw KeeperException.create(KeeperException.Code.get(rc[0]), path);
            }
            return null;
        });
    }

    /** Stops verifying; the host is fenced for good. Deletes the ephemeral node if {@code unregister}. */
    @Override
    public void close() {
        synchronized (fenceLock) {
            closed = true;
            fenced = true;
            fenceReason = "closed";
            fenceLock.notifyAll();
        }
        client.getConnectionStateListenable().removeListener(this);
        verifier.shutdownNow();
    }

    int incarnation() {
        return incarnation;
    }
}
