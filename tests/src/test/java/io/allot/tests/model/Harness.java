package io.allot.tests.model;

import io.allot.Allocation;
import io.allot.AllocationException;
import io.allot.AllocatorStats;
import io.allot.Allocators;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static io.allot.tests.model.ReferenceModel.u;

/**
 * One engine allocator and one {@link ReferenceModel} over the same {@link Space}, driven in
 * lockstep by {@link Op}s, with every check of the model-based tests. The random runs, the
 * shrinker's replays and the QuickTheories property all go through here, so they check the same
 * things and a failure found by one is recognised by the others ({@link ModelFailure#kind}).
 *
 * <p><b>Cheap checks, after every operation</b> (O(log n) on the engine, plus the model's own
 * linear work): the outcome (value, or exception class) equals the model's; a placement has the
 * rounded size and satisfies its request in the space's units; all ten {@link AllocatorStats}
 * fields equal the model's and {@code allocated + free == capacity}; and around every range the
 * operation touched (placed, reserved, freed, moved from), {@code allocationContaining} at its ends
 * and just outside them, and {@code isFree} of it, equal the model's.
 *
 * <p><b>Full checks</b>, when the caller asks and after every snapshot restore: the allocations with
 * tags ({@code forEachAllocated}, also ascending and disjoint), the free ranges
 * ({@code forEachFree}), the spans, and, from a fresh snapshot image, the next-fit rotor and the
 * three event counters, all equal the model's. A restore also checks that the restored allocator
 * is on the asked engine with the same default policy, and that its own snapshot equals the image
 * it came from, byte for byte but for the engine name.
 *
 * <p>Not thread-safe.
 */
final class Harness {

    /** How many recent operations a failure message lists. */
    private static final int HISTORY = 20;
    private static final long MAX = -1L;
    /** Snapshot layout (docs/snapshot-format.md): where the rotor, the counters and the engine name sit. */
    private static final int ROTOR_AT = 16;
    private static final int COUNTERS_AT = 24;
    private static final int ENGINE_NAME_AT = 48;
    private static final int TRAILER = 4;

    final String engine;
    final String policy;
    final Space space;
    private final long quantum;
    private final ReferenceModel model;
    private ResourceAllocator allocator;

    private final Op[] recentOps = new Op[HISTORY];
    private final Outcome[] recentOutcomes = new Outcome[HISTORY];
    private final int[] recentIndex = new int[HISTORY];
    private int recent;
    private int restores;
    private long fullChecks;

    Harness(String engine, String policy, Space space) {
        this.engine = engine;
        this.policy = policy;
        this.space = space;
        this.quantum = space.quantum();
        this.model = space.model(policy);
        this.allocator = space.build(engine, policy);
    }

    ReferenceModel model() {
        return model;
    }

    int restores() {
        return restores;
    }

    long fullChecks() {
        return fullChecks;
    }

    /** The full check of the fresh allocator (everything free), before any operation. */
    void checkFresh() {
        guarded(-1, () -> {
            checkStats(-1);
            checkFull(-1);
        });
    }

    /**
     * Applies {@code op}, the {@code index}-th operation, to both sides and checks the cheap things,
     * and everything if {@code full}.
     *
     * @return the engine's outcome
     * @throws ModelFailure on any disagreement, or anything unexpected thrown on the way
     */
    Outcome apply(Op op, int index, boolean full) {
        Outcome[] result = new Outcome[1];
        guarded(index, () -> result[0] = op instanceof Op.SnapshotRestore restore
                ? restore(restore, index) : call(op, index, full));
        return result[0];
    }

    /**
     * Replays {@code ops} against a fresh engine and model with the full check after every
     * operation, stopping at the first failure or once {@code deadline} ({@link System#nanoTime})
     * has passed.
     */
    static Replayed replay(String engine, String policy, Space space, List<Op> ops, long deadline) {
        List<Outcome> outcomes = new ArrayList<>();
        Harness h;
        try {
            h = new Harness(engine, policy, space);
        } catch (RuntimeException | Error e) {
            return new Replayed(new ModelFailure("unexpected " + e.getClass().getSimpleName() + " building", -1,
                    "building the allocator threw " + stack(e), ""), outcomes, false);
        }
        try {
            h.checkFresh();
            for (int i = 0; i < ops.size(); i++) {
                if ((i & 0xff) == 0xff && System.nanoTime() - deadline > 0) {
                    return new Replayed(null, outcomes, true);
                }
                outcomes.add(h.apply(ops.get(i), i, true));
            }
        } catch (ModelFailure f) {
            return new Replayed(f, outcomes, false);
        }
        return new Replayed(null, outcomes, false);
    }

    /** A replay's result: the failure (null if none), each successful operation's engine outcome, and whether it ran out of time. */
    record Replayed(ModelFailure failure, List<Outcome> outcomes, boolean timedOut) {
    }

    // ------------------------------------------------------------------ one operation

    private Outcome call(Op op, int index, boolean full) {
        Outcome actual = Outcome.of(() -> op.onEngine(allocator));
        Outcome expected = Outcome.of(() -> op.onModel(model, actual.placement()));
        remember(op, actual, index);
        if (!expected.matches(actual)) {
            String kind = op.getClass().getSimpleName() + ": engine " + actual.shape() + ", model " + expected.shape();
            throw failure(kind, index, op + "\n  returned " + actual + "\n  but the model says " + expected
                    + (op instanceof Op.Placing && !model.note().isEmpty() ? "\n  model note: " + model.note() : "")
                    + (actual.thrown() != null ? "\n  engine stack: " + stack(actual.thrown()) : "")
                    + (expected.thrown() instanceof RuntimeException e && !(e instanceof AllocationException)
                            && !(e instanceof IllegalArgumentException) ? "\n  model stack: " + stack(e) : ""));
        }
        Range placed = actual.placement();
        if (placed != null && op instanceof Op.Placing placing) {
            checkPlacement(placing.request(), placed, index);
        }
        checkStats(index);
        if (actual.thrown() == null) {
            if (placed != null) {
                probe(placed, index);
            }
            if (op instanceof Op.Free f) {
                probe(f.range(), index);
            } else if (op instanceof Op.FreeContaining) {
                probe((Range) actual.value(), index);
            } else if (op instanceof Op.Reallocate r) {
                probe(r.old(), index);
            }
        }
        if (full) {
            checkFull(index);
        }
        return actual;
    }

    /** Snapshot, restore into the op's engine, adopt the restored allocator; the model does not change. */
    private Outcome restore(Op.SnapshotRestore op, int index) {
        Outcome outcome = new Outcome(Op.SnapshotRestore.RESTORED, null);
        remember(op, outcome, index);
        byte[] image = Op.SnapshotRestore.image(allocator);
        ResourceAllocator restored;
        try {
            restored = Allocators.restore(new ByteArrayInputStream(image), op.engine());
        } catch (RuntimeException e) {
            throw failure("restore: " + e.getClass().getSimpleName(), index, "restoring a snapshot of "
                    + allocator.engine() + " into " + op.engine() + " threw " + stack(e));
        }
        if (!restored.engine().equals(op.engine())) {
            throw failure("restore: wrong engine", index, "restored into " + op.engine() + " but engine() is "
                    + restored.engine());
        }
        if (!restored.defaultPolicy().name().equals(policy)) {
            throw failure("restore: wrong policy", index, "restored allocator's default policy is "
                    + restored.defaultPolicy().name() + ", not " + policy);
        }
        byte[] again = Op.SnapshotRestore.image(restored);
        int at = differenceButEngineName(image, again);
        if (at >= 0) {
            throw failure("restore: snapshot of the restored allocator differs", index, "the restored allocator's "
                    + "snapshot differs from the image it was restored from at byte " + at + " (other than the engine "
                    + "name): " + image.length + " bytes from " + allocator.engine() + ", " + again.length + " from "
                    + restored.engine());
        }
        allocator = restored;
        restores++;
        checkStats(index);
        checkFull(index);
        return outcome;
    }

    // ------------------------------------------------------------------ checks

    /** The placement has the rounded size and satisfies the request in the space's units. */
    private void checkPlacement(Request request, Range placed, int index) {
        BigInteger rounded = model.roundUp(u(request.size()));
        if (!u(placed.size()).equals(rounded)) {
            throw failure("placement: size", index, placed + " has size 0x" + Long.toHexString(placed.size())
                    + ", not the rounded size 0x" + rounded.toString(16) + " of " + request);
        }
        if (!request.admits(placed.start())) {
            throw failure("placement: request", index, placed + " does not satisfy " + request);
        }
        long alignment = Long.compareUnsigned(request.alignment(), quantum) >= 0 ? request.alignment() : quantum;
        Request normal = new Request(placed.size(), alignment, request.phase(), request.noCross(), request.min(),
                request.max(), request.tag()); // noCross < rounded size would have thrown: no placement may exist then
        if (!normal.admits(placed.start())) {
            throw failure("placement: request in quanta", index, placed + " does not satisfy " + normal
                    + ", the request in quanta");
        }
    }

    private void checkStats(int index) {
        AllocatorStats stats = allocator.stats();
        if (stats.allocated() + stats.free() != stats.capacity()) {
            throw failure("stats: allocated + free != capacity", index, "allocated + free != capacity in " + stats);
        }
        AllocatorStats want = model.stats();
        if (!want.equals(stats)) {
            StringBuilder fields = new StringBuilder();
            String diff = statsDiff(want, stats, fields);
            throw failure("stats:" + fields, index, "stats() differ from the model's:" + diff + "\n  model:  " + want
                    + "\n  engine: " + stats);
        }
    }

    /** allocationContaining at and around the ends of {@code r}, and isFree(r), equal the model's. */
    private void probe(Range r, int index) {
        probeValue(r.start(), index);
        probeValue(r.end(), index);
        if (r.start() != 0) {
            probeValue(r.start() - 1, index);
        }
        if (r.end() != MAX) {
            probeValue(r.end() + 1, index);
        }
        boolean free = allocator.isFree(r);
        if (free != model.isFree(r)) {
            throw failure("probe: isFree", index, "isFree(" + r + ") is " + free + ", the model says " + !free);
        }
    }

    private void probeValue(long value, int index) {
        Optional<Allocation> got = allocator.allocationContaining(value);
        Optional<Allocation> want = model.allocationContaining(value);
        if (!got.equals(want)) {
            throw failure("probe: allocationContaining", index, "allocationContaining(0x" + Long.toHexString(value)
                    + ") is " + got + ", the model says " + want);
        }
    }

    /** Everything observable equals the model. */
    private void checkFull(int index) {
        fullChecks++;
        List<Allocation> allocations = new ArrayList<>();
        allocator.forEachAllocated(allocations::add);
        for (int i = 1; i < allocations.size(); i++) {
            Range before = allocations.get(i - 1).range();
            Range after = allocations.get(i).range();
            if (Long.compareUnsigned(before.end(), after.start()) >= 0) {
                throw failure("forEachAllocated is not ascending and disjoint", index,
                        "forEachAllocated is not ascending and disjoint: " + before + " then " + after);
            }
        }
        expectSame("forEachAllocated", model.allocations(), allocations, index);
        List<Range> free = new ArrayList<>();
        allocator.forEachFree(free::add);
        expectSame("forEachFree", model.freeRanges(), free, index);
        expectSame("spans()", model.spans(), allocator.spans(), index);
        ByteBuffer image = ByteBuffer.wrap(Op.SnapshotRestore.image(allocator)); // big-endian
        long rotor = image.getLong(ROTOR_AT);
        if (rotor != model.rotor()) {
            throw failure("rotor differs", index, "the snapshot's next-fit rotor is 0x" + Long.toHexString(rotor)
                    + ", the model's 0x" + Long.toHexString(model.rotor()));
        }
        AllocatorStats want = model.stats();
        long[] counters = {image.getLong(COUNTERS_AT), image.getLong(COUNTERS_AT + 8), image.getLong(COUNTERS_AT + 16)};
        long[] expected = {want.totalAllocations(), want.totalFrees(), want.failedAllocations()};
        if (!Arrays.equals(counters, expected)) {
            throw failure("snapshot counters differ", index, "the snapshot's totalAllocations, totalFrees, "
                    + "failedAllocations are " + Arrays.toString(counters) + ", the model's " + Arrays.toString(expected));
        }
    }

    private <T> void expectSame(String what, List<T> expected, List<T> actual, int index) {
        if (expected.equals(actual)) {
            return;
        }
        int i = 0;
        while (i < expected.size() && i < actual.size() && expected.get(i).equals(actual.get(i))) {
            i++;
        }
        throw failure(what + " differs", index, what + " differs from the model at index " + i + ": model has "
                + (i < expected.size() ? expected.get(i) : "nothing more") + ", engine has "
                + (i < actual.size() ? actual.get(i) : "nothing more") + " (sizes " + expected.size() + " vs "
                + actual.size() + ")\n  model:  " + abbreviate(expected, i) + "\n  engine: " + abbreviate(actual, i));
    }

    // ------------------------------------------------------------------ failures

    /** Runs {@code checks}; anything but a {@link ModelFailure} they throw becomes one. */
    private void guarded(int index, Runnable checks) {
        try {
            checks.run();
        } catch (ModelFailure reported) {
            throw reported;
        } catch (RuntimeException | Error unexpected) { // from an engine's forEach*, stats(), writeSnapshot, ...
            ModelFailure failure = failure("unexpected " + unexpected.getClass().getSimpleName(), index,
                    "unexpected " + stack(unexpected));
            failure.initCause(unexpected);
            throw failure;
        }
    }

    private ModelFailure failure(String kind, int index, String detail) {
        StringBuilder sb = new StringBuilder();
        sb.append("\n  last operations, oldest first:");
        int count = Math.min(recent, HISTORY);
        for (int k = recent - count; k < recent; k++) {
            int slot = k % HISTORY;
            sb.append("\n    #").append(recentIndex[slot]).append(' ').append(recentOps[slot]).append(" -> ")
                    .append(recentOutcomes[slot]);
        }
        return new ModelFailure(kind, index, detail + "\n  " + model, sb.toString());
    }

    private void remember(Op op, Outcome outcome, int index) {
        int slot = recent % HISTORY;
        recentOps[slot] = op;
        recentOutcomes[slot] = outcome;
        recentIndex[slot] = index;
        recent++;
    }

    /** The first byte at which two images differ, ignoring the engine name, or −1. */
    private static int differenceButEngineName(byte[] a, byte[] b) {
        if (a.length <= ENGINE_NAME_AT || b.length <= ENGINE_NAME_AT) {
            return Arrays.equals(a, b) ? -1 : 0;
        }
        int mismatch = Arrays.mismatch(a, 0, ENGINE_NAME_AT, b, 0, ENGINE_NAME_AT);
        if (mismatch >= 0) {
            return mismatch;
        }
        int restA = ENGINE_NAME_AT + 1 + Byte.toUnsignedInt(a[ENGINE_NAME_AT]);
        int restB = ENGINE_NAME_AT + 1 + Byte.toUnsignedInt(b[ENGINE_NAME_AT]);
        if (restA > a.length || restB > b.length) {
            return ENGINE_NAME_AT;
        }
        if (Arrays.equals(a, ENGINE_NAME_AT, restA, b, ENGINE_NAME_AT, restB)) {
            return Arrays.mismatch(a, b); // the same engine: byte for byte, CRC included
        }
        // The CRC covers the engine name, so it is compared only when the names are the same.
        if (a.length - restA < TRAILER || b.length - restB < TRAILER) {
            return restA;
        }
        mismatch = Arrays.mismatch(a, restA, a.length - TRAILER, b, restB, b.length - TRAILER);
        return mismatch < 0 ? -1 : restA + mismatch;
    }

    private static String statsDiff(AllocatorStats want, AllocatorStats got, StringBuilder fields) {
        StringBuilder sb = new StringBuilder();
        diff(sb, fields, "capacity", want.capacity(), got.capacity());
        diff(sb, fields, "allocated", want.allocated(), got.allocated());
        diff(sb, fields, "free", want.free(), got.free());
        diff(sb, fields, "liveAllocations", want.liveAllocations(), got.liveAllocations());
        diff(sb, fields, "freeSegments", want.freeSegments(), got.freeSegments());
        diff(sb, fields, "largestFree", want.largestFree(), got.largestFree());
        diff(sb, fields, "totalAllocations", want.totalAllocations(), got.totalAllocations());
        diff(sb, fields, "totalFrees", want.totalFrees(), got.totalFrees());
        diff(sb, fields, "failedAllocations", want.failedAllocations(), got.failedAllocations());
        diff(sb, fields, "imported", want.imported(), got.imported());
        return sb.toString();
    }

    private static void diff(StringBuilder sb, StringBuilder fields, String field, long want, long got) {
        if (want != got) {
            fields.append(' ').append(field);
            sb.append(' ').append(field).append(" 0x").append(Long.toHexString(want)).append(" expected, 0x")
                    .append(Long.toHexString(got)).append(" actual;");
        }
    }

    private static String abbreviate(List<?> list, int around) {
        int from = Math.max(0, around - 3);
        int to = Math.min(list.size(), around + 4);
        return (from > 0 ? "... " : "") + list.subList(from, to) + (to < list.size() ? " ..." : "");
    }

    static String stack(Throwable t) {
        StringBuilder sb = new StringBuilder(t.toString());
        StackTraceElement[] trace = t.getStackTrace();
        for (int i = 0; i < Math.min(trace.length, 12); i++) {
            sb.append("\n      at ").append(trace[i]);
        }
        return sb.toString();
    }
}
