package io.allot.tests.conformance;

import io.allot.AllocatorStats;
import io.allot.Allocators;
import io.allot.ExhaustedException;
import io.allot.IdAllocator;
import io.allot.NotAllocatedException;
import io.allot.OverlapException;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link IdAllocator}'s own path — no {@code Range}, {@code Optional} or {@code Request} per id —
 * behaves exactly as the general {@link ResourceAllocator} calls it stands for, on every engine:
 * the same ids, counters and snapshot bytes after long random runs; cyclic allocation wraps as
 * Linux's {@code idr_alloc_cyclic} does; snapshots taken after fast-path use restore and carry on
 * identically; messages name ids.
 */
class IdAllocatorTest {

    private static final String ENGINES = "io.allot.tests.Matrix#engines";
    private static final long MAX = -1L;

    /** {@code [first, last]} ranges: small, from 0, across 2^63, and at the top of the 64-bit space. */
    private static final long[][] RANGES = {{1, 100}, {0, 4_200}, {Long.MAX_VALUE - 300, Long.MIN_VALUE + 300},
            {MAX - 999, MAX}};

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void idPathMatchesTheGeneralPathIdForIdCounterForCounterByteForByte(String engine) {
        for (boolean cyclic : new boolean[] {false, true}) {
            for (long[] range : RANGES) {
                long seed = System.nanoTime();
                String context = engine + (cyclic ? " cyclic" : " smallest-first") + " over " + Range.of(range[0], range[1])
                        + ", seed " + seed;
                SplittableRandom rnd = new SplittableRandom(seed);
                IdAllocator ids = cyclic ? IdAllocator.cyclic(range[0], range[1], engine)
                        : IdAllocator.of(range[0], range[1], engine);
                ResourceAllocator general = Allocators.builder().engine(engine).policy(cyclic ? "next-fit" : "first-match")
                        .span(Range.of(range[0], range[1])).build();
                TreeSet<Long> held = new TreeSet<>(Long::compareUnsigned);
                long size = range[1] - range[0] + 1;
                for (int op = 0; op < 20_000; op++) {
                    String at = context + ", op " + op;
                    int kind = rnd.nextInt(held.size() > size / 2 ? 3 : 6);
                    if (kind == 0 || kind >= 3) {
                        boolean full = held.size() == size;
                        if (full) {
                            assertThrows(ExhaustedException.class, ids::allocate, at);
                            assertTrue(general.tryAllocate(Request.of(1)).isEmpty(), at);
                        } else {
                            long id = ids.allocate();
                            assertEquals(general.allocate(Request.of(1)).start(), id, at);
                            assertTrue(held.add(id), at + ": id " + id + " handed out twice");
                        }
                    } else if (kind == 1 && !held.isEmpty()) {
                        Long above = held.ceiling(range[0] + rnd.nextLong(size));
                        long id = rnd.nextBoolean() ? held.first() : above != null ? above : held.last();
                        ids.free(id);
                        general.free(Range.of(id, id));
                        held.remove(id);
                        assertThrows(NotAllocatedException.class, () -> ids.free(id), at);
                    } else {
                        long id = range[0] + rnd.nextLong(size);
                        assertEquals(held.contains(id), ids.isAllocated(id), at + ": isAllocated(" + id + ")");
                        if (!held.contains(id) && rnd.nextBoolean()) {
                            ids.reserve(id);
                            general.reserve(Range.of(id, id));
                            held.add(id);
                        } else if (held.contains(id)) {
                            assertThrows(OverlapException.class, () -> ids.reserve(id), at);
                            assertThrows(OverlapException.class, () -> general.reserve(Range.of(id, id)), at);
                        }
                    }
                    assertEquals(size - held.size(), ids.available(), at + ": available");
                }
                AllocatorStats fast = ids.allocator().stats();
                assertEquals(general.stats(), fast, context + ": every counter");
                assertArrayEquals(snapshot(general), snapshot(ids.allocator()), context + ": snapshot bytes");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void cyclicWrapsAsIdrAllocCyclicDoes(String engine) {
        IdAllocator pids = IdAllocator.cyclic(300, 309, engine);
        for (long id = 300; id <= 309; id++) {
            assertEquals(id, pids.allocate());
        }
        pids.free(303);
        pids.free(306);
        assertEquals(303, pids.allocate(), "nothing free above the last id: wraps to the bottom");
        assertEquals(306, pids.allocate(), "continues from just past the last id");
        assertThrows(ExhaustedException.class, pids::allocate);
        pids.free(300);
        pids.free(305);
        pids.free(309);
        assertEquals(309, pids.allocate(), "the rotor is past 306: 309 comes before the lower ones");
        assertEquals(300, pids.allocate(), "then it wraps");
        assertEquals(305, pids.allocate());
        pids.free(305);
        assertEquals(305, pids.allocate(), "a lone free id is found again after wrapping");
        AllocatorStats stats = pids.allocator().stats();
        assertEquals(10, stats.liveAllocations());
        assertEquals(16, stats.totalAllocations());
        assertEquals(6, stats.totalFrees());
        assertEquals(1, stats.failedAllocations(), "the exhausted allocate() counts as failed");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void cyclicAllocationAtTheTopWrapsThroughZero(String engine) {
        IdAllocator ids = IdAllocator.cyclic(MAX - 2, MAX, engine);
        assertEquals(MAX - 2, ids.allocate());
        assertEquals(MAX - 1, ids.allocate());
        assertEquals(MAX, ids.allocate()); // the rotor wraps to 0 past 2^64 - 1
        ids.free(MAX - 1);
        ids.free(MAX);
        assertEquals(MAX - 1, ids.allocate());
        assertEquals(MAX, ids.allocate());
        assertThrows(ExhaustedException.class, ids::allocate);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void countersStayExactThroughTheIdPath(String engine) {
        IdAllocator ids = IdAllocator.of(10, 19, engine);
        for (int i = 0; i < 10; i++) {
            ids.allocate();
        }
        assertThrows(ExhaustedException.class, ids::allocate);
        assertThrows(ExhaustedException.class, ids::allocate);
        ids.free(12);
        assertThrows(NotAllocatedException.class, () -> ids.free(12));
        assertThrows(IllegalArgumentException.class, () -> ids.free(20));
        assertThrows(OverlapException.class, () -> ids.reserve(13));
        ids.reserve(12);
        AllocatorStats stats = ids.allocator().stats();
        assertEquals(new AllocatorStats(10, 10, 0, 10, 0, 0, 11, 1, 3, 0), stats,
                "10 + 1 allocations, 1 free, 2 exhausted allocate() and 1 refused reserve() failed; refused frees count nothing");
        assertEquals(0, ids.available());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void snapshotsAfterIdPathUseRestoreIntoEveryEngineAndCarryOn(String engine) {
        IdAllocator pids = IdAllocator.cyclic(0, 999, engine);
        SplittableRandom rnd = new SplittableRandom(42);
        List<Long> held = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            if (held.size() < 700 && (held.isEmpty() || rnd.nextInt(3) > 0)) {
                held.add(pids.allocate());
            } else {
                pids.free(held.remove(rnd.nextInt(held.size())));
            }
        }
        byte[] image = snapshot(pids.allocator());
        // What the original hands out next, read from a copy (reading the rotor counts a failed call).
        long expectedNext = nextCyclicId(Allocators.restore(new ByteArrayInputStream(image)));
        for (String target : Allocators.engines()) {
            ResourceAllocator restored = Allocators.restore(new ByteArrayInputStream(image), target);
            assertEquals(pids.allocator().stats(), restored.stats(), "restored into " + target);
            List<Range> before = new ArrayList<>();
            pids.allocator().forEachAllocated(a -> before.add(a.range()));
            List<Range> after = new ArrayList<>();
            restored.forEachAllocated(a -> after.add(a.range()));
            assertEquals(before, after, "restored into " + target);
            // The rotor came back: the restored allocator's next id is the one the original would hand out.
            assertEquals(expectedNext, restored.allocate(Request.of(1)).start(), "restored into " + target);
        }
        assertEquals(expectedNext, pids.allocate(), "the original hands out the same id");
    }

    /** What a cyclic allocator hands out next, computed from its snapshot's rotor and its free ranges. */
    private static long nextCyclicId(ResourceAllocator allocator) {
        long rotor = AllocatorState.rotorOf(allocator);
        List<Range> free = new ArrayList<>();
        allocator.forEachFree(free::add);
        for (Range r : free) {
            if (Long.compareUnsigned(r.end(), rotor) >= 0) {
                return Long.compareUnsigned(r.start(), rotor) >= 0 ? r.start() : rotor;
            }
        }
        return free.get(0).start();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void messagesNameIds(String engine) {
        IdAllocator ids = IdAllocator.of(1, 100, engine);
        ids.reserve(42);
        assertEquals("id 50 (0x32) is not allocated",
                assertThrows(NotAllocatedException.class, () -> ids.free(50)).getMessage());
        assertEquals("id 42 (0x2a) is already allocated",
                assertThrows(OverlapException.class, () -> ids.reserve(42)).getMessage());
        assertEquals("id 101 (0x65) is outside [0x1, 0x64]",
                assertThrows(IllegalArgumentException.class, () -> ids.free(101)).getMessage());
        assertEquals("id 18446744073709551615 (0xffffffffffffffff) is outside [0x1, 0x64]",
                assertThrows(IllegalArgumentException.class, () -> ids.reserve(MAX)).getMessage());
        IdAllocator one = IdAllocator.of(7, 7, engine);
        one.allocate();
        assertEquals("all ids in [0x7, 0x7] are allocated", assertThrows(ExhaustedException.class, one::allocate).getMessage());
    }

    @org.junit.jupiter.api.Test
    void readmeBitmapExampleDoesWhatItsCommentsSay() {
        IdAllocator pids = IdAllocator.cyclic(300, 32_767);
        assertEquals(Allocators.engines().contains("bitmap") ? "bitmap" : "interval", pids.allocator().engine());
        long pid = pids.allocate();
        assertEquals(300, pid);
        assertEquals(301, pids.allocate());
        pids.free(pid);
        pids.reserve(1000);
        assertEquals("id 300 (0x12c) is not allocated",
                assertThrows(NotAllocatedException.class, () -> pids.free(pid)).getMessage());
        assertEquals(302, pids.allocate(), "round robin: 300 is not reused at once");
    }

    @org.junit.jupiter.api.Test
    void theBitmapIsTheDefaultOnlyWhileItsUpFrontMemoryIsSmall() {
        boolean bitmap = Allocators.engines().contains("bitmap");
        String small = bitmap ? "bitmap" : "interval";
        assertEquals(small, IdAllocator.of(0, (1L << 26) - 1).allocator().engine(), "2^26 ids");
        assertEquals(small, IdAllocator.cyclic(MAX - ((1L << 26) - 1), MAX).allocator().engine(), "2^26 ids at the top");
        // One id more, and a 32-bit id space: interval, whose memory follows the allocations, not the range.
        assertEquals("interval", IdAllocator.of(0, 1L << 26).allocator().engine(), "2^26 + 1 ids");
        IdAllocator wide = IdAllocator.of(0, 0xFFFF_FFFFL);
        assertEquals("interval", wide.allocator().engine(), "2^32 ids");
        assertEquals(0, wide.allocate());
        if (bitmap) {
            assertEquals("bitmap", IdAllocator.of(0, (1L << 27) - 1, "bitmap").allocator().engine(), "asked for by name");
        }
    }

    private static byte[] snapshot(ResourceAllocator allocator) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        allocator.writeSnapshot(out);
        return out.toByteArray();
    }
}
