package io.allot.engine.bitmap;

/**
 * Where allocations begin and end: a <em>continuation</em> bit per unit, set when the unit is
 * allocated together with the unit before it. An allocation is therefore a unit whose bit is clear
 * followed by the units whose bits are set; the allocated bits alone cannot tell {@code [5, 6]} from
 * {@code [5]} and {@code [6]}.
 *
 * <h2>Why continuation bits, kept sparse</h2>
 * Most allocations in a bitmap are one unit (ids, pages), and a one-unit allocation has no
 * continuation bit: allocating or freeing it never writes here, only reads (two bits, usually one
 * word). So the words live in chunks of 64 (4096 units), created when the first multi-unit
 * allocation touches them and dropped when its last one is freed; an id allocator never has any,
 * and pays a null check. A bitmap of starts would cost a write per one-unit allocation; a map of
 * multi-unit allocations an O(log m) lookup per one-unit free to prove the unit is not inside one.
 *
 * <p>A chunk whose 4096 units all continue — the inside of an allocation longer than a chunk —
 * is one shared, never-written array of ones, so a large allocation costs at most two real chunks
 * (its ends) and its start or end is found skipping a chunk per read.
 *
 * <p>Invariant: a set bit lies on an allocated unit whose predecessor is in the same allocation;
 * free units have clear bits. Finding the start or end of a k-unit allocation reads
 * O(min(k, 4096) / 64 + k / 4096) words. Memory: 4 bytes per 4096 units for the chunk table, plus
 * 528 bytes per chunk that holds some but not all continuations, and up to four empty chunks kept
 * for reuse. Changed only by the exclusive
 * path; lock-free readers see it stable.
 */
final class Boundaries {

    private static final int CHUNK_SHIFT = 12;
    private static final int CHUNK_WORDS = 64;
    private static final long CHUNK_MASK = (1L << CHUNK_SHIFT) - 1;
    /** The chunk of a stretch of 4096 units that all continue; shared and never written. */
    private static final long[] ALL_CONTINUE = new long[CHUNK_WORDS];

    static {
        java.util.Arrays.fill(ALL_CONTINUE, -1L);
    }

    /** Empty chunks kept for reuse: at most this many. */
    private static final int SPARES = 4;

    private final long units;
    private final long[][] chunks;
    /**
     * Chunks left empty by {@link #unmark}, all zeros, for {@link #writable} to take before
     * creating one: a multi-unit allocation made and freed over and over (an allocate/free pair of
     * 64 pages, or of 1 GiB whose two partial end chunks are real) would otherwise make 528 bytes
     * of garbage per chunk per pair, where the hot path's only garbage is the returned range.
     */
    private final long[][] spares = new long[SPARES][];
    private int spareCount;

    Boundaries(long units) {
        this.units = units;
        this.chunks = new long[(int) ((units + (1L << CHUNK_SHIFT) - 1) >>> CHUNK_SHIFT)][];
    }

    /** Whether unit {@code u} continues the allocation of unit {@code u - 1}. */
    boolean continues(long u) {
        long[] c = chunks[(int) (u >>> CHUNK_SHIFT)];
        return c != null && (c[(int) (u >>> 6) & (CHUNK_WORDS - 1)] & (1L << u)) != 0;
    }

    /**
     * Whether unit {@code u}, if allocated, is an allocation of its own: neither it nor its
     * successor continues. The common case — no chunk here, successor in the same chunk — is one
     * load.
     */
    boolean isSingle(long u) {
        if (chunks[(int) (u >>> CHUNK_SHIFT)] == null && ((u + 1) & CHUNK_MASK) != 0) {
            return true;
        }
        return !continues(u) && (u + 1 >= units || !continues(u + 1));
    }

    /** Sets the bits of units {@code [a, b]}, all free. */
    void mark(long a, long b) {
        for (long p = a; p <= b; ) {
            int chunk = (int) (p >>> CHUNK_SHIFT);
            long chunkEnd = p | CHUNK_MASK;
            if ((p & CHUNK_MASK) == 0 && chunkEnd <= b) {
                chunks[chunk] = ALL_CONTINUE; // every unit was free, so no other bit is lost
                p = chunkEnd + 1;
                continue;
            }
            long[] c = writable(chunk);
            long last = Math.min(b, chunkEnd);
            for (long q = p; q <= last; ) {
                long wordEnd = Math.min(last, q | 63);
                c[(int) (q >>> 6) & (CHUNK_WORDS - 1)] |= span(q, wordEnd);
                q = wordEnd + 1;
            }
            p = last + 1;
        }
    }

    /** Chunk {@code chunk} as an array of its own, created or copied from the shared one. */
    private long[] writable(int chunk) {
        long[] c = chunks[chunk];
        if (c == null) {
            c = emptyChunk();
            chunks[chunk] = c;
        } else if (c == ALL_CONTINUE) {
            c = emptyChunk();
            java.util.Arrays.fill(c, -1L);
            chunks[chunk] = c;
        }
        return c;
    }

    /** A chunk of zeros: a spare if there is one, else a new one. */
    private long[] emptyChunk() {
        if (spareCount == 0) {
            return new long[CHUNK_WORDS];
        }
        long[] c = spares[--spareCount];
        spares[spareCount] = null;
        return c;
    }

    /** Clears the bits of units {@code [a, b]}, dropping chunks left empty. */
    void unmark(long a, long b) {
        for (long p = a; p <= b; ) {
            int chunk = (int) (p >>> CHUNK_SHIFT);
            long chunkEnd = Math.min(b, p | CHUNK_MASK);
            if ((p & CHUNK_MASK) == 0 && chunkEnd == (p | CHUNK_MASK)) {
                chunks[chunk] = null; // wholly cleared
                p = chunkEnd + 1;
                continue;
            }
            long[] c = chunks[chunk] == null ? null : writable(chunk);
            if (c != null) {
                for (long q = p; q <= chunkEnd; ) {
                    long wordEnd = Math.min(chunkEnd, q | 63);
                    c[(int) (q >>> 6) & (CHUNK_WORDS - 1)] &= ~span(q, wordEnd);
                    q = wordEnd + 1;
                }
                if (isEmpty(c)) {
                    chunks[chunk] = null;
                    if (spareCount < SPARES) {
                        spares[spareCount++] = c; // all zeros: ready for the next writable()
                    }
                }
            }
            p = chunkEnd + 1;
        }
    }

    /** Whether every unit of {@code [a, b]} continues. */
    boolean allContinue(long a, long b) {
        for (long p = a; p <= b; ) {
            long[] c = chunks[(int) (p >>> CHUNK_SHIFT)];
            if (c == null) {
                return false;
            }
            if (c == ALL_CONTINUE) {
                p = (p | CHUNK_MASK) + 1;
                continue;
            }
            long wordEnd = Math.min(b, p | 63);
            long mask = span(p, wordEnd);
            if ((c[(int) (p >>> 6) & (CHUNK_WORDS - 1)] & mask) != mask) {
                return false;
            }
            p = wordEnd + 1;
        }
        return true;
    }

    /** The first unit of the allocation holding allocated unit {@code u}. */
    long startOf(long u) {
        long p = u;
        while (true) {
            long[] c = chunks[(int) (p >>> CHUNK_SHIFT)];
            if (c == null) {
                return p;
            }
            if (c == ALL_CONTINUE) {
                p = (p & ~CHUNK_MASK) - 1; // the start lies before this chunk
                continue;
            }
            long starts = ~c[(int) (p >>> 6) & (CHUNK_WORDS - 1)] & (-1L >>> (63 - (p & 63)));
            if (starts != 0) {
                return (p & ~63L) + 63 - Long.numberOfLeadingZeros(starts);
            }
            p = (p & ~63L) - 1; // unit 0 never continues, so this stays >= 0
        }
    }

    /** The last unit of the allocation that starts at unit {@code s}. */
    long endOf(long s) {
        long p = s + 1;
        while (p < units) {
            long[] c = chunks[(int) (p >>> CHUNK_SHIFT)];
            if (c == null) {
                return p - 1;
            }
            if (c == ALL_CONTINUE) {
                p = (p | CHUNK_MASK) + 1;
                continue;
            }
            long stops = ~c[(int) (p >>> 6) & (CHUNK_WORDS - 1)] & (-1L << p);
            if (stops != 0) {
                return Math.min((p & ~63L) + Long.numberOfTrailingZeros(stops), units) - 1;
            }
            p = (p | 63) + 1;
        }
        return units - 1;
    }

    /** Bytes held: the chunk table (compressed references), the chunks in use and the spares, with headers. */
    long bytes() {
        long b = 4L * chunks.length + (long) spareCount * (16 + 8L * CHUNK_WORDS);
        for (long[] c : chunks) {
            if (c != null && c != ALL_CONTINUE) {
                b += 16 + 8L * CHUNK_WORDS;
            }
        }
        return b;
    }

    /** Empty chunks kept for reuse (at most four). For tests. */
    int spares() {
        return spareCount;
    }

    /** The bits {@code a & 63} to {@code b & 63} of one word; a and b lie in the same word. */
    private static long span(long a, long b) {
        return (-1L << a) & (-1L >>> (63 - (b & 63)));
    }

    private static boolean isEmpty(long[] c) {
        for (long word : c) {
            if (word != 0) {
                return false;
            }
        }
        return true;
    }
}
