package io.allot.tests.model;

import io.allot.Allocation;
import io.allot.AllocatorStats;
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

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static io.allot.tests.model.ReferenceModel.l;
import static io.allot.tests.model.ReferenceModel.u;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Randomised model-based test: long runs of random mixed operations applied both to a real
 * allocator and to {@link ReferenceModel}, compared after every single operation by
 * {@link Harness}; on a failure, the operation list is shrunk and printed as Java.
 *
 * <p><b>Operations.</b> Per engine &times; default policy, {@code allot.model.ops} operations
 * (default 100,000, set in the root pom) are spread over the {@link #SPACES}: small spaces,
 * adjacent spans, a space starting at 0, spaces ending at 2<sup>64</sup>&minus;1, quanta of 0x10
 * and 0x1000, spans added while running (and one refused because it would complete all
 * 2<sup>64</sup> values), and quanta of 2<sup>48</sup> and 2<sup>52</sup> whose few thousand units
 * make sizes and spans past 2<sup>63</sup>. Every space is a few thousand quanta so that it fills up
 * and allocations fail often; a run alternates between filling and draining phases. The mix:
 * allocate and tryAllocate with random constraints and policies, reserve, free, freeContaining,
 * reallocate, isFree, allocationContaining, addSpan, and, at about 0.5% of operations, a
 * {@link SnapshotRestore}: the allocator writes a snapshot, it is restored into a randomly chosen
 * installed engine, and the run goes on with the restored allocator against the unchanged model,
 * so a restore must be invisible to every later check (next-fit placements that depend on the
 * rotor, every stats counter). Each space's run also ends with a snapshot restore followed by
 * {@value #TAIL} more operations, all fully checked.
 *
 * <p><b>Checks, and the trade-off.</b> After every operation, {@link Harness} checks the cheap
 * things: the result (value or exception class) equals the model's &mdash; exactly for
 * first-match, last-match, next-fit and best-fit, and for instant-fit when the request is
 * constrained; an unconstrained instant-fit placement must lie in a free segment of the size class
 * the contract names (the model then adopts it) &mdash; every placement satisfies its request and
 * has the rounded size, all ten {@link AllocatorStats} fields equal the model's, and
 * {@code allocationContaining} and {@code isFree} at and around every range the operation touched
 * equal the model's. The full lists ({@code forEachAllocated} with tags, {@code forEachFree},
 * {@code spans()}) and the rotor and counters read from a snapshot are compared every
 * {@code allot.model.fullCheckEvery} operations (default {@value #DEFAULT_FULL_CHECK_EVERY}), after
 * every restore, and at the end of every space, because those comparisons are linear in the number
 * of allocations and would dominate the run. What this gives up: a divergence that shows
 * <em>only</em> in the lists, leaves every stats field and every probe equal, and heals itself
 * within those few operations, is missed. Anything that persists is caught at the next full check
 * at the latest, and anything that changes a result, a count, a total, the number or the largest of
 * the free segments is caught at once. Replays (and so shrinking) check everything after every
 * operation, and {@code -Dallot.model.fullCheckEvery=1} does the same in a normal run.
 *
 * <p><b>Replay and shrinking.</b> The seed comes from {@code -Dallot.seed=} (decimal or 0x-hex) or is
 * random, and is printed for every engine &times; policy. Every space's operations are recorded as
 * data ({@link Op}); on a failure, {@link Shrinker} replays them against a fresh engine and model
 * and shrinks them (delta debugging, then simpler single operations) for at most
 * {@code allot.model.shrinkSeconds} (default 30) while the replay fails with the same kind of
 * disagreement. The failure message gives the seed, the command that replays the run, the index of
 * the operation the run failed at, and the shrunk list as Java statements ready to paste into a
 * test, followed by both failures' details.
 *
 * <p><b>Soak.</b> {@code mvn -B verify -pl tests -am -Dtest=ModelTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dallot.model.ops=10000000} (add
 * {@code -Dallot.model.fullCheckEvery=1} for the strictest checks, {@code -Dallot.seed=...} to
 * replay): about 3 minutes per engine &times; policy on a 2-core machine (interval engine).
 */
class ModelTest {

    private static final long OPS = Long.getLong("allot.model.ops", 100_000L);
    static final int DEFAULT_FULL_CHECK_EVERY = 4;
    private static final int FULL_CHECK_EVERY = Math.max(1, Integer.getInteger("allot.model.fullCheckEvery",
            DEFAULT_FULL_CHECK_EVERY));
    private static final long SHRINK_NANOS = TimeUnit.SECONDS.toNanos(Long.getLong("allot.model.shrinkSeconds", 30L));
    static final long SEED = initialSeed();
    /** Operations run after each space's final snapshot restore, all fully checked. */
    private static final int TAIL = 32;
    /** One operation in this many is a snapshot restore (about 0.5%). */
    private static final int RESTORE_ONE_IN = 200;
    private static final long MAX = -1L;

    static final List<Space> SPACES = List.of(
            new Space("small", 1, List.of(Range.of(0x1000, 0x1fff)), List.of()),
            new Space("adjacent spans", 1,
                    List.of(Range.of(0x10000, 0x103ff), Range.of(0x10400, 0x107ff), Range.of(0x10800, 0x108ff),
                            Range.of(0x20000, 0x201ff)),
                    List.of(Range.of(0x10900, 0x109ff), Range.of(0xff00, 0xffff))),
            new Space("from zero", 1, List.of(Range.of(0, 0x7ff), Range.of(0x800, 0xbff)),
                    List.of(Range.of(0x1000, 0x10ff))),
            new Space("top of 2^64", 1,
                    List.of(Range.of(0xffff_ffff_ffff_f800L, MAX), Range.of(0xffff_ffff_ffff_f000L, 0xffff_ffff_ffff_f7ffL)),
                    List.of(Range.of(0xffff_ffff_ffff_e000L, 0xffff_ffff_ffff_efffL))),
            new Space("quantum 0x10", 0x10,
                    List.of(Range.of(0x10_0000, 0x10_7fff), Range.of(0x10_8000, 0x10_bfff)),
                    List.of(Range.of(0x12_0000, 0x12_7fff))),
            new Space("quantum 0x10 at the top", 0x10,
                    List.of(Range.of(0xffff_ffff_ffff_8000L, MAX)),
                    List.of(Range.of(0xffff_ffff_ffff_4000L, 0xffff_ffff_ffff_7fffL))),
            new Space("pages from zero", 0x1000, List.of(Range.of(0, 0xff_ffff)),
                    List.of(Range.of(0x100_0000, 0x13f_ffff))),
            new Space("grown from nothing", 1, List.of(),
                    List.of(Range.of(0x4000, 0x43ff), Range.of(0x4400, 0x44ff), Range.of(0x3000, 0x3fff))),
            // Few quanta, but sizes and spans past 2^63: unsigned arithmetic all the way up.
            new Space("quantum 2^52, nearly all of 2^64", 1L << 52,
                    List.of(Range.of(1L << 52, Long.MAX_VALUE), Range.of(Long.MIN_VALUE, MAX)),
                    List.of(Range.of(0, (1L << 52) - 1))), // refused: the spans would hold all 2^64 values
            new Space("quantum 2^48 from zero", 1L << 48, List.of(Range.of(0, (1L << 60) - 1)),
                    List.of(Range.of(1L << 62, (1L << 62) + (1L << 58) - 1))));

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("io.allot.tests.Matrix#enginesAndPolicies")
    void randomOperationsMatchTheReferenceModel(String engine, String policy) {
        assumeTrue(ReferenceModel.POLICIES.contains(policy), "the reference model does not know policy " + policy);
        long runSeed = runSeed(engine, policy);
        int perSpace = Math.toIntExact(Math.max(1, OPS / SPACES.size()));
        long started = System.nanoTime();
        long ops = 0;
        long restores = 0;
        long fullChecks = 0;
        for (int s = 0; s < SPACES.size(); s++) {
            Space space = SPACES.get(s);
            Run run = new Run(engine, policy, space, new SplittableRandom(spaceSeed(runSeed, s)), perSpace);
            try {
                run.run();
            } catch (ModelFailure failure) {
                throw report(engine, policy, space, run, failure);
            }
            ops += run.recorded.size();
            restores += run.harness.restores();
            fullChecks += run.harness.fullChecks();
        }
        System.out.printf("ModelTest %s x %s: %d ops (%d snapshot restores, %d full checks) in %d ms "
                        + "(-Dallot.seed=0x%x)%n", engine, policy, ops, restores, fullChecks,
                (System.nanoTime() - started) / 1_000_000, SEED);
    }

    /** Shrinks the run's recorded operations and builds the failure to report. */
    private static AssertionError report(String engine, String policy, Space space, Run run, ModelFailure failure) {
        Shrinker.Result shrunk = Shrinker.shrink(engine, policy, space, run.recorded, SHRINK_NANOS);
        StringBuilder sb = new StringBuilder();
        sb.append("ModelTest ").append(engine).append(" x ").append(policy).append(" in space '").append(space.name())
                .append("' (quantum 0x").append(Long.toHexString(space.quantum())).append("): ").append(failure.kind);
        sb.append("\n  seed: 0x").append(Long.toHexString(SEED)).append(" (run seed 0x")
                .append(Long.toHexString(runSeed(engine, policy))).append(')');
        sb.append("\n  replay: ").append(replayCommand());
        sb.append("\n  the run failed at op #").append(failure.index).append(" of ").append(run.ops)
                .append(" in this space (full lists checked every ").append(FULL_CHECK_EVERY).append(" ops)");
        sb.append("\n  ").append(shrunk.summary());
        if (shrunk.reproduced()) {
            sb.append("\n  minimal failing operation list (").append(shrunk.failure().kind).append("):\n")
                    .append(Shrinker.java(shrunk, engine, policy, space));
            sb.append("\n  the shrunk list fails with: ").append(shrunk.failure().detail.replace("\n", "\n  "));
        }
        sb.append("\n  the run failed with: ").append(failure.getMessage().replace("\n", "\n  "));
        System.out.println(sb);
        AssertionError error = new AssertionError(sb.toString());
        error.initCause(failure);
        return error;
    }

    static String replayCommand() {
        return "mvn -B verify -pl tests -am -Dtest=ModelTest -Dsurefire.failIfNoSpecifiedTests=false -Dallot.seed=0x"
                + Long.toHexString(SEED) + " -Dallot.model.ops=" + OPS
                + (FULL_CHECK_EVERY == DEFAULT_FULL_CHECK_EVERY ? "" : " -Dallot.model.fullCheckEvery=" + FULL_CHECK_EVERY);
    }

    // ------------------------------------------------------------------ one run in one space

    /** Generates random operations from the model's state, records them, and applies them through a {@link Harness}. */
    private static final class Run {

        private final SplittableRandom rnd;
        private final int ops;
        private final long quantum;
        private final Harness harness;
        private final ReferenceModel model;
        private final List<String> knownPolicies;
        private final List<String> engines = Allocators.engines();
        private final List<Range> allSpans = new ArrayList<>();
        private final Deque<Range> growth;
        private final List<Range> recentlyFreed = new ArrayList<>();
        /** Every operation applied so far, in order: what the shrinker replays. */
        final List<Op> recorded = new ArrayList<>();
        private boolean draining;
        private int tags;

        Run(String engine, String policy, Space space, SplittableRandom rnd, int ops) {
            this.rnd = rnd;
            this.ops = ops;
            this.quantum = space.quantum();
            this.harness = new Harness(engine, policy, space);
            this.model = harness.model();
            this.knownPolicies = Allocators.policies().stream().filter(ReferenceModel.POLICIES::contains).toList();
            allSpans.addAll(space.spans());
            allSpans.addAll(space.growth());
            this.growth = new ArrayDeque<>(space.growth());
        }

        void run() {
            harness.checkFresh(); // a fresh allocator is all free
            for (int i = 0; i < ops; i++) {
                if (rnd.nextInt(400) == 0) {
                    draining = !draining;
                }
                execute(nextOp(), (i + 1) % FULL_CHECK_EVERY == 0 || i == ops - 1);
            }
            execute(new SnapshotRestore(pick(engines)), true);
            for (int i = 0; i < TAIL; i++) {
                execute(nextOp(), true);
            }
        }

        private void execute(Op op, boolean full) {
            recorded.add(op);
            Outcome actual = harness.apply(op, recorded.size() - 1, full);
            if (actual.thrown() == null) {
                if (op instanceof Free f) {
                    freed(f.range());
                } else if (op instanceof FreeContaining) {
                    freed((Range) actual.value());
                } else if (op instanceof Reallocate r && !r.old().equals(actual.value())) {
                    freed(r.old());
                }
            }
        }

        private void freed(Range range) {
            if (recentlyFreed.size() == 64) {
                recentlyFreed.remove(rnd.nextInt(64));
            }
            recentlyFreed.add(range);
        }

        // -------------------------------------------------------------- generation

        private Op nextOp() {
            if (rnd.nextInt(RESTORE_ONE_IN) == 0) {
                return new SnapshotRestore(pick(engines));
            }
            int roll = rnd.nextInt(1000);
            if (draining) {
                if (roll < 100) {
                    return new Allocate(randomRequest(), randomPolicy());
                } else if (roll < 140) {
                    return new TryAllocate(randomRequest(), randomPolicy());
                } else if (roll < 170) {
                    return reserve();
                } else if (roll < 620) {
                    return new Free(freeTarget(80));
                } else if (roll < 820) {
                    return new FreeContaining(valueToLookUp());
                } else if (roll < 880) {
                    return reallocate();
                } else if (roll < 940) {
                    return new IsFree(rangeToTest());
                }
                return new AllocationContaining(valueToLookUp());
            }
            if (roll < 300) {
                return new Allocate(randomRequest(), randomPolicy());
            } else if (roll < 400) {
                return new TryAllocate(randomRequest(), randomPolicy());
            } else if (roll < 500) {
                return reserve();
            } else if (roll < 680) {
                return new Free(freeTarget(55));
            } else if (roll < 750) {
                return new FreeContaining(valueToLookUp());
            } else if (roll < 830) {
                return reallocate();
            } else if (roll < 900) {
                return new IsFree(rangeToTest());
            } else if (roll < 970) {
                return new AllocationContaining(valueToLookUp());
            } else if (roll < 980) {
                return addSpan();
            }
            return new Allocate(randomRequest(), null);
        }

        private String randomPolicy() {
            return rnd.nextInt(10) < 7 || knownPolicies.isEmpty() ? null
                    : knownPolicies.get(rnd.nextInt(knownPolicies.size()));
        }

        private String randomTag() {
            return rnd.nextBoolean() ? null : "t" + (tags++);
        }

        private Request randomRequest() {
            long size = randomSize();
            long alignment = 1;
            int roll = rnd.nextInt(100);
            if (roll < 35) {
                alignment = 1L << rnd.nextInt(Long.numberOfTrailingZeros(quantum) + 9); // up to 256 quanta
            } else if (roll < 40) {
                alignment = 1L << (40 + rnd.nextInt(24)); // up to 2^63: fits nowhere, or only at the top
            }
            Request r = Request.of(size).aligned(alignment);
            if (alignment != 1 && rnd.nextInt(3) == 0) {
                long phase;
                if (quantum > 1 && rnd.nextInt(10) == 0) {
                    phase = Long.remainderUnsigned(rnd.nextLong(), alignment); // likely off the quantum
                } else {
                    long slots = Long.divideUnsigned(alignment, quantum);
                    phase = Long.compareUnsigned(slots, 1) <= 0 ? 0
                            : Long.remainderUnsigned(rnd.nextLong(), slots) * quantum;
                }
                r = r.phase(phase);
            }
            if (rnd.nextInt(6) == 0 && Long.compareUnsigned(size, 1L << 62) <= 0) {
                long noCross = Long.highestOneBit(size) == size ? size : Long.highestOneBit(size) << 1;
                for (int shift = rnd.nextInt(4); shift > 0 && noCross != Long.MIN_VALUE; shift--) {
                    noCross <<= 1;
                }
                r = r.noCross(noCross);
            }
            if (rnd.nextInt(5) == 0) {
                r = randomWindow(r);
            }
            return r.tagged(randomTag());
        }

        private long randomSize() {
            long capacityQuanta = Math.max(1, Long.divideUnsigned(model.stats().capacity(), quantum));
            int roll = rnd.nextInt(100);
            long units;
            if (roll < 55) {
                units = 1 + rnd.nextInt(8);
            } else if (roll < 75) {
                units = 1 + rnd.nextInt(64);
            } else if (roll < 83) {
                units = 1 + rnd.nextInt(512);
            } else if (roll < 90) {
                units = 1 + rnd.nextLong(capacityQuanta + 1); // up to one more than the whole space
            } else if (roll < 95) {
                long largest = model.stats().largestFree(); // an exact fit, or one quantum too many
                return largest == 0 ? 1 : rnd.nextBoolean() ? largest : clamp(u(largest).add(u(quantum)));
            } else {
                long[] huge = {1L << 63, MAX, (1L << 63) + 1, 1L << 62, -quantum, -quantum + 1, 1L << 32,
                        model.stats().capacity() + 1};
                long size = huge[rnd.nextInt(huge.length)];
                return size == 0 ? 1 : size;
            }
            BigInteger size = BigInteger.valueOf(units).multiply(u(quantum));
            if (quantum > 1 && rnd.nextInt(3) == 0) {
                size = size.subtract(BigInteger.valueOf(rnd.nextLong(quantum))); // rounded back up by the allocator
            }
            return clamp(size); // at most 2^64 - 1; rounding it up then fits nowhere
        }

        private Request randomWindow(Request r) {
            long a = randomValue();
            long b = randomValue();
            if (Long.compareUnsigned(a, b) > 0) {
                long t = a;
                a = b;
                b = t;
            }
            switch (rnd.nextInt(4)) {
                case 0:
                    return r.within(a, MAX);
                case 1:
                    return r.within(0, b);
                case 2:
                    return r.within(a, b);
                default: {
                    List<Range> free = model.freeRanges();
                    if (free.isEmpty()) {
                        return r.within(a, b);
                    }
                    Range seg = free.get(rnd.nextInt(free.size()));
                    long lo = clamp(u(seg.start()).subtract(BigInteger.valueOf(rnd.nextInt(3) * quantum)));
                    long hi = clamp(u(seg.end()).add(BigInteger.valueOf(rnd.nextInt(3) * quantum)));
                    if (rnd.nextBoolean()) {
                        lo = clamp(u(lo).add(BigInteger.valueOf(rnd.nextInt(4) * quantum + rnd.nextInt(2))));
                    }
                    return Long.compareUnsigned(lo, hi) <= 0 ? r.within(lo, hi) : r.within(hi, lo);
                }
            }
        }

        private Op reserve() {
            List<Range> free = model.freeRanges();
            List<Allocation> live = model.allocations();
            List<Long> boundaries = adjacentBoundaries();
            String tag = randomTag();
            int roll = rnd.nextInt(100);
            Range range;
            if (roll < 40 && !free.isEmpty()) {
                range = partOf(pick(free));
            } else if (roll < 55 && !live.isEmpty()) {
                range = around(pick(live).range());
            } else if (roll < 62 && !live.isEmpty()) {
                range = pick(live).range();
            } else if (roll < 80 && !boundaries.isEmpty()) {
                range = straddling(boundaries.get(rnd.nextInt(boundaries.size())));
            } else if (roll < 90 && quantum > 1 && !free.isEmpty()) {
                range = offQuantum(partOf(pick(free)));
            } else {
                range = randomRange();
            }
            return new Reserve(range, tag);
        }

        /** A range to free: a live allocation {@code livePercent}% of the time, else a part, superset, stale or free range. */
        private Range freeTarget(int livePercent) {
            List<Allocation> live = model.allocations();
            List<Range> free = model.freeRanges();
            int roll = rnd.nextInt(100);
            if (roll < livePercent && !live.isEmpty()) {
                return pick(live).range();
            }
            roll = rnd.nextInt(100);
            if (roll < 20 && !live.isEmpty()) {
                Range r = pick(live).range();
                if (Long.compareUnsigned(r.size(), quantum) > 0) { // a part
                    return rnd.nextBoolean() ? Range.of(r.start() + quantum, r.end()) : Range.of(r.start(), r.end() - quantum);
                }
                return around(r);
            } else if (roll < 40 && !live.isEmpty()) {
                return around(pick(live).range()); // often a superset
            } else if (roll < 65 && !recentlyFreed.isEmpty()) {
                return recentlyFreed.get(rnd.nextInt(recentlyFreed.size()));
            } else if (roll < 85 && !free.isEmpty()) {
                return partOf(pick(free));
            }
            return randomRange();
        }

        private Op reallocate() {
            List<Allocation> live = model.allocations();
            Range old = rnd.nextInt(100) < 75 && !live.isEmpty() ? pick(live).range() : freeTarget(0);
            Request request;
            if (rnd.nextBoolean()) {
                request = randomRequest();
            } else {
                BigInteger size = u(old.size()).add(BigInteger.valueOf((rnd.nextInt(5) - 2) * quantum));
                request = Request.of(size.signum() <= 0 ? old.size() : clamp(size)).tagged(randomTag());
            }
            return new Reallocate(old, request);
        }

        private long valueToLookUp() {
            List<Allocation> live = model.allocations();
            if (rnd.nextInt(100) < 60 && !live.isEmpty()) {
                Range r = pick(live).range();
                return r.start() + Long.remainderUnsigned(rnd.nextLong(), r.size());
            }
            return randomValue();
        }

        private Range rangeToTest() {
            List<Range> free = model.freeRanges();
            List<Allocation> live = model.allocations();
            List<Long> boundaries = adjacentBoundaries();
            int roll = rnd.nextInt(100);
            if (roll < 35 && !free.isEmpty()) {
                return partOf(pick(free));
            } else if (roll < 50 && !free.isEmpty()) {
                return pick(free);
            } else if (roll < 60 && !free.isEmpty()) {
                return around(pick(free));
            } else if (roll < 70 && !live.isEmpty()) {
                return around(pick(live).range());
            } else if (roll < 85 && !boundaries.isEmpty()) {
                return straddling(boundaries.get(rnd.nextInt(boundaries.size())));
            }
            return randomRange();
        }

        private Op addSpan() {
            List<Range> spans = model.spans();
            if (!growth.isEmpty() && (spans.isEmpty() || rnd.nextInt(4) == 0)) {
                return new AddSpan(growth.removeFirst());
            }
            if (spans.isEmpty()) {
                return new AddSpan(Range.of(0x100 * quantum + 1, 0x200 * quantum - 1)); // off the quantum (or valid if 1)
            }
            Range span = pick(spans);
            int roll = rnd.nextInt(4);
            if (roll == 0 && quantum > 1) {
                return new AddSpan(Range.of(span.end() + 1 + quantum / 2, clamp(u(span.end()).add(u(quantum * 4)))));
            } else if (roll == 1) {
                return new AddSpan(span);
            }
            // overlaps span by at least one quantum
            long start = clamp(u(span.start()).add(BigInteger.valueOf((rnd.nextInt(5) - 2) * quantum)));
            if (Long.compareUnsigned(start, span.end()) > 0) {
                start = span.end() - quantum + 1;
            }
            long end = clamp(u(span.end()).add(BigInteger.valueOf((rnd.nextInt(5) - 2) * quantum)));
            if (Long.compareUnsigned(end, start) < 0) {
                end = start + quantum - 1;
            }
            return new AddSpan(Range.of(start, end));
        }

        // -------------------------------------------------------------- ranges and values

        /** Boundaries {@code b} where one span ends at {@code b - 1} and the next starts at {@code b}. */
        private List<Long> adjacentBoundaries() {
            List<Range> spans = model.spans();
            List<Long> out = new ArrayList<>();
            for (int i = 1; i < spans.size(); i++) {
                if (spans.get(i - 1).end() + 1 == spans.get(i).start()) {
                    out.add(spans.get(i).start());
                }
            }
            return out;
        }

        /** A quantum-aligned part of {@code seg} (sometimes all of it). */
        private Range partOf(Range seg) {
            long quanta = Long.divideUnsigned(seg.size(), quantum);
            if (quanta <= 0 || rnd.nextInt(10) == 0) {
                return seg;
            }
            long first = rnd.nextLong(quanta);
            long count = 1 + rnd.nextLong(Math.min(quanta - first, 32));
            return Range.ofSize(seg.start() + first * quantum, count * quantum);
        }

        /** {@code r} with each end moved by up to two quanta either way: overlapping it, a part, or a superset. */
        private Range around(Range r) {
            BigInteger s = u(r.start()).add(BigInteger.valueOf((rnd.nextInt(5) - 2) * quantum));
            BigInteger e = u(r.end()).add(BigInteger.valueOf((rnd.nextInt(5) - 2) * quantum));
            long start = clamp(s);
            long end = clamp(e);
            if (Long.compareUnsigned(start, end) > 0) {
                return r;
            }
            if (start == 0 && end == MAX) {
                return r;
            }
            return Range.of(start, end);
        }

        /** A range across the boundary between two adjacent spans. */
        private Range straddling(long boundary) {
            long below = (1 + rnd.nextInt(3)) * quantum;
            long above = (1 + rnd.nextInt(3)) * quantum;
            return Range.of(boundary - below, boundary + above - 1);
        }

        /** {@code r} with one end moved off the quantum (only meaningful when the quantum is above 1). */
        private Range offQuantum(Range r) {
            if (rnd.nextBoolean() && r.start() != r.end()) {
                return Range.of(r.start() + 1, r.end());
            }
            if (r.start() != r.end()) {
                return Range.of(r.start(), r.end() - 1);
            }
            return r;
        }

        /** A short range near the spans, on the quantum most of the time. */
        private Range randomRange() {
            long start = randomValue();
            long length = 1 + rnd.nextLong(8 * quantum);
            if (rnd.nextInt(10) < 7) {
                start &= -quantum;
                length = (length + quantum - 1) & -quantum; // at most 8 quanta: no overflow
            }
            long end = clamp(u(start).add(u(length)).subtract(BigInteger.ONE));
            if (start == 0 && end == MAX) {
                end--;
            }
            return Range.of(start, end);
        }

        /** A value in or near one of the spans, or now and then 0, 2^64 - 1 or anything. */
        private long randomValue() {
            int roll = rnd.nextInt(100);
            if (roll < 2 || allSpans.isEmpty()) {
                return 0;
            } else if (roll < 4) {
                return MAX;
            } else if (roll < 6) {
                return rnd.nextLong();
            }
            Range span = allSpans.get(rnd.nextInt(allSpans.size()));
            BigInteger size = u(span.size());
            BigInteger eighth = size.shiftRight(3);
            // uniform enough over [start - size/8, end + size/8]: a random 64-bit fraction of the width
            BigInteger width = size.add(eighth).add(eighth);
            BigInteger offset = width.multiply(u(rnd.nextLong())).shiftRight(64).subtract(eighth);
            return clamp(u(span.start()).add(offset));
        }

        private <T> T pick(List<T> list) {
            return list.get(rnd.nextInt(list.size()));
        }

        private static long clamp(BigInteger v) {
            if (v.signum() < 0) {
                return 0;
            }
            return v.bitLength() > 64 ? MAX : l(v);
        }
    }

    // ------------------------------------------------------------------ seeds

    private static long initialSeed() {
        String given = System.getProperty("allot.seed");
        if (given == null || given.isBlank()) {
            return new SplittableRandom().nextLong();
        }
        given = given.trim();
        return given.startsWith("0x") || given.startsWith("0X")
                ? Long.parseUnsignedLong(given.substring(2), 16) : Long.parseLong(given);
    }

    /** The seed of one engine x policy run: the base seed mixed with the names, so runs differ but replay alone. */
    static long runSeed(String engine, String policy) {
        return SEED ^ ((engine + "/" + policy).hashCode() * 0x9E37_79B9_7F4A_7C15L);
    }

    /** The seed of one space within a run, so that each space's operations depend only on it. */
    private static long spaceSeed(long runSeed, int space) {
        return new SplittableRandom(runSeed + space * 0xBF58_476D_1CE4_E5B9L).nextLong();
    }
}
