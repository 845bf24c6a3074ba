package io.allot.internal;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@link TagMap} against a {@link HashMap} with keys that collide in their low bits (page
 * starts): tags and units put, replaced by each other and removed, with the table growing and
 * entries shifted back by removals, every answer compared.
 */
class TagMapTest {

    @Test
    void putGetRemoveMatchAHashMap() {
        long seed = Long.getLong("allot.seed", System.nanoTime());
        SplittableRandom rnd = new SplittableRandom(seed);
        TagMap tags = new TagMap();
        Map<Long, Object> model = new HashMap<>(); // a String tag or a Long unit
        for (int op = 0; op < 300_000; op++) {
            long key = rnd.nextBoolean() ? rnd.nextLong(5_000) << 12 : -1L - rnd.nextLong(3_000);
            String at = "seed " + seed + " (replay with -Dallot.seed=" + seed + "), op " + op;
            switch (rnd.nextInt(4)) {
                case 0:
                    String value = "t" + op;
                    tags.put(key, value);
                    model.put(key, value);
                    break;
                case 1:
                    long unit = 1 + rnd.nextLong(Long.MAX_VALUE);
                    tags.putUnit(key, unit);
                    model.put(key, unit);
                    break;
                case 2:
                    tags.remove(key);
                    model.remove(key);
                    break;
                default:
                    check(model.get(key), tags, key, at);
            }
            assertEquals(model.size(), tags.size(), at);
        }
        for (Map.Entry<Long, Object> e : model.entrySet()) {
            check(e.getValue(), tags, e.getKey(), "seed " + seed);
        }
    }

    /** A tag is no unit and a unit no tag: "unit" as a caller's tag is a tag. */
    @Test
    void aTagSpellingTheUnitMarkerIsATag() {
        TagMap tags = new TagMap();
        tags.put(7, "unit");
        assertEquals("unit", tags.get(7));
        assertEquals(0, tags.unit(7));
        tags.putUnit(7, 4096);
        assertNull(tags.get(7));
        assertEquals(4096, tags.unit(7));
        assertEquals(1, tags.size());
    }

    private static void check(Object expected, TagMap tags, long key, String at) {
        assertEquals(expected instanceof String ? expected : null, tags.get(key), at);
        long unit = expected instanceof Long u ? u : 0L;
        assertEquals(unit, tags.unit(key), at);
    }
}
