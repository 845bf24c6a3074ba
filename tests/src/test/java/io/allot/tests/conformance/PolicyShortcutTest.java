package io.allot.tests.conformance;

import io.allot.Allocation;
import io.allot.Allocators;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.spi.AllocationPolicy;
import io.allot.spi.FreeSpace;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

import static io.allot.tests.conformance.AllocatorState.freeRangesOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * An allocator may place a request for a standard policy without calling the policy, when it
 * knows what the policy would answer (first-match, last-match, next-fit, best-fit, instant-fit:
 * the core search the policy asks for, allocated where that search ended). This suite proves the shortcut invisible:
 * on every engine, an allocator given the policy itself and one given a wrapper that only
 * forwards to it — which no allocator can recognise, so it is always asked — make the same
 * placements and the same refusals over a long seeded run of constrained requests, frees and
 * reallocations, and end in the same state. Any policy is checked the same way, recognised or not.
 */
class PolicyShortcutTest {

    private static final Range LOW = Range.of(0x1000, 0x4fff);
    private static final Range HIGH = Range.of(0x5000, 0x5fff); // adjacent: placements never cross

    /** A policy that forwards to {@code policy}: the same choices, but never recognised. */
    private static AllocationPolicy forwarding(AllocationPolicy policy) {
        return new AllocationPolicy() {
            @Override
            public String name() {
                return policy.name();
            }

            @Override
            public Optional<Range> place(Request request, FreeSpace free) {
                return policy.place(request, free);
            }

            @Override
            public boolean advancesRotor() {
                return policy.advancesRotor();
            }
        };
    }

    private static ResourceAllocator build(String engine, AllocationPolicy policy, long quantum) {
        return Allocators.builder().engine(engine).policy(policy).quantum(quantum).span(LOW).span(HIGH).build();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.allot.tests.Matrix#enginesAndPolicies")
    void knownPoliciesPlaceExactlyAsAskingThemWould(String engine, String policyName) {
        for (long quantum : new long[] {1, 0x10}) {
            long seed = Long.getLong("allot.seed", System.nanoTime());
            try {
                run(engine, Allocators.policy(policyName), quantum, new SplittableRandom(seed));
            } catch (AssertionError | RuntimeException e) {
                fail("seed " + seed + " (replay with -Dallot.seed=" + seed + "), quantum " + quantum + ": " + e, e);
            }
        }
    }

    private static void run(String engine, AllocationPolicy policy, long quantum, SplittableRandom random) {
        AllocationPolicy asked = forwarding(policy);
        // One allocator uses the policy as its default, the other is asked through the wrapper; a
        // third pair passes the policies per call, so both of placeHere's lookups are covered.
        ResourceAllocator direct = build(engine, policy, quantum);
        ResourceAllocator viaPolicy = build(engine, asked, quantum);
        ResourceAllocator perCall = build(engine, policy, quantum);
        ResourceAllocator perCallAsked = build(engine, asked, quantum);
        List<Range> live = new ArrayList<>();
        for (int op = 0; op < 3_000; op++) {
            int dice = random.nextInt(10);
            if (dice < 6 || live.isEmpty()) {
                Request request = randomRequest(random, quantum);
                Optional<Range> expected = viaPolicy.tryAllocate(request);
                String at = "operation " + op + ", " + request;
                assertEquals(expected, direct.tryAllocate(request), at);
                assertEquals(expected, perCall.tryAllocate(request, policy), at + " (per call)");
                assertEquals(expected, perCallAsked.tryAllocate(request, asked), at + " (per call, asked)");
                expected.ifPresent(live::add);
            } else if (dice < 9) {
                Range victim = live.remove(random.nextInt(live.size()));
                direct.free(victim);
                viaPolicy.free(victim);
                perCall.free(victim);
                perCallAsked.free(victim);
            } else {
                int i = random.nextInt(live.size());
                Range old = live.get(i);
                Request request = randomRequest(random, quantum);
                String at = "operation " + op + ", reallocate " + old + " to " + request;
                Outcome expected = Outcome.of(() -> viaPolicy.reallocate(old, request));
                assertEquals(expected, Outcome.of(() -> direct.reallocate(old, request)), at);
                assertEquals(expected, Outcome.of(() -> perCall.reallocate(old, request)), at);
                assertEquals(expected, Outcome.of(() -> perCallAsked.reallocate(old, request)), at);
                if (expected.value() instanceof Range moved) {
                    live.set(i, moved);
                }
            }
        }
        for (ResourceAllocator other : List.of(direct, perCall, perCallAsked)) {
            assertEquals(allocationsOf(viaPolicy), allocationsOf(other), "allocations");
            assertEquals(freeRangesOf(viaPolicy), freeRangesOf(other), "free ranges");
            assertEquals(viaPolicy.stats(), other.stats(), "stats");
        }
    }

    /** Sizes up to a few quanta and beyond, alignments, phases, no-cross boundaries, windows, tags. */
    private static Request randomRequest(SplittableRandom random, long quantum) {
        long size = 1 + random.nextInt(random.nextInt(4) == 0 ? 0x400 : 0x40);
        Request r = Request.of(size).aligned(1L << random.nextInt(9));
        if (random.nextInt(4) == 0) {
            r = r.phase(random.nextLong(r.alignment()) & -quantum); // a phase must be on the quantum
        }
        if (random.nextInt(5) == 0) {
            r = r.noCross(Math.max(0x100, Long.highestOneBit(size + 0xf) << 1));
        }
        if (random.nextInt(4) == 0) {
            long a = LOW.start() + random.nextLong(HIGH.end() - LOW.start() + 1);
            long b = LOW.start() + random.nextLong(HIGH.end() - LOW.start() + 1);
            // Bounded on both sides, or open above or below: each bound alone must defeat a shortcut.
            int open = random.nextInt(3);
            r = r.within(open == 1 ? 0 : Math.min(a, b), open == 2 ? -1L : Math.max(a, b));
        }
        if (random.nextInt(6) == 0) {
            r = r.tagged("t" + random.nextInt(100));
        }
        return r;
    }

    private static List<Allocation> allocationsOf(ResourceAllocator allocator) {
        List<Allocation> out = new ArrayList<>();
        allocator.forEachAllocated(out::add);
        return out;
    }

    /** A value or the class of what was thrown, for comparing outcomes. */
    private record Outcome(Object value) {
        static Outcome of(java.util.function.Supplier<?> call) {
            try {
                return new Outcome(call.get());
            } catch (RuntimeException e) {
                return new Outcome(e.getClass());
            }
        }
    }
}
