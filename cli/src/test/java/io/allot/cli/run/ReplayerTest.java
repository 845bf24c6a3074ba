package io.allot.cli.run;

import io.allot.Allocators;
import io.allot.Range;
import io.allot.Request;
import io.allot.cli.trace.Trace;
import io.allot.cli.trace.TraceParser;
import io.allot.spi.AllocationPolicy;
import io.allot.spi.FreeSpace;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayerTest {

    private static final Catalog INSTALLED = Catalog.of(null);

    private static final String TRACE = """
            span 0 9
            alloc a 6
            alloc b 6
            realloc b 2
            free b
            alloc c 2
            reserve d 8 9
            free a
            alloc e 4 align=4
            free e
            """;

    @Test
    void countsFailuresAndSkipsAndMeasuresFragmentation() {
        Trace trace = TraceParser.parse("t", TRACE);
        List<FailedOperation> failures = new ArrayList<>();
        Outcome outcome = new Replayer(INSTALLED, true, 10).run(trace, new Combination(engine(), "first-match"),
                new Replayer.Listener() {
                    @Override
                    public boolean wantsFailures() {
                        return true;
                    }

                    @Override
                    public void failed(FailedOperation failure) {
                        failures.add(failure);
                    }
                });
        Outcome.Completed done = assertInstanceOf(Outcome.Completed.class, outcome);
        // a=[0,5]; b fails (4 left); realloc b and free b skip; c=[6,7]; d=[8,9]; free a; e=[0,3] aligned; free e.
        assertEquals(9, done.operations());
        assertEquals(1, done.failed());
        assertEquals(2, done.skipped());
        assertEquals(done.failed(), done.stats().failedAllocations(), "the allocator agrees");
        assertEquals(List.of(new FailedOperation(3, "alloc b 6", "nothing fits")), failures);
        assertEquals(2, done.stats().liveAllocations());
        assertEquals(6, done.stats().largestFree());
        assertEquals(0.0, done.stats().fragmentation());
        assertEquals(0.0, done.peakFragmentation(), "free space was one piece after every operation");
        assertArrayEquals(new double[] {0, 0, 0, 0, 0, 0, 1, 1, 1, 1},
                java.util.Arrays.stream(done.map().allocated()[0]).toArray());
    }

    @Test
    void peakFragmentationIsReadAfterEveryOperation() {
        Trace trace = TraceParser.parse("t", "span 0 9\nalloc a 2\nalloc b 2\nalloc c 2\nfree b\nfree a\nfree c\n");
        Outcome.Completed done = (Outcome.Completed) new Replayer(INSTALLED, false, 4)
                .run(trace, new Combination(engine(), "first-match"), Replayer.Listener.NONE);
        // After "free b": free [2,3] and [6,9], 1 - 4/6; after "free a": [0,3] and [6,9], 1 - 4/8; then one piece.
        assertEquals(0.5, done.peakFragmentation(), 1e-12);
        assertEquals(0.0, done.stats().fragmentation());
        assertEquals(-1, done.heapBytes(), "not measured");
        assertEquals(6, done.fragmentation().length, "one point per operation for a short trace");
        assertArrayEquals(new float[] {0, 0, 0, (float) (1 - 4.0 / 6), 0.5f, 0}, done.fragmentation());
    }

    @Test
    void anEngineThatCannotManageTheSpaceIsRefusedNotFatal() {
        Trace trace = TraceParser.parse("t", "quantum 16\nspan 0 0xff\nalloc a 1\n");
        AllocationPolicy lying = new Lying("lying", false);
        Plugins plugins = new Plugins(Path.of("."), List.of(new io.allot.spi.EngineProvider() {
            @Override
            public String name() {
                return "picky";
            }

            @Override
            public io.allot.ResourceAllocator create(io.allot.spi.AllocatorSpec spec) {
                throw new IllegalArgumentException("picky manages no span of " + spec.spans().get(0).size() + " values");
            }
        }), List.of(lying), Map.of(lying.getClass().getName(), "lying.jar"), List.of());
        Outcome outcome = new Replayer(Catalog.of(plugins), false, 4).run(trace, new Combination("picky", "first-match"),
                Replayer.Listener.NONE);
        assertEquals(new Outcome.Refused(new Combination("picky", "first-match"), "picky manages no span of 256 values"),
                outcome);
    }

    @Test
    void aPolicyThatLiesIsCountedAndOneThatThrowsStopsTheRunAtItsLine() {
        Trace trace = TraceParser.parse("t", "span 0 99\nalloc a 10\nalloc b 10\nfree a\n");
        Plugins plugins = new Plugins(Path.of("."), List.of(),
                List.of(new Lying("lying", false), new Lying("throwing", true)), Map.of(Lying.class.getName(), "lying.jar"),
                List.of());
        Catalog catalog = Catalog.of(plugins);
        Outcome.Completed lied = (Outcome.Completed) new Replayer(catalog, false, 4)
                .run(trace, new Combination(engine(), "lying"), Replayer.Listener.NONE);
        assertEquals(2, lied.failed(), "PolicyViolationException is a failed allocation");
        assertEquals(1, lied.skipped());
        Outcome broken = new Replayer(catalog, false, 4).run(trace, new Combination(engine(), "throwing"),
                Replayer.Listener.NONE);
        Outcome.Broken b = assertInstanceOf(Outcome.Broken.class, broken);
        assertEquals(2, b.line());
        assertTrue(b.reason().contains("IllegalStateException: policy bug"), b.reason());
    }

    @Test
    void timingARunRepeatsItExactly() {
        Trace trace = TraceParser.parse("t", TRACE);
        long nanos = new Replayer(INSTALLED, false, 4).time(trace, new Combination(engine(), "best-fit"),
                Replayer.Listener.NONE);
        assertTrue(nanos > 0);
        assertEquals(-1, new Replayer(Catalog.of(null), false, 4).time(trace, new Combination("no-such-engine", "best-fit"),
                Replayer.Listener.NONE));
    }

    /** Any installed engine: the tests do not depend on which. */
    static String engine() {
        return Allocators.engines().get(0);
    }

    /** A policy that answers with an allocated range (the engine refuses it), or throws. */
    private record Lying(String name, boolean throwing) implements AllocationPolicy {
        @Override
        public Optional<Range> place(Request request, FreeSpace free) {
            if (throwing) {
                throw new IllegalStateException("policy bug");
            }
            return Optional.of(Range.ofSize(1000, request.size()));
        }
    }
}
