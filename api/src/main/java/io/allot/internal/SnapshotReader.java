package io.allot.internal;

import io.allot.Allocation;
import io.allot.OverlapException;
import io.allot.Range;
import io.allot.SnapshotFormatException;
import io.allot.spi.AllocationPolicy;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Reads and checks a snapshot image completely before anything is built from it.
 *
 * <p>Order of checks: magic, version (a future version is refused before its layout is trusted),
 * the CRC32C trailer (so that a flipped bit or a cut anywhere is caught), then every field against
 * the rules an allocator's state obeys — spans ascending and disjoint on quantum boundaries,
 * allocations ascending, disjoint, each inside one span and on quantum boundaries, counts that
 * fit in the bytes that remain (so a corrupt count cannot make it allocate gigabytes), strict
 * UTF-8, counters consistent with the number of allocations, and a policy that is installed;
 * then, if the image has a layers section, an import size on the quantum, a quantum cache size the
 * builder accepts with that policy, and imported spans that are spans of the image, listed once,
 * ascending, each holding an allocation (a wholly free imported span would have gone back to its
 * source). Every failure is a {@link SnapshotFormatException} that names what is wrong and its
 * byte offset.
 */
public final class SnapshotReader {

    private static final int TRAILER = 4;
    /** Smallest encoded allocation: start, end, tag length. */
    private static final int MIN_ALLOCATION_BYTES = 8 + 8 + 4;
    /** Smallest layers section: import size, quantum cache size, imported span count. */
    private static final int LAYERS_BYTES = 8 + 8 + 4;

    private final ByteBuffer buf;
    private final int end;
    private final Map<String, AllocationPolicy> policies;

    private SnapshotReader(byte[] image, Map<String, AllocationPolicy> policies) {
        this.buf = ByteBuffer.wrap(image);
        this.end = image.length - TRAILER;
        this.policies = policies;
    }

    /**
     * The checked content of {@code image}.
     *
     * @param policies the installed policies by name; the image's policy must be one of them
     * @throws SnapshotFormatException if the image is truncated, corrupt, of another version,
     *                                 inconsistent, or names a policy not in {@code policies}
     */
    public static Snapshot read(byte[] image, Map<String, AllocationPolicy> policies) {
        return new SnapshotReader(image, policies).read();
    }

    private Snapshot read() {
        if (buf.capacity() < 8 + TRAILER) {
            throw fail(0, "image of " + buf.capacity() + " bytes is too short to be a snapshot");
        }
        int magic = buf.getInt();
        if (magic != Snapshot.MAGIC) {
            throw fail(0, "magic 0x" + Integer.toHexString(magic) + " is not an Allot snapshot's (0x"
                    + Integer.toHexString(Snapshot.MAGIC) + ")");
        }
        int version = Short.toUnsignedInt(buf.getShort());
        if (version != Snapshot.VERSION) {
            throw fail(4, "version " + version + (version > Snapshot.VERSION ? " is newer than" : " is not")
                    + " the supported version " + Snapshot.VERSION);
        }
        checkCrc();
        int flags = Short.toUnsignedInt(buf.getShort());
        if ((flags & ~(Snapshot.FLAG_THREAD_SAFE | Snapshot.FLAG_LAYERS)) != 0) {
            throw fail(6, "unknown flags 0x" + Integer.toHexString(flags));
        }
        long quantum = getLong("quantum");
        if (!Unsigned.isPowerOfTwo(quantum)) {
            throw fail(8, "quantum " + Unsigned.hex(quantum) + " is not a power of two");
        }
        long rotor = getLong("rotor");
        long totalAllocations = getLong("totalAllocations");
        long totalFrees = getLong("totalFrees");
        long failedAllocations = getLong("failedAllocations");
        String engine = getName("engine name");
        int policyAt = buf.position();
        String policy = getName("policy name");
        if (!policies.containsKey(policy)) {
            throw fail(policyAt, "policy \"" + policy + "\" is not installed; installed: " + policies.keySet());
        }
        List<Range> spans = new ArrayList<>();
        Spans checked = readSpans(quantum, spans);
        List<Allocation> allocations = readAllocations(checked);
        long importSize = 0;
        long quantumCacheMax = 0;
        List<Range> imported = List.of();
        if ((flags & Snapshot.FLAG_LAYERS) != 0) {
            int at = buf.position();
            if (end - at < LAYERS_BYTES) {
                throw fail(6, "flag 0x" + Integer.toHexString(Snapshot.FLAG_LAYERS) + " announces a layers section of "
                        + LAYERS_BYTES + " bytes or more after the allocations, but only " + (end - at)
                        + " bytes remain before the trailer");
            }
            importSize = getLong("import size");
            if ((importSize & (quantum - 1)) != 0) {
                throw fail(at, "import size " + Unsigned.hex(importSize) + " is not a multiple of the quantum "
                        + Unsigned.hex(quantum));
            }
            quantumCacheMax = getLong("quantum cache size");
            if (importSize == 0 && quantumCacheMax == 0) {
                throw fail(6, "flag 0x" + Integer.toHexString(Snapshot.FLAG_LAYERS) + " announces a layers section,"
                        + " but it names neither a source nor quantum caches");
            }
            String refused = quantumCacheMax == 0 ? null
                    : QuantumCache.problem(quantumCacheMax, quantum, policies.get(policy));
            if (refused != null) {
                throw fail(at + 8, refused);
            }
            imported = readImported(spans, allocations, importSize);
        }
        if (buf.position() != end) {
            throw fail(buf.position(), (end - buf.position()) + " unexpected bytes after the last "
                    + ((flags & Snapshot.FLAG_LAYERS) != 0 ? "imported span" : "allocation"));
        }
        long live = allocations.size();
        if (Unsigned.greaterThan(totalFrees, totalAllocations) || totalAllocations - totalFrees != live) {
            throw fail(24, "counters say " + Long.toUnsignedString(totalAllocations) + " allocations and "
                    + Long.toUnsignedString(totalFrees) + " frees, but " + live + " allocations are live");
        }
        return new Snapshot(engine, policy, quantum, (flags & Snapshot.FLAG_THREAD_SAFE) != 0, rotor,
                totalAllocations, totalFrees, failedAllocations, List.copyOf(spans), List.copyOf(allocations),
                importSize, quantumCacheMax, imported);
    }

    /** The imported span list: indexes into {@code spans}, strictly ascending, each span holding an allocation. */
    private List<Range> readImported(List<Range> spans, List<Allocation> allocations, long importSize) {
        int at = buf.position();
        long count = Integer.toUnsignedLong(getInt("imported span count"));
        if (count > spans.size()) {
            throw fail(at, count + " imported spans, but the image has only " + spans.size() + " spans");
        }
        if (count != 0 && importSize == 0) {
            throw fail(at, count + " imported spans, but the allocator has no source (import size 0)");
        }
        need(count, 4, at, "imported spans");
        List<Range> imported = new ArrayList<>((int) count);
        long previous = -1;
        for (long i = 0; i < count; i++) {
            at = buf.position();
            long index = Integer.toUnsignedLong(getInt("imported span " + i));
            if (index >= spans.size() || index <= previous) {
                throw fail(at, "imported span index " + index + " is not a span above the one before it (of "
                        + spans.size() + " spans)");
            }
            Range span = spans.get((int) index);
            if (!holdsAllocation(allocations, span)) {
                throw fail(at, "imported span " + span + " holds no allocation; it would have gone back to its source");
            }
            imported.add(span);
            previous = index;
        }
        return List.copyOf(imported);
    }

    /** Whether some allocation (ascending, each inside one span) lies in {@code span}. */
    private static boolean holdsAllocation(List<Allocation> allocations, Range span) {
        int lo = 0;
        int hi = allocations.size();
        while (lo < hi) { // the first allocation starting at or above the span's start
            int mid = (lo + hi) >>> 1;
            if (Unsigned.lessThan(allocations.get(mid).range().start(), span.start())) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo < allocations.size() && Unsigned.atMost(allocations.get(lo).range().start(), span.end());
    }

    private void checkCrc() {
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 0, end);
        int stored = buf.getInt(end);
        int computed = (int) crc.getValue();
        if (stored != computed) {
            throw fail(end, "CRC32C 0x" + Integer.toHexString(stored) + " does not match the content's 0x"
                    + Integer.toHexString(computed) + " (corrupt or truncated image of " + buf.capacity() + " bytes)");
        }
    }

    private Spans readSpans(long quantum, List<Range> spans) {
        int at = buf.position();
        long count = Integer.toUnsignedLong(getInt("span count"));
        need(count, 16, at, "spans");
        Spans checked = new Spans(quantum);
        for (long i = 0; i < count; i++) {
            at = buf.position();
            Range span = getRange("span " + i);
            if (!spans.isEmpty() && !Unsigned.lessThan(spans.get(spans.size() - 1).end(), span.start())) {
                throw fail(at, "span " + span + " is not above the span before it, " + spans.get(spans.size() - 1));
            }
            try {
                checked.add(span);
            } catch (IllegalArgumentException | OverlapException e) {
                throw fail(at, e.getMessage());
            }
            spans.add(span);
        }
        return checked;
    }

    private List<Allocation> readAllocations(Spans spans) {
        int at = buf.position();
        long count = getLong("allocation count");
        need(count, MIN_ALLOCATION_BYTES, at, "allocations");
        List<Allocation> allocations = new ArrayList<>((int) count);
        Range previous = null;
        for (long i = 0; i < count; i++) {
            at = buf.position();
            Range range = getRange("allocation " + i);
            if (previous != null && !Unsigned.lessThan(previous.end(), range.start())) {
                throw fail(at, "allocation " + range + " overlaps or is below the allocation before it, " + previous);
            }
            if (!spans.withinOne(range.start(), range.end())) {
                throw fail(at, "allocation " + range + " is not inside one span");
            }
            try {
                spans.checkOnQuantum("allocation", range);
            } catch (IllegalArgumentException e) {
                throw fail(at, e.getMessage());
            }
            allocations.add(new Allocation(range, getTag("allocation " + i)));
            previous = range;
        }
        return allocations;
    }

    private Range getRange(String what) {
        int at = buf.position();
        long start = getLong(what + " start");
        long last = getLong(what + " end");
        try {
            return Range.of(start, last);
        } catch (IllegalArgumentException e) {
            throw fail(at, what + ": " + e.getMessage());
        }
    }

    private String getTag(String what) {
        int at = buf.position();
        int length = getInt(what + " tag length");
        if (length == -1) {
            return null;
        }
        if (length < 0) {
            throw fail(at, what + " tag length " + length + " is negative");
        }
        return getUtf8(at, length, what + " tag");
    }

    private String getName(String what) {
        int at = buf.position();
        need(1, 1, at, what);
        int length = Byte.toUnsignedInt(buf.get());
        return getUtf8(at, length, what);
    }

    private String getUtf8(int at, int length, String what) {
        need(length, 1, at, what);
        ByteBuffer bytes = buf.slice(buf.position(), length);
        buf.position(buf.position() + length);
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw fail(at, what + " is not valid UTF-8");
        }
    }

    private long getLong(String what) {
        need(1, 8, buf.position(), what);
        return buf.getLong();
    }

    private int getInt(String what) {
        need(1, 4, buf.position(), what);
        return buf.getInt();
    }

    /** Fails unless {@code count * each} bytes remain before the trailer. */
    private void need(long count, int each, int at, String what) {
        long remaining = end - buf.position();
        if (Long.compareUnsigned(count, remaining / each) > 0) {
            throw fail(at, what + " need " + (count == 1 ? each : Long.toUnsignedString(count) + " x " + each)
                    + " bytes, only " + remaining + " remain before the trailer (truncated or corrupt image)");
        }
    }

    private static SnapshotFormatException fail(int offset, String what) {
        return new SnapshotFormatException("snapshot at byte " + offset + ": " + what);
    }
}
