package io.allot.tests.conformance;

import io.allot.Allocation;
import io.allot.AllocatorStats;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.spi.AllocationPolicy;
import io.allot.spi.FreeSpace;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Everything observable about an allocator through its API, captured so that a test can prove a
 * failed call left it "exactly as it was" (DESIGN.md: allocations, free ranges and statistics,
 * except that {@code failedAllocations} counts the failure). The next-fit rotor is checked
 * separately where it matters, with a probe policy.
 */
record AllocatorState(List<Allocation> allocations, List<Range> free, List<Range> spans, AllocatorStats stats) {

    static AllocatorState of(ResourceAllocator allocator) {
        return new AllocatorState(allocationsOf(allocator), freeRangesOf(allocator), allocator.spans(),
                allocator.stats());
    }

    /** Asserts that {@code allocator} is as captured, with {@code moreFailures} more failed allocations. */
    void assertUnchanged(ResourceAllocator allocator, long moreFailures) {
        AllocatorState now = of(allocator);
        assertEquals(allocations, now.allocations, "live allocations changed");
        assertEquals(free, now.free, "free ranges changed");
        assertEquals(spans, now.spans, "spans changed");
        AllocatorStats expected = new AllocatorStats(stats.capacity(), stats.allocated(), stats.free(),
                stats.liveAllocations(), stats.freeSegments(), stats.largestFree(), stats.totalAllocations(),
                stats.totalFrees(), stats.failedAllocations() + moreFailures, stats.imported());
        assertEquals(expected, now.stats, "stats changed");
    }

    /** The maximal free ranges, as {@code forEachFree} visits them. */
    static List<Range> freeRangesOf(ResourceAllocator allocator) {
        List<Range> free = new ArrayList<>();
        allocator.forEachFree(free::add);
        return free;
    }

    /** The live allocations, as {@code forEachAllocated} visits them. */
    static List<Allocation> allocationsOf(ResourceAllocator allocator) {
        List<Allocation> live = new ArrayList<>();
        allocator.forEachAllocated(live::add);
        return live;
    }

    /**
     * The allocator's next-fit rotor, read through a policy that looks at {@link FreeSpace#rotor()}
     * and places nothing. The probe is an empty {@code tryAllocate}, so it adds one to
     * {@code failedAllocations} and changes nothing else.
     */
    static long rotorOf(ResourceAllocator allocator) {
        RotorProbe probe = new RotorProbe();
        allocator.tryAllocate(Request.of(1), probe);
        if (!probe.called) {
            throw new AssertionError("the engine did not consult the probe policy");
        }
        return probe.rotor;
    }

    /** Reads the rotor, places nothing. */
    private static final class RotorProbe implements AllocationPolicy {
        long rotor;
        boolean called;

        @Override
        public String name() {
            return "rotor-probe";
        }

        @Override
        public Optional<Range> place(Request request, FreeSpace free) {
            rotor = free.rotor();
            called = true;
            return Optional.empty();
        }
    }
}
