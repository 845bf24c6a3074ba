package io.allot.engine.vmem;

import static io.allot.engine.vmem.Segments.NIL;

/**
 * The allocated segments by start address: vmem's allocation hash, made open-addressing so that a
 * lookup is a probe into one array and an insertion allocates nothing.
 *
 * <p><b>Layout.</b> Linear probing over one {@code long} per slot: the top 32 bits of the start's
 * mixed hash, then the record id ({@code 0} marks an empty slot: record 0 is the sentinel, never an
 * allocation). A probe compares the stored hash bits first and reads a record's start only on a
 * match (the caller reads that record next anyway), so a slot is 8 bytes and a miss costs no
 * record access. The home slot is the top bits of the stored hash, so deletion (which shifts later
 * members of the probe run back rather than leaving tombstones) and rehashing never read records.
 *
 * <p><b>Resizing.</b> The capacity (a power of two, at least {@link #MIN_CAPACITY}) doubles when
 * the table would become more than half full and halves when it falls below one eighth, so the
 * load stays in [1/8, 1/2] apart from tiny tables, probe runs stay short, and a burst of
 * 10<sup>6</sup> allocations followed by their frees leaves a small table behind. Each rehash is
 * O(capacity), paid for by the Ω(capacity) insertions or deletions since the last one: amortised
 * O(1).
 *
 * <p><b>Spreading.</b> Starts are often multiples of a large power of two (pages), which leaves
 * their low bits constant. The hash is {@code (start ^ start >>> 32)} times the 64-bit golden-ratio
 * constant, of which the top bits are used (Fibonacci hashing): the multiplication carries every
 * input bit into the top bits, and the fold first brings high-only differences (spans near
 * 2<sup>64</sup>, huge alignments) into the multiplied low half. The Rust {@code vmem} crate's
 * {@code start >>> 12 & 63} sends every page-aligned start of a region to a handful of buckets.
 *
 * <p>Not thread-safe.
 */
final class AllocationHash {

    /** The smallest capacity the table shrinks to. */
    static final int MIN_CAPACITY = 16;
    private static final int MAX_CAPACITY = 1 << 30;
    private static final long GOLDEN = 0x9E37_79B9_7F4A_7C15L;
    private static final long RECORD = 0xFFFF_FFFFL;

    private final Segments segs;
    private long[] table;
    /** 32 - log2(capacity): the home slot is the top bits of the stored 32-bit hash. */
    private int shift;
    private int mask;
    private int size;

    /** @param segs the records whose starts are the keys */
    AllocationHash(Segments segs) {
        this.segs = segs;
        resize(MIN_CAPACITY);
    }

    /** The record allocated at {@code start}, or {@link Segments#NIL}. */
    int get(long start) {
        int slot = find(start);
        return slot < 0 ? NIL : (int) (table[slot] & RECORD);
    }

    /** The slot holding {@code start}, or -1. */
    int find(long start) {
        long[] t = table;
        int h = hash(start);
        for (int i = h >>> shift; ; i = (i + 1) & mask) {
            long v = t[i];
            if (v == 0) {
                return -1;
            }
            if ((int) (v >>> 32) == h && segs.start((int) (v & RECORD)) == start) {
                return i;
            }
        }
    }

    /** The record in {@code slot}, as {@link #find} returned it. */
    int recordAt(int slot) {
        return (int) (table[slot] & RECORD);
    }

    /**
     * Grows the table now if one more entry would; called before an allocation changes anything,
     * so that {@link #put} cannot fail after it has begun.
     */
    void ensureRoom() {
        if (size >= capacity() >>> 1 && capacity() < MAX_CAPACITY) {
            resize(capacity() << 1);
        }
    }

    /** Adds {@code start -> rec}; {@code start} must be absent. */
    void put(long start, int rec) {
        ensureRoom();
        long[] t = table;
        int h = hash(start);
        int i = h >>> shift;
        while (t[i] != 0) {
            i = (i + 1) & mask;
        }
        t[i] = ((long) h << 32) | rec;
        size++;
    }

    /** Empties {@code slot}, as {@link #find} returned it, shifting later members of its run back. */
    void removeAt(int slot) {
        long[] t = table;
        int i = slot;
        for (int j = (i + 1) & mask; t[j] != 0; j = (j + 1) & mask) {
            int home = (int) (t[j] >>> 32) >>> shift;
            // Move j into the hole unless its home lies cyclically in (i, j].
            if (((j - home) & mask) >= ((j - i) & mask)) {
                t[i] = t[j];
                i = j;
            }
        }
        t[i] = 0;
        size--;
        if (size < capacity() >>> 3 && capacity() > MIN_CAPACITY) {
            resize(capacity() >>> 1);
        }
    }

    /** Live entries. */
    int size() {
        return size;
    }

    /** Slots in the table, a power of two. */
    int capacity() {
        return mask + 1;
    }

    private static int hash(long start) {
        return (int) (((start ^ (start >>> 32)) * GOLDEN) >>> 32);
    }

    private void resize(int capacity) {
        long[] old = table;
        table = new long[capacity];
        mask = capacity - 1;
        shift = 32 - Integer.numberOfTrailingZeros(capacity);
        if (old == null) {
            return;
        }
        for (long v : old) {
            if (v != 0) {
                int j = (int) (v >>> 32) >>> shift;
                while (table[j] != 0) {
                    j = (j + 1) & mask;
                }
                table[j] = v;
            }
        }
    }

    /**
     * Checks that every entry holds its record's hash and is reachable from its home slot without
     * crossing an empty one, that {@code size} counts them, and that the load is within bounds.
     * For tests.
     *
     * @throws IllegalStateException naming the first broken rule
     */
    void check() {
        int count = 0;
        for (int i = 0; i < capacity(); i++) {
            long v = table[i];
            if (v == 0) {
                continue;
            }
            count++;
            int h = (int) (v >>> 32);
            if (h != hash(segs.start((int) (v & RECORD)))) {
                throw new IllegalStateException("hash slot " + i + " holds a stale hash for record " + (v & RECORD));
            }
            for (int j = h >>> shift; j != i; j = (j + 1) & mask) {
                if (table[j] == 0) {
                    throw new IllegalStateException("hash entry at slot " + i + " is cut off from its home by an empty slot");
                }
            }
        }
        if (count != size) {
            throw new IllegalStateException("hash holds " + count + " entries but counts " + size);
        }
        if (size > capacity() >>> 1 && capacity() < MAX_CAPACITY
                || size < capacity() >>> 3 && capacity() > MIN_CAPACITY) {
            throw new IllegalStateException("hash load " + size + "/" + capacity() + " outside [1/8, 1/2]");
        }
    }
}
