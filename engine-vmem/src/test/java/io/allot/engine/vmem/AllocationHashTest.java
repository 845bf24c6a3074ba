package io.allot.engine.vmem;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The allocation hash against a {@link HashMap}: seeded random puts, finds and removals of starts
 * of every grain (so the table lowers its grain and rehashes mid-run), runs of consecutive starts
 * (which share slot runs), 0 and the top of the 64-bit space, with every rule of
 * {@link AllocationHash#check} verified after each step.
 */
class AllocationHashTest {

    private static final long TOP = 0xffff_ffff_ffff_ffffL;

    @Test
    void agreesWithAMapWhateverTheStartsLookLike() {
        long seed = Long.getLong("allot.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 20; round++) {
            Segments segs = new Segments(4);
            AllocationHash hash = new AllocationHash(segs);
            Map<Long, Integer> model = new HashMap<>();
            List<Long> keys = new ArrayList<>();
            int coarsest = 12 + random.nextInt(40);
            for (int op = 0; op < 4_000; op++) {
                String what = "";
                try {
                    int dice = random.nextInt(10);
                    if (dice < 5 || keys.isEmpty()) {
                        long start = startOf(random, coarsest, keys);
                        what = "put " + Long.toHexString(start);
                        if (model.containsKey(start)) {
                            assertEquals((int) model.get(start), hash.get(start));
                            continue;
                        }
                        int rec = segs.create(start, start, Segments.ALLOCATED);
                        hash.ensureRoom(); // as every carve does before its put
                        hash.put(start, rec);
                        model.put(start, rec);
                        keys.add(start);
                    } else if (dice < 8) {
                        int i = random.nextInt(keys.size());
                        what = "remove " + Long.toHexString(keys.get(i));
                        removeFound(hash, segs, model, keys, i);
                    } else {
                        long probe = random.nextBoolean() && !keys.isEmpty()
                                ? keys.get(random.nextInt(keys.size())) + (random.nextBoolean() ? 1 : 0)
                                : random.nextLong();
                        what = "find " + Long.toHexString(probe);
                        assertEquals(model.getOrDefault(probe, Segments.NIL), hash.get(probe));
                    }
                    assertEquals(model.size(), hash.size());
                    hash.check();
                } catch (AssertionError | RuntimeException e) {
                    fail("seed " + seed + ", round " + round + ", op " + op + " (" + what + "): " + e, e);
                }
            }
            for (Map.Entry<Long, Integer> e : model.entrySet()) {
                assertEquals((int) e.getValue(), hash.get(e.getKey()), "seed " + seed);
            }
        }
    }

    /**
     * A start: mostly multiples of 2^coarsest (one grain), sometimes one of a finer grain (the
     * table must rehash), the successor of an existing start (consecutive runs), 0, or near 2^64.
     */
    private static long startOf(SplittableRandom random, int coarsest, List<Long> keys) {
        int dice = random.nextInt(20);
        if (dice == 0) {
            return 0;
        }
        if (dice == 1) {
            return TOP - random.nextInt(4);
        }
        if (dice < 8 && !keys.isEmpty()) {
            long unit = 1L << coarsest;
            return keys.get(keys.size() - 1) + unit * (1 + random.nextInt(2));
        }
        int grain = dice == 8 ? random.nextInt(coarsest) : coarsest;
        return random.nextLong() & -(1L << grain);
    }

    @Test
    void consecutivePagesShareSlotRunsAndEmptyingForgetsTheGrain() {
        Segments segs = new Segments(4);
        AllocationHash hash = new AllocationHash(segs);
        int count = 1 << 16;
        int[] recs = new int[count];
        for (int i = 0; i < count; i++) {
            long start = (long) i << 12;
            recs[i] = segs.create(start, start, Segments.ALLOCATED);
            hash.ensureRoom(); // as every carve does before its put
            hash.put(start, recs[i]);
        }
        hash.check();
        // Each page's slot follows its predecessor's within a run of 16: a fill is sequential.
        int adjacent = 0;
        for (int i = 1; i < count; i++) {
            if (hash.find((long) i << 12) == hash.find((long) (i - 1) << 12) + 1) {
                adjacent++;
            }
        }
        assertTrue(adjacent >= count * 15 / 16 - 1, adjacent + " of " + count + " pages follow their predecessor");
        for (int i = 0; i < count; i++) {
            hash.removeAt(hash.find((long) i << 12));
            segs.destroy(recs[i]);
        }
        hash.check();
        assertEquals(0, hash.size());
        // An odd start after emptying: the grain starts over, and a page-aligned table still works.
        int odd = segs.create(TOP, TOP, Segments.ALLOCATED);
        hash.ensureRoom(); // as every carve does before its put
        hash.put(TOP, odd);
        int page = segs.create(0x1000, 0x1000, Segments.ALLOCATED);
        hash.ensureRoom(); // as every carve does before its put
        hash.put(0x1000, page);
        hash.check();
        assertEquals(odd, hash.get(TOP));
        assertEquals(page, hash.get(0x1000));
        assertEquals(Segments.NIL, hash.get(0x2000));
    }

    /**
     * The held entry: an allocate/free pair's put and removal of the same start, mixed with puts
     * that push the held entry into the table, removals of other entries (whose look-up pushes it
     * too), removals of the held one right after a flush, growth and shrinking around it, and
     * plain look-ups (which leave it held), all against a map with every rule of
     * {@link AllocationHash#check} (the held entry's record, not also in the table, counted once)
     * after each step.
     */
    @Test
    void theLatestEntryIsHeldUntilTheNextPutOrAnotherFreeAndRemovableAtOnce() {
        long seed = Long.getLong("allot.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        Segments segs = new Segments(4);
        AllocationHash hash = new AllocationHash(segs);
        Map<Long, Integer> model = new HashMap<>();
        List<Long> keys = new ArrayList<>();
        long latest = -1;
        long held = -1; // the start the hash should hold beside its table, or -1
        for (int op = 0; op < 40_000; op++) {
            String what = "";
            try {
                int dice = random.nextInt(10);
                // Grow for a while, then shrink, so that resizes happen with an entry held.
                boolean growing = (op / 10_000) % 2 == 0;
                if (dice < (growing ? 6 : 3) || keys.isEmpty()) {
                    long start = (random.nextLong() & -(1L << 12)) | (random.nextInt(50) == 0 ? 1 : 0);
                    if (model.containsKey(start)) {
                        continue;
                    }
                    what = "put " + Long.toHexString(start);
                    int rec = segs.create(start, start, Segments.ALLOCATED);
                    hash.ensureRoom(); // as every carve does before its put
                    hash.put(start, rec);
                    model.put(start, rec);
                    keys.add(start);
                    latest = start;
                    held = start;
                    assertEquals(AllocationHash.HELD, hash.find(start), "the latest put is held");
                } else {
                    // Mostly the latest put (a pair), else any entry.
                    int i = latest != -1 && model.containsKey(latest) && random.nextBoolean()
                            ? keys.indexOf(latest) : random.nextInt(keys.size());
                    long start = keys.get(i);
                    what = "remove " + Long.toHexString(start);
                    int slot = removeFound(hash, segs, model, keys, i);
                    assertEquals(start == held, slot == AllocationHash.HELD,
                            "only the latest put is held, and only until a free of another start");
                    held = -1; // removed, or pushed into the table by the look-up of another start
                    assertEquals(Segments.NIL, hash.get(start));
                    assertEquals(-1, hash.find(start));
                }
                if (!keys.isEmpty()) {
                    long probe = keys.get(random.nextInt(keys.size()));
                    assertEquals((int) model.get(probe), hash.get(probe));
                }
                assertEquals(model.size(), hash.size());
                hash.check();
            } catch (AssertionError | RuntimeException e) {
                fail("seed " + seed + ", op " + op + " (" + what + "): " + e, e);
            }
        }
        for (Map.Entry<Long, Integer> e : model.entrySet()) {
            assertEquals((int) e.getValue(), hash.get(e.getKey()), "seed " + seed);
        }
    }

    /**
     * The look-up of a free of another start ({@link AllocationHash#find}) puts the held entry into
     * the table, where it is found at a slot of its own; a plain look-up
     * ({@link AllocationHash#get}) and the look-up of the held start itself leave it held.
     */
    @Test
    void aFreeOfAnotherStartMovesTheHeldEntryIntoTheTable() {
        Segments segs = new Segments(4);
        AllocationHash hash = new AllocationHash(segs);
        int a = segs.create(0x1000, 0x1fff, Segments.ALLOCATED);
        hash.ensureRoom();
        hash.put(0x1000, a);
        int b = segs.create(0x2000, 0x2fff, Segments.ALLOCATED);
        hash.ensureRoom();
        hash.put(0x2000, b); // a goes into the table, b is held
        assertEquals(a, hash.get(0x1000));
        assertEquals(b, hash.get(0x2000));
        assertEquals(AllocationHash.HELD, hash.find(0x2000), "plain look-ups and its own find leave b held");
        hash.check();
        int slot = hash.find(0x1000);
        assertTrue(slot >= 0 && slot != AllocationHash.HELD, "a is in the table");
        hash.check();
        int bSlot = hash.find(0x2000);
        assertTrue(bSlot >= 0 && bSlot != AllocationHash.HELD, "the find of a put b into the table");
        assertEquals(b, hash.recordAt(bSlot));
        assertEquals(2, hash.size());
        hash.removeAt(slot);
        segs.destroy(a);
        hash.check();
        assertEquals(b, hash.get(0x2000));
        assertEquals(-1, hash.find(0x1000));
        assertEquals(1, hash.size());
    }

    /**
     * Removes {@code keys[i]} as the engine's free does (find the slot, read its record, remove at
     * the slot), checking the record against the model and dropping the key from the model and the
     * key list; returns the slot the find gave.
     */
    private static int removeFound(AllocationHash hash, Segments segs, Map<Long, Integer> model, List<Long> keys, int i) {
        long start = keys.get(i);
        int slot = hash.find(start);
        assertTrue(slot >= 0, "present start not found");
        int rec = hash.recordAt(slot);
        assertEquals((int) model.remove(start), rec);
        hash.removeAt(slot);
        segs.destroy(rec);
        keys.set(i, keys.get(keys.size() - 1));
        keys.remove(keys.size() - 1);
        return slot;
    }
}
