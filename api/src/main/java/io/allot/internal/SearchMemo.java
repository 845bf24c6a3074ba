package io.allot.internal;

/**
 * Answers of a search by key (a size, in the engines' size indexes), each remembered with the
 * version of the structure it searched and given back only at that version: the structure counts
 * its changes, so while the count stays the same the search would find the same answer again. A
 * best-fit loop of transient allocations, whose carve and free leave the index as it was, then
 * pays a look-up here instead of a descent.
 *
 * <p>Direct-mapped: 64 slots, picked by a Fibonacci hash of the key, a later key taking the slot
 * of an earlier one. {@link #get} is a hash, two comparisons and a load, in one 32-byte slot of
 * one array; nothing is allocated after construction. Callers' versions start at 1, so that a
 * slot never written (key 0 at version 0) matches nothing. Not thread-safe.
 */
public final class SearchMemo {

    /** What {@link #get} returns when nothing is remembered for the key at the version. */
    public static final long NONE = Long.MIN_VALUE;

    private static final int SLOT_BITS = 6;

    /** Slot {@code s} at {@code 4s}: the key, the version, the answer, and a word of padding. */
    private final long[] slots = new long[4 << SLOT_BITS];

    /** A remembered key and answer, for {@link #forEachAt}. */
    @FunctionalInterface
    public interface Entry {
        /** Receives one remembered key and its answer. */
        void accept(long key, long answer);
    }

    /** The answer remembered for {@code key} at {@code version}, or {@link #NONE}. */
    public long get(long key, long version) {
        int i = slot(key);
        long[] s = slots;
        return s[i] == key && s[i + 1] == version ? s[i + 2] : NONE;
    }

    /**
     * Remembers {@code answer} (anything but {@link #NONE}) for {@code key} at {@code version}
     * (at least 1), in place of whatever its slot held.
     */
    public void put(long key, long version, long answer) {
        int i = slot(key);
        long[] s = slots;
        s[i] = key;
        s[i + 1] = version;
        s[i + 2] = answer;
    }

    /** Gives {@code action} every key and answer remembered at {@code version}: for invariant checks. */
    public void forEachAt(long version, Entry action) {
        for (int i = 0; i < slots.length; i += 4) {
            if (slots[i + 1] == version) {
                action.accept(slots[i], slots[i + 2]);
            }
        }
    }

    private static int slot(long key) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> -SLOT_BITS) << 2;
    }
}
