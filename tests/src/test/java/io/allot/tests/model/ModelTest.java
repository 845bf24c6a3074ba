package io.allot.tests.model;

import io.allot.Allocation;
import io.allot.AllocatorStats;
import io.allot.Allocators;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static io.allot.tests.model.ReferenceModel.l;
import static io.allot.tests.model.ReferenceModel.u;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Randomised model-based test: long runs of random mixed operations applied both to a real
 * allocator and to {@link ReferenceModel}, with the whole observable state compared after every
 * single operation.
 *
 * <p>Per engine &times; default policy, {@code allot.model.ops} operations (default 20,000) are
 * spread over the {@link #SPACES}: small spaces, adjacent spans, a space starting at 0, spaces
 * ending at 2<sup>64</sup>&minus;1, quanta of 0x10 and 0x1000, spans added while running (and one
 * refused because it would complete all 2<sup>64</sup> values), and quanta of 2<sup>48</sup> and
 * 2<sup>52</sup> whose few thousand units make sizes and spans past 2<sup>63</sup>. Every space is a
 * few thousand quanta so that it fills up and allocations fail often; a run alternates between
 * filling and draining phases. Besides the calls below, the mix includes {@code addSpan}.
 *
 * <p>After each operation: its result (value or exception type) equals the model's &mdash;
 * exactly for first-match, last-match, next-fit and best-fit, and for instant-fit when the request
 * is constrained; an unconstrained instant-fit placement must lie in a free segment of the size
 * class the contract names (the model then adopts it). Every placement satisfies its request and
 * has the rounded size. Then the allocations with tags, the free ranges, the spans and every
 * {@link AllocatorStats} field equal the model's, allocations are ascending and disjoint, and
 * {@code allocated + free == capacity}.
 *
 * <p><b>Replay.</b> The seed comes from {@code -Dallot.seed=} (decimal or 0x-hex) or is random; every
 * failure message names it, the op count, the engine, policy, space and op index, and lists the
 * last {@value #HISTORY} operations with their results.
 */
class ModelTest {

    private static final long OPS = Long.getLong("allot.model.ops", 20_000L);
    private static final long SEED = initialSeed();
    private static final int HISTORY = 20;
    private static final long MAX = -1L;

    /** One space the random operations run in: its quantum, initial spans, and spans added later. */
    record Space(String name, long quantum, List<Range> spans, List<Range> growth) {
    }

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
        SplittableRandom rnd = new SplittableRandom(runSeed);
        long perSpace = Math.max(1, OPS / SPACES.size());
        long started = System.nanoTime();
        for (Space space : SPACES) {
            new Run(engine, policy, space, rnd, perSpace).run();
        }
        System.out.printf("ModelTest %s x %s: %d ops in %d ms (-Dallot.seed=0x%x)%n", engine, policy,
                perSpace * SPACES.size(), (System.nanoTime() - started) / 1_000_000, SEED);
    }

    // ------------------------------------------------------------------ operations as data

    /** One call on a {@link io.allot.ResourceAllocator}, applicable to an engine and to the model alike. */
    sealed interface Op permits Allocate, TryAllocate, Reserve, Free, FreeContaining, Reallocate, IsFree,
            AllocationContaining, AddSpan {

        Object onEngine(ResourceAllocator allocator);

        /** @param engineChoice the engine's placement, if any: the model adopts it where the contract leaves a choice */
        Object onModel(ReferenceModel model, Range engineChoice);
    }

    /** An operation that places a request, whose placement must satisfy it. */
    interface Placing {
        Request request();
    }

    /** {@code allocate(request)}, or {@code allocate(request, policy)} when {@code policy} is not null. */
    record Allocate(Request request, String policy) implements Op, Placing {
        public Object onEngine(ResourceAllocator a) {
            return policy == null ? a.allocate(request) : a.allocate(request, Allocators.policy(policy));
        }

        public Object onModel(ReferenceModel m, Range choice) {
            return m.allocate(request, policy, choice);
        }

        @Override
        public String toString() {
            return "allocate(" + request + (policy == null ? "" : ", " + policy) + ")";
        }
    }

    /** {@code tryAllocate(request[, policy])}. */
    record TryAllocate(Request request, String policy) implements Op, Placing {
        public Object onEngine(ResourceAllocator a) {
            return policy == null ? a.tryAllocate(request) : a.tryAllocate(request, Allocators.policy(policy));
        }

        public Object onModel(ReferenceModel m, Range choice) {
            return m.tryAllocate(request, policy, choice);
        }

        @Override
        public String toString() {
            return "tryAllocate(" + request + (policy == null ? "" : ", " + policy) + ")";
        }
    }

    /** {@code reserve(range)} when {@code tag} is null, else {@code reserve(range, tag)}. */
    record Reserve(Range range, String tag) implements Op {
        public Object onEngine(ResourceAllocator a) {
            return tag == null ? a.reserve(range) : a.reserve(range, tag);
        }

        public Object onModel(ReferenceModel m, Range choice) {
            return m.reserve(range, tag);
        }

        @Override
        public String toString() {
            return "reserve(" + range + (tag == null ? "" : ", " + tag) + ")";
        }
    }

    record Free(Range range) implements Op {
        public Object onEngine(ResourceAllocator a) {
            a.free(range);
            return "done";
        }

        public Object onModel(ReferenceModel m, Range choice) {
            m.free(range);
            return "done";
        }

        @Override
        public String toString() {
            return "free(" + range + ")";
        }
    }

    record FreeContaining(long value) implements Op {
        public Object onEngine(ResourceAllocator a) {
            return a.freeContaining(value);
        }

        public Object onModel(ReferenceModel m, Range choice) {
            return m.freeContaining(value);
        }

        @Override
        public String toString() {
            return "freeContaining(0x" + Long.toHexString(value) + ")";
        }
    }

    record Reallocate(Range old, Request request) implements Op, Placing {
        public Object onEngine(ResourceAllocator a) {
            return a.reallocate(old, request);
        }

        public Object onModel(ReferenceModel m, Range choice) {
            return m.reallocate(old, request, choice);
        }

        @Override
        public String toString() {
            return "reallocate(" + old + ", " + request + ")";
        }
    }

    record IsFree(Range range) implements Op {
        public Object onEngine(ResourceAllocator a) {
            return a.isFree(range);
        }

        public Object onModel(ReferenceModel m, Range choice) {
            return m.isFree(range);
        }

        @Override
        public String toString() {
            return "isFree(" + range + ")";
        }
    }

    record AllocationContaining(long value) implements Op {
        public Object onEngine(ResourceAllocator a) {
            return a.allocationContaining(value);
        }

        public Object onModel(ReferenceModel m, Range choice) {
            return m.allocationContaining(value);
        }

        @Override
        public String toString() {
            return "allocationContaining(0x" + Long.toHexString(value) + ")";
        }
    }

    record AddSpan(Range span) implements Op {
        public Object onEngine(ResourceAllocator a) {
            a.addSpan(span);
            return "done";
        }

        public Object onModel(ReferenceModel m, Range choice) {
            m.addSpan(span);
            return "done";
        }

        @Override
        public String toString() {
            return "addSpan(" + span + ")";
        }
    }

    /** What a call did: returned {@code value}, or threw {@code thrown}. */
    record Outcome(Object value, Throwable thrown) {

        static Outcome of(Supplier<Object> call) {
            try {
                return new Outcome(call.get(), null);
            } catch (Throwable t) { // anything an engine throws is an outcome to compare, even an Error
                return new Outcome(null, t);
            }
        }

        /** Same value, or exceptions of exactly the same class. */
        boolean matches(Outcome other) {
            if (thrown != null || other.thrown != null) {
                return thrown != null && other.thrown != null && thrown.getClass() == other.thrown.getClass();
            }
            return Objects.equals(value, other.value);
        }

        /** The placement in this outcome, or null. */
        Range placement() {
            if (value instanceof Range r) {
                return r;
            }
            if (value instanceof Optional<?> o && o.isPresent() && o.get() instanceof Range r) {
                return r;
            }
            return null;
        }

        @Override
        public String toString() {
            return thrown == null ? String.valueOf(value)
                    : thrown.getClass().getSimpleName() + "(" + thrown.getMessage() + ")";
        }
    }

    // ------------------------------------------------------------------ one run in one space

    private static final class Run {

        private final String engine;
        private final String policy;
        private final Space space;
        private final SplittableRandom rnd;
        private final long ops;
        private final long quantum;
        private final ResourceAllocator allocator;
        private final ReferenceModel model;
        private final List<String> knownPolicies;
        private final List<Range> allSpans = new ArrayList<>();
        private final Deque<Range> growth;
        private final Deque<String> history = new ArrayDeque<>();
        private final List<Range> recentlyFreed = new ArrayList<>();
        private long index;
        private boolean draining;
        private int tags;

        Run(String engine, String policy, Space space, SplittableRandom rnd, long ops) {
            this.engine = engine;
            this.policy = policy;
            this.space = space;
            this.rnd = rnd;
            this.ops = ops;
            this.quantum = space.quantum();
            Allocators.Builder builder = Allocators.builder().engine(engine).policy(policy).quantum(quantum);
            space.spans().forEach(builder::span);
            this.allocator = builder.build();
            this.model = new ReferenceModel(space.spans(), quantum, policy);
            this.knownPolicies = Allocators.policies().stream().filter(ReferenceModel.POLICIES::contains).toList();
            allSpans.addAll(space.spans());
            allSpans.addAll(space.growth());
            this.growth = new ArrayDeque<>(space.growth());
        }

        void run() {
            try {
                checkState(); // a fresh allocator is all free
                for (index = 0; index < ops; index++) {
                    if (rnd.nextInt(400) == 0) {
                        draining = !draining;
                    }
                    step(nextOp());
                }
            } catch (ModelFailure reported) {
                throw reported;
            } catch (Throwable unexpected) { // from an engine's forEach*, stats(), or this test itself
                ModelFailure failure = failure("unexpected " + unexpected + "\n  stack: " + stack(unexpected));
                failure.initCause(unexpected);
                throw failure;
            }
        }

        private void step(Op op) {
            Outcome actual = Outcome.of(() -> op.onEngine(allocator));
            Outcome expected = Outcome.of(() -> op.onModel(model, actual.placement()));
            remember("#" + index + " " + op + " -> " + actual);
            if (!expected.matches(actual)) {
                throw failure(op + "\n  returned " + actual + "\n  but the model says " + expected
                        + (op instanceof Placing ? "\n  model note: " + model.note() : "")
                        + (actual.thrown() != null ? "\n  engine stack: " + stack(actual.thrown()) : "")
                        + (expected.thrown() != null && expected.thrown() instanceof RuntimeException
                                && !(expected.thrown() instanceof io.allot.AllocationException)
                                && !(expected.thrown() instanceof IllegalArgumentException)
                                ? "\n  model stack: " + stack(expected.thrown()) : ""));
            }
            Range placed = actual.placement();
            if (placed != null && op instanceof Placing placing) {
                checkPlacement(placing.request(), placed);
            }
            if (actual.thrown() == null) {
                if (op instanceof Free f) {
                    freed(f.range());
                } else if (op instanceof FreeContaining) {
                    freed((Range) actual.value());
                } else if (op instanceof Reallocate r && !r.old().equals(actual.value())) {
                    freed(r.old());
                }
            }
            checkState();
        }

        // -------------------------------------------------------------- checks

        /** The placement has the rounded size and satisfies the request in the space's units. */
        private void checkPlacement(Request request, Range placed) {
            BigInteger rounded = model.roundUp(u(request.size()));
            if (!u(placed.size()).equals(rounded)) {
                throw failure(placed + " has size 0x" + Long.toHexString(placed.size()) + ", not the rounded size 0x"
                        + rounded.toString(16) + " of " + request);
            }
            if (!request.admits(placed.start())) {
                throw failure(placed + " does not satisfy " + request);
            }
            long alignment = Long.compareUnsigned(request.alignment(), quantum) >= 0 ? request.alignment() : quantum;
            Request normal = new Request(placed.size(), alignment, request.phase(), request.noCross(), request.min(),
                    request.max(), request.tag()); // noCross < rounded size would have thrown: no placement may exist then
            if (!normal.admits(placed.start())) {
                throw failure(placed + " does not satisfy " + normal + ", the request in quanta");
            }
        }

        /** Everything observable equals the model. */
        private void checkState() {
            List<Allocation> allocations = new ArrayList<>();
            allocator.forEachAllocated(allocations::add);
            for (int i = 1; i < allocations.size(); i++) {
                Range before = allocations.get(i - 1).range();
                Range after = allocations.get(i).range();
                if (Long.compareUnsigned(before.end(), after.start()) >= 0) {
                    throw failure("forEachAllocated is not ascending and disjoint: " + before + " then " + after);
                }
            }
            expectSame("forEachAllocated", model.allocations(), allocations);
            List<Range> free = new ArrayList<>();
            allocator.forEachFree(free::add);
            expectSame("forEachFree", model.freeRanges(), free);
            expectSame("spans()", model.spans(), allocator.spans());
            AllocatorStats stats = allocator.stats();
            if (stats.allocated() + stats.free() != stats.capacity()) {
                throw failure("allocated + free != capacity in " + stats);
            }
            AllocatorStats want = model.stats();
            if (!want.equals(stats)) {
                throw failure("stats() differ from the model's:" + statsDiff(want, stats) + "\n  model:  " + want
                        + "\n  engine: " + stats);
            }
        }

        private <T> void expectSame(String what, List<T> expected, List<T> actual) {
            if (expected.equals(actual)) {
                return;
            }
            int i = 0;
            while (i < expected.size() && i < actual.size() && expected.get(i).equals(actual.get(i))) {
                i++;
            }
            throw failure(what + " differs from the model at index " + i + ": model has "
                    + (i < expected.size() ? expected.get(i) : "nothing more") + ", engine has "
                    + (i < actual.size() ? actual.get(i) : "nothing more") + " (sizes " + expected.size() + " vs "
                    + actual.size() + ")\n  model:  " + abbreviate(expected, i) + "\n  engine: " + abbreviate(actual, i));
        }

        private static String statsDiff(AllocatorStats want, AllocatorStats got) {
            StringBuilder sb = new StringBuilder();
            diff(sb, "capacity", want.capacity(), got.capacity());
            diff(sb, "allocated", want.allocated(), got.allocated());
            diff(sb, "free", want.free(), got.free());
            diff(sb, "liveAllocations", want.liveAllocations(), got.liveAllocations());
            diff(sb, "freeSegments", want.freeSegments(), got.freeSegments());
            diff(sb, "largestFree", want.largestFree(), got.largestFree());
            diff(sb, "totalAllocations", want.totalAllocations(), got.totalAllocations());
            diff(sb, "totalFrees", want.totalFrees(), got.totalFrees());
            diff(sb, "failedAllocations", want.failedAllocations(), got.failedAllocations());
            diff(sb, "imported", want.imported(), got.imported());
            return sb.toString();
        }

        private static void diff(StringBuilder sb, String field, long want, long got) {
            if (want != got) {
                sb.append(' ').append(field).append(" 0x").append(Long.toHexString(want)).append(" expected, 0x")
                        .append(Long.toHexString(got)).append(" actual;");
            }
        }

        private static String abbreviate(List<?> list, int around) {
            int from = Math.max(0, around - 3);
            int to = Math.min(list.size(), around + 4);
            return (from > 0 ? "... " : "") + list.subList(from, to) + (to < list.size() ? " ..." : "");
        }

        private ModelFailure failure(String what) {
            return new ModelFailure(what
                    + "\n  at op #" + index + " of " + ops + " in space '" + space.name() + "' (quantum 0x"
                    + Long.toHexString(quantum) + "), engine " + engine + ", default policy " + policy
                    + "\n  replay: -Dtest=ModelTest -Dallot.seed=0x" + Long.toHexString(SEED) + " -Dallot.model.ops="
                    + OPS + " (run seed 0x" + Long.toHexString(runSeed(engine, policy)) + ")"
                    + "\n  " + model
                    + "\n  last operations, oldest first:\n    " + String.join("\n    ", history));
        }

        private void remember(String line) {
            if (history.size() == HISTORY) {
                history.removeFirst();
            }
            history.addLast(line);
        }

        private void freed(Range range) {
            if (recentlyFreed.size() == 64) {
                recentlyFreed.remove(rnd.nextInt(64));
            }
            recentlyFreed.add(range);
        }

        // -------------------------------------------------------------- generation

        private Op nextOp() {
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

    /** A disagreement with the model, its message already carrying the replay context. */
    private static final class ModelFailure extends AssertionError {
        private static final long serialVersionUID = 1L;

        ModelFailure(String message) {
            super(message);
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
    private static long runSeed(String engine, String policy) {
        return SEED ^ ((engine + "/" + policy).hashCode() * 0x9E37_79B9_7F4A_7C15L);
    }

    private static String stack(Throwable t) {
        StringBuilder sb = new StringBuilder(t.toString());
        StackTraceElement[] trace = t.getStackTrace();
        for (int i = 0; i < Math.min(trace.length, 12); i++) {
            sb.append("\n      at ").append(trace[i]);
        }
        return sb.toString();
    }
}
