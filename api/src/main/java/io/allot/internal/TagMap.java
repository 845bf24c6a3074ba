package io.allot.internal;

/**
 * The tags of the allocations that have one, keyed by the allocation's first value: open
 * addressing with linear probing over parallel arrays, so looking up a {@code long} boxes nothing.
 * Sparse by design — most ids carry no tag, and an empty map is answered by a size check.
 *
 * <p>Removal shifts the following entries of the probe run back (Knuth's algorithm R), so there
 * are no tombstones and lookups stay short after any mix of operations. Load factor at most 1/2.
 * Not thread-safe; lock-free readers may call {@link #get} while no writer runs.
 *
 * <p>One map for every engine that does not keep tags in its own records (the interval and
 * bitmap engines): costs O(1) expected per operation, 12 bytes per slot.
 */
public final class TagMap {

    private long[] keys = new long[16];
    private String[] values = new String[16];
    private int size;

    /** Tags recorded. */
    public int size() {
        return size;
    }

    /** The tag for {@code key}, or null. */
    public String get(long key) {
        if (size == 0) {
            return null;
        }
        int mask = keys.length - 1;
        for (int i = slot(key, mask); values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return values[i];
            }
        }
        return null;
    }

    /** Records {@code value} (not null) for {@code key}, replacing any earlier one. */
    public void put(long key, String value) {
        if (2 * (size + 1) > keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (values[i] != null) {
            if (keys[i] == key) {
                values[i] = value;
                return;
            }
            i = (i + 1) & mask;
        }
        keys[i] = key;
        values[i] = value;
        size++;
    }

    /** Removes the tag for {@code key}, if any. */
    public void remove(long key) {
        if (size == 0) {
            return;
        }
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (values[i] != null && keys[i] != key) {
            i = (i + 1) & mask;
        }
        if (values[i] == null) {
            return;
        }
        // Close the gap: move back each later entry of the run whose home slot is not between
        // the gap and it (cyclically).
        int gap = i;
        for (int j = (gap + 1) & mask; values[j] != null; j = (j + 1) & mask) {
            int home = slot(keys[j], mask);
            if (((j - home) & mask) >= ((j - gap) & mask)) {
                keys[gap] = keys[j];
                values[gap] = values[j];
                gap = j;
            }
        }
        values[gap] = null;
        size--;
    }

    private void grow() {
        long[] oldKeys = keys;
        String[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new String[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldValues[i] != null) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }

    /** Bytes held, for the memory figures (arrays only, not the strings). */
    public long arrayBytes() {
        return 8L * keys.length + 4L * values.length;
    }

    /** MurmurHash3's finaliser: keys are often multiples of a large power of two (page starts). */
    private static int slot(long key, int mask) {
        long h = key ^ (key >>> 33);
        h *= 0xff51_afd7_ed55_8ccdL;
        h ^= h >>> 33;
        h *= 0xc4ce_b9fe_1a85_ec53L;
        h ^= h >>> 33;
        return (int) h & mask;
    }
}
