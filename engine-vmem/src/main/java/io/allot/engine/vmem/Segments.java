package io.allot.engine.vmem;

import java.util.Arrays;

/**
 * The segment records of one arena — vmem's {@code vmem_seg_t}s — packed so that a record's
 * bounds and all four of its links share one 64-byte cache line, and creating one allocates
 * nothing once the arrays have grown: eight {@code int}s (32 bytes) per record in one
 * {@code int[]}, and one byte of type and pending bits per record in a {@code byte[]}.
 *
 * <pre>
 *   rec[BASE + 8p + 0, 1]  START  first value, unsigned: low word, high word
 *   rec[BASE + 8p + 2, 3]  END    last value, unsigned (closed ranges: END may be 2^64 - 1)
 *   rec[BASE + 8p + 4]     prev   address list
 *   rec[BASE + 8p + 5]     next
 *   rec[BASE + 8p + 6]     kprev  next-of-kin list: the power-of-two free list for a free segment,
 *   rec[BASE + 8p + 7]     knext  the chain of span markers for a marker, the stack of dead slots
 *                                 for a dead one
 *   meta[p]                       type (bits 0-1) | PENDING_ADDRESS | PENDING_SIZE |
 *                                 PENDING_ALLOCATED (set while an index has yet to see the
 *                                 record's latest state) | MISFILED (bits 5-7: how many lists
 *                                 too high a free list's head is filed, see {@link FreeLists})
 * </pre>
 *
 * <p><b>Why this layout.</b> A free with coalescing touches the freed record and both address
 * neighbours, and the free-list neighbours of a segment that changes size class; on a large arena
 * each of those is a cache miss, so a record that spans two lines (bounds in one array, links in
 * another, as before) doubles them. Here a record is one line: two records per 64-byte line, and
 * {@code BASE} = 12 {@code int}s puts record 0 on a line boundary when the array itself starts on
 * one (the 16-byte array header of a large array, which the collector places at the start of its
 * own region); elsewhere a record at worst straddles, which costs only when it is cold. Every
 * field is whole {@code int}s, so every update is plain stores: packing two links into a
 * {@code long} made each link update a read-modify-write, and chains of those through store
 * forwarding cost more than they saved; a {@code byte[]} read through {@code long} and {@code int}
 * {@code VarHandle} views (tried) was no faster and looked slower on the V1 loop. A bound is two
 * {@code int} loads from one line. The type byte lives apart so that the
 * 32 bytes hold bounds and links exactly; the type table is a byte per record, 32 times denser
 * than the records, so its lines stay cached.
 *
 * <p>Record 0 is the sentinel: it heads the circular address-ordered list of every segment and
 * span marker, and the circular chain of span markers. It has type {@link #SPAN}, so it stops
 * coalescing like a marker does; and since it is never a free or allocated segment, 0 doubles as
 * {@link #NIL}, "no record", in the free lists and the hash. Dead records are kept on a stack and
 * reused first, so a steady alloc/free loop touches the same few slots. The pending bits survive
 * death and reuse: an index must still learn that the slot's old segment is gone.
 *
 * <p>Up to {@link #MAX_RECORDS} (about 2.7 × 10<sup>8</sup>) records: the
 * array limit divided by 8 {@code int}s. Not thread-safe.
 */
final class Segments {

    /** "No record"; also the sentinel's id. */
    static final int NIL = 0;
    /** The sentinel record heading the address list and the marker chain. */
    static final int SENTINEL = 0;

    /** A slot on the dead stack, holding no segment. */
    static final int DEAD = 0;
    /** A free segment, on the free list of its size class. */
    static final int FREE = 1;
    /** An allocated segment, in the allocation hash. */
    static final int ALLOCATED = 2;
    /** A span marker (or the sentinel): a barrier that coalescing never crosses. */
    static final int SPAN = 3;

    /** Meta bit: the address index has not seen this record's latest state. */
    static final int PENDING_ADDRESS = 1 << 2;
    /** Meta bit: the size index has not seen this record's latest state. */
    static final int PENDING_SIZE = 1 << 3;
    /** Meta bit: the allocated-segment index has not seen this record's latest state. */
    static final int PENDING_ALLOCATED = 1 << 4;

    /** {@code int}s per record. */
    private static final int RECORD_INTS = 8;
    private static final int RECORD_SHIFT = 3;
    /** Where record 0 begins: 12 {@code int}s of the array plus its 16-byte header make one line. */
    private static final int BASE = 12;
    private static final int START = 0;
    private static final int END = 2;
    private static final int PREV = 4;
    private static final int NEXT = 5;
    private static final int KPREV = 6;
    private static final int KNEXT = 7;
    private static final int TYPE_MASK = 3;
    /**
     * Meta bits 5-7: how many lists above its size class a free list's head is filed, 0 to
     * {@link #MAX_MISFILED} (see {@link FreeLists}).
     */
    private static final int MISFILED_SHIFT = 5;
    /** The most lists above its class a head may be filed: what the three meta bits hold. */
    static final int MAX_MISFILED = 7;
    private static final int MISFILED = MAX_MISFILED << MISFILED_SHIFT;
    private static final int PENDING = PENDING_ADDRESS | PENDING_SIZE | PENDING_ALLOCATED;
    /** The most records an {@code int[]} holds (its limit is a few elements short of 2^31). */
    static final int MAX_RECORDS = (Integer.MAX_VALUE - 64 - BASE) / RECORD_INTS;
    private static final long LOW = 0xFFFF_FFFFL;

    /** The records: bounds and links, {@link #RECORD_INTS} each from {@link #BASE}. */
    private int[] rec;
    /** Type and pending bits, one byte per record. */
    private byte[] meta;
    /** Record tags, by id; null until the first tagged record, as most arenas never tag. */
    private String[] tags;
    /** Slots ever used: records are in [0, top). */
    private int top;
    /** Head of the stack of dead slots, linked through knext. */
    private int dead = NIL;
    private int deadCount;
    /** Records neither dead nor the sentinel. */
    private int live;
    /**
     * How many of the arena's {@link SegmentIndex}es are awake (not dormant), kept by the indexes:
     * while it is 0, a change to a record needs no note at all, one field test on the O(1) paths.
     */
    int awakeIndexes;

    /** @param capacity initial number of record slots, at least 1 */
    Segments(int capacity) {
        rec = new int[BASE + capacity * RECORD_INTS];
        meta = new byte[capacity];
        top = 1;
        setType(SENTINEL, SPAN);
        setKin(SENTINEL, SENTINEL, SENTINEL); // the address links are already 0: the empty circle
    }

    /**
     * A record for {@code [start, end]} of {@code type}, its links unset. Reuses the most recently
     * freed slot, keeping its pending bits.
     *
     * @throws IllegalStateException if the arena would need more records than an array can hold
     */
    int create(long start, long end, int type) {
        int p;
        if (dead != NIL) {
            p = dead;
            dead = knext(p);
            deadCount--;
        } else {
            if (top == capacity()) {
                grow();
            }
            p = top++;
        }
        int[] r = rec;
        int b = at(p);
        r[b + START] = (int) start;
        r[b + START + 1] = (int) (start >>> 32);
        r[b + END] = (int) end;
        r[b + END + 1] = (int) (end >>> 32);
        meta[p] = (byte) ((meta[p] & PENDING) | type);
        live++;
        return p;
    }

    /** Puts {@code p}, already out of every list, on the dead stack. */
    void destroy(int p) {
        meta[p] &= PENDING; // type DEAD
        if (tags != null) {
            tags[p] = null;
        }
        setKnext(p, dead);
        dead = p;
        deadCount++;
        live--;
    }

    /**
     * Makes room for {@code n} more records, so that an operation can check capacity before it
     * changes anything and then create its records without failing halfway.
     *
     * @throws IllegalStateException if the arena would need more records than an array can hold
     */
    void ensureSpare(int n) {
        while (!hasSpare(n)) {
            grow();
        }
    }

    /** Whether {@code n} more records can be created without growing: {@link #ensureSpare} would do nothing. */
    boolean hasSpare(int n) {
        return spare() >= n;
    }

    /** How many more records can be created without growing. */
    int spare() {
        return capacity() - top + deadCount;
    }

    private void grow() {
        int capacity = capacity();
        if (capacity == MAX_RECORDS) {
            throw new IllegalStateException("the vmem arena cannot hold more than " + MAX_RECORDS + " segments");
        }
        int grown = (int) Math.min(MAX_RECORDS, 2L * capacity);
        rec = Arrays.copyOf(rec, BASE + grown * RECORD_INTS);
        meta = Arrays.copyOf(meta, grown);
        if (tags != null) {
            tags = Arrays.copyOf(tags, grown);
        }
    }

    /** Number of record slots; record ids are below it. */
    int capacity() {
        return meta.length;
    }

    /** Slots ever used; every record id is below it. */
    int top() {
        return top;
    }

    /** Records that hold a segment or a span marker. */
    int live() {
        return live;
    }

    // ---------------------------------------------------------------- fields

    /** The {@code int} where record {@code p} begins. */
    private static int at(int p) {
        return BASE + (p << RECORD_SHIFT);
    }

    long start(int p) {
        return word(rec, at(p) + START);
    }

    long end(int p) {
        return word(rec, at(p) + END);
    }

    /**
     * end - start + 1: 0 only for an empty record, {@code [end + 1, end]} (the arena's held carve
     * leaves one, see {@code VmemCore.heldList}), since no record holds all 2^64 values.
     */
    long size(int p) {
        int[] r = rec;
        int b = at(p);
        return word(r, b + END) - word(r, b + START) + 1;
    }

    void setStart(int p, long start) {
        setWord(rec, at(p) + START, start);
    }

    void setEnd(int p, long end) {
        setWord(rec, at(p) + END, end);
    }

    /** The {@code long} held in {@code r[i]} (low half) and {@code r[i + 1]} (high half). */
    private static long word(int[] r, int i) {
        return (r[i] & LOW) | (long) r[i + 1] << 32;
    }

    private static void setWord(int[] r, int i, long v) {
        r[i] = (int) v;
        r[i + 1] = (int) (v >>> 32);
    }

    int type(int p) {
        return meta[p] & TYPE_MASK;
    }

    void setType(int p, int type) {
        meta[p] = (byte) ((meta[p] & ~TYPE_MASK) | type);
    }

    String tag(int p) {
        return tags == null ? null : tags[p];
    }

    void setTag(int p, String tag) {
        if (tags != null) {
            tags[p] = tag;
        } else if (tag != null) {
            tags = new String[capacity()];
            tags[p] = tag;
        }
    }

    /**
     * Sets {@code flag} (one of the PENDING bits) on {@code p}.
     *
     * @return true if it was clear, so the caller must queue {@code p}
     */
    boolean markPending(int p, int flag) {
        int m = meta[p];
        if ((m & flag) != 0) {
            return false;
        }
        meta[p] = (byte) (m | flag);
        return true;
    }

    /** Whether every index has {@code p} queued, so a change to it needs no further note. */
    boolean pendingEverywhere(int p) {
        return (meta[p] & PENDING) == PENDING;
    }

    void clearPending(int p, int flag) {
        meta[p] &= (byte) ~flag;
    }

    boolean isPending(int p, int flag) {
        return (meta[p] & flag) != 0;
    }

    /** Whether free segment {@code p} is its list's head, filed above its class. */
    boolean misfiled(int p) {
        return (meta[p] & MISFILED) != 0;
    }

    /** How many lists above its class {@code p} is filed: 0 unless it is {@link #misfiled}. */
    int misfiledBy(int p) {
        return (meta[p] & MISFILED) >>> MISFILED_SHIFT;
    }

    /** Marks {@code p} filed {@code lists} (0 to {@link #MAX_MISFILED}) above its class, with no branch. */
    void setMisfiled(int p, int lists) {
        meta[p] = (byte) ((meta[p] & ~MISFILED) | lists << MISFILED_SHIFT);
    }

    // ---------------------------------------------------------------- address list

    int prev(int p) {
        return rec[at(p) + PREV];
    }

    int next(int p) {
        return rec[at(p) + NEXT];
    }

    /** Links {@code p} into the address list right after {@code before}. */
    void insertAfter(int before, int p) {
        int[] r = rec;
        int a = at(before);
        int after = r[a + NEXT];
        int b = at(p);
        r[b + PREV] = before;
        r[b + NEXT] = after;
        r[a + NEXT] = p;
        r[at(after) + PREV] = p;
    }

    /**
     * Links {@code p} into the address list right before {@code at}. Reads only {@code at}'s line:
     * the record before it is written, not read (its next is {@code at}), so when it is cold the
     * store waits in the store buffer rather than the caller waiting for the line.
     */
    void insertBefore(int at, int p) {
        int[] r = rec;
        int a = at(at);
        int before = r[a + PREV];
        int b = at(p);
        r[b + PREV] = before;
        r[b + NEXT] = at;
        r[at(before) + NEXT] = p;
        r[a + PREV] = p;
    }

    /**
     * Makes {@code after} follow {@code before} in the address list: unlinks whatever lay between
     * them, which the caller then destroys. Two stores, no read: the caller knows both neighbours.
     */
    void link(int before, int after) {
        int[] r = rec;
        r[at(before) + NEXT] = after;
        r[at(after) + PREV] = before;
    }

    /** Unlinks {@code p} from the address list. */
    void unlink(int p) {
        int[] r = rec;
        int b = at(p);
        int before = r[b + PREV];
        int after = r[b + NEXT];
        r[at(before) + NEXT] = after;
        r[at(after) + PREV] = before;
    }

    // ---------------------------------------------------------------- next-of-kin list

    int kprev(int p) {
        return rec[at(p) + KPREV];
    }

    int knext(int p) {
        return rec[at(p) + KNEXT];
    }

    void setKin(int p, int kprev, int knext) {
        int[] r = rec;
        int b = at(p);
        r[b + KPREV] = kprev;
        r[b + KNEXT] = knext;
    }

    void setKprev(int p, int kprev) {
        rec[at(p) + KPREV] = kprev;
    }

    void setKnext(int p, int knext) {
        rec[at(p) + KNEXT] = knext;
    }

    /** Links marker {@code p} into the circular marker chain right before marker (or sentinel) {@code at}. */
    void kinInsertBefore(int at, int p) {
        int before = kprev(at);
        setKin(p, before, at);
        setKnext(before, p);
        setKprev(at, p);
    }

    /** Unlinks marker {@code p} from the circular marker chain. */
    void kinUnlink(int p) {
        int before = kprev(p);
        int after = knext(p);
        setKnext(before, after);
        setKprev(after, before);
    }
}
