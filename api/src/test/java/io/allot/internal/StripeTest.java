package io.allot.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Stripe}'s per-class stacks of segment ids against one {@link ArrayDeque} per class, with the
 * depot exchanges the quantum cache makes: a full stack hands its older half to a magazine, an
 * empty one loads a full magazine, and the order (last pushed, first popped) survives both.
 */
class StripeTest {

    private static final int CLASSES = 5;

    @Test
    void stacksKeepLastInFirstOutThroughLoadsAndUnloads() {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        Stripe stripe = new Stripe(CLASSES, false, null);
        List<Deque<Integer>> model = new ArrayList<>();
        for (int c = 0; c < CLASSES; c++) {
            model.add(new ArrayDeque<>());
        }
        int nextId = 0;
        int unloads = 0;
        int loads = 0;
        for (int op = 0; op < 200_000; op++) {
            int c = rnd.nextInt(CLASSES);
            Deque<Integer> stack = model.get(c);
            String where = "seed " + seed + ", op " + op + ", class " + c;
            if (rnd.nextInt(100) < (op / 20_000 % 2 == 0 ? 60 : 40)) { // phases that fill and drain
                assertEquals(stack.size() < Stripe.CAPACITY, stripe.hasRoom(c), where);
                if (!stripe.hasRoom(c)) {
                    Magazine older = new Magazine();
                    stripe.unload(c, older);
                    unloads++;
                    assertTrue(older.isFull(), where);
                    // The magazine holds the bottom half, its top being the newest of those.
                    List<Integer> bottom = new ArrayList<>();
                    for (int i = 0; i < Magazine.ROUNDS; i++) {
                        bottom.add(stack.removeLast());
                    }
                    for (int i = Magazine.ROUNDS - 1; i >= 0; i--) {
                        assertEquals(bottom.get(i), older.pop(), where);
                    }
                    assertTrue(stripe.hasRoom(c), where);
                }
                stripe.push(c, nextId);
                stack.push(nextId++);
            } else {
                int id = stripe.pop(c);
                if (stack.isEmpty()) {
                    assertEquals(-1, id, where);
                    Magazine full = new Magazine();
                    for (int i = 0; i < Magazine.ROUNDS; i++) {
                        full.push(nextId++);
                    }
                    stripe.load(c, full);
                    loads++;
                    assertTrue(full.isEmpty(), where);
                    for (int i = nextId - Magazine.ROUNDS; i < nextId; i++) {
                        stack.push(i); // the magazine's top (pushed last) is the stack's top
                    }
                } else {
                    assertEquals(stack.pop(), id, where);
                }
            }
        }
        assertTrue(unloads > 10 && loads > 10, "seed " + seed + ": " + unloads + " unloads, " + loads + " loads");
        for (int c = 0; c < CLASSES; c++) {
            for (Integer id : model.get(c)) {
                assertEquals(id, stripe.pop(c), "seed " + seed + ", class " + c);
            }
            assertEquals(-1, stripe.pop(c), "seed " + seed + ", class " + c);
            assertTrue(stripe.hasRoom(c), "an emptied stack has room");
        }
    }

    /**
     * The counts a fold takes: a stripe counts its hits in one field and derives, per class, the
     * frees less the allocations from its stack depth ({@link Stripe#pushedNet}), so every other
     * move of the stack (magazine loads and unloads, drains) must adjust it, and a fold
     * ({@link Stripe#clearCounts}) must start it from zero whatever the depth.
     */
    @Test
    void freesLessAllocationsFollowCallersWhateverElseMovesTheStacks() {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        Stripe stripe = new Stripe(CLASSES, false, null);
        long[] net = new long[CLASSES];
        long hits = 0;
        int nextId = 0;
        for (int op = 0; op < 200_000; op++) {
            int c = rnd.nextInt(CLASSES);
            int pick = rnd.nextInt(100);
            if (pick < 45) { // a free
                if (!stripe.hasRoom(c)) {
                    stripe.unload(c, new Magazine());
                }
                stripe.push(c, nextId++);
                net[c]++;
            } else if (pick < 88) { // a hit, after a load if the stack is empty
                int id = stripe.pop(c);
                if (id < 0) {
                    Magazine full = new Magazine();
                    while (!full.isFull()) {
                        full.push(nextId++);
                    }
                    stripe.load(c, full);
                    id = stripe.pop(c);
                }
                stripe.served(id, c);
                hits++;
                net[c]--;
            } else if (pick < 98) { // drained into the arena: neither
                stripe.popForDrain(c);
            } else { // a fold
                assertEquals(hits, stripe.hits(), "seed " + seed + ", op " + op);
                stripe.clearCounts();
                java.util.Arrays.fill(net, 0);
                hits = 0;
            }
            for (int k = 0; k < CLASSES; k++) {
                assertEquals(net[k], stripe.pushedNet(k), "seed " + seed + ", op " + op + ", class " + k);
            }
        }
    }
}
