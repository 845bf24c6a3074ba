package io.allot.internal;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link SearchMemo} against a map of what was put last per key and version: an answer comes back
 * only for its key at its version, a key that took the slot evicts the one before, a slot never
 * written answers nothing (key 0 included), and {@link SearchMemo#forEachAt} lists exactly the
 * answers held at a version.
 */
class SearchMemoTest {

    @Test
    void answersOnlyForItsKeyAtItsVersion() {
        SearchMemo memo = new SearchMemo();
        assertEquals(SearchMemo.NONE, memo.get(0, 1), "a slot never written");
        memo.put(4096, 1, 17);
        assertEquals(17, memo.get(4096, 1));
        assertEquals(SearchMemo.NONE, memo.get(4096, 2), "another version");
        assertEquals(SearchMemo.NONE, memo.get(8192, 1), "another key");
        memo.put(4096, 2, -1L >>> 1);
        assertEquals(-1L >>> 1, memo.get(4096, 2));
        assertEquals(SearchMemo.NONE, memo.get(4096, 1), "replaced");
    }

    @Test
    void matchesTheLastAnswerPutPerSlotOverRandomKeys() {
        long seed = Long.getLong("allot.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        SearchMemo memo = new SearchMemo();
        Map<Long, long[]> held = new HashMap<>(); // key -> {version, answer}, for keys whose slot it still holds
        long version = 1;
        for (int op = 0; op < 200_000; op++) {
            long key = random.nextInt(4) == 0 ? random.nextLong() : 4096L * (1 + random.nextInt(300));
            if (random.nextInt(50) == 0) {
                version++;
            }
            if (random.nextBoolean()) {
                long answer = random.nextLong() & Long.MAX_VALUE;
                memo.put(key, version, answer);
                held.entrySet().removeIf(e -> slotOf(e.getKey()) == slotOf(key));
                held.put(key, new long[] {version, answer});
            } else {
                long[] h = held.get(key);
                long expected = h != null && h[0] == version ? h[1] : SearchMemo.NONE;
                assertEquals(expected, memo.get(key, version), "seed " + seed + ", operation " + op + ", key " + key);
            }
        }
        Map<Long, Long> atVersion = new HashMap<>();
        memo.forEachAt(version, atVersion::put);
        Map<Long, Long> expected = new HashMap<>();
        long v = version;
        held.forEach((k, h) -> {
            if (h[0] == v) {
                expected.put(k, h[1]);
            }
        });
        assertEquals(expected, atVersion, "seed " + seed);
    }

    /** The memo's slot for a key: the same hash as the class, so the model knows which keys evict which. */
    private static int slotOf(long key) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> -6);
    }
}
