package io.allot.tests.layers;

import io.allot.Allocation;
import io.allot.Allocators;
import io.allot.Range;
import io.allot.ResourceAllocator;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Snapshot images and observable state, for the hierarchy and quantum cache tests. The byte
 * offsets are docs/snapshot-format.md's: failedAllocations is a big-endian u64 at byte 40 and a
 * CRC32C of everything before it ends the image.
 */
final class Images {

    static final int FAILED_ALLOCATIONS_AT = 40;
    static final int TRAILER = 4;

    private Images() {
    }

    static byte[] of(ResourceAllocator allocator) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        allocator.writeSnapshot(out);
        return out.toByteArray();
    }

    static ResourceAllocator restore(byte[] image) {
        return Allocators.restore(new ByteArrayInputStream(image));
    }

    static ResourceAllocator restore(byte[] image, ResourceAllocator source) {
        return Allocators.restore(new ByteArrayInputStream(image), source);
    }

    static long failedAllocations(byte[] image) {
        return ByteBuffer.wrap(image).getLong(FAILED_ALLOCATIONS_AT);
    }

    /**
     * Asserts that two images of one allocator are identical in every byte but failedAllocations
     * (and the CRC, which covers it and is checked to be right in both), and that the counter grew
     * by exactly {@code failures}.
     */
    static void assertSameButFailures(byte[] before, byte[] after, long failures, String context) {
        assertEquals(before.length, after.length, context + ": image length");
        assertCrc(before, context + " (before)");
        assertCrc(after, context + " (after)");
        byte[] a = before.clone();
        byte[] b = after.clone();
        Arrays.fill(a, FAILED_ALLOCATIONS_AT, FAILED_ALLOCATIONS_AT + 8, (byte) 0);
        Arrays.fill(b, FAILED_ALLOCATIONS_AT, FAILED_ALLOCATIONS_AT + 8, (byte) 0);
        int mismatch = Arrays.mismatch(a, 0, a.length - TRAILER, b, 0, b.length - TRAILER);
        assertEquals(-1, mismatch, context + ": images differ at byte " + mismatch);
        assertEquals(failedAllocations(before) + failures, failedAllocations(after),
                context + ": failedAllocations should grow by " + failures);
    }

    static void assertCrc(byte[] image, String context) {
        CRC32C crc = new CRC32C();
        crc.update(image, 0, image.length - TRAILER);
        assertEquals((int) crc.getValue(), ByteBuffer.wrap(image).getInt(image.length - TRAILER), context + ": CRC");
    }

    static List<Allocation> allocations(ResourceAllocator allocator) {
        List<Allocation> out = new ArrayList<>();
        allocator.forEachAllocated(out::add);
        return out;
    }

    static List<Range> free(ResourceAllocator allocator) {
        List<Range> out = new ArrayList<>();
        allocator.forEachFree(out::add);
        return out;
    }

    /** Allocations and free ranges, both ascending, tile the spans exactly; stats agree with them. */
    static void assertConsistent(ResourceAllocator allocator, String context) {
        List<Range> spans = allocator.spans();
        List<Allocation> live = allocations(allocator);
        List<Range> free = free(allocator);
        List<Range> pieces = new ArrayList<>();
        live.forEach(a -> pieces.add(a.range()));
        pieces.addAll(free);
        pieces.sort(null);
        int i = 0;
        for (Range span : spans) {
            long next = span.start();
            while (true) {
                if (i == pieces.size() || pieces.get(i).start() != next) {
                    fail(context + ": allocations and free ranges do not tile " + span + " at 0x" + Long.toHexString(next));
                }
                Range piece = pieces.get(i++);
                assertTrue(Long.compareUnsigned(piece.end(), span.end()) <= 0, context + ": " + piece + " runs past " + span);
                if (piece.end() == span.end()) {
                    break;
                }
                next = piece.end() + 1;
            }
        }
        assertEquals(pieces.size(), i, context + ": pieces outside the spans");
        for (int k = 1; k < free.size(); k++) {
            Range before = free.get(k - 1);
            Range after = free.get(k);
            boolean oneSpan = spans.stream().anyMatch(s -> s.contains(before) && s.contains(after));
            assertTrue(!oneSpan || before.end() + 1 != after.start(), context + ": free " + before + " and " + after
                    + " are adjacent in one span: not maximal");
        }
        var s = allocator.stats();
        long allocated = live.stream().mapToLong(a -> a.range().size()).sum();
        long capacity = spans.stream().mapToLong(Range::size).sum();
        assertEquals(capacity, s.capacity(), context + ": capacity");
        assertEquals(allocated, s.allocated(), context + ": allocated");
        assertEquals(capacity - allocated, s.free(), context + ": free");
        assertEquals(live.size(), s.liveAllocations(), context + ": liveAllocations");
        assertEquals(s.liveAllocations(), s.totalAllocations() - s.totalFrees(), context + ": totals");
        assertEquals(free.size(), s.freeSegments(), context + ": freeSegments");
        assertEquals(free.stream().mapToLong(Range::size).max().orElse(0), s.largestFree(), context + ": largestFree");
    }
}
