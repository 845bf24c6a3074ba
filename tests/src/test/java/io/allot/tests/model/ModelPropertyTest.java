package io.allot.tests.model;

import io.allot.Allocation;
import io.allot.Allocators;
import io.allot.Range;
import io.allot.Request;
import io.allot.tests.model.Op.AddSpan;
import io.allot.tests.model.Op.Allocate;
import io.allot.tests.model.Op.AllocationContaining;
import io.allot.tests.model.Op.Free;
import io.allot.tests.model.Op.FreeContaining;
import io.allot.tests.model.Op.IsFree;
import io.allot.tests.model.Op.Reallocate;
import io.allot.tests.model.Op.Reserve;
import io.allot.tests.model.Op.SnapshotRestore;
import io.allot.tests.model.Op.TryAllocate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.quicktheories.core.Gen;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * The model-based test as a QuickTheories property: short generated operation lists (up to
 * {@value #MAX_STEPS} steps) in tiny spaces, each run against a fresh engine and
 * {@link ReferenceModel} through {@link Harness} with the full check after every operation.
 * QuickTheories shrinks a falsifying list itself (fewer steps, smaller numbers in each), which
 * complements {@link ModelTest}'s long runs and its own {@link Shrinker}.
 *
 * <p>The generated values are {@link Step}s, not operations: a step says "free the k-th live
 * allocation" or "reserve part of the k-th free range", and is resolved into a concrete {@link Op}
 * against the model's state when it runs, so that short random lists still hit live allocations
 * and free ranges, and a step stays meaningful when shrinking removes the steps before it. The
 * failure message lists the resolved operations of the smallest falsifying list as Java.
 *
 * <p>500 examples per engine &times; policy ({@code -Dallot.model.examples=} for more); the
 * QuickTheories seed is derived from {@code -Dallot.seed} (both printed), so a failure replays with
 * the same {@code -Dallot.seed=} and {@code -Dtest=ModelPropertyTest}.
 */
class ModelPropertyTest {

    private static final int EXAMPLES = Integer.getInteger("allot.model.examples", 500);
    private static final int MAX_STEPS = 60;
    private static final long MAX = -1L;

    /** Spaces of a few hundred quanta, so that sixty operations fill them up. */
    static final List<Space> SPACES = List.of(
            new Space("tiny", 1, List.of(Range.of(0x1000, 0x10ff)),
                    List.of(Range.of(0x1100, 0x117f), Range.of(0x800, 0x8ff))),
            new Space("tiny, quantum 0x10, adjacent spans", 0x10, List.of(Range.of(0x10000, 0x107ff),
                    Range.of(0x10800, 0x10fff)), List.of(Range.of(0x11000, 0x113ff))),
            new Space("tiny at the top of 2^64", 1, List.of(Range.of(-0x100L, MAX)),
                    List.of(Range.of(-0x200L, -0x101L))));

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("io.allot.tests.Matrix#enginesAndPolicies")
    void shortGeneratedOperationListsMatchTheModel(String engine, String policy) {
        assumeTrue(ReferenceModel.POLICIES.contains(policy), "the reference model does not know policy " + policy);
        long seed = ModelTest.runSeed(engine, policy) ^ 0x5DEE_CE66_DL;
        long started = System.nanoTime();
        long[] counts = new long[3]; // lists, operations, operations that threw
        qt().withFixedSeed(seed).withExamples(EXAMPLES).withShrinkCycles(2_000)
                .forAll(integers().between(0, SPACES.size() - 1), lists().of(steps()).ofSizeBetween(1, MAX_STEPS))
                .checkAssert((space, steps) -> {
                    counts[0]++;
                    run(engine, policy, SPACES.get(space), steps, counts);
                });
        System.out.printf("ModelPropertyTest %s x %s: %d lists, %d ops (%d threw) in %d ms (QuickTheories seed %d, "
                        + "-Dallot.seed=0x%x)%n", engine, policy, counts[0], counts[1], counts[2],
                (System.nanoTime() - started) / 1_000_000, seed, ModelTest.SEED);
    }

    /** Resolves and applies {@code steps}; on a failure, throws with the resolved operations as Java. */
    private static void run(String engine, String policy, Space space, List<Step> steps, long[] counts) {
        Harness h = new Harness(engine, policy, space);
        Resolver resolver = new Resolver(space, h.model());
        List<Op> ops = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        try {
            h.checkFresh();
            for (Step step : steps) {
                if (step.kind() == Step.SKIP) {
                    continue;
                }
                Op op = resolver.resolve(step);
                ops.add(op);
                Outcome outcome = h.apply(op, ops.size() - 1, true);
                outcomes.add(outcome);
                counts[1]++;
                counts[2] += outcome.thrown() != null ? 1 : 0;
            }
        } catch (ModelFailure failure) {
            throw new AssertionError(engine + " x " + policy + " in space '" + space.name() + "': " + failure.kind
                    + "\n  as Java:\n" + Shrinker.java(ops, outcomes, failure, engine, policy, space)
                    + "\n  " + failure.detail.replace("\n", "\n  ")
                    + "\n  replay: mvn -B verify -pl tests -am -Dtest=ModelPropertyTest "
                    + "-Dsurefire.failIfNoSpecifiedTests=false -Dallot.seed=0x" + Long.toHexString(ModelTest.SEED),
                    failure);
        }
    }

    // ------------------------------------------------------------------ generated steps

    /**
     * One generated step: {@code kind} (1..100) picks the operation, the four parameters its
     * details; all shrink towards 0. Kind {@value #SKIP} does nothing: QuickTheories shrinks each
     * element of a list towards its smallest value far better than it drops elements from the
     * middle, so a step that does not matter to a failure shrinks into a skip, and the printed
     * list leaves skips out.
     */
    record Step(int kind, int a, int b, int c, int d) {
        static final int SKIP = 0;

        @Override
        public String toString() {
            return kind == SKIP ? "skip" : Resolver.name(kind - 1) + "(" + a + ", " + b + ", " + c + ", " + d + ")";
        }
    }

    private static Gen<Step> steps() {
        Gen<Integer> parameter = integers().between(0, 255);
        return integers().between(0, 100).zip(parameter, parameter, parameter, parameter, Step::new);
    }

    /** Turns steps into operations against the model's current state. */
    private static final class Resolver {
        private final Space space;
        private final ReferenceModel model;
        private final long q;
        /** The lowest value of any span, present or to come, and how many quanta up to the highest. */
        private final long base;
        private final long extent;
        private final List<String> policies = Allocators.policies().stream()
                .filter(ReferenceModel.POLICIES::contains).toList();
        private final List<String> engines = Allocators.engines();
        private int tags;

        Resolver(Space space, ReferenceModel model) {
            this.space = space;
            this.model = model;
            this.q = space.quantum();
            List<Range> all = new ArrayList<>(space.spans());
            all.addAll(space.growth());
            long lo = MAX;
            long hi = 0;
            for (Range r : all) {
                lo = Long.compareUnsigned(r.start(), lo) < 0 ? r.start() : lo;
                hi = Long.compareUnsigned(r.end(), hi) > 0 ? r.end() : hi;
            }
            this.base = lo;
            this.extent = Long.divideUnsigned(hi - lo, q) + 1;
        }

        static String name(int kind) {
            return kind < 20 ? "allocate" : kind < 30 ? "tryAllocate" : kind < 40 ? "reserveFree"
                    : kind < 45 ? "reserveAnywhere" : kind < 60 ? "freeLive" : kind < 65 ? "freeNotAllocation"
                    : kind < 73 ? "freeContaining" : kind < 80 ? "reallocate" : kind < 85 ? "isFree"
                    : kind < 90 ? "allocationContaining" : kind < 95 ? "addSpan" : "snapshotRestore";
        }

        Op resolve(Step s) {
            List<Allocation> live = model.allocations();
            List<Range> free = model.freeRanges();
            int k = s.kind() - 1;
            if (k < 20) {
                return new Allocate(request(s), policy(s.d()));
            } else if (k < 30) {
                return new TryAllocate(request(s), policy(s.d()));
            } else if (k < 40) {
                if (free.isEmpty()) {
                    return new Reserve(anywhere(s.a(), s.b()), tag(s.d()));
                }
                Range seg = free.get(s.a() % free.size());
                long quanta = Long.divideUnsigned(seg.size(), q);
                long first = s.b() % quanta;
                long count = 1 + s.c() % Math.min(quanta - first, 32);
                return new Reserve(Range.ofSize(seg.start() + first * q, count * q), tag(s.d()));
            } else if (k < 45) {
                Range r = anywhere(s.a(), s.b());
                if (q > 1 && s.c() % 4 == 3) {
                    r = Range.of(r.start() + 1, r.end()); // off the quantum
                }
                return new Reserve(r, tag(s.d()));
            } else if (k < 60) {
                return new Free(live.isEmpty() ? anywhere(s.a(), s.b()) : live.get(s.a() % live.size()).range());
            } else if (k < 65) {
                if (live.isEmpty()) {
                    return new Free(anywhere(s.a(), s.b()));
                }
                return new Free(notQuite(live.get(s.a() % live.size()).range(), s.b(), s.c()));
            } else if (k < 73) {
                return new FreeContaining(value(live, s));
            } else if (k < 80) {
                Range old = live.isEmpty() ? anywhere(s.a(), s.b()) : live.get(s.a() % live.size()).range();
                return new Reallocate(old, Request.of((1 + s.b() % 32) * q - (s.c() % 2) * (q / 2)).tagged(tag(s.d())));
            } else if (k < 85) {
                return new IsFree(anywhere(s.a(), s.b()));
            } else if (k < 90) {
                return new AllocationContaining(value(live, s));
            } else if (k < 95) {
                List<Range> growth = space.growth();
                return new AddSpan(growth.isEmpty() || s.a() % 4 == 3 ? anywhere(s.b(), s.c())
                        : growth.get(s.a() % growth.size()));
            }
            return new SnapshotRestore(engines.get(s.a() % engines.size()));
        }

        /** A request of 1 to 48 quanta (now and then just under), with one constraint picked by {@code c}. */
        private Request request(Step s) {
            long size = (1 + s.a() % 48) * q - (q > 1 && s.d() % 8 == 7 ? q / 2 : 0);
            long alignment = q << (s.b() % 5);
            Request r = Request.of(size).aligned(alignment);
            int p = s.c() / 4;
            switch (s.c() % 4) {
                case 1:
                    r = r.phase((p % (alignment / q)) * q);
                    break;
                case 2: {
                    long rounded = (size + q - 1) / q * q;
                    long noCross = Long.highestOneBit(rounded) == rounded ? rounded : Long.highestOneBit(rounded) << 1;
                    r = r.noCross(noCross << (p % 3));
                    break;
                }
                case 3: {
                    long lo = base + (p % extent) * q;
                    long span = (s.d() % 64 + 1) * q + size;
                    long hi = Long.compareUnsigned(lo + span - 1, lo) < 0 ? MAX : lo + span - 1;
                    r = r.within(lo, hi);
                    break;
                }
                default:
                    break;
            }
            return r.tagged(tag(s.d()));
        }

        private String policy(int d) {
            int i = d % (policies.size() + 1);
            return i == 0 ? null : policies.get(i - 1);
        }

        private String tag(int d) {
            return d % 2 == 0 ? null : "t" + (tags++);
        }

        /** 1 to 16 quanta starting {@code a} quanta above the base, wrapping within the extent. */
        private Range anywhere(int a, int b) {
            long start = base + (a % extent) * q;
            long size = (1 + b % 16) * q;
            long end = start + size - 1;
            return Long.compareUnsigned(end, start) < 0 ? Range.of(start, MAX) : Range.of(start, end);
        }

        /** A part or a superset of the allocation {@code r}, by up to two quanta at either end; never {@code r}. */
        private Range notQuite(Range r, int b, int c) {
            long lo = r.start();
            long hi = r.end();
            long down = (b % 3) * q;
            if (Long.compareUnsigned(lo, down) >= 0) {
                lo -= down;
            }
            if (c % 3 == 0 && Long.compareUnsigned(r.size(), q) > 0) {
                hi -= q;
            } else if (c % 3 == 2 && hi != MAX) {
                hi += q;
            }
            if (lo != r.start() || hi != r.end()) {
                return Range.of(lo, hi);
            }
            return r.end() != MAX ? Range.of(r.start(), r.end() + q) : Range.of(r.start() - q, r.end());
        }

        private long value(List<Allocation> live, Step s) {
            if (!live.isEmpty() && s.c() % 4 != 3) {
                Range r = live.get(s.a() % live.size()).range();
                return r.start() + Long.remainderUnsigned(s.b(), r.size());
            }
            return base + (s.a() % extent) * q + s.b() % q;
        }
    }
}
