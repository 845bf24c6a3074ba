package io.allot.internal;

/**
 * The side data of the allocations that have any, keyed by the allocation's first value: a tag,
 * or — for an engine that stores equal allocations placed back to back as one run, as the
 * interval engine does — the run's unit. Open addressing with linear probing over parallel
 * arrays, so looking up a {@code long} boxes nothing. Sparse by design — most ids carry no tag,
 * and an empty map is answered by a size check.
 *
 * <p>Removal shifts the following entries of the probe run back (Knuth's algorithm R), so there
 * are no tombstones and lookups stay short after any mix of operations. Load factor at most 1/2.
 * Not thread-safe; lock-free readers may call {@link #get} while no writer runs.
 *
 * <p>One map for every engine that does not keep tags in its own records (the interval and
 * bitmap engines): costs O(1) expected per operation, 12 bytes per slot, and 8 more once a unit
 * is recorded.
 */
public final class TagMap {

    /**
     * The value of a slot holding a unit (in {@link #units}) rather than a tag: compared by
     * identity, so no caller's tag, even one spelling the same word, is ever taken for it.
     */
    @SuppressWarnings("StringOperationCanBeSimplified")
    private static final String UNIT = new String("unit");

    private long[] keys = new long[16];
    private String[] values = new String[16];
    /** Units by slot, beside {@link #values}; null until the first {@link #putUnit}. */
    private long[] units;
    private int size;

    /** Tags and units recorded. */
    public int size() {
        return size;
    }

    /** The tag for {@code key}, or null (also when {@code key} has a unit instead). */
    public String get(long key) {
        int i = find(key);
        return i < 0 || values[i] == UNIT ? null : values[i];
    }

    /** The unit recorded for {@code key}, or 0 when it has none (units are never 0). */
    public long unit(long key) {
        int i = find(key);
        return i < 0 || values[i] != UNIT ? 0 : units[i];
    }

    /** Records {@code value} (not null) for {@code key}, replacing any earlier tag or unit. */
    public void put(long key, String value) {
        int i = insert(key); // first: it may replace the arrays
        values[i] = value;
    }

    /** Records unit {@code unit} (not 0) for {@code key}, replacing any earlier tag or unit. */
    public void putUnit(long key, long unit) {
        int i = insert(key);
        if (units == null) {
            units = new long[keys.length];
        }
        values[i] = UNIT;
        units[i] = unit;
    }

    /** Removes the tag or unit for {@code key}, if any. */
    public void remove(long key) {
        int i = find(key);
        if (i < 0) {
            return;
        }
        // Close the gap: move back each later entry of the run whose home slot is not between
        // the gap and it (cyclically).
        int mask = keys.length - 1;
        int gap = i;
        for (int j = (gap + 1) & mask; values[j] != null; j = (j + 1) & mask) {
            int home = slot(keys[j], mask);
            if (((j - home) & mask) >= ((j - gap) & mask)) {
                keys[gap] = keys[j];
                values[gap] = values[j];
                if (units != null) {
                    units[gap] = units[j];
                }
                gap = j;
            }
        }
        values[gap] = null;
        size--;
    }

    /** The slot holding {@code key}, or -1. */
    private int find(long key) {
        if (size == 0) {
            return -1;
        }
        int mask = keys.length - 1;
        for (int i = slot(key, mask); values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return i;
            }
        }
        return -1;
    }

    /** The slot for {@code key}: its own if present, else a new one (counted), the table grown first if need be. */
    private int insert(long key) {
        if (2 * (size + 1) > keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (values[i] != null) {
            if (keys[i] == key) {
                return i;
            }
            i = (i + 1) & mask;
        }
        keys[i] = key;
        size++;
        return i;
    }

    private void grow() {
        long[] oldKeys = keys;
        String[] oldValues = values;
        long[] oldUnits = units;
        keys = new long[oldKeys.length * 2];
        values = new String[oldKeys.length * 2];
        units = oldUnits == null ? null : new long[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldValues[i] != null) {
                int j = insert(oldKeys[i]);
                values[j] = oldValues[i];
                if (oldUnits != null) {
                    units[j] = oldUnits[i];
                }
            }
        }
    }

    /** Bytes held, for the memory figures (arrays only, not the strings). */
    public long arrayBytes() {
        return 8L * keys.length + 4L * values.length + (units == null ? 0 : 8L * units.length);
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
