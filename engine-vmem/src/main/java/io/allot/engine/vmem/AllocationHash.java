package io.allot.engine.vmem;

import io.allot.internal.Outlined;

import static io.allot.engine.vmem.Segments.NIL;

/**
 * The allocated segments by start address: vmem's allocation hash, made open-addressing so that a
 * lookup is a probe into one array and an insertion allocates nothing.
 *
 * <p><b>Layout.</b> Linear probing over one {@code long} per slot: the start's 32-bit hash (below),
 * then the record id ({@code 0} marks an empty slot: record 0 is the sentinel, never an
 * allocation). A probe compares the stored hash bits first and reads a record's start only on a
 * match (the caller reads that record next anyway), so a slot is 8 bytes and a miss costs no
 * record access. The home slot is a function of the stored hash alone, so deletion (which shifts later
 * members of the probe run back rather than leaving tombstones) and rehashing never read records.
 *
 * <p><b>Resizing.</b> The capacity (a power of two, at least {@link #MIN_CAPACITY}) doubles when
 * the table would become more than half full and halves when it falls below one eighth, so the
 * load stays in [1/8, 1/2] apart from tiny tables, probe runs stay short, and a burst of
 * 10<sup>6</sup> allocations followed by their frees leaves a small table behind. Each rehash is
 * O(capacity), paid for by the Ω(capacity) insertions or deletions since the last one: amortised
 * O(1).
 *
 * <p><b>Spreading, and locality.</b> Starts are often multiples of a large power of two (pages),
 * which leaves their low bits constant, and often consecutive (a fill, a restore). The table keeps
 * {@link #grain}, the fewest trailing zero bits of any start it has held, and works on the start's
 * unit number {@code u = start >>> grain}: units {@code 16q .. 16q+15} form group q, the group
 * number is folded ({@code q ^ q >>> 32}) and multiplied by the 64-bit golden-ratio constant, of
 * which the top bits pick a run of 16 slots (Fibonacci hashing: the multiplication carries every
 * input bit into the top bits, and consecutive groups land evenly apart), and the unit's place in
 * its group picks the slot in the run. So random starts spread as well as under a plain
 * multiplicative hash, while consecutive ones share cache lines: a fill of 10<sup>6</sup> pages
 * misses the cache once per 8 insertions, not once per insertion. The Rust {@code vmem} crate's
 * {@code start >>> 12 & 63} sends every page-aligned start of a region to a handful of buckets. A
 * start with fewer trailing zeros than the grain lowers it and rehashes the table from the
 * records' starts, O(capacity), at most 64 times in the table's life; an emptied table forgets its
 * grain.
 *
 * <p><b>The held entry.</b> The latest {@link #put} is not probed into the table at once: it is
 * <em>held</em> in two fields ({@link #heldStart}, {@link #heldRec}) and goes into the table when
 * the next {@code put} comes or a free looks up any other start ({@link #find}), whichever is
 * first. A free of the latest allocation (an allocate/free pair, a reallocation, an undo) then
 * finds and removes it with one comparison and one store, where the table costs a hash, a probe
 * walk and a backward-shift deletion; any other sequence pays exactly the table work it paid
 * before, plus that comparison. Inserting at the free of another start rather than at the next
 * put is for large tables: the insertion's slot and the free's probe are both cache misses, and
 * both addresses are known at once, so they overlap (V3, a random free then an allocation with
 * 500k entries: about 8% a pair, paired in one JVM), where the insertion at the put missed
 * alone. {@link #find} answers {@link #HELD} for it, which {@link #recordAt} and
 * {@link #removeAt} accept like a slot; {@link #get}, a plain look-up, leaves it held;
 * {@link #size} counts it, so the load bounds hold with it counted.
 *
 * <p>Not thread-safe.
 */
final class AllocationHash {

    /** The smallest capacity the table shrinks to. */
    static final int MIN_CAPACITY = 32;
    /** log2 of the units in a group, which share a run of slots. */
    private static final int GROUP_BITS = 4;
    private static final int IN_GROUP = (1 << GROUP_BITS) - 1;
    /** The grain of a table that has held no start but 0 (or none). */
    private static final int NO_GRAIN = 63;
    private static final int MAX_CAPACITY = 1 << 30;
    private static final long GOLDEN = 0x9E37_79B9_7F4A_7C15L;
    private static final long RECORD = 0xFFFF_FFFFL;
    /**
     * {@link #find}'s answer for the held entry: never a table slot, since the table has at most
     * {@link #MAX_CAPACITY} slots, and not negative, which means "absent".
     */
    static final int HELD = Integer.MAX_VALUE;

    private final Segments segs;
    private long[] table;
    /**
     * 32 + GROUP_BITS - log2(capacity): the home slot is the top bits of the stored 32-bit hash
     * (the group's run) then its low GROUP_BITS (the place in the run).
     */
    private int shift;
    /** Fewest trailing zeros of any start held since the table was last empty, at most 63. */
    private int grain = NO_GRAIN;
    private int mask;
    /** Live entries: those in the table and the held one. */
    private int size;
    /** The held entry's start, meaningful while {@link #heldRec} is not NIL. */
    private long heldStart;
    /** The held entry's record, or NIL when no entry is held. */
    private int heldRec = NIL;

    /** @param segs the records whose starts are the keys */
    AllocationHash(Segments segs) {
        this.segs = segs;
        resize(MIN_CAPACITY);
    }

    /** The record allocated at {@code start}, or {@link Segments#NIL}; the held entry stays held. */
    int get(long start) {
        if (start == heldStart && heldRec != NIL) {
            return heldRec;
        }
        int slot = probe(start, Outlined.HOPS);
        return slot < 0 ? NIL : recordAt(slot);
    }

    /**
     * The slot holding {@code start}, {@link #HELD} if it is the held entry, or -1: the look-up of
     * a free, which {@link #removeAt} follows when it finds the entry. For any start but the held
     * one, the held entry first goes into the table (see the class comment): its slot's load and
     * the probe's then miss the cache together, where the insertion at the next {@link #put}
     * missed on its own.
     */
    int find(long start) {
        if (heldRec != NIL) {
            if (start == heldStart) {
                return HELD;
            }
            insert(heldStart, heldRec, Outlined.HOPS);
            heldRec = NIL;
        }
        return probe(start, Outlined.HOPS);
    }

    /**
     * {@link #find} in the table, after {@code hops} calls of itself ({@link Outlined}): V1's pair
     * frees the held entry, and a set-up's random frees would otherwise compile this walk into
     * every caller of find.
     */
    private int probe(long start, int hops) {
        if (hops > 0) {
            return probe(start, hops - 1);
        }
        long[] t = table;
        int h = hash(start, grain);
        for (int i = home(h); ; i = (i + 1) & mask) {
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
        return slot == HELD ? heldRec : (int) (table[slot] & RECORD);
    }

    /**
     * Grows the table now if one more entry would; called before an allocation changes anything,
     * so that {@link #put} cannot fail after it has begun.
     */
    void ensureRoom() {
        if (!hasRoom()) {
            resize(capacity() << 1);
        }
    }

    /** Whether {@link #ensureRoom} would do nothing. */
    boolean hasRoom() {
        return size < capacity() >>> 1 || capacity() >= MAX_CAPACITY;
    }

    /**
     * Adds {@code start -> rec}; {@code start} must be absent, and {@link #ensureRoom} must have been
     * called since the last {@code put} (every carve calls it before its first change, so that
     * nothing fails half-way; a second check here cost the hot allocation a compare and a branch).
     * It becomes the held entry; the one held before goes into the table.
     */
    void put(long start, int rec) {
        assert size < capacity() >>> 1 || capacity() == MAX_CAPACITY : "put without ensureRoom";
        if (heldRec != NIL) {
            insert(heldStart, heldRec, Outlined.HOPS);
        }
        heldStart = start;
        heldRec = rec;
        size++;
    }

    /**
     * Probes {@code start -> rec} into the table, after {@code hops} calls of itself
     * ({@link Outlined}); {@link #size} already counts it.
     */
    private void insert(long start, int rec, int hops) {
        if (hops > 0) { // see Outlined: V1's pair frees the held entry, so its put never inserts
            insert(start, rec, hops - 1);
            return;
        }
        if (Long.numberOfTrailingZeros(start) < grain) {
            regrain(Long.numberOfTrailingZeros(start));
        }
        long[] t = table;
        int h = hash(start, grain);
        int i = home(h);
        while (t[i] != 0) {
            i = (i + 1) & mask;
        }
        t[i] = ((long) h << 32) | rec;
    }

    /**
     * Empties {@code slot}, as {@link #find} returned it: the held entry is dropped, a table slot
     * is emptied by shifting later members of its run back.
     */
    void removeAt(int slot) {
        if (slot == HELD) {
            heldRec = NIL;
        } else {
            delete(slot, Outlined.HOPS);
        }
        if (--size < (mask + 1) >>> 3) {
            shrinkOrForget();
        }
    }

    /** Empties table slot {@code slot}, after {@code hops} calls of itself ({@link Outlined}). */
    private void delete(int slot, int hops) {
        if (hops > 0) {
            delete(slot, hops - 1);
            return;
        }
        long[] t = table;
        int i = slot;
        for (int j = (i + 1) & mask; t[j] != 0; j = (j + 1) & mask) {
            int home = home((int) (t[j] >>> 32));
            // Move j into the hole unless its home lies cyclically in (i, j].
            if (((j - home) & mask) >= ((j - i) & mask)) {
                t[i] = t[j];
                i = j;
            }
        }
        t[i] = 0;
    }

    /** After a removal left the table below 1/8 full: halves it, and forgets the grain if it is empty. */
    private void shrinkOrForget() {
        if (capacity() > MIN_CAPACITY) {
            resize(capacity() >>> 1);
        }
        if (size == 0) {
            grain = NO_GRAIN;
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

    /** The 32-bit hash of {@code start} at {@code grain}: the group's spread bits, then the place in it. */
    private static int hash(long start, int grain) {
        long unit = start >>> grain;
        long group = unit >>> GROUP_BITS;
        int spread = (int) (((group ^ (group >>> 32)) * GOLDEN) >>> 32);
        return (spread & ~IN_GROUP) | (int) (unit & IN_GROUP);
    }

    /** The home slot of stored hash {@code h}. */
    private int home(int h) {
        return (h >>> shift) << GROUP_BITS | (h & IN_GROUP);
    }

    /** Lowers the grain to {@code lower} and rehashes every entry from its record's start. */
    private void regrain(int lower) {
        grain = lower;
        long[] old = table;
        table = new long[old.length];
        for (long v : old) {
            if (v != 0) {
                int rec = (int) (v & RECORD);
                int h = hash(segs.start(rec), grain);
                int j = home(h);
                while (table[j] != 0) {
                    j = (j + 1) & mask;
                }
                table[j] = ((long) h << 32) | rec;
            }
        }
    }

    private void resize(int capacity) {
        long[] old = table;
        table = new long[capacity];
        mask = capacity - 1;
        shift = 32 + GROUP_BITS - Integer.numberOfTrailingZeros(capacity);
        if (old == null) {
            return;
        }
        for (long v : old) {
            if (v != 0) {
                int j = home((int) (v >>> 32));
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
            long start = segs.start((int) (v & RECORD));
            if (h != hash(start, grain)) {
                throw new IllegalStateException("hash slot " + i + " holds a stale hash for record " + (v & RECORD));
            }
            if (Long.numberOfTrailingZeros(start) < grain) {
                throw new IllegalStateException("start " + Long.toHexString(start) + " is finer than the grain " + grain);
            }
            for (int j = home(h); j != i; j = (j + 1) & mask) {
                if (table[j] == 0) {
                    throw new IllegalStateException("hash entry at slot " + i + " is cut off from its home by an empty slot");
                }
            }
        }
        if (heldRec != NIL) {
            count++;
            if (segs.start(heldRec) != heldStart) {
                throw new IllegalStateException("the held entry's start is not record " + heldRec + "'s");
            }
            for (int i = home(hash(heldStart, grain)); table[i] != 0; i = (i + 1) & mask) {
                if (segs.start((int) (table[i] & RECORD)) == heldStart) {
                    throw new IllegalStateException("the held start " + Long.toHexString(heldStart) + " is in the table too");
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
