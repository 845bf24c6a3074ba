package io.allot.engine.bitmap;

import io.allot.Range;
import io.allot.Request;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The spans and random requests the bitmap's search tests ({@link FitSearchTest},
 * {@link RunSkipTest}) share: spans of three summary levels with padding, exactly one level,
 * exactly two, and one ending at 2<sup>64</sup>&minus;1, in quanta of {@link #Q}; and requests of a
 * given size carrying, now and then, alignment with phase, a no-cross boundary and a window.
 */
final class SearchSpans {

    static final long Q = 0x100;
    static final List<Range> SPANS = List.of(
            Range.ofSize(0x1000_0000L, (3L * 64 * 64 * 64 + 77) * Q),
            Range.ofSize(0x4000_0000L, 4096 * Q),
            Range.ofSize(0x8000_0000L, 4096L * 64 * Q),
            Range.of(-(3 * 4096 + 5) * Q, -1L));

    private SearchSpans() {
    }

    /** A request of {@code units} quanta, constrained at random: a third aligned, a fifth no-cross, a third windowed. */
    static Request request(SplittableRandom rnd, long units) {
        Request r = Request.of(units * Q);
        if (rnd.nextInt(3) == 0) {
            long alignment = Q << rnd.nextInt(10);
            r = r.aligned(alignment);
            if (rnd.nextBoolean()) {
                r = r.phase(rnd.nextLong(alignment / Q) * Q);
            }
        } else {
            r = r.aligned(Q);
        }
        if (rnd.nextInt(5) == 0) {
            r = r.noCross(Long.highestOneBit(r.size()) << (1 + rnd.nextInt(4)));
        }
        if (rnd.nextInt(3) == 0) {
            Range s = SPANS.get(rnd.nextInt(SPANS.size()));
            long a = s.start() + rnd.nextLong(s.size());
            long b = rnd.nextInt(4) == 0 ? -1L : a + rnd.nextLong(s.size());
            r = Long.compareUnsigned(a, b) <= 0 ? r.within(a, b) : r.within(a, -1L);
        }
        return r;
    }
}
