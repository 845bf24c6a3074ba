package io.allot.internal;

import io.allot.Range;

import java.util.Arrays;

/**
 * The quantum caches' segments by start: how {@code free} recognises, without the arena lock,
 * a range the caches handed out. Open addressing with linear probing over two parallel arrays,
 * the starts and the {@link CachedSegment} references, at most half full (tombstones included) so
 * that every probe ends at an empty slot.
 *
 * <p><b>Threads.</b> {@link #insert} and {@link #remove} run under the arena lock only; a grown,
 * shrunk or cleaned table is a new pair of arrays published through a volatile field. {@link #get} runs
 * anywhere, lock-free, on whichever array it reads: a segment inserted after that array was
 * replaced is not in it (the caller then takes the arena lock and asks again, and under the lock
 * the answer is exact), and a segment removed from it may still be found there (it is then gone,
 * {@link CachedSegment#isLive()} is false, and nothing is done to it). A live segment is never
 * removed, so a correct free always finds it. Lookups allocate nothing.
 *
 * <p><b>Ids.</b> The table also numbers the segments it holds, densely and reusing the numbers of
 * removed ones, so that magazines and stripes can hold {@code int}s instead of references
 * ({@link #byId}, and {@link #rangeOf} for the range a hit returns). A number changes owner only
 * once its segment has left every magazine and stripe, and the id arrays only grow (new arrays
 * published through volatile fields, the old ones left intact), so whoever holds a number finds
 * its segment and range in any array it reads.
 *
 * <p><b>States by id.</b> A single-threaded allocator keeps each segment's state and tag here too,
 * in a {@code byte[]} and a {@code String[]} by id, rather than in the {@link CachedSegment} record:
 * a hit and a free then touch a few hundred bytes that stay in the L1 cache instead of one record
 * among hundreds scattered over the heap (measured: about 7 ns of a 25 ns V2 pair was that miss).
 * The segment the stripe handed out last is the exception: while it is out its state here still
 * says cached, and the stripe's flag says live ({@link Stripe#latestLive}), so that its free
 * writes nothing here; the quantum cache reads both. The hit path reads its ranges through a
 * plain field ({@link #rangeOfAlone}): a volatile read would make the compiler load every field
 * after it again.
 * These arrays are plain and read only by the owning thread; a thread-safe allocator does not use
 * them (its records' compare-and-set needs records that are never reused, and ids are).
 */
final class SegmentTable {

    private static final int MIN_CAPACITY = 16;
    private static final CachedSegment TOMBSTONE = new CachedSegment(0, 0);

    /**
     * The slots: starts in one array, segments in the other, replaced together (never changed in
     * size) under the arena lock and published through the volatile {@link #slots} field. A probe
     * compares starts in one {@code long} array and dereferences a segment only when its start
     * matches; an empty slot has a null segment (a tombstone keeps its old start).
     */
    private static final class Slots {
        final long[] starts;
        final CachedSegment[] segments;

        Slots(int capacity) {
            starts = new long[capacity];
            segments = new CachedSegment[capacity];
        }
    }

    private volatile Slots slots = new Slots(MIN_CAPACITY);
    /** Segments in the table; slots used by segments or tombstones. Arena lock. */
    private int size;
    private int used;
    /** Segments by id; null where no segment has that id. */
    private volatile CachedSegment[] byId = new CachedSegment[MIN_CAPACITY];
    /**
     * Each segment's {@linkplain CachedSegment#range range} by id, beside {@link #byId} and grown with
     * it (published first): a cache hit reaches the range it returns straight from the id, one load
     * fewer than through the segment.
     */
    private volatile Range[] rangeById = new Range[MIN_CAPACITY];
    /**
     * {@link #rangeById} again, in a plain field for a single-threaded allocator, whose hits and frees
     * then make no volatile read (after which the compiler would have to load every field again).
     */
    private Range[] rangeByIdAlone = rangeById;
    /** Whether any tag was ever stored in {@link #tags}: until then every tag is null, and a hit writes none. */
    private boolean tagged;
    /** States by id ({@link CachedSegment#CACHED}, {@code LIVE}, {@code GONE}): single-threaded use only. */
    private byte[] states = new byte[MIN_CAPACITY];
    /** Tags by id, as {@link #states}; null for most, so a hit stores no reference. */
    private String[] tags = new String[MIN_CAPACITY];
    /** Ids given back by removed segments, to reuse first; ids below {@link #nextId} are or were used. Arena lock. */
    private int[] freeIds = new int[MIN_CAPACITY];
    private int freeIdCount;
    private int nextId;

    /** The segment with id {@code id}, which the caller holds (in a magazine or stripe). */
    CachedSegment byId(int id) {
        return byId[id];
    }

    /** The range of the segment with id {@code id}, which the caller holds (in a magazine or stripe). */
    Range rangeOf(int id) {
        return rangeById[id];
    }

    /** {@link #rangeOf} without a volatile read. Single-threaded use only. */
    Range rangeOfAlone(int id) {
        return rangeByIdAlone[id];
    }

    /** Whether a tag was ever stored: if not, every segment's tag is null. Single-threaded use only. */
    boolean tagged() {
        return tagged;
    }

    /** Sets the tag of the segment with id {@code id}. Single-threaded use only. */
    void setTag(int id, String tag) {
        if (tags[id] != tag) {
            tags[id] = tag; // a reference store, with its GC barrier, only when the tag changes
            tagged = true;
        }
    }

    /** The state of the segment with id {@code id}, which the caller holds. Single-threaded use only. */
    int state(int id) {
        return states[id];
    }

    /** Sets the state of the segment with id {@code id}. Single-threaded use only. */
    void setState(int id, int state) {
        states[id] = (byte) state;
    }

    /** The tag of the segment with id {@code id}. Single-threaded use only. */
    String tag(int id) {
        return tags[id];
    }

    /** The segment starting at {@code start}, or null. */
    CachedSegment get(long start) {
        Slots t = slots;
        long[] starts = t.starts;
        int mask = starts.length - 1;
        for (int i = slot(start, mask); ; i = (i + 1) & mask) {
            if (starts[i] == start) {
                CachedSegment s = t.segments[i];
                if (s != null && s != TOMBSTONE && s.start == start) {
                    return s;
                }
            }
            if (t.segments[i] == null) {
                return null;
            }
        }
    }

    /** Adds a segment whose start is not in the table, giving it an id. Arena lock. */
    void insert(CachedSegment segment) {
        number(segment);
        if (2 * (used + 1) > slots.starts.length) {
            rebuild(size + 1);
        }
        Slots t = slots;
        int mask = t.starts.length - 1;
        int i = slot(segment.start, mask);
        while (t.segments[i] != null && t.segments[i] != TOMBSTONE) {
            i = (i + 1) & mask;
        }
        if (t.segments[i] == null) {
            used++;
        }
        t.starts[i] = segment.start;
        t.segments[i] = segment;
        size++;
    }

    /** Removes {@code segment}, which is in the table. Arena lock. */
    void remove(CachedSegment segment) {
        Slots t = slots;
        int mask = t.starts.length - 1;
        int i = slot(segment.start, mask);
        while (t.segments[i] != segment) {
            i = (i + 1) & mask;
        }
        t.segments[i] = TOMBSTONE;
        size--;
        byId[segment.id] = null;
        rangeById[segment.id] = null;
        states[segment.id] = CachedSegment.GONE;
        tags[segment.id] = null;
        if (freeIdCount == freeIds.length) {
            freeIds = Arrays.copyOf(freeIds, 2 * freeIds.length);
        }
        freeIds[freeIdCount++] = segment.id;
        if (t.starts.length > MIN_CAPACITY && 8 * size < t.starts.length) {
            rebuild(size);
        }
    }

    /** Gives {@code segment} an unused id, growing the id array (into a new one) if need be. */
    private void number(CachedSegment segment) {
        int id = freeIdCount > 0 ? freeIds[--freeIdCount] : nextId++;
        CachedSegment[] ids = byId;
        Range[] ranges = rangeById;
        if (id == ids.length) {
            ids = Arrays.copyOf(ids, 2 * ids.length);
            ranges = Arrays.copyOf(ranges, ids.length);
            states = Arrays.copyOf(states, ids.length);
            tags = Arrays.copyOf(tags, ids.length);
        }
        states[id] = CachedSegment.CACHED;
        segment.id = id;
        ranges[id] = segment.range;
        ids[id] = segment;
        rangeById = ranges;
        rangeByIdAlone = ranges;
        byId = ids;
    }

    /** Fresh slots for {@code expected} segments, at most a quarter full, without tombstones. */
    private void rebuild(int expected) {
        Slots old = slots;
        int capacity = MIN_CAPACITY;
        while (capacity < 4 * expected) {
            capacity <<= 1;
        }
        Slots fresh = new Slots(capacity);
        int mask = capacity - 1;
        for (CachedSegment s : old.segments) {
            if (s != null && s != TOMBSTONE) {
                int i = slot(s.start, mask);
                while (fresh.segments[i] != null) {
                    i = (i + 1) & mask;
                }
                fresh.starts[i] = s.start;
                fresh.segments[i] = s;
            }
        }
        used = size;
        slots = fresh;
    }

    /** Fibonacci hashing: page-aligned starts (low bits all zero) still spread over every slot. */
    private static int slot(long start, int mask) {
        return (int) ((start * 0x9E3779B97F4A7C15L) >>> 32) & mask;
    }
}
