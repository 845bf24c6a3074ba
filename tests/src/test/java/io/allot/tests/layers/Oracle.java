package io.allot.tests.layers;

import io.allot.Allocation;
import io.allot.AllocatorStats;
import io.allot.Range;
import io.allot.Request;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The oracle for allocators whose placements the contract leaves open: quantum-cached ones
 * (a cached allocation is whatever segment was freed last) and arenas that import (where the
 * parent puts a span). It knows the spans and the live allocations and judges every answer
 * instead of predicting it:
 * <ul>
 *   <li>a placement must have the rounded size, satisfy the request in the space's units, lie
 *       inside one span, and overlap no allocation (cached segments being free);</li>
 *   <li>a refusal is right only if no placement exists at all (so no value is ever lost to a
 *       cache), which {@link #placementExists} decides by brute force over the small spaces the
 *       tests use;</li>
 *   <li>everything else (reserve, free, freeContaining, reallocate's outcome, allocationContaining,
 *       isFree, the allocations, the free ranges, every stats field) is exact.</li>
 * </ul>
 * Values are unsigned; spans must be small enough to scan (a few thousand quanta). Not
 * thread-safe.
 */
final class Oracle {

    final long quantum;
    /** start -> end, and whether imported. */
    private final TreeMap<Long, Long> spans = new TreeMap<>(Long::compareUnsigned);
    private final TreeMap<Long, Boolean> imported = new TreeMap<>(Long::compareUnsigned);
    private final TreeMap<Long, Allocation> allocations = new TreeMap<>(Long::compareUnsigned);
    long totalAllocations;
    long totalFrees;
    long failedAllocations;

    Oracle(long quantum, List<Range> spans) {
        this.quantum = quantum;
        spans.forEach(s -> addSpan(s, false));
    }

    void addSpan(Range span, boolean wasImported) {
        spans.put(span.start(), span.end());
        imported.put(span.start(), wasImported);
    }

    void removeSpan(Range span) {
        spans.remove(span.start());
        imported.remove(span.start());
    }

    List<Range> spans() {
        List<Range> out = new ArrayList<>();
        spans.forEach((s, e) -> out.add(Range.of(s, e)));
        return out;
    }

    List<Range> importedSpans() {
        List<Range> out = new ArrayList<>();
        spans.forEach((s, e) -> {
            if (imported.get(s)) {
                out.add(Range.of(s, e));
            }
        });
        return out;
    }

    /** The request in the space's units, or null when rounding makes it impossible; throws for a phase off the quantum. */
    Request normalize(Request r) {
        if (r.phase() % quantum != 0) {
            throw new IllegalArgumentException("phase off the quantum");
        }
        long size = (r.size() + quantum - 1) & -quantum;
        if (size == 0 || r.noCross() != 0 && Long.compareUnsigned(r.noCross(), size) < 0) {
            return null;
        }
        long alignment = Long.compareUnsigned(r.alignment(), quantum) >= 0 ? r.alignment() : quantum;
        return new Request(size, alignment, r.phase(), r.noCross(), r.min(), r.max(), r.tag());
    }

    /** Why {@code placed} is not a valid answer to {@code normal}, or null if it is. */
    String judge(Request normal, Range placed) {
        if (placed.size() != normal.size()) {
            return placed + " has size 0x" + Long.toHexString(placed.size()) + ", not 0x" + Long.toHexString(normal.size());
        }
        if (!normal.admits(placed.start())) {
            return placed + " does not satisfy " + normal;
        }
        if (spanHolding(placed) == null) {
            return placed + " is not inside one span of " + spans();
        }
        Allocation over = firstOverlapping(placed);
        return over == null ? null : placed + " overlaps live allocation " + over;
    }

    /** Whether some placement satisfies {@code normal} in the free space, by brute force. */
    boolean placementExists(Request normal) {
        if (normal == null) {
            return false;
        }
        for (Range free : freeRanges()) {
            if (placementIn(free, normal) != null) {
                return true;
            }
        }
        return false;
    }

    /** The lowest start in {@code free} satisfying {@code normal}, or null. */
    static Long placementIn(Range free, Request normal) {
        long a = normal.alignment();
        long first = free.start() + ((normal.phase() - free.start()) & (a - 1));
        if (Long.compareUnsigned(first, free.start()) < 0) {
            return null;
        }
        for (long x = first; Long.compareUnsigned(x, free.end()) <= 0; x += a) {
            long end = x + normal.size() - 1;
            if (Long.compareUnsigned(end, x) < 0 || Long.compareUnsigned(end, free.end()) > 0) {
                return null;
            }
            if (normal.admits(x)) {
                return x;
            }
            if (x + a == 0 || Long.compareUnsigned(x + a, x) < 0) {
                return null;
            }
        }
        return null;
    }

    void take(Range range, String tag) {
        allocations.put(range.start(), new Allocation(range, tag));
        totalAllocations++;
    }

    Allocation release(Range range) {
        Allocation a = allocations.remove(range.start());
        totalFrees++;
        return a;
    }

    /** The live allocation that is exactly {@code range}, or null. */
    Allocation exactly(Range range) {
        Allocation a = allocations.get(range.start());
        return a != null && a.range().equals(range) ? a : null;
    }

    Optional<Allocation> allocationContaining(long value) {
        Map.Entry<Long, Allocation> e = allocations.floorEntry(value);
        return e != null && Long.compareUnsigned(e.getValue().range().end(), value) >= 0
                ? Optional.of(e.getValue()) : Optional.empty();
    }

    boolean isFree(Range range) {
        return spanHolding(range) != null && firstOverlapping(range) == null;
    }

    /** The span holding all of {@code range}, or null. */
    Range spanHolding(Range range) {
        Map.Entry<Long, Long> e = spans.floorEntry(range.start());
        return e != null && Long.compareUnsigned(range.end(), e.getValue()) <= 0 ? Range.of(e.getKey(), e.getValue())
                : null;
    }

    Allocation firstOverlapping(Range range) {
        Map.Entry<Long, Allocation> e = allocations.floorEntry(range.end());
        return e != null && Long.compareUnsigned(e.getValue().range().end(), range.start()) >= 0 ? e.getValue() : null;
    }

    /** Whether any allocation lies in {@code span}. */
    boolean holdsAny(Range span) {
        return firstOverlapping(span) != null;
    }

    List<Allocation> allocations() {
        return new ArrayList<>(allocations.values());
    }

    List<Range> freeRanges() {
        List<Range> out = new ArrayList<>();
        spans.forEach((s, e) -> {
            long cursor = s;
            boolean done = false;
            for (Allocation a : allocations.subMap(s, true, e, true).values()) {
                if (a.range().start() != cursor) {
                    out.add(Range.of(cursor, a.range().start() - 1));
                }
                if (a.range().end() == e) {
                    done = true;
                    break;
                }
                cursor = a.range().end() + 1;
            }
            if (!done) {
                out.add(Range.of(cursor, e));
            }
        });
        return out;
    }

    AllocatorStats stats() {
        long capacity = 0;
        for (Map.Entry<Long, Long> e : spans.entrySet()) {
            capacity += e.getValue() - e.getKey() + 1;
        }
        long allocated = 0;
        for (Allocation a : allocations.values()) {
            allocated += a.range().size();
        }
        long importedValues = 0;
        for (Range span : importedSpans()) {
            importedValues += span.size();
        }
        List<Range> free = freeRanges();
        long largest = 0;
        for (Range f : free) {
            largest = Long.compareUnsigned(f.size(), largest) > 0 ? f.size() : largest;
        }
        return new AllocatorStats(capacity, allocated, capacity - allocated, allocations.size(), free.size(), largest,
                totalAllocations, totalFrees, failedAllocations, importedValues);
    }
}
