package io.allot.engine.vmem;

import java.util.Arrays;

/**
 * The segment records of one arena — vmem's {@code vmem_seg_t}s — packed into one {@code long[]},
 * so that creating one allocates nothing once the array has grown, and reading one is one cache
 * line.
 *
 * <p><b>Cache lines.</b> A record is eight words (64 bytes), five used, and record p starts at word
 * {@code 6 + 8p}. A large array is allocated at the start of a heap region (G1's humongous
 * objects), so its elements begin 16 bytes (the header) into a 64-byte line; six words more puts
 * every record on a line of its own. Free and coalesce touch a record and its two neighbours, and
 * with 10<sup>5</sup> or more segments each of those is a memory access (about 150 ns here), so
 * 64-byte records that never straddle two lines beat 40-byte ones that straddle 62% of the time.
 * For small arrays the alignment is not guaranteed, and does not matter: they stay in cache.
 *
 * <p>Record layout (word offsets):
 * <pre>
 *   0  START   first value, unsigned
 *   1  END     last value, unsigned (closed ranges: END may be 2^64 - 1)
 *   2  LINKS   address list: prev (high 32 bits) | next (low 32 bits)
 *   3  KIN     next-of-kin list: kprev (high) | knext (low) — the power-of-two free list for a free
 *              segment, the chain of span markers for a marker, the stack of dead slots for a dead one
 *   4  META    type (bits 0-1) | PENDING_ADDRESS | PENDING_SIZE (set while an index has yet to see
 *              the record's latest state)
 * </pre>
 *
 * <p>Record 0 is the sentinel: it heads the circular address-ordered list of every segment and
 * span marker, and the circular chain of span markers. It has type {@link #SPAN}, so it stops
 * coalescing like a marker does; and since it is never a free or allocated segment, 0 doubles as
 * {@link #NIL}, "no record", in the free lists and the hash. Dead records are kept on a stack and
 * reused first, so a steady alloc/free loop touches the same few slots. The pending bits survive
 * death and reuse: an index must still learn that the slot's old segment is gone.
 *
 * <p>Up to about 2.7 × 10<sup>8</sup> records (the array limit divided by the stride). Not
 * thread-safe.
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
    static final long PENDING_ADDRESS = 1L << 8;
    /** Meta bit: the size index has not seen this record's latest state. */
    static final long PENDING_SIZE = 1L << 9;

    private static final int STRIDE = 8;
    private static final int BASE = 6;
    private static final int START = 0;
    private static final int END = 1;
    private static final int LINKS = 2;
    private static final int KIN = 3;
    private static final int META = 4;
    private static final long TYPE_MASK = 3;
    private static final long PENDING = PENDING_ADDRESS | PENDING_SIZE;
    private static final long LOW = 0xFFFF_FFFFL;
    private static final long HIGH = ~LOW;
    private static final long ALL_PENDING = PENDING;
    private static final int MAX_RECORDS = (Integer.MAX_VALUE - 16 - BASE) / STRIDE;

    private long[] data;
    private String[] tags;
    /** Slots ever used: records are in [0, top). */
    private int top;
    /** Head of the stack of dead slots, linked through knext. */
    private int dead = NIL;
    /** Records neither dead nor the sentinel. */
    private int live;

    /** @param capacity initial number of record slots, at least 1 */
    Segments(int capacity) {
        data = new long[BASE + capacity * STRIDE];
        tags = new String[capacity];
        top = 1;
        setType(SENTINEL, SPAN);
        setLinks(SENTINEL, SENTINEL, SENTINEL);
        setKin(SENTINEL, SENTINEL, SENTINEL);
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
        } else {
            if (top == capacity()) {
                grow();
            }
            p = top++;
        }
        int b = at(p);
        data[b + START] = start;
        data[b + END] = end;
        data[b + META] = (data[b + META] & PENDING) | type;
        live++;
        return p;
    }

    /** Puts {@code p}, already out of every list, on the dead stack. */
    void destroy(int p) {
        int b = at(p);
        data[b + META] &= PENDING; // type DEAD
        tags[p] = null;
        data[b + KIN] = dead & LOW;
        dead = p;
        live--;
    }

    private void grow() {
        int capacity = capacity();
        if (capacity == MAX_RECORDS) {
            throw new IllegalStateException("the vmem arena cannot hold more than " + MAX_RECORDS + " segments");
        }
        int grown = (int) Math.min(MAX_RECORDS, 2L * capacity);
        data = Arrays.copyOf(data, BASE + grown * STRIDE);
        tags = Arrays.copyOf(tags, grown);
    }

    /** Number of record slots; record ids are below it. */
    int capacity() {
        return tags.length;
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

    /** The word where record {@code p} begins. */
    private static int at(int p) {
        return BASE + p * STRIDE;
    }

    long start(int p) {
        return data[at(p) + START];
    }

    long end(int p) {
        return data[at(p) + END];
    }

    /** end - start + 1; never 0, since no record holds all 2^64 values. */
    long size(int p) {
        int b = at(p);
        return data[b + END] - data[b + START] + 1;
    }

    void setStart(int p, long start) {
        data[at(p) + START] = start;
    }

    void setEnd(int p, long end) {
        data[at(p) + END] = end;
    }

    int type(int p) {
        return (int) (data[at(p) + META] & TYPE_MASK);
    }

    void setType(int p, int type) {
        int i = at(p) + META;
        data[i] = (data[i] & ~TYPE_MASK) | type;
    }

    String tag(int p) {
        return tags[p];
    }

    void setTag(int p, String tag) {
        tags[p] = tag;
    }

    /**
     * Sets {@code flag} (one of the PENDING bits) on {@code p}.
     *
     * @return true if it was clear, so the caller must queue {@code p}
     */
    boolean markPending(int p, long flag) {
        int i = at(p) + META;
        long meta = data[i];
        if ((meta & flag) != 0) {
            return false;
        }
        data[i] = meta | flag;
        return true;
    }

    /** Whether every index has {@code p} queued, so a change to it needs no further note. */
    boolean pendingEverywhere(int p) {
        return (data[at(p) + META] & ALL_PENDING) == ALL_PENDING;
    }

    void clearPending(int p, long flag) {
        data[at(p) + META] &= ~flag;
    }

    boolean isPending(int p, long flag) {
        return (data[at(p) + META] & flag) != 0;
    }

    // ---------------------------------------------------------------- address list

    int prev(int p) {
        return (int) (data[at(p) + LINKS] >>> 32);
    }

    int next(int p) {
        return (int) data[at(p) + LINKS];
    }

    private void setLinks(int p, int prev, int next) {
        data[at(p) + LINKS] = ((long) prev << 32) | (next & LOW);
    }

    private void setPrev(int p, int prev) {
        int i = at(p) + LINKS;
        data[i] = ((long) prev << 32) | (data[i] & LOW);
    }

    private void setNext(int p, int next) {
        int i = at(p) + LINKS;
        data[i] = (data[i] & HIGH) | (next & LOW);
    }

    /** Links {@code p} into the address list right after {@code at}. */
    void insertAfter(int at, int p) {
        int after = next(at);
        setLinks(p, at, after);
        setNext(at, p);
        setPrev(after, p);
    }

    /** Links {@code p} into the address list right before {@code at}. */
    void insertBefore(int at, int p) {
        insertAfter(prev(at), p);
    }

    /** Unlinks {@code p} from the address list. */
    void unlink(int p) {
        int before = prev(p);
        int after = next(p);
        setNext(before, after);
        setPrev(after, before);
    }

    // ---------------------------------------------------------------- next-of-kin list

    int kprev(int p) {
        return (int) (data[at(p) + KIN] >>> 32);
    }

    int knext(int p) {
        return (int) data[at(p) + KIN];
    }

    void setKin(int p, int kprev, int knext) {
        data[at(p) + KIN] = ((long) kprev << 32) | (knext & LOW);
    }

    void setKprev(int p, int kprev) {
        int i = at(p) + KIN;
        data[i] = ((long) kprev << 32) | (data[i] & LOW);
    }

    void setKnext(int p, int knext) {
        int i = at(p) + KIN;
        data[i] = (data[i] & HIGH) | (knext & LOW);
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
