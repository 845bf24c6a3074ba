package io.allot.engine.interval;

import java.util.Arrays;

/**
 * Tags of allocations, by start: an open-addressing hash with linear probing and backward-shift
 * deletion (no tombstones), keys and values in two parallel arrays — no boxing, no entry objects.
 *
 * <p>Only tagged allocations are here, and the segment tree marks which ones are, so an untagged
 * allocation or free never probes this table. Load factor at most 1/2; grows by doubling.
 * Not thread-safe.
 */
final class TagTable {

    private long[] keys = new long[16];
    private String[] values = new String[16];
    private int size;

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 32 ^ h) & (keys.length - 1);
    }

    int size() {
        return size;
    }

    String get(long key) {
        int mask = keys.length - 1;
        for (int i = slot(key); values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return values[i];
            }
        }
        return null;
    }

    /** Maps {@code key} to {@code value} (not null). */
    void put(long key, String value) {
        int mask = keys.length - 1;
        int i = slot(key);
        while (values[i] != null) {
            if (keys[i] == key) {
                values[i] = value;
                return;
            }
            i = (i + 1) & mask;
        }
        keys[i] = key;
        values[i] = value;
        if (++size > keys.length >> 1) {
            rehash(keys.length << 1);
        }
    }

    /** Removes {@code key} if present. */
    void remove(long key) {
        int mask = keys.length - 1;
        int i = slot(key);
        while (values[i] != null && keys[i] != key) {
            i = (i + 1) & mask;
        }
        if (values[i] == null) {
            return;
        }
        size--;
        // Shift later members of the probe run back so that no lookup stops early at the hole.
        int hole = i;
        for (int j = (i + 1) & mask; values[j] != null; j = (j + 1) & mask) {
            int home = slot(keys[j]);
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        values[hole] = null;
        keys[hole] = 0;
    }

    private void rehash(int capacity) {
        long[] oldKeys = keys;
        String[] oldValues = values;
        keys = new long[capacity];
        values = new String[capacity];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldValues[i] != null) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }

    /** Every key, in table order; for the invariant check. */
    long[] keys() {
        long[] out = new long[size];
        int n = 0;
        for (int i = 0; i < keys.length; i++) {
            if (values[i] != null) {
                out[n++] = keys[i];
            }
        }
        return Arrays.copyOf(out, n);
    }
}
