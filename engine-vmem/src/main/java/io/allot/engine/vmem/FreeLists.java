package io.allot.engine.vmem;

import static io.allot.engine.vmem.Segments.NIL;

/**
 * vmem's power-of-two free lists: list {@code k} holds the free segments whose size lies in
 * [2<sup>k</sup>, 2<sup>k+1</sup>), doubly linked through the records' next-of-kin words, newest
 * first; bit {@code k} of {@link #map} is set exactly when list {@code k} is non-empty.
 *
 * <p><b>Late filing.</b> A list's head may sit up to {@link Segments#MAX_MISFILED} lists too
 * high: when a segment at the head of its list shrinks into a lower class (carving the front of
 * the head is what instant-fit does, and a request of up to 2<sup>k</sup> carved from a head of
 * under 2<sup>k+1</sup> can leave a remainder of any lower class), it stays where it is and is
 * marked {@linkplain Segments#misfiled misfiled} by how many classes it fell; when it grows back
 * (the free of that allocation merges into it) the mark goes, and the pair has moved it nowhere,
 * where filing it at once moved it down and back up: four link updates on other records' lines,
 * a misfiled head of the list below filed on the way, and unpredictable branches each way (with
 * V1's random sizes a fall of two or more classes is common: marking only a fall of one, as
 * before, left those pairs costing about twice the others). Only a head is ever misfiled: before
 * anything is pushed onto a list whose head is misfiled, that head is {@linkplain #refile filed}
 * where it belongs (which may first file the head there, and so on down). So "every member of
 * list k holds 2<sup>k</sup>" holds for every member but a misfiled head, and a search that
 * looks for the lowest list from class k up first {@linkplain #refileFrom files} every misfiled
 * head from list k up ({@link #misfiledMap} says which lists have one, and in an alloc/free loop
 * none has by the time of the next search): a head misfiled by more than one class may belong
 * below a non-empty list that the map alone would pick. The logical list k, the one eager filing
 * would keep, is list k without a misfiled head, plus every higher list's head misfiled into
 * class k.
 *
 * <p>Instant fit's own carve goes one step further: the arena leaves the carved head's filing
 * (its mark, or its pop when the carve took all of it) until something reads the free space,
 * and a free of that carve first never files it at all ({@code VmemCore.heldList}); so V1's
 * pair, which frees each allocation at once, calls nothing of this class.
 *
 * <p>Two callers know more than {@link #resize} asks: instant-fit carves the front of a head it
 * chose, which it knows is unmarked and on which list ({@link #shrinkHead}, {@link #popHead}),
 * and a merge grows a segment, which can only rise ({@link #grow}: a mark says the segment is a
 * head, so the list's head need not be read). V1's pair refiles through these, not the general
 * resize, which cost it about 10 ns.
 *
 * <p>Every operation is O(1), amortised where it files heads (each filing undoes one mark, and
 * each mark was set by one resize). Sizes are unsigned: a segment of 2<sup>63</sup> or more is
 * in list 63. Not thread-safe.
 */
final class FreeLists {

    /** Number of lists: one per bit of a 64-bit size. */
    static final int LISTS = 64;

    private final Segments segs;
    private final int[] heads = new int[LISTS];
    /** Bit k set iff list k is non-empty. */
    long map;
    /** Bit k set iff list k's head is {@linkplain Segments#misfiled misfiled}. */
    long misfiledMap;

    FreeLists(Segments segs) {
        this.segs = segs;
    }

    /** The list holding segments of {@code size} (unsigned, at least 1): floor(log2(size)). */
    static int listOf(long size) {
        return 63 - Long.numberOfLeadingZeros(size);
    }

    /**
     * The lowest list every member of which is at least {@code size}: ceil(log2(size)), or 64
     * (no list) when {@code size} exceeds 2<sup>63</sup>.
     */
    static int wholeFitList(long size) {
        return 64 - Long.numberOfLeadingZeros(size - 1);
    }

    /** The first member of list {@code k}, or {@link Segments#NIL}; possibly misfiled. */
    int head(int k) {
        return heads[k];
    }

    /** The list free segment {@code p} of {@code size} is on. */
    int listed(int p, long size) {
        return listOf(size) + segs.misfiledBy(p);
    }

    /** Pushes free segment {@code p} of {@code size}, not on any list, onto the head of its list. */
    void insert(int p, long size) {
        push(p, listOf(size));
    }

    /** Takes {@code p} off its list; {@code size} must be its size as the lists know it. */
    void remove(int p, long size) {
        int k = listed(p, size);
        unmark(p, k);
        int before = segs.kprev(p);
        int after = segs.knext(p);
        if (before == NIL) {
            heads[k] = after;
            if (after == NIL) {
                map &= ~(1L << k);
            }
        } else {
            segs.setKnext(before, after);
        }
        if (after != NIL) {
            segs.setKprev(after, before);
        }
    }

    /**
     * Files {@code p}, whose size changed from {@code oldSize} (as the lists know it) to
     * {@code newSize}, for its new size: in place when its list stays right, or, at the head of
     * its list, up to {@link Segments#MAX_MISFILED} classes too high (misfiled, see the class
     * comment); else moved to the head of the list it now belongs to. Written without branches on
     * the common outcomes (stays, or stays misfiled), which an alloc/free loop takes at random.
     */
    void resize(int p, long oldSize, long newSize) {
        int from = listed(p, oldSize);
        int down = from - listOf(newSize);
        int notHead = heads[from] ^ p; // 0 iff p heads its list; ids are non-negative
        // Stays when 0 <= down <= MAX_MISFILED and (down == 0 or p is the head): one branch, as
        // arithmetic (down * notHead cannot overflow to 0 while down is in range) so that C2
        // cannot make a branch of each random comparison.
        if (((down & ~Segments.MAX_MISFILED) | down * notHead) == 0) {
            segs.setMisfiled(p, down);
            // The head's mark is its list's bit; a member below the head keeps the bit as it is.
            long head = (long) ((notHead - 1) >>> 31) << from;
            misfiledMap = (misfiledMap & ~head) | (long) (-down >>> 31) << from;
        } else {
            move(p, from, from - down);
        }
    }

    /**
     * {@link #remove} for {@code p}, the unmarked head of list {@code k}: what an instant-fit
     * allocation of the whole head does. No read of p's mark or of its (absent) predecessor.
     */
    void popHead(int p, int k) {
        int after = segs.knext(p);
        heads[k] = after;
        if (after == NIL) {
            map &= ~(1L << k);
        } else {
            segs.setKprev(after, NIL);
        }
    }

    /**
     * {@link #resize} for {@code p}, the unmarked head of list {@code k}, shrinking to
     * {@code newSize}: what an instant-fit carve of the front of the head it chose does. Knowing
     * the list and that {@code p} heads it, this reads neither the list's head nor p's mark: it
     * stays, marked by how many classes it fell (up to {@link Segments#MAX_MISFILED}), or moves.
     */
    void shrinkHead(int p, int k, long newSize) {
        int down = k - listOf(newSize);
        if ((down & ~Segments.MAX_MISFILED) == 0) {
            segs.setMisfiled(p, down);
            misfiledMap |= (long) (-down >>> 31) << k; // the bit was clear: p was unmarked
        } else {
            move(p, k, k - down);
        }
    }

    /**
     * {@link #resize} for a segment that grew from {@code oldSize} to {@code newSize} (a merge):
     * a segment that grows never falls below its list, so it stays exactly when it rises no more
     * classes than it is marked by. An unmarked one then rose none and nothing changes; a marked
     * one is its list's head (only heads are marked) and keeps what is left of its mark. No read
     * of the list's head: the mark alone says whether it is one. Branch-free but for the move.
     */
    void grow(int p, long oldSize, long newSize) {
        int marked = segs.misfiledBy(p);
        int up = listOf(newSize) - listOf(oldSize);
        int left = marked - up;
        int from = listOf(oldSize) + marked;
        if (left >= 0) {
            segs.setMisfiled(p, left);
            // Clear the list's bit when a marked head's mark is used up (left == 0 < marked).
            misfiledMap &= ~((long) (((left - 1) & -marked) >>> 31) << from);
        } else {
            move(p, from, from - left);
        }
    }

    /**
     * Clears {@code p}'s mark as it leaves list {@code k}: only a head is marked, so the list's
     * bit goes exactly when {@code p} had one.
     */
    private void unmark(int p, int k) {
        misfiledMap &= ~((long) (-segs.misfiledBy(p) >>> 31) << k);
        segs.setMisfiled(p, 0);
    }

    /** Takes {@code p} off list {@code from} and pushes it onto list {@code to}. */
    private void move(int p, int from, int to) {
        unmark(p, from);
        int before = segs.kprev(p);
        int after = segs.knext(p);
        if (before == NIL) {
            heads[from] = after;
            if (after == NIL) {
                map &= ~(1L << from);
            }
        } else {
            segs.setKnext(before, after);
        }
        if (after != NIL) {
            segs.setKprev(after, before);
        }
        push(p, to);
    }

    /**
     * Pushes {@code p} (not misfiled, on no list) onto list {@code k}, first filing a misfiled
     * head of that list where it belongs, so that only heads are ever misfiled.
     */
    private void push(int p, int k) {
        int head = heads[k];
        if (head != NIL && segs.misfiled(head)) {
            refile(k);
            head = heads[k];
        }
        segs.setKin(p, NIL, head);
        if (head != NIL) {
            segs.setKprev(head, p);
        }
        heads[k] = p;
        map |= 1L << k;
    }

    /** Moves list {@code k}'s misfiled head to the list below where it belongs. */
    void refile(int k) {
        int h = heads[k];
        int to = k - segs.misfiledBy(h);
        unmark(h, k);
        int after = segs.knext(h);
        heads[k] = after;
        if (after == NIL) {
            map &= ~(1L << k);
        } else {
            segs.setKprev(after, NIL);
        }
        push(h, to);
    }

    /**
     * Files every misfiled head of lists {@code k} and up where it belongs, so that the lowest
     * non-empty list from {@code k} up holds every segment of class {@code k} and up that a list
     * above it would otherwise hide. Amortised O(1): each filing undoes one mark.
     */
    void refileFrom(int k) {
        for (long stale = misfiledMap & (-1L << k); stale != 0; stale = misfiledMap & (-1L << k)) {
            refile(63 - Long.numberOfLeadingZeros(stale));
        }
    }
}
