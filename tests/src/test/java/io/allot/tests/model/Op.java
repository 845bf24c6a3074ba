package io.allot.tests.model;

import io.allot.Allocators;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * One call on a {@link ResourceAllocator}, as data: applicable to an engine and to the
 * {@link ReferenceModel} alike, printable as a line of Java, and able to propose simpler versions
 * of itself for the shrinker. An operation holds only concrete values (ranges, requests, names),
 * so a recorded list replays deterministically against a fresh engine and model.
 */
sealed interface Op permits Op.Allocate, Op.TryAllocate, Op.Reserve, Op.Free, Op.FreeContaining, Op.Reallocate,
        Op.IsFree, Op.AllocationContaining, Op.AddSpan, Op.SnapshotRestore {

    /** The call on the engine; its value, or what it throws, is the outcome to compare. */
    Object onEngine(ResourceAllocator allocator);

    /** @param engineChoice the engine's placement, if any: the model adopts it where the contract leaves a choice */
    Object onModel(ReferenceModel model, Range engineChoice);

    /** The call as one Java statement on an allocator {@code a}. */
    String java();

    /**
     * Versions of this operation that are simpler (fewer constraints, smaller sizes, no tag, the
     * default policy), most drastic first; each strictly simpler, so shrinking terminates.
     */
    default List<Op> simpler(Space space, String engine) {
        return List.of();
    }

    /** An operation that places a request, whose placement must satisfy it. */
    interface Placing {
        Request request();
    }

    /** {@code allocate(request)}, or {@code allocate(request, policy)} when {@code policy} is not null. */
    record Allocate(Request request, String policy) implements Op, Placing {
        public Object onEngine(ResourceAllocator a) {
            return policy == null ? a.allocate(request) : a.allocate(request, Allocators.policy(policy));
        }

        public Object onModel(ReferenceModel m, Range choice) {
            return m.allocate(request, policy, choice);
        }

        public String java() {
            return "a.allocate(" + Java.request(request) + (policy == null ? "" : ", Allocators.policy(\"" + policy + "\")")
                    + ");";
        }

        @Override
        public List<Op> simpler(Space space, String engine) {
            List<Op> out = new ArrayList<>();
            if (policy != null) {
                out.add(new Allocate(request, null));
            }
            simplerRequests(request, space.quantum()).forEach(r -> out.add(new Allocate(r, policy)));
            return out;
        }

        @Override
        public String toString() {
            return "allocate(" + request + (policy == null ? "" : ", " + policy) + ")";
        }
    }

    /** {@code tryAllocate(request[, policy])}. */
    record TryAllocate(Request request, String policy) implements Op, Placing {
        public Object onEngine(ResourceAllocator a) {
            return policy == null ? a.tryAllocate(request) : a.tryAllocate(request, Allocators.policy(policy));
        }

        public Object onModel(ReferenceModel m, Range choice) {
            return m.tryAllocate(request, policy, choice);
        }

        public String java() {
            return "a.tryAllocate(" + Java.request(request)
                    + (policy == null ? "" : ", Allocators.policy(\"" + policy + "\")") + ");";
        }

        @Override
        public List<Op> simpler(Space space, String engine) {
            List<Op> out = new ArrayList<>();
            if (policy != null) {
                out.add(new TryAllocate(request, null));
            }
            simplerRequests(request, space.quantum()).forEach(r -> out.add(new TryAllocate(r, policy)));
            return out;
        }

        @Override
        public String toString() {
            return "tryAllocate(" + request + (policy == null ? "" : ", " + policy) + ")";
        }
    }

    /** {@code reserve(range)} when {@code tag} is null, else {@code reserve(range, tag)}. */
    record Reserve(Range range, String tag) implements Op {
        public Object onEngine(ResourceAllocator a) {
            return tag == null ? a.reserve(range) : a.reserve(range, tag);
        }

        public Object onModel(ReferenceModel m, Range choice) {
            return m.reserve(range, tag);
        }

        public String java() {
            return "a.reserve(" + Java.range(range) + (tag == null ? "" : ", " + Java.string(tag)) + ");";
        }

        @Override
        public List<Op> simpler(Space space, String engine) {
            List<Op> out = new ArrayList<>();
            if (tag != null) {
                out.add(new Reserve(range, null));
            }
            long q = space.quantum();
            if (Long.compareUnsigned(range.size(), q) > 0 && range.start() % q == 0) { // keep its first quantum
                out.add(new Reserve(Range.ofSize(range.start(), q), tag));
            }
            return out;
        }

        @Override
        public String toString() {
            return "reserve(" + range + (tag == null ? "" : ", " + tag) + ")";
        }
    }

    record Free(Range range) implements Op {
        public Object onEngine(ResourceAllocator a) {
            a.free(range);
            return "done";
        }

        public Object onModel(ReferenceModel m, Range choice) {
            m.free(range);
            return "done";
        }

        public String java() {
            return "a.free(" + Java.range(range) + ");";
        }

        @Override
        public String toString() {
            return "free(" + range + ")";
        }
    }

    record FreeContaining(long value) implements Op {
        public Object onEngine(ResourceAllocator a) {
            return a.freeContaining(value);
        }

        public Object onModel(ReferenceModel m, Range choice) {
            return m.freeContaining(value);
        }

        public String java() {
            return "a.freeContaining(" + Java.hex(value) + ");";
        }

        @Override
        public String toString() {
            return "freeContaining(0x" + Long.toHexString(value) + ")";
        }
    }

    record Reallocate(Range old, Request request) implements Op, Placing {
        public Object onEngine(ResourceAllocator a) {
            return a.reallocate(old, request);
        }

        public Object onModel(ReferenceModel m, Range choice) {
            return m.reallocate(old, request, choice);
        }

        public String java() {
            return "a.reallocate(" + Java.range(old) + ", " + Java.request(request) + ");";
        }

        @Override
        public List<Op> simpler(Space space, String engine) {
            List<Op> out = new ArrayList<>();
            simplerRequests(request, space.quantum()).forEach(r -> out.add(new Reallocate(old, r)));
            return out;
        }

        @Override
        public String toString() {
            return "reallocate(" + old + ", " + request + ")";
        }
    }

    record IsFree(Range range) implements Op {
        public Object onEngine(ResourceAllocator a) {
            return a.isFree(range);
        }

        public Object onModel(ReferenceModel m, Range choice) {
            return m.isFree(range);
        }

        public String java() {
            return "a.isFree(" + Java.range(range) + ");";
        }

        @Override
        public String toString() {
            return "isFree(" + range + ")";
        }
    }

    record AllocationContaining(long value) implements Op {
        public Object onEngine(ResourceAllocator a) {
            return a.allocationContaining(value);
        }

        public Object onModel(ReferenceModel m, Range choice) {
            return m.allocationContaining(value);
        }

        public String java() {
            return "a.allocationContaining(" + Java.hex(value) + ");";
        }

        @Override
        public String toString() {
            return "allocationContaining(0x" + Long.toHexString(value) + ")";
        }
    }

    record AddSpan(Range span) implements Op {
        public Object onEngine(ResourceAllocator a) {
            a.addSpan(span);
            return "done";
        }

        public Object onModel(ReferenceModel m, Range choice) {
            m.addSpan(span);
            return "done";
        }

        public String java() {
            return "a.addSpan(" + Java.range(span) + ");";
        }

        @Override
        public String toString() {
            return "addSpan(" + span + ")";
        }
    }

    /**
     * {@code writeSnapshot} of the allocator, restored with {@code Allocators.restore(in, engine)};
     * the run continues on the restored allocator. The model is unchanged: a restore must be
     * invisible. On the engine side this returns the restored allocator, which the harness adopts.
     */
    record SnapshotRestore(String engine) implements Op {
        /** The outcome both sides report for a restore that worked. */
        static final String RESTORED = "restored";

        public Object onEngine(ResourceAllocator a) {
            return Allocators.restore(new ByteArrayInputStream(image(a)), engine);
        }

        public Object onModel(ReferenceModel m, Range choice) {
            return RESTORED;
        }

        public String java() {
            return "a = Allocators.restore(new ByteArrayInputStream(snapshotOf(a)), \"" + engine + "\");";
        }

        @Override
        public List<Op> simpler(Space space, String runEngine) {
            return engine.equals(runEngine) ? List.of() : List.of(new SnapshotRestore(runEngine));
        }

        /** The allocator's snapshot image. */
        static byte[] image(ResourceAllocator a) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            a.writeSnapshot(out);
            return out.toByteArray();
        }

        @Override
        public String toString() {
            return "snapshot and restore into " + engine;
        }
    }

    /** Simpler versions of {@code r}, most drastic first; any the record would refuse are left out. */
    private static List<Request> simplerRequests(Request r, long quantum) {
        long max = -1L;
        List<Request> out = new ArrayList<>();
        long small = Long.compareUnsigned(r.size(), quantum) > 0 ? quantum : r.size();
        add(out, r, small, 1, 0, 0, 0, max, r.tag()); // at most one quantum, every constraint dropped
        if (r.alignment() != 1) {
            add(out, r, r.size(), 1, 0, r.noCross(), r.min(), r.max(), r.tag());
        }
        if (r.phase() != 0) {
            add(out, r, r.size(), r.alignment(), 0, r.noCross(), r.min(), r.max(), r.tag());
        }
        if (r.noCross() != 0) {
            add(out, r, r.size(), r.alignment(), r.phase(), 0, r.min(), r.max(), r.tag());
        }
        if (r.min() != 0 || r.max() != max) {
            add(out, r, r.size(), r.alignment(), r.phase(), r.noCross(), 0, max, r.tag());
        }
        if (r.tag() != null) {
            add(out, r, r.size(), r.alignment(), r.phase(), r.noCross(), r.min(), r.max(), null);
        }
        if (Long.compareUnsigned(r.size(), quantum) > 0) {
            add(out, r, quantum, r.alignment(), r.phase(), r.noCross(), r.min(), r.max(), r.tag());
            add(out, r, Long.divideUnsigned(r.size(), 2), r.alignment(), r.phase(), r.noCross(), r.min(), r.max(),
                    r.tag());
            long whole = r.size() & -quantum; // a size off the quantum rounded down to it
            if (whole != 0 && whole != r.size()) {
                add(out, r, whole, r.alignment(), r.phase(), r.noCross(), r.min(), r.max(), r.tag());
            }
        }
        return out;
    }

    private static void add(List<Request> out, Request old, long size, long alignment, long phase, long noCross,
                            long min, long max, String tag) {
        Request r;
        try {
            r = new Request(size, alignment, phase, noCross, min, max, tag);
        } catch (IllegalArgumentException invalid) {
            return; // not a request at all; the shrinker simply does not try it
        }
        if (!r.equals(old)) {
            out.add(r);
        }
    }
}
