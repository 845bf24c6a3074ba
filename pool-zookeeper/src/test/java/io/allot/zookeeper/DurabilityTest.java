package io.allot.zookeeper;

import io.allot.Allocation;
import io.allot.Range;
import io.allot.Request;
import org.apache.curator.test.KillSession;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What survives a host: COMMIT_EACH allocations, LEASE_ONLY leases, quarantine and grace, fencing. */
class DurabilityTest {

    private static final Range RANGE = Range.of(0, (64 << 10) - 1);

    private static List<Allocation> allocations(FleetHost host) {
        List<Allocation> all = new ArrayList<>();
        host.arena().forEachAllocated(all::add);
        return all;
    }

    /** Random allocations of sizes 1..16, some tagged, then a third of them freed. */
    private static void churn(FleetHost host, SplittableRandom random, int n) {
        List<Range> live = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Request r = Request.of(1 + random.nextInt(16));
            if (random.nextBoolean()) {
                r = r.tagged("vm-" + i);
            }
            live.add(host.arena().allocate(r));
        }
        for (int i = 0; i < n / 3; i++) {
            host.arena().free(live.remove(random.nextInt(live.size())));
        }
    }

    @Test
    void commitEachRestartReadoptsBlocksWithExactlyTheLiveAllocations() throws Exception {
        PoolSpec spec = PoolSpec.of(Ensemble.newPath("commit-each"), RANGE, 1024).durability(Durability.COMMIT_EACH);
        SplittableRandom random = new SplittableRandom(42);
        List<Allocation> before;
        List<Range> leases;
        try (FleetHost other = Ensemble.host(spec, "other").join()) {
            try (FleetHost a = Ensemble.host(spec, "a").join()) {
                long writes = a.writes();
                long taken = a.leasesTaken();
                a.arena().allocate(Request.of(1));
                assertEquals(1 + (a.leasesTaken() - taken), a.writes() - writes, "one commit per allocation (plus its lease)");
                churn(a, random, 300);
                before = allocations(a);
                leases = a.leases();
                assertTrue(leases.size() >= 2);
            } // a crashes as far as the pool can tell: its session ends, its leases stay
            waitFor(() -> other.pool().hosts().get("a") == HostState.QUARANTINED, "a quarantined");
            try (FleetHost a = Ensemble.host(spec, "a").join()) {
                assertEquals(before, allocations(a), "exactly the live allocations, with their tags");
                assertEquals(new HashSet<>(leases), new HashSet<>(a.leases()));
                assertEquals(HostState.REGISTERED, other.pool().hosts().get("a"));
                Range fresh = a.arena().allocate(Request.of(4));
                assertTrue(before.stream().noneMatch(x -> x.range().overlaps(fresh)));
                a.arena().free(before.get(0).range());
                assertThrows(UnsupportedOperationException.class, () -> a.arena().reallocate(fresh, Request.of(8)));
            }
        }
    }

    @Test
    void commitEachRecordsMatchMemoryAfterAnExpiredSessionMidRun() throws Exception {
        PoolSpec spec = PoolSpec.of(Ensemble.newPath("commit-kill"), RANGE, 256).durability(Durability.COMMIT_EACH);
        try (FleetHost a = Ensemble.host(spec, "a").join()) {
            SplittableRandom random = new SplittableRandom(7);
            List<Range> live = new ArrayList<>();
            int refused = 0;
            for (int op = 0; op < 600; op++) {
                if (op == 300) {
                    KillSession.kill(a.client().getZookeeperClient().getZooKeeper());
                }
                try {
                    if (live.isEmpty() || random.nextInt(100) < 60) {
                        live.add(a.arena().allocate(Request.of(1 + random.nextInt(4))));
                    } else {
                        Range r = live.get(random.nextInt(live.size()));
                        a.arena().free(r);
                        live.remove(r);
                    }
                } catch (PoolUnavailableException e) {
                    refused++;
                    assertTrue(a.awaitUnfenced(Duration.ofSeconds(30)), "unfenced again");
                }
            }
            assertTrue(a.awaitUnfenced(Duration.ofSeconds(30)));
            assertNotNull(a.lastRecovery(), "fenced by the expired session, then recovered");
            List<Range> mine = new ArrayList<>();
            a.arena().forEachAllocated(x -> mine.add(x.range()));
            live.sort(Range::compareTo);
            assertEquals(live, mine, "the arena holds exactly what the caller was given and did not free");
            // ZooKeeper's records say the same
            List<Range> recorded = new ArrayList<>();
            for (Range lease : a.leases()) {
                BlockRecord record = a.pool().readBlock(lease.start());
                assertEquals("a", record.owner());
                record.allocations().forEach(x -> recorded.add(x.range()));
            }
            recorded.sort(Range::compareTo);
            assertEquals(mine, recorded, "records in ZooKeeper = memory (" + refused + " calls refused while fenced)");
        }
    }

    @Test
    void leaseOnlyRestartReadoptsBlocksEmptyAndTheApplicationReservesItsIds() throws Exception {
        PoolSpec spec = PoolSpec.of(Ensemble.newPath("lease-only"), RANGE, 1024).grace(Duration.ofMinutes(1));
        try (FleetHost other = Ensemble.host(spec, "other").join()) {
            List<Range> held = new ArrayList<>();
            List<Range> leases;
            try (FleetHost a = Ensemble.host(spec, "a").join()) {
                for (int i = 0; i < 1500; i++) {
                    held.add(a.arena().allocate(Request.of(1)));
                }
                leases = a.leases();
            }
            waitFor(() -> other.pool().hosts().get("a") == HostState.QUARANTINED, "a quarantined");
            for (int i = 0; i < 200; i++) {
                Range r = other.arena().allocate(Request.of(1));
                assertTrue(leases.stream().noneMatch(l -> l.overlaps(r)), "a quarantined block is never handed out");
            }
            try (FleetHost a = Ensemble.host(spec, "a").join()) {
                assertEquals(new HashSet<>(leases), new HashSet<>(a.leases()), "its blocks, re-adopted");
                assertEquals(0, a.arena().stats().liveAllocations(), "LEASE_ONLY: empty");
                for (Range r : held) {
                    a.arena().reserve(r); // the application re-registers its ids
                }
                assertEquals(1500, a.arena().stats().liveAllocations());
            }
        }
    }

    @Test
    void leaseOnlyBlocksOfADepartedHostReturnAfterTheGracePeriodOrNever() throws Exception {
        PoolSpec spec = PoolSpec.of(Ensemble.newPath("grace"), RANGE, 1024).grace(Duration.ofMillis(800));
        try (FleetHost other = Ensemble.host(spec, "other").join()) {
            try (FleetHost a = Ensemble.host(spec, "a").join()) {
                for (int i = 0; i < 3000; i++) {
                    a.arena().allocate(Request.of(1));
                }
            }
            waitFor(() -> other.pool().hosts().get("a") == HostState.RELEASED, "a's leases returned");
            assertTrue(other.pool().leases().stream().noneMatch(l -> l.host().equals("a")));
            try (FleetHost a = Ensemble.host(spec, "a").join()) {
                assertEquals(List.of(), a.leases(), "nothing left to re-adopt");
            }
        }
        PoolSpec never = PoolSpec.of(Ensemble.newPath("never"), RANGE, 1024).grace(null);
        try (FleetHost other = Ensemble.host(never, "other").janitorPeriod(Duration.ofMillis(100)).join()) {
            try (FleetHost a = Ensemble.host(never, "a").join()) {
                a.arena().allocate(Request.of(1));
            }
            waitFor(() -> other.pool().hosts().get("a") == HostState.QUARANTINED, "a quarantined");
            Thread.sleep(1500);
            assertEquals(HostState.QUARANTINED, other.pool().hosts().get("a"), "never returned by itself");
            assertEquals(1, other.pool().releaseHost("a"), "an operator returns them");
            assertEquals(HostState.RELEASED, other.pool().hosts().get("a"));
            assertThrows(IllegalStateException.class, () -> other.pool().releaseHost("other"));
        }
    }

    @Test
    void aHostCutOffFromZooKeeperIsFencedAndResumesAfterVerifying() throws Exception {
        try (TestingServer server = new TestingServer()) {
            PoolSpec spec = PoolSpec.of("/fence", RANGE, 1024);
            try (FleetHost a = FleetHost.builder(spec).connect(server.getConnectString()).hostId("a")
                    .sessionTimeout(Duration.ofSeconds(20)).join()) {
                Range first = a.arena().allocate(Request.of(1));
                server.stop();
                waitFor(a::isFenced, "fenced after the connection is lost");
                PoolUnavailableException e = assertThrows(PoolUnavailableException.class,
                        () -> a.arena().allocate(Request.of(1)));
                assertTrue(e.getMessage().contains("host \"a\" is fenced"), e.getMessage());
                assertEquals(1, a.arena().stats().liveAllocations(), "nothing changed");
                a.arena().free(first); // a LEASE_ONLY free is served while fenced
                server.restart();
                assertTrue(a.awaitUnfenced(Duration.ofSeconds(30)), "unfenced after verifying");
                assertNotNull(a.lastRecovery());
                assertTrue(a.arena().allocate(Request.of(1)).size() == 1);
            }
        }
    }

    @Test
    void aHostWhoseLeasesWentBackWhileItWasAwayStaysFenced() throws Exception {
        PoolSpec spec = PoolSpec.of(Ensemble.newPath("lost"), RANGE, 1024).grace(Duration.ZERO);
        try (FleetHost other = Ensemble.host(spec, "other").janitorPeriod(Duration.ofMillis(50)).join();
             FleetHost a = Ensemble.host(spec, "a").join()) {
            a.arena().allocate(Request.of(1));
            AtomicBoolean released = new AtomicBoolean();
            KillSession.kill(a.client().getZookeeperClient().getZooKeeper());
            // The client learns of the expiry asynchronously: until it has (fenced, or already
            // recovered), "not fenced" says nothing about the race below.
            waitFor(() -> a.isFenced() || a.lastRecovery() != null, "a notices its session expired");
            waitFor(() -> {
                released.set(other.pool().leases().stream().noneMatch(l -> l.host().equals("a")));
                return released.get() || !a.isFenced();
            }, "released or re-registered");
            // Either the janitor was first (a stays fenced for good) or a came back first (its lease kept).
            Thread.sleep(1000);
            boolean kept = other.pool().leases().stream().anyMatch(l -> l.host().equals("a"));
            assertEquals(!kept, a.isFenced(), "fenced exactly when its lease was taken back");
            if (!kept) {
                assertThrows(PoolUnavailableException.class, () -> a.arena().allocate(Request.of(1)));
            }
        }
    }

    static void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(50);
        }
    }
}
