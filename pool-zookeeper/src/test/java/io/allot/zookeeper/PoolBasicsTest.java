package io.allot.zookeeper;

import io.allot.Allocation;
import io.allot.Allocators;
import io.allot.ExhaustedException;
import io.allot.NotAllocatedException;
import io.allot.OverlapException;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PoolBasicsTest {

    private static PoolSpec spec(String name) {
        return PoolSpec.of(Ensemble.newPath(name), Range.of(0x1000, 0x1000 + 16 * 1024 - 1), 1024);
    }

    @Test
    void anArenaLeasesOneBlockAndHandsOutItsIdsWithoutFurtherWrites() throws Exception {
        try (FleetHost a = Ensemble.host(spec("one"), "a").join()) {
            long before = a.writes();
            Range first = a.arena().allocate(Request.of(1));
            assertEquals(1, a.writes() - before, "one transaction: the lease");
            for (int i = 1; i < 1024; i++) {
                a.arena().allocate(Request.of(1));
            }
            assertEquals(1, a.writes() - before, "1024 ids, still one transaction");
            List<Lease> leases = a.pool().leases();
            assertEquals(1, leases.size());
            assertEquals("a", leases.get(0).host());
            assertTrue(leases.get(0).range().contains(first));
            assertEquals(1024, leases.get(0).range().size());
            assertEquals(a.leases(), List.of(leases.get(0).range()));
            a.arena().allocate(Request.of(1));
            assertEquals(2, a.pool().leases().size(), "the 1025th id leases a second block");
        }
    }

    @Test
    void twoHostsNeverShareABlockOrAValue() throws Exception {
        PoolSpec spec = spec("two");
        try (FleetHost a = Ensemble.host(spec, "a").join(); FleetHost b = Ensemble.host(spec, "b").join()) {
            List<Range> fromA = new ArrayList<>();
            List<Range> fromB = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                fromA.add(a.arena().allocate(Request.of(1)));
                fromB.add(b.arena().allocate(Request.of(1)));
            }
            for (Range x : fromA) {
                assertTrue(b.arena().isFree(x) || b.arena().allocationContaining(x.start()).isEmpty());
                assertEquals("a", a.pool().allocationContaining(x.start()).orElseThrow().tag());
            }
            for (Range x : fromB) {
                assertEquals("b", a.pool().allocationContaining(x.start()).orElseThrow().tag());
            }
            assertEquals(6, a.pool().leases().size());
        }
    }

    @Test
    void thePoolIsAResourceAllocatorOfLeases() throws Exception {
        PoolSpec spec = spec("contract");
        try (FleetHost a = Ensemble.host(spec, "a").join(); FleetHost b = Ensemble.host(spec, "b").join()) {
            ZooKeeperPool pa = a.pool();
            ZooKeeperPool pb = b.pool();
            assertEquals(1024, pa.quantum());
            assertEquals("zookeeper", pa.engine());
            assertEquals(List.of(spec.range()), pa.spans());
            Range two = pa.allocate(Request.of(1500));
            assertEquals(2048, two.size(), "rounded up to whole blocks");
            assertEquals(0, two.start() & 1023);
            Range reserved = pb.reserve(Range.of(0x1000 + 15 * 1024, 0x1000 + 16 * 1024 - 1));
            assertEquals(new Allocation(reserved, "b"), pa.allocationContaining(reserved.end()).orElseThrow());

            OverlapException overlap = assertThrows(OverlapException.class, () -> pa.reserve(reserved));
            assertTrue(overlap.getMessage().contains("leased by b"), overlap.getMessage());
            NotAllocatedException other = assertThrows(NotAllocatedException.class, () -> pa.free(reserved));
            assertTrue(other.getMessage().contains("leased by host \"b\""), other.getMessage());
            NotAllocatedException part = assertThrows(NotAllocatedException.class,
                    () -> pa.free(Range.ofSize(two.start(), 1024)));
            assertTrue(part.getMessage().contains("lies inside " + two), part.getMessage());
            assertThrows(IllegalArgumentException.class, () -> pa.allocate(Request.of(1).tagged("b")));
            assertThrows(IllegalArgumentException.class, () -> pa.reserve(Range.of(0x1000, 0x1000 + 1022)));
            assertThrows(IllegalArgumentException.class, () -> pa.reserve(Range.of(0, 1023)));
            assertThrows(UnsupportedOperationException.class, () -> pa.addSpan(Range.of(1 << 30, (1 << 30) + 1023)));
            assertThrows(ExhaustedException.class, () -> pa.allocate(Request.of(1 << 20)));

            var stats = pa.stats();
            assertEquals(16 * 1024, stats.capacity());
            assertEquals(3 * 1024, stats.allocated());
            assertEquals(2, stats.liveAllocations());
            List<Range> free = new ArrayList<>();
            pa.forEachFree(free::add);
            long freeUnits = free.stream().mapToLong(Range::size).sum();
            assertEquals(stats.free(), freeUnits);

            ByteArrayOutputStream image = new ByteArrayOutputStream();
            pa.writeSnapshot(image);
            ResourceAllocator copy = Allocators.restore(new ByteArrayInputStream(image.toByteArray()));
            List<Allocation> leases = new ArrayList<>();
            pa.forEachAllocated(leases::add);
            List<Allocation> restored = new ArrayList<>();
            copy.forEachAllocated(restored::add);
            assertEquals(leases, restored);

            Range moved = pa.reallocate(two, Request.of(1024));
            assertEquals(1024, moved.size());
            pa.free(moved);
            pb.free(reserved);
            assertTrue(pa.isFree(spec.range()));
            assertEquals(0, pa.stats().liveAllocations());
        }
    }

    @Test
    void aBlockFreedByTheArenaIsKeptAsASpareThenReturned() throws Exception {
        PoolSpec spec = spec("spares");
        try (FleetHost a = Ensemble.host(spec, "a").spareLeases(1).join()) {
            Range x = a.arena().allocate(Request.of(1));
            a.arena().free(x);
            assertEquals(1, a.pool().leases().size(), "kept as a spare");
            long writes = a.writes();
            for (int i = 0; i < 100; i++) {
                a.arena().free(a.arena().allocate(Request.of(1)));
            }
            assertEquals(writes, a.writes(), "hovering at a block boundary costs no write");
            List<Range> ids = new ArrayList<>();
            for (int i = 0; i < 2048; i++) {
                ids.add(a.arena().allocate(Request.of(1)));
            }
            assertEquals(2, a.pool().leases().size());
            ids.forEach(a.arena()::free);
            assertEquals(1, a.pool().leases().size(), "one spare kept, the other returned");
        }
        try (FleetHost a = Ensemble.host(spec, "a2").spareLeases(0).join()) {
            a.arena().free(a.arena().allocate(Request.of(1)));
            assertFalse(a.pool().leases().stream().anyMatch(l -> l.host().equals("a2")));
        }
    }
}
