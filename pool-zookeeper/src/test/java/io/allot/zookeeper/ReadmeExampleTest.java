package io.allot.zookeeper;

import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "Fleet-wide pools" example, as printed there (between the markers), on the
 * embedded server it starts when given no connect string; then what the README says it does.
 */
class ReadmeExampleTest {

    @Test
    void theReadmeExampleRunsAsDescribed() throws Exception {
        long first;
        long writes;
        long leasesTaken;
        List<Range> leases;
        String engine;
        // README example begins
        PoolSpec vnis = PoolSpec.of("/allot/vni", Range.of(0, 0xFF_FFFF), 1024)
                .durability(Durability.LEASE_ONLY);           // the default; COMMIT_EACH writes every id
        try (FleetHost host = FleetHost.builder(vnis)
                .hostId("controller-1")                       // stable: a restarted host re-adopts its blocks
                .engine("bitmap")                             // ids inside a leased block: in memory
                .join()) {                                    // no connect(...): ZooKeeper inside this JVM
            ResourceAllocator arena = host.arena();
            long vni = arena.allocate(Request.of(1)).start(); // leases one block of 1024: one ZooKeeper write
            for (int i = 1; i < 1000; i++) {
                arena.allocate(Request.of(1));                // from the same block: no write
            }
            arena.free(Range.of(vni, vni));
            System.out.println(host.leases() + ", " + host.writes() + " writes"); // e.g. [[0xa7b000, 0xa7b3ff]], 2 writes
            // README example ends
            first = vni;
            writes = host.writes();
            leasesTaken = host.leasesTaken();
            leases = host.leases();
            engine = arena.engine();
            assertEquals(999, arena.stats().liveAllocations());
            host.leave();
        }
        assertEquals(1, leasesTaken, "1000 ids, one lease");
        assertEquals(2, writes, "1000 ids, two writes: the registration and the lease");
        assertEquals(1, leases.size());
        assertEquals(1024, leases.get(0).size());
        assertTrue(leases.get(0).contains(Range.of(first, first)), leases + " holds " + first);
        assertEquals("bitmap", engine);
    }
}
