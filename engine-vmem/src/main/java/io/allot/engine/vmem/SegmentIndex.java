package io.allot.engine.vmem;

import io.allot.internal.Unsigned;

import java.util.Arrays;

import static io.allot.engine.vmem.Segments.NIL;
import static io.allot.engine.vmem.Segments.SENTINEL;

/**
 * An AVL tree over segment records that is brought up to date only when it is asked something:
 * the searches vmem's free lists cannot answer (free segments by address, allocated segments by
 * address, free segments by size) without putting a tree update on the O(1) instant-fit path.
 *
 * <h2>Laziness</h2>
 * Every change to a record (created, resized, freed, allocated, destroyed) {@linkplain #touch
 * touches} it: the first touch since the last sync sets the record's pending bit and queues it,
 * O(1), and later touches cost a bit test. Nodes are separate from records and store a copy of
 * the key they were inserted with ({@code k1}, {@code k2}, weight {@code w}), so a stale node stays
 * a valid member of the tree. {@link #sync} then reconciles: a pending record whose node still
 * matches its current state (it was split and merged back, the common case in an alloc/free loop)
 * costs nothing; a node whose record changed without changing its place in the order
 * ({@link #keepsOrder}: a free segment carved from or grown at either end, in the address index)
 * is re-keyed in place, one descent with no rotation; any other node is removed and, if the record
 * still belongs in the index, a new one inserted. All removals come before all re-keyings and
 * insertions, so keys in the tree are pairwise distinct and ordered at every moment (a live node's
 * key is its record's current key or one that sorts the same), which is what lets a stale node be
 * found by its stored key. When more records are pending than half the tree, {@link #rebuild}
 * from the address list is cheaper.
 *
 * <p>An index whose queue would outgrow half its tree goes <em>dormant</em> instead: it drops
 * the queue and ignores changes until its next sync, which rebuilds it (as replaying that queue
 * would have) — so an index nobody asks costs a flag test per change and holds no queue.
 *
 * <p>Cost: touch O(1); sync O(p log n) for p pending records, or O(n) to O(n log n) when rebuilt
 * — never more than updating the tree at every change would have cost, and nothing at all for a
 * workload that never asks (instant-fit allocation and free, reserve in ascending order).
 *
 * <p>Nodes live in one array, a cache line each, indexed by node id, node 0 being the empty tree
 * (height 0, aug 0) so that children need no null checks; ids are recycled through a free stack. The
 * augmentation {@code aug} is the largest weight in a subtree (unsigned).
 *
 * <p>Not thread-safe.
 */
abstract sealed class SegmentIndex permits AddressIndex, AllocatedIndex, SizeIndex {

    /** Rebuild rather than sync once this many more records are pending than half the tree. */
    private static final int REBUILD_SLACK = 64;

    private static final int NODE_STRIDE = 8;
    private static final int NODE_BASE = 6;
    private static final int K1 = 0;
    private static final int K2 = 1;
    private static final int W = 2;
    private static final int AUG = 3;
    private static final int LEFT = 4;
    private static final int RIGHT = 5;
    private static final int HEIGHT = 6;
    private static final int REC = 7;

    final Segments segs;
    private final int pendingFlag;

    /**
     * The nodes, eight words each, so that a descent reads one cache line per level: node
     * {@code n}'s fields are at {@code NODE_BASE + 8n + K1 .. REC}. As in {@link Segments}, the
     * base puts node 0 at byte 64 of the array, so a large (humongous, region-aligned) array has
     * each node on a line of its own.
     */
    private long[] nd = new long[NODE_BASE + 16 * NODE_STRIDE];
    private int nodeTop = 1;
    private int freeNodes = NIL;
    private int nodes;
    int root = NIL;

    /** Record id to its node, or NIL. Valid for every record ever created (stale for dead ones). */
    private int[] nodeOf = new int[16];
    private int[] pending = new int[16];
    private int pendingCount;
    /**
     * Whether the tree is out of date beyond replaying a queue: set at first (nothing was ever
     * built) and when the queue outgrows half the tree. A dormant index ignores touches, sets no
     * pending bits and rebuilds at its next sync, so a workload that never asks it anything (the
     * size index under first-fit, the allocated index almost always) pays one flag test per
     * change and holds no queue.
     */
    private boolean dormant = true;
    /**
     * Counts the changes to the tree: a node added, removed or re-keyed, a rebuild. A search
     * answer remembered with the count it was found at ({@link SizeIndex}) holds while the count
     * is the same, since the tree is then node for node the one it was found in (the re-keying's
     * count serves no memo today: the size index never re-keys in place). Starts at 1, so a
     * zeroed memo slot never matches; a {@code long}, so it never wraps back to an old value.
     */
    private long version = 1;

    SegmentIndex(Segments segs, int pendingFlag) {
        this.segs = segs;
        this.pendingFlag = pendingFlag;
    }

    // ---------------------------------------------------------------- what a subclass indexes

    /** Whether record {@code p}, in its current state, belongs in this index. */
    abstract boolean wanted(int p);

    /** The primary key of record {@code p} as it is now: its start, for the address indexes. */
    long key1(int p) {
        return segs.start(p);
    }

    /** The secondary key of record {@code p} as it is now: its end, for the address indexes. */
    long key2(int p) {
        return segs.end(p);
    }

    /** The weight (aggregated as a subtree maximum) of record {@code p} as it is now. */
    abstract long weight(int p);

    /** Builds the tree from scratch for the current records; the pool is empty on entry. */
    abstract void build();

    // ---------------------------------------------------------------- laziness

    /**
     * Notes that record {@code p} changed (or was created or destroyed). O(1): amortised when
     * this touch makes the queue too long to be worth replaying, and the index goes
     * {@linkplain #dormant dormant}.
     */
    final void touch(int p) {
        if (dormant || !wanted(p) && (p >= nodeOf.length || nodeOf[p] == NIL)) {
            return; // a record the index neither holds nor wants is already as the index has it
        }
        if (segs.markPending(p, pendingFlag)) {
            if (pendingCount > (nodes >>> 1) + REBUILD_SLACK) {
                // The next sync would rebuild anyway: stop queueing until then.
                segs.clearPending(p, pendingFlag);
                dropQueue();
                dormant = true;
                segs.awakeIndexes--;
                return;
            }
            if (pendingCount == pending.length) {
                pending = Arrays.copyOf(pending, pendingCount * 2);
            }
            pending[pendingCount++] = p;
        }
    }

    /**
     * Brings the tree up to date with every record, in three passes: remove the nodes of records
     * that left the index or moved where {@link #keepsOrder} cannot vouch for; re-key in place the
     * nodes whose records changed but kept their order; insert the records that have no node.
     */
    final void sync() {
        if (dormant) {
            rebuild();
            return;
        }
        if (pendingCount == 0) {
            return;
        }
        if (nodeOf.length < segs.capacity()) {
            nodeOf = Arrays.copyOf(nodeOf, segs.capacity());
        }
        for (int i = 0; i < pendingCount; i++) {
            int p = pending[i];
            int n = nodeOf[p];
            if (n != NIL && !matches(n, p) && !(wanted(p) && keepsOrder(n, p))) {
                root = delete(root, n);
                releaseNode(n);
                nodeOf[p] = NIL;
            }
        }
        for (int i = 0; i < pendingCount; i++) {
            int n = nodeOf[pending[i]];
            if (n != NIL && !matches(n, pending[i])) {
                rekey(root, n);
                version++;
            }
        }
        for (int i = 0; i < pendingCount; i++) {
            int p = pending[i];
            segs.clearPending(p, pendingFlag);
            if (nodeOf[p] == NIL && wanted(p)) {
                int n = newNode(p);
                root = insert(root, n);
            }
        }
        pendingCount = 0;
    }

    /**
     * Whether node {@code n} may take record {@code p}'s current key (p is wanted) without moving:
     * whether, once every node for which this is false has been removed, the nodes' order is the
     * same whichever of them hold their stored key and whichever their record's current key. False
     * here; the address index knows better.
     */
    boolean keepsOrder(int n, int p) {
        return false;
    }

    /** Throws the tree away and builds it again from the records. O(n) or O(n log n). */
    final void rebuild() {
        dropQueue();
        if (dormant) {
            dormant = false;
            segs.awakeIndexes++;
        }
        if (nodeOf.length < segs.capacity()) {
            nodeOf = Arrays.copyOf(nodeOf, segs.capacity());
        }
        Arrays.fill(nodeOf, NIL);
        version++;
        nodeTop = 1;
        freeNodes = NIL;
        nodes = 0;
        root = NIL;
        build();
    }

    /** Whether this index is {@linkplain #dormant dormant}. For the arena's invariant check. */
    final boolean isDormant() {
        return dormant;
    }

    /** Empties the queue, clearing its records' pending bits. */
    private void dropQueue() {
        for (int i = 0; i < pendingCount; i++) {
            segs.clearPending(pending[i], pendingFlag);
        }
        pendingCount = 0;
    }

    private boolean matches(int n, int p) {
        return wanted(p) && k1(n) == key1(p) && k2(n) == key2(p) && w(n) == weight(p);
    }

    // ---------------------------------------------------------------- nodes

    /** A fresh leaf holding record {@code p}'s current key; records it in nodeOf. */
    final int newNode(int p) {
        int n;
        if (freeNodes != NIL) {
            n = freeNodes;
            freeNodes = left(n);
        } else {
            if (nodeTop == (nd.length - NODE_BASE) / NODE_STRIDE) {
                growNodes();
            }
            n = nodeTop++;
        }
        setK1(n, key1(p));
        setK2(n, key2(p));
        setW(n, weight(p));
        setAug(n, w(n));
        setLeft(n, NIL);
        setRight(n, NIL);
        setHeight(n, 1);
        setRec(n, p);
        nodeOf[p] = n;
        nodes++;
        version++;
        return n;
    }

    private void releaseNode(int n) {
        setLeft(n, freeNodes);
        freeNodes = n;
        nodes--;
        version++;
    }

    /** The count of changes to the tree ({@link #version}): equal counts, the same tree. */
    final long version() {
        return version;
    }

    private void growNodes() {
        int size = (nd.length - NODE_BASE) / NODE_STRIDE;
        if (size > (Integer.MAX_VALUE - 16 - NODE_BASE) / NODE_STRIDE / 2) {
            throw new IllegalStateException("the vmem index cannot hold more than " + size + " nodes");
        }
        nd = Arrays.copyOf(nd, NODE_BASE + 2 * size * NODE_STRIDE);
    }

    // ---------------------------------------------------------------- node fields

    private static int at(int n) {
        return NODE_BASE + n * NODE_STRIDE;
    }

    /** Node n's stored primary key. */
    final long k1(int n) {
        return nd[at(n) + K1];
    }

    /** Node n's stored secondary key. */
    final long k2(int n) {
        return nd[at(n) + K2];
    }

    /** Node n's stored weight. */
    final long w(int n) {
        return nd[at(n) + W];
    }

    /** The largest weight in node n's subtree, unsigned; 0 for NIL. */
    final long aug(int n) {
        return nd[at(n) + AUG];
    }

    final int left(int n) {
        return (int) nd[at(n) + LEFT];
    }

    final int right(int n) {
        return (int) nd[at(n) + RIGHT];
    }

    private int height(int n) {
        return (int) nd[at(n) + HEIGHT];
    }

    /** The record node n stands for. */
    final int rec(int n) {
        return (int) nd[at(n) + REC];
    }

    private void setK1(int n, long v) {
        nd[at(n) + K1] = v;
    }

    private void setK2(int n, long v) {
        nd[at(n) + K2] = v;
    }

    private void setW(int n, long v) {
        nd[at(n) + W] = v;
    }

    private void setAug(int n, long v) {
        nd[at(n) + AUG] = v;
    }

    private void setLeft(int n, int v) {
        nd[at(n) + LEFT] = v;
    }

    private void setRight(int n, int v) {
        nd[at(n) + RIGHT] = v;
    }

    private void setHeight(int n, int v) {
        nd[at(n) + HEIGHT] = v;
    }

    private void setRec(int n, int v) {
        nd[at(n) + REC] = v;
    }

    /** The node with the greatest primary key at or below {@code value}, unsigned, or NIL. */
    final int floor(long value) {
        int best = NIL;
        for (int t = root; t != NIL; ) {
            if (Unsigned.atMost(k1(t), value)) {
                best = t;
                t = right(t);
            } else {
                t = left(t);
            }
        }
        return best;
    }

    /** The node with the least primary key at or above {@code value}, unsigned, or NIL. */
    final int ceiling(long value) {
        int best = NIL;
        for (int t = root; t != NIL; ) {
            if (Unsigned.atLeast(k1(t), value)) {
                best = t;
                t = left(t);
            } else {
                t = right(t);
            }
        }
        return best;
    }

    /** Nodes in the tree. */
    final int size() {
        return nodes;
    }

    // ---------------------------------------------------------------- AVL

    /** Whether node a's stored key precedes node b's: (k1, k2), unsigned. */
    private boolean precedes(int a, int b) {
        int c = Long.compareUnsigned(k1(a), k1(b));
        return c < 0 || c == 0 && Long.compareUnsigned(k2(a), k2(b)) < 0;
    }

    private int insert(int t, int n) {
        if (t == NIL) {
            return n;
        }
        if (precedes(n, t)) {
            setLeft(t, insert(left(t), n));
        } else {
            setRight(t, insert(right(t), n));
        }
        return balance(t);
    }

    /** Removes node {@code n}, which is in subtree {@code t}; node ids keep their records. */
    private int delete(int t, int n) {
        if (t == n) {
            int l = left(t);
            int r = right(t);
            if (l == NIL) {
                return r;
            }
            if (r == NIL) {
                return l;
            }
            int m = r;
            while (left(m) != NIL) {
                m = left(m);
            }
            setRight(m, deleteMin(r));
            setLeft(m, l);
            return balance(m);
        }
        if (precedes(n, t)) {
            setLeft(t, delete(left(t), n));
        } else {
            setRight(t, delete(right(t), n));
        }
        return balance(t);
    }

    private int deleteMin(int t) {
        if (left(t) == NIL) {
            return right(t);
        }
        setLeft(t, deleteMin(left(t)));
        return balance(t);
    }

    /**
     * Gives node {@code n}, which is in subtree {@code t}, its record's current key and weight in
     * place, fixing the augmentation on the path to it. Found by its stored key, so the caller must
     * know that the new key keeps the node's place in the order ({@link #keepsOrder}).
     */
    private void rekey(int t, int n) {
        if (t == n) {
            int p = rec(n);
            setK1(n, key1(p));
            setK2(n, key2(p));
            setW(n, weight(p));
        } else if (precedes(n, t)) {
            rekey(left(t), n);
        } else {
            rekey(right(t), n);
        }
        update(t);
    }

    private int balance(int t) {
        int l = left(t);
        int r = right(t);
        if (height(l) > height(r) + 1) {
            if (height(left(l)) < height(right(l))) {
                setLeft(t, rotateLeft(l));
            }
            return rotateRight(t);
        }
        if (height(r) > height(l) + 1) {
            if (height(right(r)) < height(left(r))) {
                setRight(t, rotateRight(r));
            }
            return rotateLeft(t);
        }
        update(t);
        return t;
    }

    private int rotateRight(int t) {
        int l = left(t);
        setLeft(t, right(l));
        setRight(l, t);
        update(t);
        update(l);
        return l;
    }

    private int rotateLeft(int t) {
        int r = right(t);
        setRight(t, left(r));
        setLeft(r, t);
        update(t);
        update(r);
        return r;
    }

    private void update(int t) {
        int l = left(t);
        int r = right(t);
        setHeight(t, 1 + Math.max(height(l), height(r)));
        setAug(t, Unsigned.max(w(t), Unsigned.max(aug(l), aug(r))));
    }

    /**
     * {@link #build} for an index keyed by address: the segment list is already in address order,
     * so the wanted records, taken as the list holds them, make a balanced tree in O(n).
     */
    final void buildInAddressOrder() {
        int[] sorted = new int[segs.live()];
        int count = 0;
        for (int p = segs.next(SENTINEL); p != SENTINEL; p = segs.next(p)) {
            if (wanted(p)) {
                sorted[count++] = p;
            }
        }
        root = buildBalanced(sorted, 0, count - 1);
    }

    /**
     * Builds a perfectly balanced tree over {@code records[lo..hi]}, which are sorted by key.
     *
     * @return its root
     */
    final int buildBalanced(int[] records, int lo, int hi) {
        if (lo > hi) {
            return NIL;
        }
        int mid = (lo + hi) >>> 1;
        int n = newNode(records[mid]);
        // Into locals first: the calls grow (replace) the node array, as they would under any layout.
        int l = buildBalanced(records, lo, mid - 1);
        int r = buildBalanced(records, mid + 1, hi);
        setLeft(n, l);
        setRight(n, r);
        update(n);
        return n;
    }

    /** Adds record {@code p} during {@link #build}, in any order. */
    final void add(int p) {
        root = insert(root, newNode(p));
    }

    // ---------------------------------------------------------------- checks

    /**
     * Checks the tree (order, balance, heights, aug), the node/record mapping, and laziness: every
     * record that is not pending is represented exactly as it is now. For tests.
     *
     * @throws IllegalStateException naming the first broken rule
     */
    final void check() {
        int[] counted = {0, NIL};
        checkNode(root, counted);
        if (counted[0] != nodes) {
            throw new IllegalStateException("index counts " + nodes + " nodes but holds " + counted[0]);
        }
        if (dormant) {
            for (int p = 1; p < segs.top(); p++) {
                if (segs.isPending(p, pendingFlag)) {
                    throw new IllegalStateException("record " + p + " is pending in a dormant index");
                }
            }
            if (pendingCount != 0) {
                throw new IllegalStateException("a dormant index queues " + pendingCount + " records");
            }
            return;
        }
        int queued = 0;
        for (int p = 1; p < segs.top(); p++) {
            boolean isPending = segs.isPending(p, pendingFlag);
            if (isPending) {
                queued++;
                continue;
            }
            int n = p < nodeOf.length ? nodeOf[p] : NIL;
            if (wanted(p)) {
                if (n == NIL || rec(n) != p || !matches(n, p)) {
                    throw new IllegalStateException("record " + p + " is settled but not indexed as it is");
                }
            } else if (n != NIL && rec(n) == p && inTree(n)) {
                throw new IllegalStateException("record " + p + " is settled and unwanted but still indexed");
            }
        }
        if (queued != pendingCount) {
            throw new IllegalStateException(queued + " records are marked pending but " + pendingCount + " are queued");
        }
    }

    private boolean inTree(int n) {
        int t = root;
        while (t != NIL && t != n) {
            t = precedes(n, t) ? left(t) : right(t);
        }
        return t == n;
    }

    /** In-order walk: counted[0] counts nodes, counted[1] holds the previous node visited. */
    private long checkNode(int t, int[] counted) {
        if (t == NIL) {
            return 0;
        }
        int l = left(t);
        int r = right(t);
        long la = checkNode(l, counted);
        if (counted[1] != NIL && !precedes(counted[1], t)) {
            throw new IllegalStateException("index out of order at node " + t);
        }
        counted[0]++;
        counted[1] = t;
        long ra = checkNode(r, counted);
        if (Math.abs(height(l) - height(r)) > 1 || height(t) != 1 + Math.max(height(l), height(r))) {
            throw new IllegalStateException("index unbalanced at node " + t);
        }
        if (aug(t) != Unsigned.max(w(t), Unsigned.max(la, ra))) {
            throw new IllegalStateException("index aug wrong at node " + t);
        }
        if (nodeOf[rec(t)] != t) {
            throw new IllegalStateException("node " + t + " holds record " + rec(t) + ", which maps elsewhere");
        }
        return aug(t);
    }
}
