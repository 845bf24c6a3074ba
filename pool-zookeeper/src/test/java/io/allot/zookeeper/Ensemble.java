package io.allot.zookeeper;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.test.TestingCluster;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The three-server ZooKeeper quorum the tests share (curator-test's {@link TestingCluster}, inside
 * the test JVM), started once; each test works under its own pool path.
 */
final class Ensemble {

    private static TestingCluster cluster;
    private static final AtomicInteger POOLS = new AtomicInteger();

    private Ensemble() {
    }

    static synchronized TestingCluster cluster() throws Exception {
        if (cluster == null) {
            System.setProperty("zookeeper.4lw.commands.whitelist", "*");
            cluster = new TestingCluster(3);
            cluster.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    cluster.close();
                } catch (Exception e) {
                    // exiting anyway
                }
            }));
        }
        return cluster;
    }

    static String connect() throws Exception {
        return cluster().getConnectString();
    }

    /** A fresh pool path. */
    static String newPath(String name) {
        return "/allot-test/" + name + "-" + POOLS.incrementAndGet();
    }

    /** A started client for direct inspection of the tree. */
    static CuratorFramework client() throws Exception {
        CuratorFramework c = CuratorFrameworkFactory.builder().connectString(connect())
                .sessionTimeoutMs(10_000).connectionTimeoutMs(5_000).retryPolicy(new RetryNTimes(10, 200)).build();
        c.start();
        if (!c.blockUntilConnected(20, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no connection to the test ensemble");
        }
        return c;
    }

    /** A builder for host {@code id} of {@code spec} with the tests' short timeouts. */
    static FleetHost.Builder host(PoolSpec spec, String id) throws Exception {
        return FleetHost.builder(spec).connect(connect()).hostId(id).sessionTimeout(Duration.ofSeconds(4))
                .janitorPeriod(Duration.ofMillis(200)).seed(id.hashCode());
    }
}
