package io.allot.internal;

import io.allot.Request;
import io.allot.ResourceAllocator;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link SpanSource#spanRequest} proved exhaustively against its specification: the parent
 * request it builds admits a span start {@code t} <em>if and only if</em> the span
 * {@code [t, t + T - 1]} holds a placement of the child's request; the span is at least the
 * import size and the request, on both quanta; and null comes back exactly when no span could
 * hold a placement.
 *
 * <p>"Holds a placement" is checked literally: some {@code x} with {@code t <= x} and
 * {@code x + size - 1 <= t + T - 1} satisfies alignment, phase, window and no-cross, read from
 * the contract's sentence ({@link #satisfies}). Every combination of child quantum 1, 2, 4;
 * parent quantum 1, 2, 8; import size 1, 3 or 12 quanta; size 1..4 quanta; every alignment from
 * the quantum to 32 with every phase on the quantum; no boundary or every boundary from the size
 * to 64; and windows over a grid in a universe of 160 values (plus the whole space), at the bottom
 * of the 64-bit space and translated to its top, is tried: every span start in the universe is
 * compared.
 */
class SpanSourceTest {

    private static final long MAX = -1L;
    private static final int UNIVERSE = 160;

    @Test
    void theParentRequestAdmitsExactlyTheSpansThatHoldAPlacement() {
        long cases = 0;
        long admitted = 0;
        List<long[]> windows = windows();
        for (long base : new long[] {0, -(1L << 9)}) { // the top frame: the universe ends 352 below 2^64
            for (long qc : new long[] {1, 2, 4}) {
                for (long qp : new long[] {1, 2, 8}) {
                    for (long importQuanta : new long[] {1, 3, 12}) {
                        SpanSource source = new SpanSource(parent(qp), importQuanta * qc, qc);
                        for (long s = qc; s <= 4 * qc; s += qc) {
                            for (long a = qc; a <= 32; a <<= 1) {
                                for (long p = 0; p < a; p += qc) {
                                    for (long n : boundaries(s)) {
                                        if (n != 0 && n < s) {
                                            continue;
                                        }
                                        for (long[] w : windows) {
                                            long min = w[0] == 0 && w[1] == MAX ? 0 : base + w[0];
                                            long max = w[0] == 0 && w[1] == MAX ? MAX : base + w[1];
                                            Request r = new Request(s, a, (base + p) & (a - 1), n, min, max, null);
                                            admitted += check(source, r, importQuanta * qc, qc, qp, base);
                                            cases++;
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        assertTrue(cases > 500_000, "too few cases: " + cases);
        assertTrue(admitted > cases, "too few admitted spans to mean anything: " + admitted);
        System.out.printf("[span source] %d requests, %d span starts admitted, each compared with the literal rule%n",
                cases, admitted);
    }

    /** Compares every span start of the universe; returns how many the request admits. */
    private static long check(SpanSource source, Request r, long importSize, long qc, long qp, long base) {
        Request span = source.spanRequest(r);
        long q = Math.max(qc, qp);
        // Which starts x satisfy r, over every x a span starting in the universe can hold.
        int reach = UNIVERSE + 192;
        boolean[] ok = new boolean[reach];
        boolean any = false;
        for (int i = 0; i < reach; i++) {
            ok[i] = satisfies(base + i, r);
            any |= ok[i];
        }
        String what = r + ", child quantum " + qc + ", parent quantum " + qp + ", import size " + importSize;
        if (span == null) {
            if (any) {
                fail(what + ": no span asked for, but a placement exists");
            }
            return 0;
        }
        long size = span.size();
        assertTrue(size >= importSize && size >= r.size() && size % q == 0 && size <= 192, what + ": span size " + size);
        assertEquals(q, span.alignment(), what);
        assertEquals(0, span.phase(), what);
        assertEquals(0, span.noCross(), what);
        int[] prefix = new int[reach + 1]; // prefix[i]: satisfying starts below i
        for (int i = 0; i < reach; i++) {
            prefix[i + 1] = prefix[i] + (ok[i] ? 1 : 0);
        }
        long count = 0;
        for (long t = 0; t < UNIVERSE; t += q) {
            long start = base + t;
            boolean admits = span.admits(start);
            boolean holds = prefix[(int) (t + size - r.size() + 1)] - prefix[(int) t] > 0;
            if (admits != holds) {
                fail(what + ": span [0x" + Long.toHexString(start) + ", 0x" + Long.toHexString(start + size - 1) + "] "
                        + (admits ? "admitted by " : "refused by ") + span + " but it " + (holds ? "holds" : "holds no")
                        + " placement");
            }
            count += admits ? 1 : 0;
        }
        return count;
    }

    /** The contract's rule, literally. */
    private static boolean satisfies(long x, Request r) {
        long end = x + r.size() - 1;
        if (Long.compareUnsigned(end, x) < 0) {
            return false;
        }
        if (Long.remainderUnsigned(x, r.alignment()) != r.phase()) {
            return false;
        }
        if (Long.compareUnsigned(x, r.min()) < 0 || Long.compareUnsigned(end, r.max()) > 0) {
            return false;
        }
        return r.noCross() == 0 || Long.divideUnsigned(x, r.noCross()) == Long.divideUnsigned(end, r.noCross());
    }

    private static List<long[]> windows() {
        List<long[]> out = new ArrayList<>();
        out.add(new long[] {0, MAX});
        for (long lo = 0; lo < 96; lo += 13) {
            for (long len : new long[] {1, 4, 9, 30, 63}) {
                out.add(new long[] {lo, lo + len - 1});
            }
        }
        return out;
    }

    private static long[] boundaries(long size) {
        List<Long> out = new ArrayList<>(List.of(0L));
        for (long n = 1; n <= 64; n <<= 1) {
            if (n >= size) {
                out.add(n);
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    @Test
    void requestsNoSpanCanHoldAskForNothing() {
        SpanSource source = new SpanSource(parent(1), 0x1000, 1);
        assertNull(source.spanRequest(new Request(0x20, 0x40, 0x30, 0x40, 0, MAX, null)), "always crosses");
        assertNull(source.spanRequest(new Request(0x10, 1, 0, 0, MAX - 4, MAX, null)), "window too small");
        Request huge = new SpanSource(parent(1), 1, 1).spanRequest(new Request(MAX, 1, 0, 0, 0, MAX, null));
        assertEquals(MAX, huge.size(), "2^64 - 1 values fit in the space");
        assertNull(new SpanSource(parent(2), 2, 1).spanRequest(new Request(MAX, 1, 0, 0, 0, MAX, null)),
                "rounded to the parent's quantum it would be 2^64");
    }

    @Test
    void importsAreAtLeastTheImportSizeAndTheRequestWithItsSlack() {
        SpanSource source = new SpanSource(parent(0x1000), 0x1000, 0x10);
        Request plain = source.spanRequest(new Request(0x10, 0x10, 0, 0, 0, MAX, null));
        assertEquals(new Request(0x1000, 0x1000, 0, 0, 0, MAX, null), plain, "unconstrained: importSize, no window");
        Request aligned = source.spanRequest(new Request(0x10, 0x4000, 0, 0, 0, MAX, null));
        assertEquals(0x1000 + 0x3000, aligned.size(), "vmem's slack: alignment - quantum more");
        Request big = source.spanRequest(new Request(0x2340, 0x10, 0, 0, 0, MAX, null));
        assertEquals(0x3000, big.size(), "the request rounded to the parent's quantum");
    }

    /** A parent that answers only quantum(); spanRequest asks it for nothing else. */
    private static ResourceAllocator parent(long quantum) {
        return (ResourceAllocator) Proxy.newProxyInstance(SpanSourceTest.class.getClassLoader(),
                new Class<?>[] {ResourceAllocator.class}, (proxy, method, args) -> {
                    if (method.getName().equals("quantum")) {
                        return quantum;
                    }
                    if (method.getName().equals("toString")) {
                        return "parent with quantum " + quantum;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
