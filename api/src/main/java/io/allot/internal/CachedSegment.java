package io.allot.internal;

import io.allot.Range;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One segment owned by the quantum caches: allocated in the arena's core, and either
 * <em>cached</em> (in a magazine, counted free), <em>live</em> (handed to a caller by the cache,
 * counted allocated) or <em>gone</em> (back in the arena, or adopted by it as an ordinary
 * allocation). Records are never reused, so a reader holding a stale reference (an old
 * {@link SegmentTable}, a racing free) sees {@code gone} and cannot act on a newer owner of the
 * same values.
 *
 * <p>Transitions: cached &rarr; live when a thread pops it from its own magazine (under that
 * magazine's lock: nobody else can hold it then); live &rarr; cached by a compare-and-set when it is
 * freed (the loser of two racing frees sees a segment that is not live and reports it as not an
 * allocation); live &rarr; gone by a compare-and-set when {@code reallocate} adopts it; cached &rarr;
 * gone when a magazine is drained into the arena (under the arena lock and the magazine's lock).
 * The tag is written before the volatile store that makes the segment live, so whoever reads it
 * live reads its tag.
 *
 * <p>That is a thread-safe allocator's record. A single-threaded one keeps states and tags in the
 * {@link SegmentTable}'s arrays by id instead (hot in the L1 cache, where records are scattered),
 * and marks a record here only when it is gone; {@link QuantumCache#isLive} and
 * {@link QuantumCache#tagOf} read whichever applies.
 */
final class CachedSegment {

    static final int CACHED = 0;
    static final int LIVE = 1;
    static final int GONE = 2;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(CachedSegment.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final long start;
    final long end;
    /**
     * The one {@code Range} every caller of this segment is handed, made when the segment is: a
     * cache hit then allocates nothing, and a free of the very object handed out is recognised by
     * identity ({@link QuantumCache#free}). Ranges are immutable values, so sharing one is safe.
     */
    final Range range;
    /**
     * Its number while the {@link SegmentTable} holds it, by which magazines and stripes refer to
     * it ({@link SegmentTable#byId}); numbers are reused, records never are. Written under the arena
     * lock before the table publishes the segment.
     */
    int id = -1;
    private volatile int state = CACHED;
    private String tag;

    CachedSegment(Range range) {
        this.start = range.start();
        this.end = range.end();
        this.range = range;
    }

    CachedSegment(long start, long end) {
        this(new Range(start, end));
    }

    /** Values in the segment (a multiple of the quantum, never 2^64). */
    long size() {
        return end - start + 1;
    }

    /**
     * Cached &rarr; live with {@code tag}, by the thread that popped it, in a thread-safe allocator:
     * a release store, so that whoever reads the state live (a volatile read) also reads the tag,
     * and no later load needs to wait for it (a volatile store's full fence would cost more than the
     * rest of a cache hit). A single-threaded allocator keeps states in the {@link SegmentTable}.
     */
    void hand(String tag) {
        if (this.tag != tag) {
            this.tag = tag; // most callers never tag: no reference store, so no GC barrier, for them
        }
        STATE.setRelease(this, LIVE);
    }

    /**
     * Live &rarr; cached, if it is live, in a thread-safe allocator: two threads may free it at once,
     * and a compare-and-set lets exactly one win.
     */
    boolean release() {
        return STATE.compareAndSet(this, LIVE, CACHED);
    }

    /** Live &rarr; gone, if it is live: the arena takes it over as an ordinary allocation. */
    boolean adopt() {
        return STATE.compareAndSet(this, LIVE, GONE);
    }

    /** Cached &rarr; gone: drained back into the arena. */
    void drop() {
        state = GONE;
    }

    boolean isLive() {
        return state == LIVE;
    }

    /** The tag it was handed out with; meaningful only after {@link #isLive()} said true. */
    String tag() {
        return tag;
    }

    @Override
    public String toString() {
        return "[" + Unsigned.hex(start) + ", " + Unsigned.hex(end) + "] "
                + (state == CACHED ? "cached" : state == LIVE ? "live" : "gone");
    }
}
