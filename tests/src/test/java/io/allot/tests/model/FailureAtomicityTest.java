package io.allot.tests.model;

import io.allot.Allocation;
import io.allot.AllocatorStats;
import io.allot.Allocators;
import io.allot.ExhaustedException;
import io.allot.NotAllocatedException;
import io.allot.OverlapException;
import io.allot.PolicyViolationException;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.spi.AllocationPolicy;
import io.allot.spi.FreeSpace;
import io.allot.tests.Matrix;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Strong exception safety: every call that fails leaves the allocator exactly as it was &mdash;
 * its allocations with their tags, its free ranges, its spans, its next-fit rotor, every
 * {@link AllocatorStats} field and its snapshot image &mdash; except {@code failedAllocations},
 * which grows by exactly one for a failed {@code allocate}, {@code tryAllocate}, {@code reserve} or
 * {@code reallocate} and not at all for anything else or for a null argument.
 *
 * <p><b>Snapshot bytes.</b> {@code writeSnapshot} is compared before and after every failing call.
 * The image holds {@code failedAllocations} (bytes 40..47, big-endian u64, see
 * docs/snapshot-format.md) and ends in a CRC32C over everything before it, so the two images are
 * compared with that counter decoded and checked on its own (it must grow by exactly what the stats
 * say) and every other byte identical; the CRC is left out of the comparison only because it
 * covers the counter, and is instead checked to be right in each image.
 *
 * <p><b>Every method.</b> Each public method of {@link ResourceAllocator} that can throw is made to
 * fail: both {@code allocate}s, both {@code tryAllocate}s (whose failures are empty answers or
 * exceptions), both {@code reserve}s, {@code free}, {@code freeContaining}, {@code reallocate},
 * {@code addSpan}, {@code writeSnapshot} into streams that fail at the first byte, part way and on
 * flush ({@link UncheckedIOException}), and {@code isFree}, {@code forEachAllocated},
 * {@code forEachFree}, {@code writeSnapshot} with null arguments. The fixtures' allocators are
 * wrapped in a recording proxy, and {@link #everyMethodThatCanThrowIsMadeToFail} checks against
 * the interface, by reflection, that each such method did throw in some call; only
 * {@link #CANNOT_THROW} is exempt, so a method added to the interface needs a failing call here.
 *
 * <p>Each engine &times; default policy builds allocators in several states (fragmented with
 * adjacent spans and a moved rotor, quantum 0x10, completely full, at the top of 2<sup>64</sup> with
 * the rotor wrapped to 0, no spans at all, spans of nearly the whole space) and, on a fresh one
 * for each, makes every kind of failing call the contract names, plus policies that throw, answer
 * null, answer an occupied or invalid range, or try to modify the free space through the view.
 *
 * <p>The rotor is read through a probe policy that records {@link FreeSpace#rotor()} and finds
 * nothing; that probe is itself a failed {@code tryAllocate}, so between the two pictures
 * {@code failedAllocations} grows by one more than the call under test accounts for.
 */
class FailureAtomicityTest {

    private static final long MAX = -1L;
    /** Snapshot layout (docs/snapshot-format.md): failedAllocations is a big-endian u64 at byte 40; a CRC32C ends it. */
    private static final int FAILED_ALLOCATIONS_AT = 40;
    private static final int TRAILER = 4;

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("io.allot.tests.Matrix#enginesAndPolicies")
    void failedAllocateAndTryAllocateChangeNothingButTheirCount(String engine, String policy) {
        run(engine, policy, FailureAtomicityTest::allocationFailures);
    }

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("io.allot.tests.Matrix#enginesAndPolicies")
    void failedReserveChangesNothingButItsCount(String engine, String policy) {
        run(engine, policy, FailureAtomicityTest::reserveFailures);
    }

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("io.allot.tests.Matrix#enginesAndPolicies")
    void failedFreeAndFreeContainingChangeNothing(String engine, String policy) {
        run(engine, policy, FailureAtomicityTest::freeFailures);
    }

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("io.allot.tests.Matrix#enginesAndPolicies")
    void failedReallocateKeepsTheOldAllocationAndCountsOnce(String engine, String policy) {
        run(engine, policy, FailureAtomicityTest::reallocateFailures);
    }

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("io.allot.tests.Matrix#enginesAndPolicies")
    void rejectedAddSpanChangesNothing(String engine, String policy) {
        run(engine, policy, FailureAtomicityTest::addSpanFailures);
    }

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("io.allot.tests.Matrix#enginesAndPolicies")
    void misbehavingPoliciesChangeNothingButTheCount(String engine, String policy) {
        run(engine, policy, FailureAtomicityTest::policyFailures);
    }

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("io.allot.tests.Matrix#enginesAndPolicies")
    void misbehavingDefaultPolicyLeavesAllocateAndReallocateUndone(String engine, String policy) {
        run(engine, policy, FailureAtomicityTest::defaultPolicyFailures);
    }

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("io.allot.tests.Matrix#enginesAndPolicies")
    void nullArgumentsChangeNothingAndAreNotCounted(String engine, String policy) {
        run(engine, policy, FailureAtomicityTest::nullArguments);
    }

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("io.allot.tests.Matrix#enginesAndPolicies")
    void failedWriteSnapshotChangesNothing(String engine, String policy) {
        run(engine, policy, FailureAtomicityTest::snapshotFailures);
    }

    /** The calls of every test above; the coverage check below runs them all. */
    private static final List<Function<Fixture, List<Call>>> FAMILIES = List.of(
            FailureAtomicityTest::allocationFailures, FailureAtomicityTest::reserveFailures,
            FailureAtomicityTest::freeFailures, FailureAtomicityTest::reallocateFailures,
            FailureAtomicityTest::addSpanFailures, FailureAtomicityTest::policyFailures,
            FailureAtomicityTest::defaultPolicyFailures, FailureAtomicityTest::nullArguments,
            FailureAtomicityTest::snapshotFailures);

    /** The methods of {@link ResourceAllocator} that have no failing call: no argument, or any {@code long} is valid. */
    static final Set<String> CANNOT_THROW = Set.of("spans()", "stats()", "engine()", "defaultPolicy()", "quantum()",
            "allocationContaining(long)");

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("io.allot.tests.Matrix#enginesAndPolicies")
    void everyMethodThatCanThrowIsMadeToFail(String engine, String policy) {
        Set<String> threw = new TreeSet<>();
        for (Function<Fixture, List<Call>> family : FAMILIES) {
            for (State state : State.values()) {
                Fixture sample = state.build(engine, policy);
                if (sample == null) {
                    continue;
                }
                for (Call call : family.apply(sample)) {
                    Fixture f = state.build(engine, policy);
                    try {
                        check(state, f, call);
                    } catch (AssertionError reportedByItsOwnTest) {
                        // the family's own test reports it; here only what threw matters
                    }
                    threw.addAll(f.threw);
                }
            }
        }
        Set<String> canThrow = new TreeSet<>();
        for (Method m : ResourceAllocator.class.getMethods()) {
            if (!Modifier.isStatic(m.getModifiers()) && !CANNOT_THROW.contains(signature(m))) {
                canThrow.add(signature(m));
            }
        }
        Set<String> missing = new TreeSet<>(canThrow);
        missing.removeAll(threw);
        assertEquals(Set.of(), missing, "methods of ResourceAllocator that no failing call made throw (threw: " + threw
                + "); add a failing call, or list the method in CANNOT_THROW if nothing can make it fail");
    }

    // ------------------------------------------------------------------ the failing calls

    /**
     * One failing call: what it must throw ({@code null}: return normally, e.g. an empty
     * {@code tryAllocate}), and by how much it must raise {@code failedAllocations}.
     */
    record Call(String name, Class<? extends Throwable> expected, int counted, Consumer<Fixture> action) {
    }

    private static List<Call> allocationFailures(Fixture f) {
        List<Call> calls = new ArrayList<>();
        long q = f.quantum;
        List<Request> hopeless = new ArrayList<>(List.of(
                Request.of(umax(f.largestFree + 1, q)).tagged("x"), // bigger than any free range
                Request.of(1L << 63),
                Request.of(MAX),
                Request.of(2 * q).aligned(2 * q).phase(q).noCross(2 * q), // always straddles a 2q boundary
                Request.of(1).within(f.outside.start(), f.outside.end())));
        if (!f.bigAlignmentFits) {
            hopeless.add(Request.of(1).aligned(1L << 62)); // no multiple of 2^62 is in any span
        }
        if (q > 1) {
            hopeless.add(Request.of(-q + 1)); // rounds up past 2^64 - 1
            hopeless.add(Request.of(3).noCross(4)); // rounded to the quantum it must cross
        }
        for (Request r : hopeless) {
            calls.add(new Call("allocate(" + r + ")", ExhaustedException.class, 1, x -> x.allocator.allocate(r)));
            calls.add(new Call("tryAllocate(" + r + ")", null, 1, x -> assertEquals(Optional.empty(),
                    x.allocator.tryAllocate(r))));
            for (String name : Allocators.policies()) {
                AllocationPolicy p = Allocators.policy(name);
                calls.add(new Call("allocate(" + r + ", " + name + ")", ExhaustedException.class, 1,
                        x -> x.allocator.allocate(r, p)));
                calls.add(new Call("tryAllocate(" + r + ", " + name + ")", null, 1,
                        x -> assertEquals(Optional.empty(), x.allocator.tryAllocate(r, p))));
            }
        }
        if (q > 1) {
            for (Request r : List.of(Request.of(q).aligned(4 * q).phase(q / 2), Request.of(q).aligned(q / 2).phase(1))) {
                calls.add(new Call("allocate(" + r + ") with a phase off the quantum", IllegalArgumentException.class, 1,
                        x -> x.allocator.allocate(r)));
                calls.add(new Call("tryAllocate(" + r + ") with a phase off the quantum", IllegalArgumentException.class,
                        1, x -> x.allocator.tryAllocate(r)));
                for (String name : Allocators.policies()) {
                    AllocationPolicy p = Allocators.policy(name);
                    calls.add(new Call("allocate(" + r + ", " + name + ") with a phase off the quantum",
                            IllegalArgumentException.class, 1, x -> x.allocator.allocate(r, p)));
                    calls.add(new Call("tryAllocate(" + r + ", " + name + ") with a phase off the quantum",
                            IllegalArgumentException.class, 1, x -> x.allocator.tryAllocate(r, p)));
                }
            }
        }
        return calls;
    }

    private static List<Call> reserveFailures(Fixture f) {
        List<Call> calls = new ArrayList<>();
        for (Range r : f.reserveOverlapping) {
            calls.add(new Call("reserve(" + r + ")", OverlapException.class, 1, x -> x.allocator.reserve(r)));
            calls.add(new Call("reserve(" + r + ", tag)", OverlapException.class, 1, x -> x.allocator.reserve(r, "tag")));
        }
        for (Range r : f.reserveOutside) {
            calls.add(new Call("reserve(" + r + ") outside one span", IllegalArgumentException.class, 1,
                    x -> x.allocator.reserve(r)));
            calls.add(new Call("reserve(" + r + ", null) outside one span", IllegalArgumentException.class, 1,
                    x -> x.allocator.reserve(r, null)));
        }
        for (Range r : f.offQuantum) {
            calls.add(new Call("reserve(" + r + ") off the quantum", IllegalArgumentException.class, 1,
                    x -> x.allocator.reserve(r, "tag")));
        }
        if (f.freeRange != null) { // a free range that fits: only the tag is wrong
            Range r = f.freeRange;
            calls.add(new Call("reserve(" + r + ", a tag with an unpaired surrogate)", IllegalArgumentException.class, 1,
                    x -> x.allocator.reserve(r, "dev\uD800")));
        }
        return calls;
    }

    private static List<Call> freeFailures(Fixture f) {
        List<Call> calls = new ArrayList<>();
        for (Range r : f.notAllocations) {
            calls.add(new Call("free(" + r + ")", NotAllocatedException.class, 0, x -> x.allocator.free(r)));
        }
        for (long v : f.unallocatedValues) {
            calls.add(new Call("freeContaining(0x" + Long.toHexString(v) + ")", NotAllocatedException.class, 0,
                    x -> x.allocator.freeContaining(v)));
        }
        if (f.live != null) { // freeing twice: the second free fails and changes nothing more
            Range live = f.live;
            calls.add(new Call("free(" + live + ") twice", NotAllocatedException.class, 0, x -> {
                x.allocator.free(live);
                x.rebase(); // the first free legitimately changed the picture
                x.allocator.free(live);
            }));
        }
        return calls;
    }

    private static List<Call> reallocateFailures(Fixture f) {
        List<Call> calls = new ArrayList<>();
        long q = f.quantum;
        for (Range r : f.notAllocations) {
            calls.add(new Call("reallocate(" + r + ", ...) of a non-allocation", NotAllocatedException.class, 1,
                    x -> x.allocator.reallocate(r, Request.of(q))));
        }
        for (Range old : f.liveList()) {
            List<Request> hopeless = new ArrayList<>(List.of(
                    Request.of(MAX).tagged("new"),
                    Request.of(umax(f.largestFree + old.size() + 1, q)),
                    Request.of(q).within(f.outside.start(), f.outside.end()).tagged("new")));
            if (!f.bigAlignmentFits) {
                hopeless.add(Request.of(q).aligned(1L << 62));
            }
            for (Request r : hopeless) {
                calls.add(new Call("reallocate(" + old + ", " + r + ") that cannot fit", ExhaustedException.class, 1,
                        x -> x.allocator.reallocate(old, r)));
            }
            if (q > 1) {
                Request r = Request.of(q).aligned(4 * q).phase(q / 2);
                calls.add(new Call("reallocate(" + old + ", " + r + ") with a phase off the quantum",
                        IllegalArgumentException.class, 1, x -> x.allocator.reallocate(old, r)));
            }
        }
        return calls;
    }

    private static List<Call> addSpanFailures(Fixture f) {
        List<Call> calls = new ArrayList<>();
        for (Range r : f.overlappingSpans) {
            calls.add(new Call("addSpan(" + r + ") overlapping a span", OverlapException.class, 0,
                    x -> x.allocator.addSpan(r)));
        }
        for (Range r : f.invalidSpans) {
            calls.add(new Call("addSpan(" + r + ")", IllegalArgumentException.class, 0, x -> x.allocator.addSpan(r)));
        }
        return calls;
    }

    private static List<Call> policyFailures(Fixture f) {
        List<Call> calls = new ArrayList<>();
        long q = f.quantum;
        // Throwing, null-answering and meddling policies: whatever they throw propagates, counted once.
        Request small = Request.of(q).tagged("x");
        AllocationPolicy throwing = policy("throwing", (r, free) -> {
            throw new IllegalStateException("policy failure");
        });
        AllocationPolicy answersNull = policy("answers-null", (r, free) -> null);
        calls.add(new Call("allocate with a throwing policy", RuntimeException.class, 1,
                x -> x.allocator.allocate(small, throwing)));
        calls.add(new Call("tryAllocate with a throwing policy", RuntimeException.class, 1,
                x -> x.allocator.tryAllocate(small, throwing)));
        calls.add(new Call("allocate with a policy answering null", RuntimeException.class, 1,
                x -> x.allocator.allocate(small, answersNull)));
        calls.add(new Call("tryAllocate with a policy answering null", RuntimeException.class, 1,
                x -> x.allocator.tryAllocate(small, answersNull)));
        AllocationPolicy meddling = policy("meddling", (r, free) -> {
            tryRemove(free.ascending(0));
            tryRemove(free.descending(MAX));
            return Optional.empty();
        });
        calls.add(new Call("tryAllocate with a policy that tries to remove free ranges through the view", null, 1,
                x -> assertEquals(Optional.empty(), x.allocator.tryAllocate(small, meddling))));

        // Answers the engine must refuse with PolicyViolationException.
        List<Answer> answers = new ArrayList<>();
        for (Range live : f.liveList()) {
            answers.add(new Answer("an allocated range", Request.of(live.size()), live));
            long half = live.start() + live.size() / 2;
            if (Long.compareUnsigned(half, -live.size()) <= 0) { // fits below 2^64
                answers.add(new Answer("a partly allocated range", Request.of(live.size()), Range.ofSize(half, live.size())));
            }
        }
        answers.add(new Answer("a range outside the spans", Request.of(f.outside.size()), f.outside));
        if (f.straddle != null) {
            answers.add(new Answer("a free range across two adjacent spans", Request.of(f.straddle.size()), f.straddle));
        }
        if (f.freeRange != null) {
            long s = f.freeRange.start(); // on a multiple of 0x100 quanta, with 0x10 free quanta above it
            answers.add(new Answer("a free range of the wrong size", Request.of(q), Range.ofSize(s, 2 * q)));
            answers.add(new Answer("a free range that is misaligned", Request.of(q).aligned(0x100 * q),
                    Range.ofSize(s + q, q)));
            answers.add(new Answer("a free range below the window", Request.of(q).within(s + 4 * q, MAX),
                    Range.ofSize(s, q)));
            answers.add(new Answer("a free range that crosses the noCross boundary",
                    Request.of(2 * q).noCross(2 * q), Range.ofSize(s + q, 2 * q)));
            answers.add(new Answer("a free range with the wrong phase", Request.of(q).aligned(4 * q).phase(q),
                    Range.ofSize(s, q)));
            if (q > 1) {
                answers.add(new Answer("a free range of the unrounded size", Request.of(1), Range.ofSize(s, 1)));
            }
        }
        for (Answer a : answers) {
            AllocationPolicy liar = policy("answers " + a.what, (r, free) -> Optional.of(a.range));
            calls.add(new Call("allocate(" + a.request + ") with a policy answering " + a.what + " " + a.range,
                    PolicyViolationException.class, 1, x -> x.allocator.allocate(a.request, liar)));
            calls.add(new Call("tryAllocate(" + a.request + ") with a policy answering " + a.what + " " + a.range,
                    PolicyViolationException.class, 1, x -> x.allocator.tryAllocate(a.request, liar)));
        }
        return calls;
    }

    /** The default policy misbehaves only when armed, after the fixture is built with it. */
    private static List<Call> defaultPolicyFailures(Fixture f) {
        List<Call> calls = new ArrayList<>();
        long q = f.quantum;
        List<Answer> bad = new ArrayList<>();
        for (Range live : f.liveList()) {
            bad.add(new Answer("an allocated range", Request.of(live.size()), live));
        }
        bad.add(new Answer("a range outside the spans", Request.of(f.outside.size()), f.outside));
        if (f.straddle != null) {
            bad.add(new Answer("a free range across two adjacent spans", Request.of(f.straddle.size()), f.straddle));
        }
        for (Answer a : bad) {
            calls.add(new Call("allocate(" + a.request + ") with the default policy answering " + a.what,
                    PolicyViolationException.class, 1, x -> {
                        x.defaultPolicy.arm((r, free) -> Optional.of(a.range));
                        x.allocator.allocate(a.request);
                    }));
        }
        for (Range old : f.liveList()) {
            Range other = old.equals(f.live) ? f.live2 : f.live;
            calls.add(new Call("reallocate(" + old + ") with a throwing default policy", RuntimeException.class, 1, x -> {
                x.defaultPolicy.arm((r, free) -> {
                    throw new IllegalStateException("policy failure");
                });
                x.allocator.reallocate(old, Request.of(q).tagged("new"));
            }));
            calls.add(new Call("reallocate(" + old + ") with a default policy answering null", RuntimeException.class, 1,
                    x -> {
                        x.defaultPolicy.arm((r, free) -> null);
                        x.allocator.reallocate(old, Request.of(q));
                    }));
            calls.add(new Call("reallocate(" + old + ") with a default policy finding nothing", ExhaustedException.class,
                    1, x -> {
                        x.defaultPolicy.arm((r, free) -> Optional.empty());
                        x.allocator.reallocate(old, Request.of(q));
                    }));
            // The old range is free while the policy runs; answering it for a bigger request must still be refused.
            calls.add(new Call("reallocate(" + old + ") with a default policy answering the old range of the wrong size",
                    PolicyViolationException.class, 1, x -> {
                        x.defaultPolicy.arm((r, free) -> Optional.of(old));
                        x.allocator.reallocate(old, Request.of(old.size() + q));
                    }));
            if (other != null) {
                calls.add(new Call("reallocate(" + old + ") with a default policy answering " + other,
                        PolicyViolationException.class, 1, x -> {
                            x.defaultPolicy.arm((r, free) -> Optional.of(other));
                            x.allocator.reallocate(old, Request.of(other.size()).tagged("new"));
                        }));
            }
            for (Answer a : bad) {
                if (!a.range.equals(old)) {
                    calls.add(new Call("reallocate(" + old + ", " + a.request + ") with the default policy answering "
                            + a.what + " " + a.range, PolicyViolationException.class, 1, x -> {
                                x.defaultPolicy.arm((r, free) -> Optional.of(a.range));
                                x.allocator.reallocate(old, a.request);
                            }));
                }
            }
        }
        return calls;
    }

    private static List<Call> nullArguments(Fixture f) {
        List<Call> calls = new ArrayList<>();
        Request r = Request.of(f.quantum);
        AllocationPolicy p = Allocators.policy(f.policyName);
        Range some = f.live != null ? f.live : f.outside;
        Class<NullPointerException> npe = NullPointerException.class;
        calls.add(new Call("allocate(null)", npe, 0, x -> x.allocator.allocate(null)));
        calls.add(new Call("allocate(null, policy)", npe, 0, x -> x.allocator.allocate(null, p)));
        calls.add(new Call("allocate(request, null)", npe, 0, x -> x.allocator.allocate(r, null)));
        calls.add(new Call("tryAllocate(null)", npe, 0, x -> x.allocator.tryAllocate(null)));
        calls.add(new Call("tryAllocate(null, policy)", npe, 0, x -> x.allocator.tryAllocate(null, p)));
        calls.add(new Call("tryAllocate(request, null)", npe, 0, x -> x.allocator.tryAllocate(r, null)));
        calls.add(new Call("reserve(null)", npe, 0, x -> x.allocator.reserve(null)));
        calls.add(new Call("reserve(null, tag)", npe, 0, x -> x.allocator.reserve(null, "tag")));
        calls.add(new Call("free(null)", npe, 0, x -> x.allocator.free(null)));
        calls.add(new Call("reallocate(null, request)", npe, 0, x -> x.allocator.reallocate(null, r)));
        calls.add(new Call("reallocate(" + some + ", null)", npe, 0, x -> x.allocator.reallocate(some, null)));
        calls.add(new Call("isFree(null)", npe, 0, x -> x.allocator.isFree(null)));
        calls.add(new Call("addSpan(null)", npe, 0, x -> x.allocator.addSpan(null)));
        calls.add(new Call("forEachAllocated(null)", npe, 0, x -> x.allocator.forEachAllocated(null)));
        calls.add(new Call("forEachFree(null)", npe, 0, x -> x.allocator.forEachFree(null)));
        calls.add(new Call("writeSnapshot(null)", npe, 0, x -> x.allocator.writeSnapshot(null)));
        return calls;
    }

    /** writeSnapshot into streams that fail: at once, part way through the header, in the allocations, in the CRC, on flush. */
    private static List<Call> snapshotFailures(Fixture f) {
        int length = snapshotOf(f.allocator).length;
        List<Call> calls = new ArrayList<>();
        Class<UncheckedIOException> uio = UncheckedIOException.class;
        for (long limit : new long[] {0, 10, 47, length / 2, length - 4, length - 2}) {
            calls.add(new Call("writeSnapshot into a stream that fails after " + limit + " of " + length + " bytes", uio,
                    0, x -> x.allocator.writeSnapshot(new FailingStream(limit, false))));
        }
        calls.add(new Call("writeSnapshot into a stream whose flush fails", uio, 0,
                x -> x.allocator.writeSnapshot(new FailingStream(Long.MAX_VALUE, true))));
        return calls;
    }

    /** Accepts {@code limit} bytes, then throws on every write; optionally throws on flush too. */
    private static final class FailingStream extends OutputStream {
        private final long limit;
        private final boolean failFlush;
        private long written;

        FailingStream(long limit, boolean failFlush) {
            this.limit = limit;
            this.failFlush = failFlush;
        }

        @Override
        public void write(int b) throws IOException {
            if (written >= limit) {
                throw new IOException("device full after " + written + " bytes");
            }
            written++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (int i = 0; i < len; i++) {
                write(b[off + i]);
            }
        }

        @Override
        public void flush() throws IOException {
            if (failFlush) {
                throw new IOException("flush failed");
            }
        }
    }

    /** A policy's answer and the request it is given for. */
    private record Answer(String what, Request request, Range range) {
    }

    /** A method as {@code name(ParameterType, ...)}, with simple type names. */
    static String signature(Method m) {
        StringBuilder sb = new StringBuilder(m.getName()).append('(');
        Class<?>[] types = m.getParameterTypes();
        for (int i = 0; i < types.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(types[i].getSimpleName());
        }
        return sb.append(')').toString();
    }

    /** The larger of two values, unsigned. */
    private static long umax(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0 ? a : b;
    }

    private static String hex(Long value) {
        return value == null ? "unknown" : "0x" + Long.toHexString(value);
    }

    private static void tryRemove(Iterator<Range> it) {
        try {
            if (it.hasNext()) {
                it.next();
                it.remove();
            }
        } catch (UnsupportedOperationException | IllegalStateException expected) {
            // a read-only view refuses; what matters is that nothing changed
        }
    }

    // ------------------------------------------------------------------ running and comparing

    private static void run(String engine, String policy, Function<Fixture, List<Call>> calls) {
        List<Executable> checks = new ArrayList<>();
        for (State state : State.values()) {
            Fixture sample = state.build(engine, policy);
            if (sample == null) {
                continue; // this engine cannot manage the state's spans
            }
            for (Call call : calls.apply(sample)) {
                checks.add(() -> check(state, state.build(engine, policy), call));
            }
        }
        assertFalse(checks.isEmpty(), "no failing calls to make");
        assertAll(checks);
    }

    private static void check(State state, Fixture f, Call call) {
        String where = f.allocator.engine() + " x " + f.policyName + ", state " + state + ": " + call.name();
        f.before = Picture.of(f.allocator);
        Throwable thrown = null;
        f.recording = true;
        try {
            call.action().accept(f);
        } catch (Throwable t) {
            thrown = t;
        } finally {
            f.recording = false;
        }
        Picture after = Picture.of(f.allocator);
        if (call.expected() == null) {
            if (thrown != null) {
                throw new AssertionError(where + ": expected to return normally, threw " + thrown, thrown);
            }
        } else if (thrown == null) {
            fail(where + ": expected " + call.expected().getSimpleName() + ", returned normally");
        } else if (!call.expected().isInstance(thrown)) {
            throw new AssertionError(where + ": expected " + call.expected().getSimpleName() + ", threw " + thrown, thrown);
        }
        Picture before = f.before;
        assertEquals(before.allocations(), after.allocations(), where + ": allocations changed");
        assertEquals(before.free(), after.free(), where + ": free ranges changed");
        assertEquals(before.spans(), after.spans(), where + ": spans changed");
        assertEquals(hex(before.rotor()), hex(after.rotor()), where + ": rotor moved");
        AllocatorStats b = before.stats();
        AllocatorStats a = after.stats();
        AllocatorStats aButFailed = new AllocatorStats(a.capacity(), a.allocated(), a.free(), a.liveAllocations(),
                a.freeSegments(), a.largestFree(), a.totalAllocations(), a.totalFrees(), b.failedAllocations(),
                a.imported());
        assertEquals(b, aButFailed, where + ": stats changed");
        assertEquals(call.counted() + 1, a.failedAllocations() - b.failedAllocations(),
                where + ": failedAllocations must grow by " + call.counted() + " (plus 1 for the rotor probe), "
                        + "before " + b.failedAllocations() + ", after " + a.failedAllocations());
        compareImages(where, before, after, call.counted() + 1);
    }

    /**
     * The images are identical but for failedAllocations, which grew by {@code growth}, and the CRC
     * that covers it; each image's counter agrees with its stats and its CRC is right.
     */
    private static void compareImages(String where, Picture before, Picture after, long growth) {
        byte[] b = before.image();
        byte[] a = after.image();
        assertEquals(before.stats().failedAllocations(), failedAllocations(b),
                where + ": the image's failedAllocations differs from stats() before the call");
        assertEquals(after.stats().failedAllocations(), failedAllocations(a),
                where + ": the image's failedAllocations differs from stats() after the call");
        assertEquals(growth, failedAllocations(a) - failedAllocations(b),
                where + ": the image's failedAllocations must grow by " + growth);
        assertEquals(crc(b), trailer(b), where + ": the CRC32C of the image before the call is wrong");
        assertEquals(crc(a), trailer(a), where + ": the CRC32C of the image after the call is wrong");
        assertEquals(b.length, a.length, where + ": the snapshot changed length");
        byte[] bMasked = masked(b);
        byte[] aMasked = masked(a);
        int at = Arrays.mismatch(bMasked, aMasked);
        if (at >= 0) {
            fail(where + ": snapshot byte " + at + " changed (0x" + Integer.toHexString(b[at] & 0xff) + " -> 0x"
                    + Integer.toHexString(a[at] & 0xff) + "), outside failedAllocations and the CRC");
        }
    }

    private static byte[] snapshotOf(ResourceAllocator a) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        a.writeSnapshot(out);
        return out.toByteArray();
    }

    private static long failedAllocations(byte[] image) {
        return ByteBuffer.wrap(image).getLong(FAILED_ALLOCATIONS_AT);
    }

    private static int trailer(byte[] image) {
        return ByteBuffer.wrap(image).getInt(image.length - TRAILER);
    }

    private static int crc(byte[] image) {
        CRC32C crc = new CRC32C();
        crc.update(image, 0, image.length - TRAILER);
        return (int) crc.getValue();
    }

    /** The image with failedAllocations and the CRC zeroed. */
    private static byte[] masked(byte[] image) {
        byte[] copy = image.clone();
        Arrays.fill(copy, FAILED_ALLOCATIONS_AT, FAILED_ALLOCATIONS_AT + 8, (byte) 0);
        Arrays.fill(copy, copy.length - TRAILER, copy.length, (byte) 0);
        return copy;
    }

    /** Everything observable about an allocator. */
    record Picture(List<Allocation> allocations, List<Range> free, List<Range> spans, AllocatorStats stats, Long rotor,
                   byte[] image) {

        /** Reads stats and the snapshot first, then the rotor through a probe, which counts as one failed tryAllocate. */
        static Picture of(ResourceAllocator a) {
            List<Allocation> allocations = new ArrayList<>();
            a.forEachAllocated(allocations::add);
            List<Range> free = new ArrayList<>();
            a.forEachFree(free::add);
            AllocatorStats stats = a.stats();
            byte[] image = snapshotOf(a);
            Long[] rotor = new Long[1];
            Optional<Range> none = a.tryAllocate(Request.of(1), policy("rotor-probe", (r, view) -> {
                rotor[0] = view.rotor();
                return Optional.empty();
            }));
            assertEquals(Optional.empty(), none, "the rotor probe found nothing, so tryAllocate must be empty");
            return new Picture(allocations, free, a.spans(), stats, rotor[0], image); // rotor null if the policy was not asked
        }
    }

    // ------------------------------------------------------------------ policies for the tests

    @FunctionalInterface
    interface Placer {
        Optional<Range> place(Request request, FreeSpace free);
    }

    private static AllocationPolicy policy(String name, Placer placer) {
        return new AllocationPolicy() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Optional<Range> place(Request request, FreeSpace free) {
                return placer.place(request, free);
            }
        };
    }

    /** An installed policy that can be made to misbehave after the allocator is set up with it. */
    static final class Switchable implements AllocationPolicy {
        private final AllocationPolicy delegate;
        private Placer armed;

        Switchable(AllocationPolicy delegate) {
            this.delegate = delegate;
        }

        void arm(Placer placer) {
            this.armed = placer;
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public Optional<Range> place(Request request, FreeSpace free) {
            return armed != null ? armed.place(request, free) : delegate.place(request, free);
        }

        @Override
        public boolean advancesRotor() {
            return delegate.advancesRotor();
        }
    }

    // ------------------------------------------------------------------ states

    /** An allocator in a known state and the ranges and values that make calls on it fail. */
    static final class Fixture {
        final String policyName;
        final long quantum;
        final Switchable defaultPolicy;
        final ResourceAllocator allocator;
        Range live;
        Range live2;
        Range freeRange;
        Range outside;
        Range straddle;
        long largestFree;
        boolean bigAlignmentFits;
        final List<Range> notAllocations = new ArrayList<>();
        final List<Long> unallocatedValues = new ArrayList<>();
        final List<Range> reserveOverlapping = new ArrayList<>();
        final List<Range> reserveOutside = new ArrayList<>();
        final List<Range> offQuantum = new ArrayList<>();
        final List<Range> overlappingSpans = new ArrayList<>();
        final List<Range> invalidSpans = new ArrayList<>();
        Picture before;
        /** While true, the proxy records each method that throws, as {@link #signature}, in {@link #threw}. */
        boolean recording;
        final Set<String> threw = new TreeSet<>();

        Fixture(String engine, String policyName, long quantum, Range... spans) {
            this.policyName = policyName;
            this.quantum = quantum;
            this.defaultPolicy = new Switchable(Allocators.policy(policyName));
            Allocators.Builder builder = Allocators.builder().engine(engine).policy(defaultPolicy).quantum(quantum);
            for (Range span : spans) {
                builder.span(span);
            }
            this.allocator = recordingProxy(builder.build());
        }

        /** {@code target} behind a proxy that notes which of its methods throw while {@link #recording}. */
        private ResourceAllocator recordingProxy(ResourceAllocator target) {
            InvocationHandler handler = (proxy, method, args) -> {
                try {
                    return method.invoke(target, args);
                } catch (InvocationTargetException e) {
                    if (recording && method.getDeclaringClass() == ResourceAllocator.class) {
                        threw.add(signature(method));
                    }
                    throw e.getCause();
                }
            };
            return (ResourceAllocator) Proxy.newProxyInstance(ResourceAllocator.class.getClassLoader(),
                    new Class<?>[] {ResourceAllocator.class}, handler);
        }

        List<Range> liveList() {
            List<Range> out = new ArrayList<>();
            if (live != null) {
                out.add(live);
            }
            if (live2 != null) {
                out.add(live2);
            }
            return out;
        }

        /** Takes the "before" picture again, for a call whose first step legitimately changes the state. */
        void rebase() {
            before = Picture.of(allocator);
        }

        /** Checks the fixture's own claims and records the largest free range; call once the state is set up. */
        Fixture done() {
            largestFree = allocator.stats().largestFree();
            require(allocator.spans().stream().noneMatch(span -> span.overlaps(outside)), "outside overlaps a span");
            require(freeRange == null || allocator.isFree(freeRange), "freeRange is not free");
            require(straddle == null || allocator.isFree(Range.of(straddle.start(), straddle.start() + straddle.size() / 2 - 1))
                    && allocator.isFree(Range.of(straddle.start() + straddle.size() / 2, straddle.end()))
                    && !allocator.isFree(straddle), "straddle is not free on both sides of a span boundary");
            for (Range r : liveList()) {
                require(allocator.allocationContaining(r.start()).map(a -> a.range().equals(r)).orElse(false),
                        r + " is not an allocation");
            }
            for (Range r : notAllocations) {
                require(liveList().stream().noneMatch(r::equals), r + " is an allocation");
            }
            for (long v : unallocatedValues) {
                require(allocator.allocationContaining(v).isEmpty(), Long.toHexString(v) + " is allocated");
            }
            return this;
        }

        private static void require(boolean claim, String what) {
            if (!claim) {
                throw new IllegalStateException("broken fixture: " + what);
            }
        }

        AllocationPolicy nextFit() {
            return Allocators.policies().contains("next-fit") ? Allocators.policy("next-fit") : defaultPolicy;
        }
    }

    enum State {
        /** Three spans, two of them adjacent; reserved, allocated, next-fit-allocated and freed ranges; q = 1. */
        FRAGMENTED {
            @Override
            Fixture setUp(String engine, String policy) {
                Fixture f = new Fixture(engine, policy, 1,
                        Range.of(0x1000, 0x1fff), Range.of(0x2000, 0x2fff), Range.of(0x8000, 0x80ff));
                ResourceAllocator a = f.allocator;
                f.live = a.reserve(Range.of(0x1000, 0x10ff), "boot");
                f.live2 = a.reserve(Range.of(0x1200, 0x12ff), "dev");
                for (int i = 0; i < 3; i++) {
                    a.allocate(Request.of(0x40).within(0x1400, 0x17ff).tagged("a" + i));
                }
                for (int i = 0; i < 2; i++) {
                    a.allocate(Request.of(0x10).aligned(0x10).within(0x2400, 0x27ff).tagged("n" + i), f.nextFit());
                }
                Range freed = a.allocate(Request.of(0x20).within(0x2800, 0x28ff));
                a.free(freed);
                a.reserve(Range.of(0x8000, 0x80ff), "s3");
                f.freeRange = Range.of(0x1f00, 0x1f0f);
                f.outside = Range.of(0x5000, 0x50ff);
                f.straddle = Range.of(0x1ff0, 0x200f);
                Range intoHole = Range.of(0x2ff0, 0x300f);
                f.notAllocations.addAll(List.of(f.freeRange, freed, f.outside, f.straddle, intoHole,
                        Range.of(0x1000, 0x10fe), Range.of(0x1001, 0x10ff), Range.of(0x1000, 0x1100),
                        Range.of(0x1000, 0x12ff), Range.of(0x8000, 0x807f), Range.of(0x7fff, 0x80ff)));
                f.unallocatedValues.addAll(List.of(0x1f80L, 0x1100L, 0x5000L, 0L, MAX, 0x2fffL, freed.start()));
                f.reserveOverlapping.addAll(List.of(f.live, Range.of(0x10f0, 0x110f), Range.of(0x1100, 0x1200),
                        Range.of(0x1000, 0x1fff), Range.of(0x8000, 0x8000)));
                f.reserveOutside.addAll(List.of(f.outside, f.straddle, intoHole, Range.of(0, 0xfff),
                        Range.of(0x9000, 0x9fff)));
                f.overlappingSpans.addAll(List.of(Range.of(0x1000, 0x1fff), Range.of(0xf00, 0x10ff),
                        Range.of(0x2f00, 0x30ff), Range.of(0x7000, 0x8fff), Range.of(0x80ff, 0x80ff)));
                return f.done();
            }
        },
        /** Two adjacent spans with quantum 0x10, rounded and next-fit allocations, a freed range. */
        QUANTUM {
            @Override
            Fixture setUp(String engine, String policy) {
                Fixture f = new Fixture(engine, policy, 0x10, Range.of(0x10000, 0x1ffff), Range.of(0x20000, 0x2ffff));
                ResourceAllocator a = f.allocator;
                f.live = a.reserve(Range.of(0x10000, 0x100ff), "boot");
                f.live2 = a.reserve(Range.of(0x10400, 0x104ff), "dev");
                for (int i = 0; i < 3; i++) {
                    a.allocate(Request.of(0x15).within(0x11000, 0x11fff).tagged("a" + i));
                }
                for (int i = 0; i < 2; i++) {
                    a.allocate(Request.of(0x8).within(0x20400, 0x207ff).tagged("n" + i), f.nextFit());
                }
                Range freed = a.allocate(Request.of(0x20).within(0x20800, 0x208ff));
                a.free(freed);
                f.freeRange = Range.of(0x1f000, 0x1f00f);
                f.outside = Range.of(0x40000, 0x400ff);
                f.straddle = Range.of(0x1fff0, 0x2000f);
                Range intoHole = Range.of(0x2fff0, 0x3000f);
                f.notAllocations.addAll(List.of(f.freeRange, freed, f.outside, f.straddle, intoHole,
                        Range.of(0x10000, 0x100ef), Range.of(0x10010, 0x100ff), Range.of(0x10000, 0x1010f),
                        Range.of(0x10000, 0x104ff), Range.of(0x10001, 0x100ff), Range.of(0x10000, 0x100fe)));
                f.unallocatedValues.addAll(List.of(0x1f080L, 0x10100L, 0x40000L, 0L, MAX, freed.start()));
                f.reserveOverlapping.addAll(List.of(f.live, Range.of(0x100f0, 0x1010f), Range.of(0x10100, 0x1040f),
                        Range.of(0x10000, 0x1ffff)));
                f.reserveOutside.addAll(List.of(f.outside, f.straddle, intoHole, Range.of(0xff00, 0xffff)));
                f.offQuantum.addAll(List.of(Range.of(0x1f001, 0x1f00f), Range.of(0x1f000, 0x1f00e),
                        Range.of(0x1f008, 0x1f017), Range.of(0x1f000, 0x1f000)));
                f.overlappingSpans.addAll(List.of(Range.of(0x10000, 0x1ffff), Range.of(0xff00, 0x100ff),
                        Range.of(0x2ff00, 0x300ff), Range.of(0x0, 0xfffff)));
                f.invalidSpans.addAll(List.of(Range.of(0x40001, 0x400ff), Range.of(0x40000, 0x400fe)));
                return f.done();
            }
        },
        /** Two adjacent spans, every value allocated. */
        FULL {
            @Override
            Fixture setUp(String engine, String policy) {
                Fixture f = new Fixture(engine, policy, 1, Range.of(0x100, 0x1ff), Range.of(0x200, 0x2ff));
                ResourceAllocator a = f.allocator;
                Range freed = a.allocate(Request.of(0x10));
                a.free(freed);
                f.live = a.reserve(Range.of(0x100, 0x17f), "a");
                f.live2 = a.allocate(Request.of(0x80).within(0x180, 0x1ff).tagged("b"));
                a.reserve(Range.of(0x200, 0x2ff), "c");
                f.outside = Range.of(0x400, 0x4ff);
                f.notAllocations.addAll(List.of(f.outside, Range.of(0x100, 0x17e), Range.of(0x100, 0x1ff),
                        Range.of(0x1f0, 0x20f), Range.of(0x0, 0xff), Range.of(0xff, 0x17f)));
                if (!freed.equals(f.live) && !freed.equals(f.live2)) {
                    f.notAllocations.add(freed);
                }
                f.unallocatedValues.addAll(List.of(0x400L, 0L, 0xffL, 0x300L, MAX));
                f.reserveOverlapping.addAll(List.of(f.live, f.live2, Range.of(0x150, 0x1af), Range.of(0x200, 0x200)));
                f.reserveOutside.addAll(List.of(f.outside, Range.of(0x0, 0xff), Range.of(0x300, 0x3ff)));
                f.overlappingSpans.addAll(List.of(Range.of(0x100, 0x1ff), Range.of(0x0, 0x100), Range.of(0x2ff, 0x3ff)));
                return f.done();
            }
        },
        /** One span ending at 2^64 - 1; a next-fit allocation ending there has wrapped the rotor to 0. */
        TOP {
            @Override
            Fixture setUp(String engine, String policy) {
                long base = 0xffff_ffff_fff0_0000L;
                Fixture f = new Fixture(engine, policy, 1, Range.of(base, MAX));
                ResourceAllocator a = f.allocator;
                f.live = a.allocate(Request.of(0x100).within(MAX - 0xff, MAX).tagged("top"), f.nextFit());
                f.live2 = a.reserve(Range.of(base + 0x1000, base + 0x10ff), "low");
                for (int i = 0; i < 3; i++) {
                    a.allocate(Request.of(0x80).within(base + 0x2000, base + 0x2fff).tagged("a" + i));
                }
                Range freed = a.allocate(Request.of(0x20).within(base + 0x3000, base + 0x30ff));
                a.free(freed);
                f.freeRange = Range.of(base + 0x8000, base + 0x800f);
                f.outside = Range.of(0, 0xff);
                Range intoHole = Range.of(base - 0x10, base + 0xf);
                f.notAllocations.addAll(List.of(f.freeRange, freed, f.outside, intoHole, Range.of(MAX - 0xff, MAX - 1),
                        Range.of(MAX - 0xfe, MAX), Range.of(MAX - 0x1ff, MAX), Range.of(base + 0x1000, MAX)));
                f.unallocatedValues.addAll(List.of(base + 0x8080, base, 0L, base - 1, MAX - 0x100));
                f.reserveOverlapping.addAll(List.of(f.live, Range.of(MAX - 0x1ff, MAX - 0xff), Range.of(MAX, MAX),
                        Range.of(base, MAX)));
                f.reserveOutside.addAll(List.of(f.outside, intoHole, Range.of(0, base - 1)));
                f.overlappingSpans.addAll(List.of(Range.of(base, MAX), Range.of(MAX, MAX), Range.of(base - 0x1000, base),
                        Range.of(1, MAX)));
                f.invalidSpans.add(Range.of(0, base - 1)); // with it the spans would hold all 2^64 values
                return f.done();
            }
        },
        /** No spans at all. */
        EMPTY {
            @Override
            Fixture setUp(String engine, String policy) {
                Fixture f = new Fixture(engine, policy, 1);
                f.outside = Range.of(0x1000, 0x1fff);
                f.notAllocations.addAll(List.of(f.outside, Range.of(0, 0), Range.of(MAX, MAX)));
                f.unallocatedValues.addAll(List.of(0x1000L, 0L, MAX));
                f.reserveOutside.addAll(List.of(f.outside, Range.of(0, 0)));
                return f.done();
            }
        },
        /**
         * Spans of all but one quantum: [0, 2^63 - 1] and [2^63, 2^64 - q - 1], q = 0x1000 — or, for
         * an engine that cannot hold 2^52 quanta, the coarser quantum {@link Matrix#widestQuantum}
         * gives it (every value below is stated in quanta, so with q = 0x1000 they are the original
         * ones).
         */
        HUGE {
            @Override
            Fixture setUp(String engine, String policy) {
                long q = Matrix.holdsTheWidestSpans(engine) ? 0x1000 : Math.max(0x1000, Matrix.widestQuantum(engine));
                Fixture f = new Fixture(engine, policy, q, Range.of(0, Long.MAX_VALUE),
                        Range.of(Long.MIN_VALUE, -q - 1));
                ResourceAllocator a = f.allocator;
                f.live = a.reserve(Range.of(Long.MAX_VALUE - (q - 1), Long.MAX_VALUE), "below-half");
                f.live2 = a.reserve(Range.of(Long.MIN_VALUE, Long.MIN_VALUE + (q - 1)), "above-half");
                f.outside = Range.of(-q, MAX);
                f.freeRange = Range.of(256 * q, 272 * q - 1); // [0x100000, 0x10ffff]
                f.bigAlignmentFits = true; // 0, 2^62 and 2^63 + 2^62 are free
                f.notAllocations.addAll(List.of(f.outside, f.freeRange, Range.of(0, Long.MAX_VALUE),
                        Range.of(Long.MAX_VALUE - (q - 1), Long.MIN_VALUE + (q - 1))));
                f.unallocatedValues.addAll(List.of(0L, MAX, Long.MAX_VALUE - q));
                f.reserveOverlapping.addAll(List.of(f.live, Range.of(Long.MAX_VALUE - (2 * q - 1), Long.MAX_VALUE)));
                f.reserveOutside.add(f.outside);
                f.offQuantum.add(Range.of(256 * q + 1, 272 * q - 1));
                f.overlappingSpans.addAll(List.of(Range.of(-2 * q, MAX), Range.of(0, q - 1)));
                f.invalidSpans.addAll(List.of(f.outside, Range.of(-q, -2L))); // all 2^64 values; off the quantum
                return f.done();
            }
        };

        abstract Fixture setUp(String engine, String policy);

        /** The state on a fresh allocator (every engine can hold every state's spans). */
        Fixture build(String engine, String policy) {
            return setUp(engine, policy);
        }
    }
}
