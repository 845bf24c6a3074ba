package io.allot.tests;

import io.allot.Range;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who holds each quantum of a space while threads allocate from one allocator: one slot per
 * quantum (0 = nobody, else the holder's number), claimed and released by compare-and-set, so two
 * threads that were handed the same quantum collide here even when the allocator lets them. Every
 * collision, and anything else a thread sees wrong, is recorded rather than thrown, so that the
 * threads keep going and the test reports everything at the end ({@link #assertNone}).
 */
public final class Owners {

    private final long base;
    private final long quantum;
    private final AtomicIntegerArray slots;
    private final Queue<String> violations = new ConcurrentLinkedQueue<>();

    /** {@code units} quanta of {@code quantum} values from {@code base}, held by nobody. */
    public Owners(long base, long quantum, int units) {
        this.base = base;
        this.quantum = quantum;
        this.slots = new AtomicIntegerArray(units);
    }

    /** How many quanta are tracked. */
    public int units() {
        return slots.length();
    }

    /** The first value of quantum {@code unit}. */
    public long value(int unit) {
        return base + unit * quantum;
    }

    /** Who holds quantum {@code unit}: 0 for nobody. */
    public int holder(int unit) {
        return slots.get(unit);
    }

    /** {@code owner} was handed {@code r} by {@code how}: every quantum of it must have been free. */
    public void claim(Range r, int owner, String how) {
        move(r, 0, owner, how);
    }

    /** {@code owner} gives {@code r} back by {@code how}: every quantum of it must be its own. */
    public void release(Range r, int owner, String how) {
        move(r, owner, 0, how);
    }

    /** Every quantum of {@code r} passes from {@code from} to {@code to}; one that was not {@code from}'s is a violation. */
    public void move(Range r, int from, int to, String how) {
        // Stops at the last quantum by what is left, not by v <= end: at the top of the space v wraps.
        for (long v = r.start(); ; v += quantum) {
            int unit = (int) ((v - base) / quantum);
            if (!slots.compareAndSet(unit, from, to)) {
                report(how + ": " + r + " at 0x" + Long.toHexString(v) + " is held by " + slots.get(unit)
                        + ", expected " + from);
            }
            if (Long.compareUnsigned(r.end() - v, quantum) < 0) {
                return;
            }
        }
    }

    /** Records something a thread saw wrong. */
    public void report(String violation) {
        violations.add(violation);
    }

    /** Whether nothing was reported. */
    public boolean clean() {
        return violations.isEmpty();
    }

    /** Fails with the number of violations and the first ten, naming {@code context}, unless there were none. */
    public void assertNone(String context) {
        assertTrue(violations.isEmpty(), context + ": " + violations.size() + " violations, first: "
                + violations.stream().limit(10).collect(Collectors.joining("\n")));
    }
}
