package io.allot.engine.interval;

import java.util.Arrays;

/**
 * An AVL tree threaded through node ids that live in {@link Segments}: the tree owns only the
 * links ({@code left}, {@code right}, {@code height}), so one segment can sit in two trees at
 * once (by address and by size) with no objects per node.
 *
 * <p>Node ids are array indexes; {@link #NIL} (0) is the empty tree, with height 0 and whatever
 * augmented value a subclass gives it. Insertion and removal are the textbook recursive ones,
 * except that removal <em>relinks</em> the in-order successor into the removed node's place
 * instead of copying its key, because the other tree still refers to the successor by id.
 * Every rotation and every node on a changed path is re-{@linkplain #pull pulled}, so subclass
 * augmentations (the largest free run per subtree) stay exact. Height is at most 1.44 log2(n+2),
 * which bounds every recursion here.
 *
 * <p>Not thread-safe.
 */
abstract class IntrusiveAvl {

    /** The empty tree; never a real node. */
    static final int NIL = 0;

    int[] left;
    int[] right;
    private byte[] height;
    int root = NIL;

    /** The in-order minimum detached by the last {@link #removeMin}; an out-parameter, not state. */
    private int detached;

    IntrusiveAvl(int capacity) {
        left = new int[capacity];
        right = new int[capacity];
        height = new byte[capacity];
    }

    /** Orders two distinct nodes; never 0 for distinct nodes. */
    abstract int compare(int a, int b);

    /** Recomputes node {@code n}'s augmented fields from its own fields and its children's. */
    void pull(int n) {
    }

    /** Makes room for node ids below {@code capacity}. */
    void grow(int capacity) {
        left = Arrays.copyOf(left, capacity);
        right = Arrays.copyOf(right, capacity);
        height = Arrays.copyOf(height, capacity);
    }

    /** Adds node {@code n}, which is in no tree of this kind. O(log n). */
    final void insert(int n) {
        left[n] = NIL;
        right[n] = NIL;
        height[n] = 1;
        pull(n);
        root = insert(root, n);
    }

    /** Removes node {@code n}, which must be in this tree with the key it was inserted with. O(log n). */
    final void remove(int n) {
        root = remove(root, n);
    }

    /**
     * Re-pulls every node from the root down to {@code n}, after {@code n}'s own fields changed in a
     * way that keeps its place in the order. O(log n).
     */
    final void refresh(int n) {
        refresh(root, n);
    }

    /** Height of the tree, 0 when empty. */
    final int height() {
        return height[root];
    }

    final int heightOf(int n) {
        return height[n];
    }

    private int insert(int t, int n) {
        if (t == NIL) {
            return n;
        }
        if (compare(n, t) < 0) {
            left[t] = insert(left[t], n);
        } else {
            right[t] = insert(right[t], n);
        }
        return rebalance(t);
    }

    private int remove(int t, int n) {
        assert t != NIL : "node " + n + " is not in the tree";
        if (t == n) {
            int l = left[t];
            int r = right[t];
            if (l == NIL) {
                return r;
            }
            if (r == NIL) {
                return l;
            }
            r = removeMin(r);
            int successor = detached;
            left[successor] = l;
            right[successor] = r;
            return rebalance(successor);
        }
        if (compare(n, t) < 0) {
            left[t] = remove(left[t], n);
        } else {
            right[t] = remove(right[t], n);
        }
        return rebalance(t);
    }

    private int removeMin(int t) {
        if (left[t] == NIL) {
            detached = t;
            return right[t];
        }
        left[t] = removeMin(left[t]);
        return rebalance(t);
    }

    private void refresh(int t, int n) {
        assert t != NIL : "node " + n + " is not in the tree";
        if (t != n) {
            refresh(compare(n, t) < 0 ? left[t] : right[t], n);
        }
        pull(t);
    }

    private int rebalance(int t) {
        int balance = height[left[t]] - height[right[t]];
        if (balance > 1) {
            int l = left[t];
            if (height[left[l]] < height[right[l]]) {
                left[t] = rotateLeft(l);
            }
            return rotateRight(t);
        }
        if (balance < -1) {
            int r = right[t];
            if (height[right[r]] < height[left[r]]) {
                right[t] = rotateRight(r);
            }
            return rotateLeft(t);
        }
        fix(t);
        return t;
    }

    private int rotateRight(int t) {
        int l = left[t];
        left[t] = right[l];
        right[l] = t;
        fix(t);
        fix(l);
        return l;
    }

    private int rotateLeft(int t) {
        int r = right[t];
        right[t] = left[r];
        left[r] = t;
        fix(t);
        fix(r);
        return r;
    }

    private void fix(int t) {
        height[t] = (byte) (1 + Math.max(height[left[t]], height[right[t]]));
        pull(t);
    }
}
