package io.allot.internal;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link TagMap} against a {@link HashMap} with keys that collide in their low bits (page starts). */
class TagMapTest {

    @Test
    void putGetRemoveMatchAHashMap() {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        TagMap tags = new TagMap();
        Map<Long, String> model = new HashMap<>();
        for (int op = 0; op < 300_000; op++) {
            long key = rnd.nextBoolean() ? rnd.nextLong(5_000) << 12 : -1L - rnd.nextLong(3_000);
            switch (rnd.nextInt(3)) {
                case 0:
                    String value = "t" + op;
                    tags.put(key, value);
                    model.put(key, value);
                    break;
                case 1:
                    tags.remove(key);
                    model.remove(key);
                    break;
                default:
                    assertEquals(model.get(key), tags.get(key), "seed " + seed + ", op " + op);
            }
            assertEquals(model.size(), tags.size(), "seed " + seed + ", op " + op);
        }
        for (Map.Entry<Long, String> e : model.entrySet()) {
            assertEquals(e.getValue(), tags.get(e.getKey()), "seed " + seed);
        }
    }
}
