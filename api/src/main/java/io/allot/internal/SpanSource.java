package io.allot.internal;

import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;

import java.util.Objects;

/**
 * The parent of an arena in a hierarchy (vmem's <em>source</em>): where the arena imports a span
 * when it cannot place a request, and where it hands the span back once it is wholly free again.
 * {@link GuardedAllocator} decides <em>when</em>; this class decides <em>what</em> to ask the
 * parent for, so that every span it receives holds a placement of the request.
 *
 * <h2>The span asked for</h2>
 * Notation: the child's request, already in the child's units, has size {@code s}, alignment
 * {@code a} (at least the child's quantum {@code qc}), phase {@code p}, no-cross boundary
 * {@code n} (0 for none) and window {@code [min, max]}; {@code Q = max(qc, qp)} with {@code qp}
 * the parent's quantum, so that the span is on both quanta. The child asks its parent, with the
 * parent's default policy, for
 * <pre>
 *   T     = roundUp(max(importSize, s + slack), Q)
 *   slack = (p mod Q) + max(0, a - Q)              the farthest the first p-aligned start can lie
 *                                                    from a Q-aligned span start,
 *           raised to n - ((n - s - p) rounded down to a) - qc
 *                                                    when 0 &lt; a &lt; n: the gap from the last start of
 *                                                    one n-block that does not cross to the first of
 *                                                    the next
 *   window [xlo - (T - s), xhi + T - 1]            xlo, xhi: the lowest and highest placements of
 *                                                    the request anywhere (clamped to the 64-bit space)
 * </pre>
 * a span of {@code T} values aligned to {@code Q}, with no phase and no boundary. Why this is
 * exactly right: from any {@code Q}-aligned start {@code t}, the first start {@code x >= t}
 * that satisfies alignment, phase and no-cross is at most {@code slack} further on, and
 * {@code T - s >= slack}; so the span {@code [t, t + T - 1]} holds a placement of the request
 * <em>if and only if</em> {@code xlo - (T - s) <= t <= xhi}, which is what the window says. The
 * parent therefore never hands over a span the request cannot use, and refuses only when it has
 * no such span. This is vmem's "import size + alignment slack" (vmem_xalloc adds
 * {@code align - quantum}) carried over to phases, windows and no-cross boundaries, which vmem
 * does not import for.
 *
 * <p>Nothing here is on a hot path: an import happens only when the arena is dry.
 */
final class SpanSource {

    private final ResourceAllocator parent;
    private final long importSize;
    private final long quantum;

    /**
     * @param parent     the source
     * @param importSize the smallest span to import, a positive multiple of {@code quantum}
     * @param quantum    the importing arena's quantum
     */
    SpanSource(ResourceAllocator parent, long importSize, long quantum) {
        this.parent = Objects.requireNonNull(parent, "parent");
        this.importSize = importSize;
        this.quantum = quantum;
    }

    /** The smallest span this arena imports. */
    long importSize() {
        return importSize;
    }

    /**
     * The request to put to the parent for a span that holds a placement of {@code r}, or null
     * when no span can (the request has no placement anywhere in the 64-bit space, or the span
     * would not fit in it).
     *
     * @param r the child's request in the child's units (size rounded, alignment at least the quantum)
     */
    Request spanRequest(Request r) {
        long xlo = Placement.lowest(0, Unsigned.MAX, r, 0);
        if (xlo == Placement.NONE) {
            return null;
        }
        long xhi = Placement.highest(0, Unsigned.MAX, r, Unsigned.MAX);
        long q = Unsigned.max(quantum, parent.quantum());
        long a = r.alignment();
        long p = r.phase();
        long s = r.size();
        long n = r.noCross();
        long slack = (p & (q - 1)) + (Unsigned.greaterThan(a, q) ? a - q : 0);
        if (n != 0 && Unsigned.lessThan(a, n)) {
            // p + s <= n here: otherwise every start would cross and xlo would be NONE.
            long lastStartInBlock = (n - s - p) & -a;
            slack = Unsigned.max(slack, n - lastStartInBlock - quantum);
        }
        long needed = s + slack;
        if (Unsigned.lessThan(needed, s)) {
            return null;
        }
        long size = roundUp(Unsigned.max(importSize, needed), q);
        if (size == 0) {
            return null; // rounding passed 2^64 - 1
        }
        long reach = size - s;
        long min = Unsigned.atLeast(xlo, reach) ? xlo - reach : 0;
        long max = Unsigned.saturatingAdd(xhi, size - 1);
        return new Request(size, q, 0, 0, min, max, null);
    }

    /**
     * Asks the parent for a span holding a placement of {@code r}, with the parent's default
     * policy. A refusal is counted by the parent as a failed allocation, like any.
     *
     * @return the span, or null if there is none or the parent refused
     */
    Range importFor(Request r) {
        Request span = spanRequest(r);
        return span == null ? null : parent.tryAllocate(span).orElse(null);
    }

    /**
     * Gives {@code span}, which the parent allocated to this arena, back to the parent.
     *
     * @throws IllegalStateException if the parent no longer holds it (someone freed it in the
     *                               parent directly, or restored this arena with a different parent)
     */
    void handBack(Range span) {
        try {
            parent.free(span);
        } catch (RuntimeException e) {
            throw new IllegalStateException("imported span " + span + " could not be handed back to its source: "
                    + e.getMessage(), e);
        }
    }

    /** {@code value} rounded up to a multiple of {@code q} (a power of two); 0 if that passes 2^64 - 1. */
    private static long roundUp(long value, long q) {
        return (value + q - 1) & -q;
    }
}
