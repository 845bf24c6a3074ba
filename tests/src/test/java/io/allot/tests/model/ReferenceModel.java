package io.allot.tests.model;

import io.allot.Allocation;
import io.allot.AllocatorStats;
import io.allot.ExhaustedException;
import io.allot.NotAllocatedException;
import io.allot.OverlapException;
import io.allot.Range;
import io.allot.Request;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A deliberately simple reference model of a {@link io.allot.ResourceAllocator}, written from
 * DESIGN.md alone, for the randomised model-based test.
 *
 * <p><b>State.</b> The spans (start &rarr; end), the live allocations (start &rarr; allocation),
 * the next-fit rotor and the three event counters. Everything else &mdash; free segments,
 * capacity, largest free range &mdash; is recomputed from those on demand by walking the spans and
 * allocations in order, so there is no second copy of any fact that could drift. (The results are
 * kept until the next change to the spans or allocations, which drops them all: the test asks for
 * them after every operation.)
 *
 * <p><b>Numbers.</b> Every value is held as a {@link BigInteger} in {@code [0, 2^64 - 1]}, so
 * {@code end + 1}, {@code start + size - 1} and rounding up to the quantum are plain arithmetic:
 * nothing wraps, and a result of 2<sup>64</sup> or more simply fails the bounds check it meets.
 * {@code long}s are read as unsigned only at the edges ({@link #u(long)}, {@link #l(BigInteger)}).
 *
 * <p><b>Placement.</b> Searches step through the candidate starts of one free segment in the
 * order the policy wants them, a candidate being any {@code s} with {@code s == phase (mod alignment)}
 * inside the segment and the window. A candidate that straddles a multiple {@code B} of noCross
 * is skipped together with every candidate between it and {@code B} (they straddle {@code B}
 * too), nothing cleverer. This is linear in the number of noCross blocks a segment holds, which
 * is why the model refuses spaces of more than {@link #MAX_QUANTA} quanta: the randomised test
 * keeps its spaces small so that they fill up.
 *
 * <p>Not thread-safe. Policies are identified by name; {@link #POLICIES} lists the ones it knows.
 */
final class ReferenceModel {

    static final String FIRST_MATCH = "first-match";
    static final String LAST_MATCH = "last-match";
    static final String NEXT_FIT = "next-fit";
    static final String BEST_FIT = "best-fit";
    static final String INSTANT_FIT = "instant-fit";

    /** The policies whose choices this model can compute (or, for instant-fit, judge). */
    static final Set<String> POLICIES = Set.of(FIRST_MATCH, LAST_MATCH, NEXT_FIT, BEST_FIT, INSTANT_FIT);

    /** The largest space, in quanta, the model agrees to manage (its searches are linear). */
    static final long MAX_QUANTA = 1L << 20;

    private static final BigInteger TWO_TO_THE_64 = BigInteger.ONE.shiftLeft(64);
    private static final BigInteger MAX = TWO_TO_THE_64.subtract(BigInteger.ONE);

    private final BigInteger quantum;
    private final String defaultPolicy;
    private final TreeMap<BigInteger, BigInteger> spans = new TreeMap<>();
    private final TreeMap<BigInteger, Alloc> allocations = new TreeMap<>();
    private BigInteger rotor;
    private long totalAllocations;
    private long totalFrees;
    private long failedAllocations;

    /** Free segments, recomputed after any change to spans or allocations. */
    private List<Seg> freeCache;
    /** What the observations return, likewise recomputed on demand after a change (the test asks often). */
    private List<Allocation> allocationsCache;
    private List<Range> freeRangesCache;
    private List<Range> spansCache;
    /** capacity, allocated, free, liveAllocations, freeSegments, largestFree: the state part of the stats. */
    private long[] shapeCache;
    /** Why the model accepted or chose what it did for the last instant-fit; for failure messages. */
    private String note = "";

    /** One live allocation. */
    private record Alloc(BigInteger start, BigInteger end, String tag) {
        Allocation toAllocation() {
            return new Allocation(Range.of(l(start), l(end)), tag);
        }
    }

    /** One maximal free segment of one span. */
    private record Seg(BigInteger start, BigInteger end) {
        BigInteger size() {
            return end.subtract(start).add(BigInteger.ONE);
        }

        Range toRange() {
            return Range.of(l(start), l(end));
        }
    }

    /** A request in the space's units: size rounded up to the quantum, alignment at least the quantum. */
    private record Need(BigInteger size, BigInteger alignment, BigInteger phase, BigInteger noCross,
                        BigInteger min, BigInteger max, String tag) {
    }

    /**
     * @param spans         the initial spans, disjoint and on quantum boundaries
     * @param quantum       a power of two
     * @param defaultPolicy one of {@link #POLICIES}
     */
    ReferenceModel(List<Range> spans, long quantum, String defaultPolicy) {
        if (!POLICIES.contains(defaultPolicy)) {
            throw new IllegalArgumentException("the model does not know policy " + defaultPolicy);
        }
        this.quantum = u(quantum);
        this.defaultPolicy = defaultPolicy;
        for (Range span : spans) {
            addSpan(span);
        }
        this.rotor = this.spans.isEmpty() ? BigInteger.ZERO : this.spans.firstKey();
    }

    // ------------------------------------------------------------------ operations

    /** {@code allocate(request)} or {@code allocate(request, policy)}; {@code policy} null means the default. */
    Range allocate(Request request, String policy, Range engineChoice) {
        Optional<Range> placed = tryAllocate(request, policy, engineChoice);
        if (placed.isEmpty()) {
            throw new ExhaustedException("model: no placement for " + request);
        }
        return placed.get();
    }

    /**
     * {@code tryAllocate(request[, policy])}. {@code engineChoice} is what the engine answered; the
     * model looks at it only where the contract leaves the choice open (unconstrained instant-fit),
     * and adopts it if the contract allows it.
     */
    Optional<Range> tryAllocate(Request request, String policy, Range engineChoice) {
        Objects.requireNonNull(request, "request");
        String name = policy == null ? defaultPolicy : policy;
        Need need = normalize(request); // counts the call if it throws
        Optional<Seg> placed = choose(need, name, engineChoice);
        if (placed.isEmpty()) {
            failedAllocations++;
            return Optional.empty();
        }
        Seg p = placed.get();
        take(p.start(), p.end(), need.tag());
        totalAllocations++;
        if (name.equals(NEXT_FIT)) {
            rotor = p.end().add(BigInteger.ONE).mod(TWO_TO_THE_64);
        }
        return Optional.of(p.toRange());
    }

    /** {@code reserve(range, tag)}. */
    Range reserve(Range range, String tag) {
        Objects.requireNonNull(range, "range");
        BigInteger s = u(range.start());
        BigInteger e = u(range.end());
        if (!onQuantum(s, e)) {
            failedAllocations++;
            throw new IllegalArgumentException("model: " + range + " is off the quantum");
        }
        if (spanHolding(s, e) == null) {
            failedAllocations++;
            throw new IllegalArgumentException("model: " + range + " is not inside one span");
        }
        if (firstAllocationOverlapping(s, e) != null) {
            failedAllocations++;
            throw new OverlapException("model: " + range + " overlaps an allocation");
        }
        take(s, e, tag);
        totalAllocations++;
        return range;
    }

    /** {@code free(range)}. */
    void free(Range range) {
        Objects.requireNonNull(range, "range");
        Alloc a = allocations.get(u(range.start()));
        if (a == null || !a.end().equals(u(range.end()))) {
            throw new NotAllocatedException("model: " + range + " is not an allocation");
        }
        release(a);
        totalFrees++;
    }

    /** {@code freeContaining(value)}. */
    Range freeContaining(long value) {
        Alloc a = allocationHolding(u(value));
        if (a == null) {
            throw new NotAllocatedException("model: " + Long.toHexString(value) + " is not allocated");
        }
        release(a);
        totalFrees++;
        return a.toAllocation().range();
    }

    /** {@code reallocate(old, request)}; {@code engineChoice} as for {@link #tryAllocate}. */
    Range reallocate(Range old, Request request, Range engineChoice) {
        Objects.requireNonNull(old, "old");
        Objects.requireNonNull(request, "request");
        Need need = normalize(request); // counts the call if it throws
        Alloc current = allocations.get(u(old.start()));
        if (current == null || !current.end().equals(u(old.end()))) {
            failedAllocations++;
            throw new NotAllocatedException("model: " + old + " is not an allocation");
        }
        release(current);
        Optional<Seg> placed = choose(need, defaultPolicy, engineChoice); // the rotor stays put
        if (placed.isEmpty()) {
            take(current.start(), current.end(), current.tag());
            failedAllocations++;
            throw new ExhaustedException("model: no placement for " + request + " even with " + old + " free");
        }
        Seg p = placed.get();
        take(p.start(), p.end(), need.tag() != null ? need.tag() : current.tag());
        totalAllocations++;
        totalFrees++;
        return p.toRange();
    }

    /** {@code allocationContaining(value)}. */
    Optional<Allocation> allocationContaining(long value) {
        Alloc a = allocationHolding(u(value));
        return a == null ? Optional.empty() : Optional.of(a.toAllocation());
    }

    /** {@code isFree(range)}: inside one span and overlapping no allocation. */
    boolean isFree(Range range) {
        BigInteger s = u(range.start());
        BigInteger e = u(range.end());
        return spanHolding(s, e) != null && firstAllocationOverlapping(s, e) == null;
    }

    /** {@code addSpan(span)}. */
    void addSpan(Range span) {
        Objects.requireNonNull(span, "span");
        BigInteger s = u(span.start());
        BigInteger e = u(span.end());
        if (!onQuantum(s, e)) {
            throw new IllegalArgumentException("model: span " + span + " is off the quantum");
        }
        Map.Entry<BigInteger, BigInteger> below = spans.floorEntry(e);
        if (below != null && below.getValue().compareTo(s) >= 0) {
            throw new OverlapException("model: span " + span + " overlaps a span");
        }
        BigInteger size = e.subtract(s).add(BigInteger.ONE);
        if (capacity().add(size).compareTo(TWO_TO_THE_64) >= 0) {
            throw new IllegalArgumentException("model: spans would hold all 2^64 values");
        }
        if (capacity().add(size).divide(quantum).compareTo(BigInteger.valueOf(MAX_QUANTA)) > 0) {
            throw new IllegalStateException("the model manages at most " + MAX_QUANTA + " quanta");
        }
        spans.put(s, e);
        changed();
    }

    // ------------------------------------------------------------------ observations

    /** The spans, ascending (unmodifiable). */
    List<Range> spans() {
        if (spansCache == null) {
            List<Range> out = new ArrayList<>();
            spans.forEach((s, e) -> out.add(Range.of(l(s), l(e))));
            spansCache = List.copyOf(out);
        }
        return spansCache;
    }

    /** The live allocations with their tags, ascending (unmodifiable). */
    List<Allocation> allocations() {
        if (allocationsCache == null) {
            List<Allocation> out = new ArrayList<>();
            for (Alloc a : allocations.values()) {
                out.add(a.toAllocation());
            }
            allocationsCache = List.copyOf(out);
        }
        return allocationsCache;
    }

    /** The maximal free segments, ascending, never merged across span boundaries (unmodifiable). */
    List<Range> freeRanges() {
        if (freeRangesCache == null) {
            List<Range> out = new ArrayList<>();
            for (Seg seg : free()) {
                out.add(seg.toRange());
            }
            freeRangesCache = List.copyOf(out);
        }
        return freeRangesCache;
    }

    /** The statistics the contract defines, computed from the state. */
    AllocatorStats stats() {
        if (shapeCache == null) {
            BigInteger capacity = capacity();
            BigInteger allocated = BigInteger.ZERO;
            for (Alloc a : allocations.values()) {
                allocated = allocated.add(a.end().subtract(a.start()).add(BigInteger.ONE));
            }
            BigInteger largest = BigInteger.ZERO;
            for (Seg seg : free()) {
                largest = largest.max(seg.size());
            }
            shapeCache = new long[] {l(capacity), l(allocated), l(capacity.subtract(allocated)), allocations.size(),
                    free().size(), l(largest)};
        }
        long[] s = shapeCache;
        return new AllocatorStats(s[0], s[1], s[2], s[3], s[4], s[5], totalAllocations, totalFrees, failedAllocations, 0);
    }

    /** The next-fit rotor. */
    long rotor() {
        return l(rotor);
    }

    /** What the model decided about the last instant-fit placement, for failure messages. */
    String note() {
        return note;
    }

    @Override
    public String toString() {
        return "model over " + spans() + ", quantum 0x" + quantum.toString(16) + ", default " + defaultPolicy
                + ", rotor 0x" + rotor.toString(16) + ", " + allocations.size() + " allocations, "
                + free().size() + " free segments";
    }

    // ------------------------------------------------------------------ placement

    /** The request in the space's units; throws (and counts the call) if the phase is off the quantum. */
    private Need normalize(Request r) {
        BigInteger phase = u(r.phase());
        if (phase.mod(quantum).signum() != 0) {
            failedAllocations++;
            throw new IllegalArgumentException("model: phase " + r.phase() + " is not a multiple of the quantum");
        }
        BigInteger size = roundUp(u(r.size()));
        BigInteger alignment = u(r.alignment()).max(quantum);
        return new Need(size, alignment, phase, u(r.noCross()), u(r.min()), u(r.max()), r.tag());
    }

    /** {@code size} rounded up to a multiple of the quantum; may be 2^64, which then fits nowhere. */
    BigInteger roundUp(BigInteger size) {
        BigInteger[] qr = size.divideAndRemainder(quantum);
        return qr[1].signum() == 0 ? size : qr[0].add(BigInteger.ONE).multiply(quantum);
    }

    /** The placement {@code policy} makes, or empty. */
    private Optional<Seg> choose(Need need, String policy, Range engineChoice) {
        note = "";
        if (need.size().compareTo(MAX) > 0) {
            note = "the rounded size exceeds 2^64 - 1: nothing fits";
            return Optional.empty();
        }
        switch (policy) {
            case FIRST_MATCH:
                return firstFit(need, BigInteger.ZERO);
            case LAST_MATCH:
                return lastFit(need);
            case NEXT_FIT: {
                Optional<Seg> ahead = firstFit(need, rotor);
                return ahead.isPresent() ? ahead : firstFit(need, BigInteger.ZERO);
            }
            case BEST_FIT:
                return bestFit(need);
            case INSTANT_FIT:
                return instantFit(need, engineChoice);
            default:
                throw new IllegalArgumentException("the model does not know policy " + policy);
        }
    }

    /** The lowest placement whose start is at or above {@code from}. */
    private Optional<Seg> firstFit(Need need, BigInteger from) {
        for (Seg seg : free()) {
            BigInteger s = lowestIn(seg, need, from);
            if (s != null) {
                return Optional.of(placement(s, need));
            }
        }
        return Optional.empty();
    }

    /** The highest placement. */
    private Optional<Seg> lastFit(Need need) {
        List<Seg> segs = free();
        for (int i = segs.size() - 1; i >= 0; i--) {
            BigInteger s = highestIn(segs.get(i), need);
            if (s != null) {
                return Optional.of(placement(s, need));
            }
        }
        return Optional.empty();
    }

    /** The lowest placement in the smallest segment (whole size) holding one; ties to the lower segment. */
    private Optional<Seg> bestFit(Need need) {
        Seg best = null;
        BigInteger bestStart = null;
        for (Seg seg : free()) { // ascending, so a strict '<' keeps the lower of equal sizes
            BigInteger s = lowestIn(seg, need, BigInteger.ZERO);
            if (s != null && (best == null || seg.size().compareTo(best.size()) < 0)) {
                best = seg;
                bestStart = s;
            }
        }
        return best == null ? Optional.empty() : Optional.of(placement(bestStart, need));
    }

    /**
     * Instant-fit. Constrained requests (alignment above the quantum, a phase, a noCross, a window)
     * go to best-fit. Otherwise the contract fixes only the size class: the placement must lie in
     * a free segment of the lowest power-of-two class {@code k} (sizes in {@code [2^k, 2^(k+1))})
     * with {@code 2^k >= size} that has any member; which member, and where in it, is the
     * engine's free choice, so the model adopts the engine's answer when it is one of those. When
     * no such class has a member, best-fit.
     */
    private Optional<Seg> instantFit(Need need, Range engineChoice) {
        boolean constrained = need.alignment().compareTo(quantum) > 0 || need.phase().signum() != 0
                || need.noCross().signum() != 0 || need.min().signum() != 0 || !need.max().equals(MAX);
        if (constrained) {
            note = "instant-fit of a constrained request: exactly as best-fit";
            return bestFit(need);
        }
        int wanted = need.size().subtract(BigInteger.ONE).bitLength(); // smallest k with 2^k >= size
        int lowest = Integer.MAX_VALUE;
        for (Seg seg : free()) {
            int k = seg.size().bitLength() - 1;
            if (k >= wanted && k < lowest) {
                lowest = k;
            }
        }
        if (lowest == Integer.MAX_VALUE) {
            note = "instant-fit: no free segment of class >= " + wanted + ", so as best-fit";
            return bestFit(need);
        }
        List<Seg> allowed = new ArrayList<>();
        for (Seg seg : free()) {
            if (seg.size().bitLength() - 1 == lowest) {
                allowed.add(seg);
            }
        }
        note = "instant-fit: any placement inside a free segment of class " + lowest + " (size in [2^" + lowest
                + ", 2^" + (lowest + 1) + ")): " + ranges(allowed);
        if (engineChoice != null) {
            BigInteger s = u(engineChoice.start());
            BigInteger e = u(engineChoice.end());
            for (Seg seg : allowed) {
                if (seg.start().compareTo(s) <= 0 && e.compareTo(seg.end()) <= 0
                        && e.subtract(s).add(BigInteger.ONE).equals(need.size()) && satisfies(s, need)) {
                    return Optional.of(new Seg(s, e));
                }
            }
        }
        BigInteger s = lowestIn(allowed.get(0), need, BigInteger.ZERO);
        return Optional.of(placement(s, need)); // an unconstrained request fits at any big-enough segment's start
    }

    /** The lowest start in {@code seg} satisfying {@code need} and at or above {@code from}, or null. */
    private static BigInteger lowestIn(Seg seg, Need need, BigInteger from) {
        BigInteger lo = seg.start().max(need.min()).max(from);
        BigInteger hiStart = seg.end().min(need.max()).subtract(need.size()).add(BigInteger.ONE);
        // First candidate at or above lo: lo + ((phase - lo) mod alignment).
        BigInteger s = lo.add(need.phase().subtract(lo).mod(need.alignment()));
        while (s.compareTo(hiStart) <= 0) {
            if (!crosses(s, need)) {
                return s;
            }
            // Every candidate between s and the boundary it straddles straddles it too: skip them.
            BigInteger boundary = s.divide(need.noCross()).add(BigInteger.ONE).multiply(need.noCross());
            s = boundary.add(need.phase().subtract(boundary).mod(need.alignment()));
        }
        return null;
    }

    /** The highest start in {@code seg} satisfying {@code need}, or null. */
    private static BigInteger highestIn(Seg seg, Need need) {
        BigInteger lo = seg.start().max(need.min());
        BigInteger hiStart = seg.end().min(need.max()).subtract(need.size()).add(BigInteger.ONE);
        // Last candidate at or below hiStart: hiStart - ((hiStart - phase) mod alignment).
        BigInteger s = hiStart.subtract(hiStart.subtract(need.phase()).mod(need.alignment()));
        while (s.compareTo(lo) >= 0) {
            if (!crosses(s, need)) {
                return s;
            }
            // Every candidate between the boundary's last clear start and s straddles it too.
            BigInteger end = s.add(need.size()).subtract(BigInteger.ONE);
            BigInteger boundary = end.divide(need.noCross()).multiply(need.noCross());
            BigInteger top = boundary.subtract(need.size()); // the last start ending before boundary
            s = top.subtract(top.subtract(need.phase()).mod(need.alignment()));
        }
        return null;
    }

    /** Whether a placement at {@code s} straddles a multiple of noCross. */
    private static boolean crosses(BigInteger s, Need need) {
        if (need.noCross().signum() == 0) {
            return false;
        }
        BigInteger end = s.add(need.size()).subtract(BigInteger.ONE);
        return !s.divide(need.noCross()).equals(end.divide(need.noCross()));
    }

    /** Whether a placement at {@code s} satisfies every rule of {@code need} (bounds of the space included). */
    private static boolean satisfies(BigInteger s, Need need) {
        BigInteger end = s.add(need.size()).subtract(BigInteger.ONE);
        return end.compareTo(MAX) <= 0
                && s.subtract(need.phase()).mod(need.alignment()).signum() == 0
                && need.min().compareTo(s) <= 0 && end.compareTo(need.max()) <= 0
                && !crosses(s, need);
    }

    private static Seg placement(BigInteger start, Need need) {
        return new Seg(start, start.add(need.size()).subtract(BigInteger.ONE));
    }

    // ------------------------------------------------------------------ state helpers

    private List<Seg> free() {
        if (freeCache == null) {
            List<Seg> out = new ArrayList<>();
            for (Map.Entry<BigInteger, BigInteger> span : spans.entrySet()) {
                BigInteger cursor = span.getKey();
                BigInteger end = span.getValue();
                for (Alloc a : allocations.subMap(span.getKey(), true, end, true).values()) {
                    if (a.start().compareTo(cursor) > 0) {
                        out.add(new Seg(cursor, a.start().subtract(BigInteger.ONE)));
                    }
                    cursor = a.end().add(BigInteger.ONE);
                }
                if (cursor.compareTo(end) <= 0) {
                    out.add(new Seg(cursor, end));
                }
            }
            freeCache = List.copyOf(out);
        }
        return freeCache;
    }

    private void take(BigInteger start, BigInteger end, String tag) {
        allocations.put(start, new Alloc(start, end, tag));
        changed();
    }

    private void release(Alloc a) {
        allocations.remove(a.start());
        changed();
    }

    /** Drops everything derived from the spans and allocations. */
    private void changed() {
        freeCache = null;
        allocationsCache = null;
        freeRangesCache = null;
        spansCache = null;
        shapeCache = null;
    }

    private BigInteger capacity() {
        BigInteger sum = BigInteger.ZERO;
        for (Map.Entry<BigInteger, BigInteger> span : spans.entrySet()) {
            sum = sum.add(span.getValue().subtract(span.getKey()).add(BigInteger.ONE));
        }
        return sum;
    }

    private boolean onQuantum(BigInteger start, BigInteger end) {
        return start.mod(quantum).signum() == 0 && end.add(BigInteger.ONE).mod(quantum).signum() == 0;
    }

    /** The start of the span holding all of {@code [s, e]}, or null. */
    private BigInteger spanHolding(BigInteger s, BigInteger e) {
        Map.Entry<BigInteger, BigInteger> span = spans.floorEntry(s);
        return span != null && e.compareTo(span.getValue()) <= 0 ? span.getKey() : null;
    }

    /** The allocation holding {@code v}, or null. */
    private Alloc allocationHolding(BigInteger v) {
        Map.Entry<BigInteger, Alloc> below = allocations.floorEntry(v);
        return below != null && below.getValue().end().compareTo(v) >= 0 ? below.getValue() : null;
    }

    /** Some allocation overlapping {@code [s, e]}, or null. */
    private Alloc firstAllocationOverlapping(BigInteger s, BigInteger e) {
        // Allocations are disjoint: if the last one starting at or below e ends before s, so do all before it.
        Map.Entry<BigInteger, Alloc> below = allocations.floorEntry(e);
        return below != null && below.getValue().end().compareTo(s) >= 0 ? below.getValue() : null;
    }

    private static String ranges(List<Seg> segs) {
        List<Range> out = new ArrayList<>();
        for (Seg seg : segs) {
            out.add(seg.toRange());
        }
        return out.toString();
    }

    /** A {@code long} read as unsigned. */
    static BigInteger u(long value) {
        BigInteger v = BigInteger.valueOf(value);
        return value >= 0 ? v : v.add(TWO_TO_THE_64);
    }

    /** A value in {@code [0, 2^64 - 1]} as the {@code long} with the same bits. */
    static long l(BigInteger value) {
        if (value.signum() < 0 || value.compareTo(MAX) > 0) {
            throw new ArithmeticException(value + " is not an unsigned 64-bit value");
        }
        return value.longValue();
    }
}
