package io.allot.tests.reliability;

import io.allot.Allocation;
import io.allot.AllocationException;
import io.allot.AllocatorStats;
import io.allot.Allocators;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.spi.AllocationPolicy;
import io.allot.spi.Restorable;
import io.allot.tests.Matrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A snapshot brings an allocator back exactly, in its own engine and in every other installed one.
 *
 * <p>For every engine x policy of {@link Matrix}, allocators in varied states (no spans; fresh
 * spans; a busy mix of allocations, frees, reallocations and failed calls over adjacent spans and
 * one ending at 2<sup>64</sup>&minus;1; drained; one span full; spans added later), with quantum 1
 * and 0x10, thread-safe and not, are snapshotted and restored with {@code restore(in)} and with
 * {@code restore(in, engine)} for every installed engine. The restored allocator must show the
 * same allocations and tags, free ranges, spans, quantum, default policy and every
 * {@link io.allot.AllocatorStats} field; re-snapshotting it in the same engine must give the same
 * bytes (and, from another engine, restoring back must give the original bytes); and the same
 * further operations applied to the original and every restored copy must give the same results,
 * which proves that the next-fit rotor came back too.
 */
class SnapshotRoundTripTest {

    private static final long TOP = 0xffff_ffff_ffff_ffffL;

    /** Spans of the busy states: two adjacent ones, one apart, one ending at 2^64 - 1. */
    private static final List<Range> SPANS = List.of(
            Range.of(0x1000, 0x1fff),
            Range.of(0x2000, 0x2fff),
            Range.of(0x1_0000, 0x1_ffff),
            Range.of(0xffff_ffff_ffff_0000L, TOP));

    /** Tags of every kind a snapshot must carry: none, empty, non-ASCII, long, with a NUL. */
    private static final String[] TAGS = {
            null, "", "dev", "ünïcødé ✓ 日本 𝄞", "x".repeat(300), "nul\u0000inside", null, "virtio-net"};

    /** Policies whose choice the contract fixes from the state alone (instant-fit's list head is the engine's). */
    private static final List<String> DETERMINISTIC = List.of("first-match", "last-match", "next-fit", "best-fit");

    /** One starting state: its spans and what is done to it after it is built. */
    private record State(String name, List<Range> spans, BiConsumer<ResourceAllocator, SplittableRandom> setup) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static List<State> states() {
        return List.of(
                new State("no spans", List.of(), (a, rng) -> { }),
                new State("fresh spans", SPANS, (a, rng) -> { }),
                new State("busy", SPANS, SnapshotRoundTripTest::busy),
                new State("drained", SPANS, SnapshotRoundTripTest::drained),
                new State("one span full", SPANS, SnapshotRoundTripTest::oneSpanFull),
                new State("spans added later", List.of(Range.of(0x8000, 0x8fff)), SnapshotRoundTripTest::grown),
                new State("failures only", SPANS, SnapshotRoundTripTest::failuresOnly));
    }

    @ParameterizedTest(name = "{0} engine, {1} policy")
    @MethodSource("io.allot.tests.Matrix#enginesAndPolicies")
    void everyStateRoundTripsThroughEveryEngine(String engine, String policy) {
        int checked = 0;
        for (State state : states()) {
            for (long quantum : new long[] {1, 0x10}) {
                for (boolean threadSafe : new boolean[] {false, true}) {
                    String context = engine + "/" + policy + ", state " + state + ", quantum 0x"
                            + Long.toHexString(quantum) + (threadSafe ? ", threadSafe" : "");
                    roundTrip(engine, policy, state, quantum, threadSafe, context);
                    checked++;
                }
            }
        }
        System.out.println("[snapshot round trip] " + engine + " x " + policy + ": " + checked
                + " states, each restored into " + (Allocators.engines().size() + 1) + " allocators");
    }

    private static void roundTrip(String engine, String policy, State state, long quantum, boolean threadSafe,
                                  String context) {
        long seed = (engine + policy + state.name + quantum + threadSafe).hashCode();
        ResourceAllocator original = build(engine, policy, state.spans, quantum, threadSafe);
        state.setup.accept(original, new SplittableRandom(seed));
        byte[] image = snapshot(original);

        List<ResourceAllocator> copies = new ArrayList<>();
        List<String> names = new ArrayList<>();

        ResourceAllocator own = Allocators.restore(new ByteArrayInputStream(image));
        assertEquals(engine, own.engine(), context + ": restore(in) must use the image's engine");
        assertSameState(original, own, context + ", restore(in)");
        assertArrayEquals(image, snapshot(own), context + ": restore(in) then writeSnapshot changed the bytes");
        copies.add(own);
        names.add("restore(in)");

        for (String target : Allocators.engines()) {
            String where = context + ", restored into " + target;
            ResourceAllocator restored = Allocators.restore(new ByteArrayInputStream(image), target);
            assertEquals(target, restored.engine(), where);
            assertSameState(original, restored, where);
            byte[] again = snapshot(restored);
            if (target.equals(engine)) {
                assertArrayEquals(image, again, where + ": re-snapshot in the same engine changed the bytes");
            } else {
                // Every field but the engine name survives: back in the original engine, the bytes are the original's.
                byte[] back = snapshot(Allocators.restore(new ByteArrayInputStream(again), engine));
                assertArrayEquals(image, back, where + " and back into " + engine + ": the bytes changed");
            }
            copies.add(restored);
            names.add("restore(in, " + target + ")");
        }
        continueIdentically(original, copies, names, new SplittableRandom(~seed), context);
    }

    // ---------------------------------------------------------------------------------------------
    // Continuing after a restore
    // ---------------------------------------------------------------------------------------------

    /**
     * Applies the same random operations to {@code original} and every copy, comparing each result
     * and the stats after each step, and the whole state at the end. Next-fit placements depend on
     * the rotor, so they diverge at once if a restore lost it.
     */
    private static void continueIdentically(ResourceAllocator original, List<ResourceAllocator> copies,
                                            List<String> names, SplittableRandom rng, String context) {
        List<AllocationPolicy> policies = DETERMINISTIC.stream()
                .filter(Allocators.policies()::contains).map(Allocators::policy).collect(Collectors.toList());
        boolean defaultIsDeterministic = DETERMINISTIC.contains(original.defaultPolicy().name());
        AllocationPolicy nextFit = Allocators.policies().contains("next-fit") ? Allocators.policy("next-fit") : null;
        long quantum = original.quantum();
        long newSpanBase = 0x10_0000;
        for (int step = 0; step < 250; step++) {
            List<Range> spans = original.spans();
            List<Allocation> live = allocations(original);
            Op op;
            int kind = rng.nextInt(100);
            if (spans.isEmpty() || kind < 3) {
                Range span = Range.ofSize(newSpanBase, 0x1000);
                newSpanBase += 0x2000;
                op = new Op("addSpan " + span, a -> {
                    a.addSpan(span);
                    return "added";
                });
            } else if (kind < 25 && nextFit != null) {
                Request request = randomRequest(rng, quantum, spans);
                op = new Op("allocate next-fit " + request, a -> a.allocate(request, nextFit));
            } else if (kind < 40 && defaultIsDeterministic) {
                Request request = randomRequest(rng, quantum, spans);
                op = new Op("allocate " + request, a -> a.allocate(request));
            } else if (kind < 50 && !policies.isEmpty()) {
                Request request = randomRequest(rng, quantum, spans);
                AllocationPolicy p = policies.get(rng.nextInt(policies.size()));
                op = new Op("tryAllocate " + p.name() + " " + request, a -> a.tryAllocate(request, p));
            } else if (kind < 58) {
                Range range = randomRange(rng, quantum, spans);
                String tag = TAGS[rng.nextInt(TAGS.length)];
                op = new Op("reserve " + range, a -> a.reserve(range, tag));
            } else if (kind < 72 && !live.isEmpty()) {
                Range range = live.get(rng.nextInt(live.size())).range();
                op = new Op("free " + range, a -> {
                    a.free(range);
                    return "freed";
                });
            } else if (kind < 78 && !live.isEmpty()) {
                Range range = live.get(rng.nextInt(live.size())).range();
                long value = range.start() + rng.nextLong(range.size()); // sizes here are small
                op = new Op("freeContaining " + Long.toHexString(value), a -> a.freeContaining(value));
            } else if (kind < 86 && !live.isEmpty() && defaultIsDeterministic) {
                Range range = live.get(rng.nextInt(live.size())).range();
                Request request = randomRequest(rng, quantum, spans);
                op = new Op("reallocate " + range + " " + request, a -> a.reallocate(range, request));
            } else if (kind < 92) {
                Range range = randomRange(rng, quantum, spans);
                op = new Op("isFree/allocationContaining " + range,
                        a -> List.of(a.isFree(range), a.allocationContaining(range.start()),
                                a.allocationContaining(range.end())));
            } else {
                // A call that must fail and be counted: larger than any span.
                op = new Op("allocate too much", a -> a.tryAllocate(Request.of(0x10_0000_0000L)));
            }
            Object expected = op.apply(original);
            for (int i = 0; i < copies.size(); i++) {
                Object actual = op.apply(copies.get(i));
                String where = context + ", " + names.get(i) + ", step " + step + " (" + op.name + ")";
                assertEquals(expected, actual, where);
                assertEquals(original.stats(), copies.get(i).stats(), where + ": stats");
            }
        }
        for (int i = 0; i < copies.size(); i++) {
            assertSameState(original, copies.get(i), context + ", " + names.get(i) + " after 250 more operations");
        }
    }

    /** One operation, applied in turn to each allocator; exceptions of the contract become their class name. */
    private record Op(String name, Function<ResourceAllocator, Object> body) {
        Object apply(ResourceAllocator allocator) {
            try {
                return body.apply(allocator);
            } catch (AllocationException e) {
                return e.getClass().getSimpleName();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Focused cases
    // ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} engine")
    @MethodSource("io.allot.tests.Matrix#engines")
    void nextFitRotorComesBackInEveryEngine(String engine) {
        assumeTrue(Allocators.policies().contains("next-fit"), "next-fit is not installed");
        ResourceAllocator original = build(engine, "next-fit", List.of(Range.of(0x1000, 0x1fff)), 1, false);
        Range first = original.allocate(Request.of(0x100));
        original.allocate(Request.of(0x100));
        original.free(first);
        byte[] image = snapshot(original);
        for (String target : Allocators.engines()) {
            ResourceAllocator restored = Allocators.restore(new ByteArrayInputStream(image), target);
            Range next = restored.allocate(Request.of(0x100));
            assertEquals(Range.of(0x1200, 0x12ff), next,
                    "next-fit after restoring into " + target + " must continue at the rotor, not reuse " + first);
        }
    }

    /**
     * {@link Restorable#restoreState} sets the cumulative counters and leaves the live count as the
     * allocations make it, even when the totals it is handed do not differ by that count (only a
     * snapshot's are checked to); later calls move all three together.
     */
    @ParameterizedTest(name = "{0} engine")
    @MethodSource("io.allot.tests.Matrix#engines")
    void restoredTotalsLeaveTheLiveCountAsTheAllocationsMakeIt(String engine) {
        for (boolean threadSafe : new boolean[] {false, true}) {
            String context = engine + (threadSafe ? ", thread-safe" : "");
            ResourceAllocator allocator = build(engine, "first-match", List.of(Range.of(0x1000, 0x1fff)), 1, threadSafe);
            Range first = allocator.allocate(Request.of(0x10));
            allocator.allocate(Request.of(0x10));
            assertTrue(allocator instanceof Restorable, context + ": not restorable");
            ((Restorable) allocator).restoreState(0x1000, 10, 3, 4);
            AllocatorStats stats = allocator.stats();
            assertEquals(List.of(2L, 10L, 3L, 4L), List.of(stats.liveAllocations(), stats.totalAllocations(),
                    stats.totalFrees(), stats.failedAllocations()), context + ": live, totals, failed after restoreState");
            allocator.free(first);
            allocator.allocate(Request.of(0x20));
            allocator.allocate(Request.of(0x20));
            stats = allocator.stats();
            assertEquals(List.of(3L, 12L, 4L), List.of(stats.liveAllocations(), stats.totalAllocations(),
                    stats.totalFrees()), context + ": live and totals after a free and two allocations");
        }
    }

    @ParameterizedTest(name = "{0} engine")
    @MethodSource("io.allot.tests.Matrix#engines")
    void allocationEndingAtTheTopOfTheSpaceRoundTrips(String engine) {
        ResourceAllocator original;
        try {
            original = build(engine, "first-match", List.of(Range.of(0x10, TOP)), 0x10, false);
        } catch (IllegalArgumentException tooLarge) {
            // The contract lets an engine refuse spans it cannot manage (bitmap: > 2^32 units).
            original = build(engine, "first-match", List.of(Range.of(0x10, 0xfff), Range.of(-0x10_0000L, TOP)), 0x10,
                    false);
        }
        original.reserve(Range.of(0xffff_ffff_ffff_fff0L, TOP), "top");
        original.reserve(Range.of(0x10, 0x1f), "bottom");
        byte[] image = snapshot(original);
        for (String target : Allocators.engines()) {
            ResourceAllocator restored;
            try {
                restored = Allocators.restore(new ByteArrayInputStream(image), target);
            } catch (IllegalArgumentException e) {
                // The contract lets an engine refuse spans it cannot manage (bitmap: > 2^32 units).
                continue;
            }
            assertSameState(original, restored, engine + " restored into " + target);
        }
    }

    @ParameterizedTest(name = "{0} engine")
    @MethodSource("io.allot.tests.Matrix#engines")
    void restoreReadsAByteAtATimeStreamToItsEndAndLeavesItOpen(String engine) {
        ResourceAllocator original = build(engine, "first-match", SPANS, 1, false);
        original.reserve(Range.of(0x1000, 0x10ff), "x");
        byte[] image = snapshot(original);
        Trickle in = new Trickle(image);
        ResourceAllocator restored = Allocators.restore(in);
        assertSameState(original, restored, engine + " from a stream that hands out one byte per read");
        assertEquals(image.length, in.position, "restore must read the stream to its end");
        assertFalse(in.closed, "restore must not close the stream");
    }

    @ParameterizedTest(name = "{0} engine")
    @MethodSource("io.allot.tests.Matrix#engines")
    void writeSnapshotFlushesAndLeavesTheStreamOpen(String engine) {
        ResourceAllocator original = build(engine, "first-match", SPANS, 0x10, true);
        original.reserve(Range.of(0x1000, 0x10ff), "x");
        ByteArrayOutputStream target = new ByteArrayOutputStream();
        boolean[] closed = {false};
        OutputStream out = new BufferedOutputStream(new FilterOutputStream(target) {
            @Override
            public void close() {
                closed[0] = true;
            }
        }, 1 << 16);
        original.writeSnapshot(out);
        assertFalse(closed[0], "writeSnapshot must not close the stream");
        // Everything is flushed through the caller's buffer: the image is complete without our flush.
        assertSameState(original, Allocators.restore(new ByteArrayInputStream(target.toByteArray())), engine);
    }

    @ParameterizedTest(name = "{0} engine")
    @MethodSource("io.allot.tests.Matrix#engines")
    void failingStreamsBecomeUncheckedIOExceptionsAndChangeNothing(String engine) {
        ResourceAllocator original = build(engine, "first-match", SPANS, 1, false);
        original.reserve(Range.of(0x1000, 0x10ff), "x");
        byte[] before = snapshot(original);
        OutputStream broken = new OutputStream() {
            private int written;

            @Override
            public void write(int b) throws IOException {
                if (++written > 40) {
                    throw new IOException("disk full");
                }
            }
        };
        assertThrows(UncheckedIOException.class, () -> original.writeSnapshot(broken));
        assertArrayEquals(before, snapshot(original), "a failed writeSnapshot changed the allocator");
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }
        };
        assertThrows(UncheckedIOException.class, () -> Allocators.restore(failing));
        assertThrows(UncheckedIOException.class, () -> Allocators.restore(failing, engine));
    }

    /** Hands out one byte per read call and records whether it was closed. */
    private static final class Trickle extends InputStream {
        private final byte[] data;
        int position;
        boolean closed;

        Trickle(byte[] data) {
            this.data = data;
        }

        @Override
        public int read() {
            return position < data.length ? data[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            int c = read();
            if (c < 0) {
                return -1;
            }
            b[off] = (byte) c;
            return 1;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void tagThatUtf8CannotCarryIsRefusedBeforeAnythingChanges() {
        // A snapshot must bring every tag back exactly, so a tag with an unpaired surrogate
        // (which UTF-8 cannot encode) is refused where it enters, not silently altered later.
        String engine = Allocators.engines().get(0);
        ResourceAllocator original = build(engine, "first-match", List.of(Range.of(0, 0xff)), 1, false);
        String tag = "broken \uD800 surrogate";
        byte[] before = snapshot(original);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> original.reserve(Range.of(0, 0xf), tag));
        assertTrue(refused.getMessage().contains("unpaired surrogate 0xd800 at index 7"), refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Request.of(1).tagged(tag));
        assertTrue(original.isFree(Range.of(0, 0xff)));
        assertEquals(1, original.stats().failedAllocations(), "a refused reserve counts as a failed allocation");
        String paired = "emoji \uD83D\uDE00 ok";
        original.reserve(Range.of(0, 0xf), paired);
        ResourceAllocator restored = Allocators.restore(new ByteArrayInputStream(snapshot(original)));
        assertEquals(paired, restored.allocationContaining(0).orElseThrow().tag());
        assertFalse(Arrays.equals(before, snapshot(original)));
    }

    @Test
    void snapshotsOfDifferentStatesDiffer() {
        // Guards the harness: equal bytes must mean equal states, not an image that ignores the state.
        String engine = Allocators.engines().get(0);
        ResourceAllocator a = build(engine, "first-match", SPANS, 1, false);
        byte[] before = snapshot(a);
        a.reserve(Range.of(0x1000, 0x1000), null);
        assertFalse(Arrays.equals(before, snapshot(a)), "a reservation did not change the snapshot");
    }

    // ---------------------------------------------------------------------------------------------
    // States
    // ---------------------------------------------------------------------------------------------

    private static void busy(ResourceAllocator a, SplittableRandom rng) {
        List<String> installed = Allocators.policies();
        long quantum = a.quantum();
        a.reserve(Range.of(0xffff_ffff_ffff_ff00L, TOP), "top of the space");
        a.reserve(Range.of(0x1f00, 0x1fff), "end of the first adjacent span");
        a.reserve(Range.of(0x2000, 0x20ff), "start of the second adjacent span");
        for (int step = 0; step < 400; step++) {
            List<Allocation> live = allocations(a);
            int kind = rng.nextInt(100);
            try {
                if (kind < 25) {
                    a.allocate(randomRequest(rng, quantum, SPANS));
                } else if (kind < 45) {
                    a.allocate(randomRequest(rng, quantum, SPANS),
                            Allocators.policy(installed.get(rng.nextInt(installed.size()))));
                } else if (kind < 52 && installed.contains("next-fit")) {
                    a.allocate(randomRequest(rng, quantum, SPANS), Allocators.policy("next-fit"));
                } else if (kind < 60) {
                    a.reserve(randomRange(rng, quantum, SPANS), TAGS[rng.nextInt(TAGS.length)]);
                } else if (kind < 75 && !live.isEmpty()) {
                    a.free(live.get(rng.nextInt(live.size())).range());
                } else if (kind < 80 && !live.isEmpty()) {
                    a.freeContaining(live.get(rng.nextInt(live.size())).range().end());
                } else if (kind < 88 && !live.isEmpty()) {
                    a.reallocate(live.get(rng.nextInt(live.size())).range(), randomRequest(rng, quantum, SPANS));
                } else if (kind < 94) {
                    a.tryAllocate(Request.of(0x10_0000_0000L)); // counted as failed
                } else if (!live.isEmpty()) {
                    a.reserve(live.get(rng.nextInt(live.size())).range()); // overlaps: counted as failed
                }
            } catch (AllocationException expected) {
                // exhausted, overlapping, ...: part of the state being built (failedAllocations)
            }
        }
    }

    private static void drained(ResourceAllocator a, SplittableRandom rng) {
        busy(a, rng);
        List<Allocation> live = allocations(a);
        for (Allocation allocation : live) {
            a.free(allocation.range());
        }
    }

    private static void oneSpanFull(ResourceAllocator a, SplittableRandom rng) {
        while (a.tryAllocate(Request.of(0x40).within(0x1000, 0x1fff).tagged("fill")).isPresent()) {
            // fill [0x1000, 0x1fff]
        }
        a.reserve(Range.of(0x2000, 0x2fff), "whole second span");
        a.allocate(Request.of(0x10).tagged(TAGS[3]));
    }

    private static void grown(ResourceAllocator a, SplittableRandom rng) {
        a.addSpan(Range.of(0x4000, 0x4fff));
        a.addSpan(Range.of(0x9000, 0x9fff));
        a.addSpan(Range.of(0xffff_ffff_ffff_f000L, TOP));
        a.reserve(Range.of(0x4000, 0x400f), "");
        a.reserve(Range.of(0x9ff0, 0x9fff), null);
        a.reserve(Range.of(0xffff_ffff_ffff_fff0L, TOP), "top");
        if (Allocators.policies().contains("next-fit")) {
            a.allocate(Request.of(0x30), Allocators.policy("next-fit"));
        }
    }

    private static void failuresOnly(ResourceAllocator a, SplittableRandom rng) {
        for (int i = 0; i < 5; i++) {
            a.tryAllocate(Request.of(0x10_0000_0000L));
        }
        Range r = a.reserve(Range.of(0x1000, 0x10ff));
        a.free(r);
    }

    // ---------------------------------------------------------------------------------------------
    // Generators and helpers
    // ---------------------------------------------------------------------------------------------

    static Request randomRequest(SplittableRandom rng, long quantum, List<Range> spans) {
        long size = rng.nextInt(4) == 0 ? 1 : 1 + rng.nextInt(0x180);
        long alignment = 1L << rng.nextInt(9);
        Request request = Request.of(size).aligned(alignment);
        if (alignment > quantum && rng.nextInt(4) == 0) {
            request = request.phase(quantum * rng.nextLong(alignment / quantum));
        }
        if (rng.nextInt(6) == 0) {
            long boundary = Math.max(Long.highestOneBit(size) << 1, 0x100) << rng.nextInt(3);
            request = request.noCross(boundary);
        }
        if (rng.nextInt(6) == 0 && !spans.isEmpty()) {
            Range span = spans.get(rng.nextInt(spans.size()));
            long min = span.start() + (span.size() > 1 ? rng.nextLong(span.size() / 2) : 0);
            request = request.within(min, span.end());
        }
        return request.tagged(TAGS[rng.nextInt(TAGS.length)]);
    }

    /** A range on quantum boundaries inside one of {@code spans}, of 1 to 16 quanta. */
    static Range randomRange(SplittableRandom rng, long quantum, List<Range> spans) {
        Range span = spans.get(rng.nextInt(spans.size()));
        long units = span.size() / quantum;
        long start = span.start() + quantum * rng.nextLong(units);
        long last = quantum * (1 + rng.nextInt(16)) - 1;
        long room = span.end() - start; // unsigned, no wrap: start <= span.end
        return Range.of(start, start + (Long.compareUnsigned(last, room) <= 0 ? last : room));
    }

    static ResourceAllocator build(String engine, String policy, List<Range> spans, long quantum, boolean threadSafe) {
        Allocators.Builder builder = Allocators.builder().engine(engine).policy(policy).quantum(quantum);
        spans.forEach(builder::span);
        if (threadSafe) {
            builder.threadSafe();
        }
        return builder.build();
    }

    static byte[] snapshot(ResourceAllocator allocator) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        allocator.writeSnapshot(out);
        return out.toByteArray();
    }

    static List<Allocation> allocations(ResourceAllocator allocator) {
        List<Allocation> list = new ArrayList<>();
        allocator.forEachAllocated(list::add);
        return list;
    }

    static List<Range> frees(ResourceAllocator allocator) {
        List<Range> list = new ArrayList<>();
        allocator.forEachFree(list::add);
        return list;
    }

    /** Everything the public API shows about an allocator's state, engine name aside. */
    static void assertSameState(ResourceAllocator expected, ResourceAllocator actual, String context) {
        assertEquals(expected.spans(), actual.spans(), context + ": spans");
        assertEquals(expected.quantum(), actual.quantum(), context + ": quantum");
        assertEquals(expected.defaultPolicy().name(), actual.defaultPolicy().name(), context + ": default policy");
        assertEquals(allocations(expected), allocations(actual), context + ": allocations and tags");
        assertEquals(frees(expected), frees(actual), context + ": free ranges");
        assertEquals(expected.stats(), actual.stats(), context + ": stats");
        assertTrue(actual.stats().totalAllocations() - actual.stats().totalFrees() == actual.stats().liveAllocations(),
                context + ": counters");
    }
}
