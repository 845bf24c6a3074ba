package io.allot.zookeeper;

import io.allot.Range;
import io.allot.Request;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.KillSession;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Eight hosts, 10^5 random allocate/free each, on one pool in a three-server quorum: in the middle
 * the quorum's leader is killed (and restarted), and one host's session is expired. A shared
 * record of the owner of every live value says whether any value was ever live in two hosts.
 */
class FleetStressTest {

    private static final int HOSTS = 8;
    private static final int OPS = Integer.getInteger("allot.fleet.ops", 100_000);
    private static final int SPACE = 1 << 20;

    @Test
    void noValueIsEverLiveInTwoHostsThroughALeaderKillAndAnExpiredSession() throws Exception {
        long seed = Long.getLong("allot.seed", System.nanoTime());
        System.out.println("FleetStressTest seed " + seed + " (replay with -Dallot.seed=" + seed + ")");
        TestingCluster cluster = Ensemble.cluster();
        PoolSpec spec = PoolSpec.of(Ensemble.newPath("stress"), Range.of(0, SPACE - 1), 1024).grace(null);
        List<FleetHost> hosts = new ArrayList<>();
        for (int h = 0; h < HOSTS; h++) {
            hosts.add(Ensemble.host(spec, "host-" + h).seed(seed + h).join());
        }
        AtomicIntegerArray owner = new AtomicIntegerArray(SPACE);
        AtomicLong duplicates = new AtomicLong();
        AtomicLong fencedCalls = new AtomicLong();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch halfway = new CountDownLatch(HOSTS);
        // Every host stops at half its operations until the leader is killed and host-3's session
        // expired, then runs on at least until the quorum is back and host-3 has recovered: the
        // failures land in the middle of the run whatever the machine's speed (in-memory ids are
        // fast enough for a host to finish its 10^5 before a kill's effects reach it).
        CountDownLatch killed = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean settled = new java.util.concurrent.atomic.AtomicBoolean();
        @SuppressWarnings("unchecked")
        List<Range>[] live = new List[HOSTS];
        Thread[] threads = new Thread[HOSTS];
        for (int h = 0; h < HOSTS; h++) {
            int me = h;
            live[h] = new ArrayList<>();
            threads[h] = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(seed * 31 + me);
                FleetHost host = hosts.get(me);
                List<Range> mine = live[me];
                try {
                    for (int op = 0; op < OPS || !settled.get(); op++) {
                        if (op == OPS / 2) {
                            halfway.countDown();
                            if (!killed.await(120, TimeUnit.SECONDS)) {
                                throw new AssertionError("no kill within 120 s");
                            }
                        }
                        boolean allocate = mine.isEmpty() || mine.size() < 4000 && random.nextInt(100) < 55;
                        try {
                            if (allocate) {
                                long size = random.nextInt(10) == 0 ? 1 + random.nextInt(8) : 1;
                                Range r = host.arena().allocate(Request.of(size));
                                for (long v = r.start(); v <= r.end(); v++) {
                                    if (!owner.compareAndSet((int) v, 0, me + 1)) {
                                        duplicates.incrementAndGet();
                                        failures.add(new AssertionError("0x" + Long.toHexString(v) + " handed to host-" + me
                                                + " while live in host-" + (owner.get((int) v) - 1)));
                                    }
                                }
                                mine.add(r);
                            } else {
                                int i = random.nextInt(mine.size());
                                Range r = mine.get(i);
                                for (long v = r.start(); v <= r.end(); v++) {
                                    owner.set((int) v, 0);
                                }
                                host.arena().free(r);
                                mine.set(i, mine.get(mine.size() - 1));
                                mine.remove(mine.size() - 1);
                            }
                        } catch (PoolUnavailableException e) {
                            fencedCalls.incrementAndGet();
                            if (!host.awaitUnfenced(Duration.ofSeconds(60))) {
                                throw new AssertionError("host-" + me + " still fenced after 60 s", e);
                            }
                        }
                    }
                } catch (Throwable t) {
                    failures.add(t);
                    halfway.countDown();
                }
            }, "stress-host-" + h);
            threads[h].start();
        }

        assertTrue(halfway.await(120, TimeUnit.SECONDS), "hosts reached half their operations");
        InstanceSpec leader = leader(cluster);
        assertNotNull(leader, "a leader");
        long killedAt = System.nanoTime();
        cluster.killServer(leader);
        KillSession.kill(hosts.get(3).client().getZookeeperClient().getZooKeeper());
        killed.countDown();
        Thread.sleep(1500);
        cluster.restartServer(leader);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (hosts.get(3).lastRecovery() == null && failures.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        settled.set(true);

        for (Thread t : threads) {
            t.join(TimeUnit.MINUTES.toMillis(3));
            assertTrue(!t.isAlive(), t.getName() + " finished");
        }
        long elapsed = System.nanoTime() - killedAt;
        assertTrue(failures.isEmpty(), () -> "failures: " + failures);
        assertEquals(0, duplicates.get(), "values live in two hosts at once");

        Duration recovery = hosts.get(3).lastRecovery();
        assertNotNull(recovery, "host-3 was fenced by its expired session and recovered");
        System.out.printf("FleetStressTest: %d hosts x %d ops, %d calls refused while fenced, host-3 recovered in %d ms,"
                        + " %d ms from the kill to the end%n", HOSTS, OPS, fencedCalls.get(), recovery.toMillis(),
                TimeUnit.NANOSECONDS.toMillis(elapsed));
        for (FleetHost h : hosts) {
            assertTrue(h.awaitUnfenced(Duration.ofSeconds(30)), h.hostId() + " unfenced");
        }

        // Every lease is accounted for: ZooKeeper's leases are exactly the hosts' own, and each
        // host's are its arena's spans plus its spares.
        Map<String, Set<Range>> byHost = new HashMap<>();
        for (Lease l : hosts.get(0).pool().leases()) {
            byHost.computeIfAbsent(l.host(), k -> new HashSet<>()).add(l.range());
            assertEquals(HostState.REGISTERED, l.state(), l.toString());
        }
        for (int h = 0; h < HOSTS; h++) {
            FleetHost host = hosts.get(h);
            Set<Range> own = new HashSet<>(host.leases());
            assertEquals(byHost.getOrDefault(host.hostId(), Set.of()), own, host.hostId() + "'s leases");
            Set<Range> held = new HashSet<>(host.arena().spans());
            held.addAll(host.hostLeases().spares());
            assertEquals(own, held, host.hostId() + ": arena spans + spares = leases");
            long units = 0;
            for (Range r : live[h]) {
                units += r.size();
                assertEquals(host.hostId(), host.pool().allocationContaining(r.start()).orElseThrow().tag());
            }
            assertEquals(units, host.arena().stats().allocated(), host.hostId() + " live units");
        }
        // Drain: every host frees everything; at most its spares stay leased.
        for (int h = 0; h < HOSTS; h++) {
            for (Range r : live[h]) {
                hosts.get(h).arena().free(r);
            }
            assertTrue(hosts.get(h).leases().size() <= 2, hosts.get(h).hostId() + " keeps at most 2 spares");
        }
        for (FleetHost h : hosts) {
            h.leave();
        }
        try (var client = Ensemble.client()) {
            assertEquals(List.of(), client.getChildren().forPath(spec.path() + "/blocks"), "every block returned");
        }
    }

    /** The current leader, asked with the {@code srvr} four-letter word. */
    static InstanceSpec leader(TestingCluster cluster) throws Exception {
        for (int attempt = 0; attempt < 100; attempt++) {
            for (InstanceSpec s : cluster.getInstances()) {
                try (Socket socket = new Socket("127.0.0.1", s.getPort())) {
                    socket.setSoTimeout(2000);
                    OutputStream out = socket.getOutputStream();
                    out.write("srvr".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
                    for (String line; (line = in.readLine()) != null; ) {
                        if (line.equals("Mode: leader")) {
                            return s;
                        }
                    }
                } catch (java.io.IOException e) {
                    // not serving
                }
            }
            Thread.sleep(100);
        }
        return null;
    }
}
