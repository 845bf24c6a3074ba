package io.allot.engine.vmem;

import static io.allot.engine.vmem.Segments.NIL;

/**
 * The allocated segments by start address: vmem's allocation hash, made open-addressing so that
 * a lookup is one probe into one array and an insertion allocates nothing.
 *
 * <p>Linear probing over {@code long} pairs {@code (start, record)}, record 0 marking an empty slot
 * (record 0 is the sentinel, never an allocation). Deletion shifts later members of the probe run
 * back instead of leaving tombstones, so the table never degrades and can shrink.
 *
 * <p><b>Resizing.</b> The capacity (a power of two, at least {@link #MIN_CAPACITY}) doubles when
 * the table would become more than half full and halves when it falls below one eighth, so the
 * load stays in [1/8, 1/2] apart from tiny tables, probe runs stay short, and a burst of
 * 10<sup>6</sup> allocations followed by their frees leaves a small table behind. Each rehash is
 * O(capacity), paid for by the Ω(capacity) insertions or deletions since the last one: amortised
 * O(1).
 *
 * <p><b>Spreading.</b> Starts are often multiples of a large power of two (pages), which leaves
 * their low bits constant. The slot is the top bits of {@code (start ^ start >>> 32)} times the
 * 64-bit golden-ratio constant (Fibonacci hashing): the multiplication carries every input bit
 * into the top bits, and the fold first brings high-only differences (spans near 2<sup>64</sup>,
 * huge alignments) into the multiplied low half. The Rust {@code vmem} crate's
 * {@code start >>> 12 & 63} sends every page-aligned start of a region to a handful of buckets.
 *
 * <p>Not thread-safe.
 */
final class AllocationHash {

    /** The smallest capacity the table shrinks to. */
    static final int MIN_CAPACITY = 16;
    private static final int MAX_CAPACITY = 1 << 29; // 2 longs per slot must fit in one array
    private static final long GOLDEN = 0x9E37_79B9_7F4A_7C15L;

    private long[] table;
    /** 64 - log2(capacity): the slot is the top bits of the mixed key. */
    private int shift;
    private int mask;
    private int size;

    AllocationHash() {
        resize(MIN_CAPACITY);
    }

    /** The record allocated at {@code start}, or {@link Segments#NIL}. */
    int get(long start) {
        long[] t = table;
        for (int i = slot(start); ; i = (i + 1) & mask) {
            int rec = (int) t[2 * i + 1];
            if (rec == NIL || t[2 * i] == start) {
                return rec;
            }
        }
    }

    /** Adds {@code start -> rec}; {@code start} must be absent. */
    void put(long start, int rec) {
        if (size + 1 > capacity() >>> 1 && capacity() < MAX_CAPACITY) {
            resize(capacity() << 1);
        }
        long[] t = table;
        int i = slot(start);
        while (t[2 * i + 1] != NIL) {
            i = (i + 1) & mask;
        }
        t[2 * i] = start;
        t[2 * i + 1] = rec;
        size++;
    }

    /**
     * Removes {@code start}, which must be present.
     *
     * @return the record it mapped to
     */
    int remove(long start) {
        long[] t = table;
        int i = slot(start);
        while (t[2 * i] != start || t[2 * i + 1] == NIL) {
            i = (i + 1) & mask;
        }
        int rec = (int) t[2 * i + 1];
        // Backward shift: pull each later member of the run whose home is not in (i, j] into the hole.
        for (int j = (i + 1) & mask; t[2 * j + 1] != NIL; j = (j + 1) & mask) {
            int home = slot(t[2 * j]);
            if (((j - home) & mask) >= ((j - i) & mask)) {
                t[2 * i] = t[2 * j];
                t[2 * i + 1] = t[2 * j + 1];
                i = j;
            }
        }
        t[2 * i] = 0;
        t[2 * i + 1] = NIL;
        size--;
        if (size < capacity() >>> 3 && capacity() > MIN_CAPACITY) {
            resize(capacity() >>> 1);
        }
        return rec;
    }

    /** Live entries. */
    int size() {
        return size;
    }

    /** Slots in the table, a power of two. */
    int capacity() {
        return mask + 1;
    }

    private int slot(long start) {
        return (int) (((start ^ (start >>> 32)) * GOLDEN) >>> shift);
    }

    private void resize(int capacity) {
        long[] old = table;
        table = new long[2 * capacity];
        mask = capacity - 1;
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
        if (old == null) {
            return;
        }
        for (int i = 0; i < old.length; i += 2) {
            int rec = (int) old[i + 1];
            if (rec != NIL) {
                int j = slot(old[i]);
                while (table[2 * j + 1] != NIL) {
                    j = (j + 1) & mask;
                }
                table[2 * j] = old[i];
                table[2 * j + 1] = rec;
            }
        }
    }

    /**
     * Checks that every entry is reachable from its home slot without crossing an empty one, that
     * {@code size} counts them, and that the load is within bounds. For tests.
     *
     * @throws IllegalStateException naming the first broken rule
     */
    void check() {
        int count = 0;
        for (int i = 0; i < capacity(); i++) {
            if (table[2 * i + 1] == NIL) {
                continue;
            }
            count++;
            for (int j = slot(table[2 * i]); j != i; j = (j + 1) & mask) {
                if (table[2 * j + 1] == NIL) {
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
