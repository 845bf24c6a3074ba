package io.allot.engine.bitmap;

import io.allot.Allocators;
import io.allot.ExhaustedException;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.internal.UnitPath;
import io.allot.spi.AllocationPolicy;
import io.allot.spi.FreeSpace;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link UnitPath#claimUnit}, {@link io.allot.IdAllocator#allocate}'s entry, on every allocator
 * {@link UnitPath#of} can give over a bitmap besides the core's own id path ({@link IdPathTest}):
 * the guarded allocator's general path (a policy whose choice is not known, so each claim places
 * a request), the thread-safe allocator's (under its lock) and the public API's (an allocator with
 * quantum caches). Against a twin allocator served by {@link UnitPath#allocateUnit}, through long
 * seeded runs: each claim gives the same quantum, a claim with nothing free throws
 * {@link ExhaustedException} where the twin answers its sentinel, and both end with the same
 * counters (every exhausted claim counted as one failed allocation) and snapshot bytes.
 */
class UnitPathTest {

    /** No policies module here: a plain lowest fit, which no allocator recognises as first-match. */
    private static final AllocationPolicy LOWEST = new AllocationPolicy() {
        @Override
        public String name() {
            return "lowest";
        }

        @Override
        public Optional<Range> place(Request request, FreeSpace free) {
            return free.firstFit(request, 0);
        }
    };

    @Test
    void claimUnitClaimsWhatAllocateUnitDoesAndThrowsWhenNothingIsFree() {
        for (String kind : new String[] {"guarded", "thread-safe", "quantum-cached"}) {
            for (long quantum : new long[] {1, 0x1000}) {
                for (long base : new long[] {0, -200 * quantum}) {
                    run(kind, quantum, base, System.nanoTime());
                }
            }
        }
    }

    private static ResourceAllocator build(String kind, long quantum, Range span) {
        Allocators.Builder b = Allocators.builder().engine(BitmapEngine.NAME).quantum(quantum).policy(LOWEST).span(span);
        if (kind.equals("thread-safe")) {
            b.threadSafe();
        } else if (kind.equals("quantum-cached")) {
            b.quantumCache(quantum);
        }
        return b.build();
    }

    private static void run(String kind, long quantum, long base, long seed) {
        int units = 150;
        String context = kind + ", quantum " + quantum + ", base 0x" + Long.toHexString(base) + ", seed " + seed;
        Range span = Range.of(base, base + units * quantum - 1);
        ResourceAllocator claimed = build(kind, quantum, span);
        ResourceAllocator twin = build(kind, quantum, span);
        UnitPath path = UnitPath.of(claimed);
        UnitPath twinPath = UnitPath.of(twin);
        String expectedPath = switch (kind) {
            case "guarded" -> "GuardedAllocator";
            case "thread-safe" -> "ConcurrentAllocator";
            default -> "Public";
        };
        assertEquals(expectedPath, path.getClass().getSimpleName(), context + ": the path under test");
        long none = quantum == 1 ? base - 1 : 1; // starts no quantum: below the span, or off the quantum
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Long> held = new ArrayList<>();
        int exhausted = 0;
        for (int op = 0; op < 4_000; op++) {
            String at = context + ", op " + op;
            if (held.isEmpty() || rnd.nextInt(held.size() > units * 3 / 4 ? 3 : 5) > 0) { // drifts to full, and back after a free
                long expected = twinPath.allocateUnit(none);
                if (expected == none) {
                    assertEquals(units, held.size(), at + ": the twin found nothing free with units free");
                    assertThrows(ExhaustedException.class, path::claimUnit, at);
                    exhausted++;
                } else {
                    assertEquals(expected, path.claimUnit(), at);
                    held.add(expected);
                }
            } else {
                long start = held.remove(rnd.nextInt(held.size()));
                assertTrue(path.freeUnit(start), at + ": free of 0x" + Long.toHexString(start));
                assertTrue(twinPath.freeUnit(start), at);
            }
            assertEquals(twinPath.freeValues(), path.freeValues(), at + ": free values");
        }
        assertTrue(exhausted > 0, context + ": the run never found the space full");
        assertEquals(twin.stats(), claimed.stats(), context + ": every counter");
        assertEquals(exhausted, claimed.stats().failedAllocations(), context + ": each exhausted claim counted once");
        assertArrayEquals(snapshot(twin), snapshot(claimed), context + ": snapshot bytes");
    }

    private static byte[] snapshot(ResourceAllocator allocator) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        allocator.writeSnapshot(out);
        return out.toByteArray();
    }
}
