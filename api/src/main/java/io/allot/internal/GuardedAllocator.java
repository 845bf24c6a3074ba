package io.allot.internal;

import io.allot.Allocation;
import io.allot.AllocatorStats;
import io.allot.ExhaustedException;
import io.allot.NotAllocatedException;
import io.allot.OverlapException;
import io.allot.PolicyViolationException;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.spi.AllocationPolicy;
import io.allot.spi.AllocatorSpec;
import io.allot.spi.FreeSpace;
import io.allot.spi.Restorable;

import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The one implementation of the {@link ResourceAllocator} contract, around any engine's
 * {@link EngineCore}.
 *
 * <p>Every engine gets the same behaviour from here: null and argument checks, quantum rounding,
 * asking the policy and checking its answer before anything changes, the next-fit rotor, the
 * statistics counters, and exception messages that name the values. The core below only stores
 * and finds segments, so an engine cannot get the contract subtly different from the others.
 *
 * <p><b>Failure atomicity</b> follows from the order of work: every check that can fail runs
 * before the first change, and the only multi-step change ({@code reallocate}) undoes its first
 * step when the second fails. Failed {@code allocate}, {@code tryAllocate}, {@code reserve} and
 * {@code reallocate} calls are counted in a {@code finally} so that no exit path is missed.
 *
 * <p><b>Arena hierarchies.</b> With a source ({@link SpanSource}), a request that nothing in the
 * arena can hold imports a span from the parent, adds it and places the request there; a span
 * that comes back wholly free after a {@code free}, {@code freeContaining} or {@code reallocate}
 * goes straight back to the parent. Imports are the last resort of {@link #place}, and their
 * spans are removed again before a failing call returns, so failure atomicity holds for the
 * child; the parent counts a refused import as a failed allocation. {@code reserve} never
 * imports. See {@link SpanSource} for what is imported.
 *
 * <p><b>Quantum caches</b> sit outside ({@link CachingAllocator}); this class only offers them
 * uncounted placements and releases, calls {@link QuantumCache#reclaim} before it gives up on a
 * request, and takes their counts when they are folded in.
 *
 * <p><b>One quantum.</b> When the core has {@link SingleUnits} (bitmap, interval), a request for
 * one untagged quantum with a standard policy whose choice is known ({@link KnownSearch}) is
 * claimed straight from the core: the same answer the policy would give, without asking it
 * through {@link Optional}s and looking the answer up again to allocate it. As a {@link UnitPath}
 * this class also allocates and frees single quanta for {@link io.allot.IdAllocator} with no
 * {@link Range} per call; for {@code IdAllocator.of} over a core that has its own such path
 * ({@link CoreUnitPath}, the bitmap's), {@link #unitPath} hands that out instead, whose counts
 * are settled into this class's counters before any is read.
 *
 * <p><b>Known policies.</b> A request for first-match, last-match or next-fit (recognised as
 * {@link KnownSearch} recognises them) is placed by the core search that policy would ask for,
 * allocated where the search ended ({@link EngineCore#allocateFirstFit}): the policy's own answer,
 * without calling it through the {@link FreeSpace} view, wrapping the answer in an
 * {@link Optional} and looking its segment up again to allocate it. Every other policy is asked.
 *
 * <p>Not thread-safe; {@link #create} wraps it in a {@link ConcurrentAllocator} (a core with
 * {@linkplain SingleUnits#lockFree() lock-free} {@link SingleUnits} and no source) or a
 * {@link LockedAllocator} when the spec asks. Snapshots are streamed straight from the core by
 * {@link SnapshotWriter}.
 */
public final class GuardedAllocator implements ResourceAllocator, Restorable, Importing, UnitPath {

    /** Slots of the memo of normalised requests: sizes up to 256 quanta each have their own. */
    private static final int NORMALISED_SLOTS = 256;

    private final String engine;
    private final EngineCore core;
    private final AllocationPolicy defaultPolicy;
    private final long quantum;
    /**
     * The last normalised copy of each of a few requests, direct-mapped on the size in quanta;
     * null until a request needs a copy. Callers pass the same few {@code Request} constants again
     * and again, and a fresh copy per call would be the only garbage of an allocation besides the
     * returned {@code Range}. Each slot is one reference to an immutable pair, so a reader always
     * sees a request with its own copy.
     */
    private Normalised[] normalised;
    private final Spans spans;
    private final boolean threadSafe;
    private final FreeSpace view = new View();
    /** Where spans are imported from, or null for an arena without a source. */
    private final SpanSource source;
    /** The largest size quantum caches serve (0 for none), recorded in snapshots. */
    private final long quantumCacheMax;
    /** The quantum caches to empty before a request fails, or null. */
    private QuantumCache caches;
    /**
     * While {@code reallocate} has the old range freed, the span holding it must stay even if it
     * looks wholly free (emptying the caches can make it so): this is a value in that span, and
     * {@link #pinning} says whether it applies.
     */
    private long pinned;
    private boolean pinning;
    /** The core's single-quantum capability, or null. */
    private final SingleUnits units;
    /**
     * How {@link #units} reproduces the default policy; {@link KnownSearch#NONE} if it cannot, or if
     * a source may have to be imported from (the general path does that).
     */
    private final KnownSearch unitSearch;
    private final Request oneQuantum;
    /**
     * {@link KnownSearch#of} the default policy, for {@link #placeHere}: unlike {@link #unitSearch}
     * it holds with a source too, because {@link #place} imports when {@link #placeHere} finds
     * nothing.
     */
    private final KnownSearch directSearch;
    /** The last policy other than the default that {@link #placeHere} classified, and its search. */
    private AllocationPolicy recentPolicy;
    private KnownSearch recentSearch = KnownSearch.NONE;

    private long rotor;
    private long allocated;
    private long totalAllocations;
    private long totalFrees;
    private long failedAllocations;
    /**
     * Live allocations less {@code totalAllocations - totalFrees}: 0 unless {@link #restoreState}
     * set the totals apart from the live count. The live count is derived ({@link #live()}) so that
     * an allocation or a free updates two counters, not three.
     */
    private long liveBias;
    /**
     * One-quantum allocations and frees of the {@link UnitPath} not yet folded into the counters
     * above ({@link #settleUnits}): one increment each where the counters take three, which is a
     * third of an id's allocate/free pair. Every reader of the counters settles first.
     */
    private long unitAllocations;
    private long unitFrees;
    /**
     * The core's own one-quantum path ({@link SingleUnits#lowestPath}), once {@link #unitPath} has
     * asked for it and the core has one; its counts are settled as {@link #unitAllocations} are.
     */
    private CoreUnitPath corePath;
    /** Whether {@link #unitPath} has asked the core for {@link #corePath} (it asks once). */
    private boolean corePathAsked;

    private GuardedAllocator(String engine, AllocatorSpec spec, EngineCore core) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.core = Objects.requireNonNull(core, "core");
        this.defaultPolicy = spec.defaultPolicy();
        this.quantum = spec.quantum();
        this.spans = new Spans(quantum);
        this.threadSafe = spec.threadSafe();
        this.source = spec.source() == null ? null : new SpanSource(spec.source(), spec.importSize(), quantum);
        this.quantumCacheMax = spec.quantumCacheMax();
        this.units = core instanceof SingleUnits single ? single : null;
        this.unitSearch = units == null || source != null ? KnownSearch.NONE : KnownSearch.ofUnits(defaultPolicy);
        this.oneQuantum = Request.of(quantum);
        this.directSearch = KnownSearch.of(defaultPolicy);
        for (Range span : spec.spans()) {
            addSpan(span);
        }
        this.rotor = spans.lowestStart();
    }

    /**
     * An allocator for {@code spec} over {@code core}, which must be empty: this class, importing
     * from the spec's source if it names one, inside a {@link LockedAllocator} if the spec asks
     * for thread safety (a {@link ConcurrentAllocator} if the core has lock-free {@link SingleUnits}
     * and there is no source), inside a {@link CachingAllocator} if it asks for quantum caches.
     *
     * @throws IllegalArgumentException as {@link QuantumCache#check} for a quantum cache the spec
     *                                  cannot have
     */
    public static ResourceAllocator create(String engine, AllocatorSpec spec, EngineCore core) {
        if (spec.quantumCacheMax() == 0) {
            GuardedAllocator guarded = new GuardedAllocator(engine, spec, core);
            if (!spec.threadSafe()) {
                return guarded;
            }
            // Lock-free frees cannot hand an emptied imported span back at once: sources get the lock.
            boolean lockFree = core instanceof SingleUnits single && single.lockFree() && spec.source() == null;
            return lockFree ? new ConcurrentAllocator(guarded) : new LockedAllocator(guarded);
        }
        QuantumCache.check(spec);
        Object lock = new Object();
        QuantumCache caches = new QuantumCache(spec, lock);
        CachedCore cached = new CachedCore(core, caches);
        GuardedAllocator guarded = new GuardedAllocator(engine, spec, cached);
        guarded.caches = caches;
        caches.attach(guarded, cached);
        ResourceAllocator arena = spec.threadSafe() ? new LockedAllocator(guarded, lock) : guarded;
        return new CachingAllocator(arena, guarded, caches, cached, lock);
    }

    @Override
    public Range allocate(Request request) {
        return allocate(request, defaultPolicy);
    }

    @Override
    public Range allocate(Request request, AllocationPolicy policy) {
        Range placed = tryPlace(request, policy);
        if (placed == null) {
            throw exhausted(request, policy);
        }
        return placed;
    }

    @Override
    public Optional<Range> tryAllocate(Request request) {
        return tryAllocate(request, defaultPolicy);
    }

    @Override
    public Optional<Range> tryAllocate(Request request, AllocationPolicy policy) {
        return Optional.ofNullable(tryPlace(request, policy));
    }

    /** Allocates with {@code policy}; null when nothing fits. Counts the call if it allocates nothing. */
    private Range tryPlace(Request request, AllocationPolicy policy) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(policy, "policy");
        boolean done = false;
        try {
            KnownSearch search = policy == defaultPolicy ? directSearch : searchOf(policy);
            Range placed = null;
            if (search == KnownSearch.INSTANT && inWholeQuanta(request)) {
                placed = core.allocateInstantFitSized(request);
                // None of the instant lists holds it: as in placeHere, best-fit's, and searched once
                // (a core's failed search may adapt its next one, as the bitmap engine's does).
                search = KnownSearch.SMALLEST;
            }
            if (placed == null) {
                Request normal = normalize(request);
                placed = normal == null ? null : place(normal, policy, search);
            }
            if (placed != null) {
                if (policy.advancesRotor()) {
                    rotor = placed.end() + 1; // wraps to 0 past 2^64-1, as the contract says
                }
                countAllocation(placed.size());
                done = true;
            }
            return placed;
        } finally {
            if (!done) {
                failedAllocations++;
            }
        }
    }

    /**
     * Places {@code request} as {@link #placeAndAllocate} does, and when nothing fits, first
     * empties the quantum caches and tries again, then imports a span from the source and places
     * the request there.
     *
     * @return the allocated range, or null when nothing fits even so; then nothing changed but
     *         that cached segments went back to the arena (which no observer can tell) and the
     *         parent counted a refused import
     * @throws PolicyViolationException as {@link #placeAndAllocate}, with nothing changed
     */
    private Range place(Request request, AllocationPolicy policy, KnownSearch search) {
        Range placed = placeHere(request, policy, search);
        if (placed == null && caches != null && caches.reclaim()) {
            placed = placeAndAllocate(request, policy);
        }
        if (placed == null && source != null) {
            placed = importAndPlace(request, policy);
        }
        return placed;
    }

    /**
     * {@link #placeAndAllocate}, except for a standard policy whose choice is known
     * ({@link KnownSearch}): a first-match, last-match or next-fit untagged quantum is claimed
     * straight from the core's {@link SingleUnits}, and any other request is placed by the core
     * search the policy would ask for and allocated where that search ended
     * ({@link EngineCore#allocateFirstFit} and its siblings) — the same answer, without the policy
     * call, its {@link Optional} and a second look-up of the segment.
     *
     * @param request a request in this arena's units ({@link #normalize}d, or built so)
     * @param search  what {@code policy} is known to choose ({@link #searchOf})
     */
    private Range placeHere(Request request, AllocationPolicy policy, KnownSearch search) {
        if (search == KnownSearch.NONE) {
            return placeAndAllocate(request, policy);
        }
        if (search == KnownSearch.INSTANT) {
            // As InstantFit.place: a constrained request, or none of the instant list, is best-fit's.
            Range placed = Placement.onlySized(request, quantum) ? core.allocateInstantFitSized(request) : null;
            return placed != null ? placed : core.allocateBestFit(request);
        }
        if (search == KnownSearch.SMALLEST) {
            return core.allocateBestFit(request);
        }
        if (units != null && isOneQuantum(request, quantum)) {
            long start = claim(search, request.min(), request.max());
            return start == units.none() ? null : new Range(start, start + quantum - 1);
        }
        if (search == KnownSearch.LOWEST) {
            return core.allocateFirstFit(request, 0);
        }
        if (search == KnownSearch.HIGHEST) {
            return core.allocateLastFit(request, -1L);
        }
        Range placed = core.allocateFirstFit(request, rotor); // next-fit: from the rotor, wrapping once
        return placed != null ? placed : core.allocateFirstFit(request, 0);
    }

    /** {@link KnownSearch#of}, remembering the last answer: callers tend to pass one policy many times. */
    private KnownSearch searchOf(AllocationPolicy policy) {
        if (policy != recentPolicy) {
            recentSearch = KnownSearch.of(policy);
            recentPolicy = policy;
        }
        return recentSearch;
    }

    /**
     * One free quantum in {@code [lo, hi]}, allocated as {@code search} chooses it; the rotor is
     * read, not moved.
     *
     * @return its first value, or {@link SingleUnits#none()} when none is free
     */
    private long claim(KnownSearch search, long lo, long hi) {
        if (search == KnownSearch.LOWEST) {
            return units.claimLowest(lo, hi);
        }
        if (search == KnownSearch.HIGHEST) {
            return units.claimHighest(lo, hi);
        }
        long start = units.claimLowest(Unsigned.max(rotor, lo), hi);
        return start != units.none() ? start : units.claimLowest(lo, hi); // next-fit wraps once
    }

    /**
     * Imports a span holding a placement of {@code request} and places it there. A span that
     * cannot be added (it overlaps a span given to this arena by hand) or in which the policy
     * still places nothing (only a policy that ignores the free space can do that) goes straight
     * back; the parent then shows one allocation and one free more.
     */
    private Range importAndPlace(Request request, AllocationPolicy policy) {
        Range span = source.importFor(request);
        if (span == null) {
            return null;
        }
        try {
            spans.checkAddable(span);
        } catch (IllegalArgumentException | OverlapException e) {
            source.handBack(span);
            return null;
        }
        core.addSpan(span.start(), span.end());
        spans.add(span, true);
        Range placed;
        try {
            placed = placeAndAllocate(request, policy);
        } catch (RuntimeException e) {
            handBackIfFree(span.start());
            throw e;
        }
        if (placed == null) {
            handBackIfFree(span.start());
        }
        return placed;
    }

    /**
     * Gives the span holding {@code value} back to the source if it was imported and is now wholly
     * free; does nothing otherwise. Called after every successful free.
     */
    private void handBackIfFree(long value) {
        if (source != null) {
            handBackImported(value, Outlined.HOPS);
        }
    }

    /**
     * {@link #handBackIfFree} with a source, after {@code hops} calls of itself ({@link Outlined}),
     * so that it stays out of the compiled code of {@link #free}, which an arena without a source
     * wants inlined into its caller.
     */
    private void handBackImported(long value, int hops) {
        if (hops > 0) {
            handBackImported(value, hops - 1);
            return;
        }
        int i = spans.indexOf(value);
        if (i < 0 || !spans.isImported(i)) {
            return;
        }
        Range span = spans.get(i);
        if (pinning && span.contains(pinned)) {
            return;
        }
        if (!core.removeSpan(span.start(), span.end())) {
            return; // something in it is still allocated
        }
        spans.remove(i);
        try {
            source.handBack(span);
        } catch (IllegalStateException e) {
            core.addSpan(span.start(), span.end()); // keep it rather than lose it
            spans.add(span, true);
            throw e;
        }
    }

    /**
     * Asks {@code policy}, checks its answer, and allocates it in the core.
     *
     * @return the allocated range, or null when the policy finds nothing (nothing changed)
     * @throws PolicyViolationException if the answer is unacceptable (nothing changed)
     */
    private Range placeAndAllocate(Request request, AllocationPolicy policy) {
        Optional<Range> answer = policy.place(request, view);
        if (answer == null) {
            throw new PolicyViolationException("policy " + policy.name() + " returned null instead of an Optional");
        }
        if (answer.isEmpty()) {
            return null;
        }
        Range placed = answer.get();
        if (placed.size() != request.size()) {
            throw new PolicyViolationException("policy " + policy.name() + " chose " + placed + " of size "
                    + Unsigned.hex(placed.size()) + " for " + request);
        }
        if (!request.admits(placed.start())) {
            throw new PolicyViolationException("policy " + policy.name() + " chose " + placed
                    + ", which does not satisfy " + request);
        }
        if (!core.allocate(placed.start(), placed.end(), request.tag())) {
            throw new PolicyViolationException("policy " + policy.name() + " chose " + placed
                    + ", which is not free inside one span");
        }
        return placed;
    }

    /**
     * The request in the space's units: size rounded up to the quantum, alignment at least the
     * quantum. Null when rounding makes it unsatisfiable (size past 2^64, or above noCross).
     *
     * @throws IllegalArgumentException if the phase is not a multiple of the quantum
     */
    private Request normalize(Request request) {
        if (quantum == 1) {
            return request;
        }
        long mask = quantum - 1;
        if ((request.phase() & mask) != 0) {
            throw new IllegalArgumentException("phase " + Unsigned.hex(request.phase())
                    + " is not a multiple of the quantum " + Unsigned.hex(quantum));
        }
        long size = (request.size() + mask) & -quantum; // 0 when rounding passes 2^64 - 1
        if (size == 0 || request.noCross() != 0 && Unsigned.lessThan(request.noCross(), size)) {
            return null;
        }
        long alignment = Unsigned.max(request.alignment(), quantum);
        if (size == request.size() && alignment == request.alignment()) {
            return request;
        }
        Normalised[] memo = normalised;
        int slot = (int) (size >>> Long.numberOfTrailingZeros(quantum)) & (NORMALISED_SLOTS - 1);
        if (memo != null) {
            Normalised hit = memo[slot];
            if (hit != null && hit.request() == request) {
                return hit.normal();
            }
        } else {
            memo = normalised = new Normalised[NORMALISED_SLOTS];
        }
        Request normal = new Request(size, alignment, request.phase(), request.noCross(), request.min(), request.max(),
                request.tag());
        memo[slot] = new Normalised(request, normal);
        return normal;
    }

    /**
     * Whether {@code request} needs no {@link #normalize} for an instant-fit placement: limited by
     * nothing but a size that is whole quanta ({@link Placement#onlySized}), so that its normalised
     * copy differs from it at most in an alignment raised to the quantum — which the front of a
     * free segment, where instant-fit places it, always meets, every segment starting on a quantum
     * boundary. V1's requests (whole pages, no alignment) skip the copy's look-up.
     */
    private boolean inWholeQuanta(Request request) {
        return Placement.onlySized(request, quantum) && (request.size() & (quantum - 1)) == 0;
    }

    /** A caller's request and its normalised copy (compared by identity: requests are values). */
    private record Normalised(Request request, Request normal) {
    }

    @Override
    public Range reserve(Range range) {
        return reserve(range, null);
    }

    @Override
    public Range reserve(Range range, String tag) {
        Objects.requireNonNull(range, "range");
        boolean done = false;
        try {
            Tags.checked(tag);
            spans.checkOnQuantum("reservation", range);
            if (!spans.withinOne(range.start(), range.end())) {
                throw new IllegalArgumentException(range + " is not inside one span of " + spans.list());
            }
            if (!core.allocate(range.start(), range.end(), tag)) {
                Allocation holder = core.firstAllocationIn(range.start(), range.end());
                throw new OverlapException(range + " overlaps allocation " + holder.range());
            }
            countAllocation(range.size());
            done = true;
            return range;
        } finally {
            if (!done) {
                failedAllocations++;
            }
        }
    }

    @Override
    public void free(Range range) {
        Objects.requireNonNull(range, "range");
        if (!core.free(range.start(), range.end())) {
            throw new NotAllocatedException(notAnAllocation(range));
        }
        countFree(range.size());
        handBackIfFree(range.start());
    }

    @Override
    public Range freeContaining(long value) {
        Range range = core.freeContaining(value);
        if (range == null) {
            throw new NotAllocatedException(Unsigned.hex(value) + " is not inside any allocation");
        }
        countFree(range.size());
        handBackIfFree(range.start());
        return range;
    }

    @Override
    public Range reallocate(Range old, Request request) {
        Objects.requireNonNull(old, "old");
        Objects.requireNonNull(request, "request");
        boolean done = false;
        try {
            Request normal = normalize(request);
            Allocation current = core.allocationContaining(old.start());
            if (current == null || !current.range().equals(old)) {
                throw new NotAllocatedException(notAnAllocation(old));
            }
            if (normal == null) {
                throw exhausted(request, defaultPolicy);
            }
            if (normal.tag() == null && current.tag() != null) {
                normal = normal.tagged(current.tag());
            }
            core.free(old.start(), old.end());
            Range placed;
            pinned = old.start();
            pinning = true;
            try {
                placed = place(normal, defaultPolicy, directSearch);
            } catch (RuntimeException e) {
                core.allocate(old.start(), old.end(), current.tag());
                throw e;
            } finally {
                pinning = false;
            }
            if (placed == null) {
                core.allocate(old.start(), old.end(), current.tag());
                throw exhausted(request, defaultPolicy);
            }
            allocated += placed.size() - old.size();
            totalAllocations++;
            totalFrees++;
            done = true;
            handBackIfFree(old.start());
            return placed;
        } finally {
            if (!done) {
                failedAllocations++;
            }
        }
    }

    @Override
    public Optional<Allocation> allocationContaining(long value) {
        return Optional.ofNullable(core.allocationContaining(value));
    }

    @Override
    public boolean isFree(Range range) {
        Objects.requireNonNull(range, "range");
        return core.isFree(range.start(), range.end());
    }

    @Override
    public void addSpan(Range span) {
        Objects.requireNonNull(span, "span");
        spans.checkAddable(span);
        core.addSpan(span.start(), span.end());
        spans.add(span);
    }

    @Override
    public List<Range> spans() {
        return spans.list();
    }

    @Override
    public AllocatorStats stats() {
        settleUnits();
        long capacity = spans.capacity();
        return new AllocatorStats(capacity, allocated, capacity - allocated, live(),
                core.freeSegments(), core.largestFree(), totalAllocations, totalFrees, failedAllocations,
                spans.imported());
    }

    @Override
    public void forEachAllocated(Consumer<? super Allocation> action) {
        core.forEachAllocated(Objects.requireNonNull(action, "action"));
    }

    @Override
    public void forEachFree(Consumer<? super Range> action) {
        core.forEachFree(Objects.requireNonNull(action, "action"));
    }

    @Override
    public String engine() {
        return engine;
    }

    @Override
    public AllocationPolicy defaultPolicy() {
        return defaultPolicy;
    }

    @Override
    public long quantum() {
        return quantum;
    }

    @Override
    public void writeSnapshot(OutputStream out) {
        Objects.requireNonNull(out, "out");
        settleUnits();
        List<Range> imported = new ArrayList<>();
        for (int i = 0; i < spans.count(); i++) {
            if (spans.isImported(i)) {
                imported.add(spans.get(i));
            }
        }
        Snapshot header = new Snapshot(engine, defaultPolicy.name(), quantum, threadSafe, rotor,
                totalAllocations, totalFrees, failedAllocations, spans.list(), List.of(),
                source == null ? 0 : source.importSize(), quantumCacheMax, imported);
        SnapshotWriter.write(out, header, live(), core::forEachAllocated);
    }

    /**
     * {@inheritDoc} Checked against the spans only: the caller has made sure the source holds
     * {@code span} as one allocation.
     *
     * @throws IllegalStateException    if this arena has no source
     * @throws OverlapException         if {@code span} overlaps a span
     * @throws IllegalArgumentException if it is off the quantum
     */
    @Override
    public void restoreImported(Range span) {
        Objects.requireNonNull(span, "span");
        if (source == null) {
            throw new IllegalStateException("this allocator has no source to have imported " + span + " from");
        }
        spans.checkAddable(span);
        core.addSpan(span.start(), span.end());
        spans.add(span, true);
    }

    // ------------------------------------------------------------------ for the quantum caches

    /**
     * Places one segment for a quantum cache with the default policy, without counting it as an
     * allocation; with {@code refill}, as a user request would be placed (emptying the caches,
     * importing), else only from what the arena holds now.
     *
     * @param request a request in this arena's units
     * @return the segment, or null when nothing fits
     */
    Range placeForCache(Request request, boolean refill) {
        return refill ? place(request, defaultPolicy, directSearch) : placeAndAllocate(request, defaultPolicy);
    }

    /**
     * Frees a segment a quantum cache held (after the cache has disowned it), without counting
     * it, handing its span back to the source if that leaves it wholly free.
     */
    void releaseFromCache(long start, long end) {
        if (!core.free(start, end)) {
            throw new IllegalStateException("cached segment " + Range.of(start, end) + " was not allocated");
        }
        handBackIfFree(start);
    }

    /** Folds {@link #unitAllocations}, {@link #unitFrees} and {@link #corePath}'s counts into the counters. */
    private void settleUnits() {
        long allocations = unitAllocations;
        long frees = unitFrees;
        if (corePath != null) {
            allocations += corePath.takeAllocations();
            frees += corePath.takeFrees();
        }
        if ((allocations | frees) != 0) {
            unitAllocations = 0;
            unitFrees = 0;
            fold(allocations, frees, (allocations - frees) * quantum);
        }
    }

    /** Counts an {@code allocate} the caches could not serve. */
    void countFailedAllocation() {
        failedAllocations++;
    }

    /**
     * Takes in what the caches served since the last fold: {@code allocations} and {@code frees}
     * of segments holding {@code netUnits} more values than before (unsigned, may wrap).
     */
    void fold(long allocations, long frees, long netUnits) {
        totalAllocations += allocations;
        totalFrees += frees;
        allocated += netUnits;
    }

    /** The exception {@code allocate} throws when {@code request} does not fit. */
    ExhaustedException exhaustedFor(Request request) {
        return exhausted(request, defaultPolicy);
    }

    // ------------------------------------------------------------------ one quantum (UnitPath)

    /**
     * The fastest {@link UnitPath} onto this allocator: the core's own ({@link CoreUnitPath}) when
     * the default policy takes the lowest free quantum, there is no source and no thread safety,
     * and the core offers one; else this allocator. Either gives the same ids, counters and
     * snapshots.
     */
    public UnitPath unitPath() {
        if (!corePathAsked && unitSearch == KnownSearch.LOWEST && !threadSafe) {
            corePathAsked = true;
            corePath = units.lowestPath(this); // unitSearch is NONE without units or with a source
        }
        return corePath != null ? corePath : this;
    }

    @Override
    public long allocateUnit(long none) {
        if (unitSearch == KnownSearch.LOWEST) { // IdAllocator.of without a CoreUnitPath: kept short to inline
            long start = units.claimLowest(0, Unsigned.MAX);
            if (start == units.none()) {
                failedAllocations++;
                return none;
            }
            unitAllocations++;
            return start;
        }
        return allocateUnitOtherwise(none);
    }

    private long allocateUnitOtherwise(long none) {
        if (unitSearch == KnownSearch.NONE) {
            Range placed = tryPlace(oneQuantum, defaultPolicy);
            return placed == null ? none : placed.start();
        }
        long start = claim(unitSearch, 0, Unsigned.MAX);
        if (start == units.none()) {
            failedAllocations++;
            return none;
        }
        if (unitSearch == KnownSearch.FROM_ROTOR) {
            rotor = start + quantum;
        }
        unitAllocations++;
        return start;
    }

    @Override
    public long claimUnit() {
        if (unitSearch != KnownSearch.NONE) { // the core's own claims, and no source: the spans stay as they are
            long none = units.none();
            long start = allocateUnit(none);
            if (start != none) {
                return start;
            }
        } else {
            Range placed = tryPlace(oneQuantum, defaultPolicy); // counts a failure itself
            if (placed != null) {
                return placed.start();
            }
        }
        throw new ExhaustedException("no quantum of " + Unsigned.hex(quantum) + " is free");
    }

    @Override
    public boolean freeUnit(long start) {
        if (units != null) {
            if (units.release(start) != SingleUnits.RELEASED) {
                return false;
            }
        } else if (!Unsigned.fitsFrom(start, quantum) || !core.free(start, start + quantum - 1)) {
            return false;
        }
        unitFrees++;
        handBackIfFree(start);
        return true;
    }

    @Override
    public boolean isAllocated(long value) {
        return units != null ? units.isAllocated(value) : core.allocationContaining(value) != null;
    }

    @Override
    public long freeValues() {
        settleUnits();
        return spans.capacity() - allocated;
    }

    // ------------------------------------------------------------------ for ConcurrentAllocator

    private static final VarHandle ROTOR;

    static {
        try {
            ROTOR = MethodHandles.lookup().findVarHandle(GuardedAllocator.class, "rotor", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The core's single-quantum capability, or null. */
    SingleUnits singleUnits() {
        return units;
    }

    /** The rotor, read without tearing while lock-free callers move it. */
    long rotorOpaque() {
        return (long) ROTOR.getOpaque(this);
    }

    /** Moves the rotor, written without tearing while lock-free callers read it. */
    void rotorOpaque(long value) {
        ROTOR.setOpaque(this, value);
    }

    /**
     * Whether {@code request} asks for exactly one quantum at any quantum boundary, untagged: what
     * {@link SingleUnits} serve. Phase and no-cross cannot matter then; a window can, and is the
     * search's bounds.
     */
    static boolean isOneQuantum(Request request, long quantum) {
        return request.tag() == null && Unsigned.atMost(request.size(), quantum)
                && Unsigned.atMost(request.alignment(), quantum) && request.phase() == 0
                && (request.noCross() == 0 || Unsigned.atLeast(request.noCross(), quantum));
    }

    @Override
    public void restoreState(long rotor, long totalAllocations, long totalFrees, long failedAllocations) {
        settleUnits();
        long live = live();
        this.rotor = rotor;
        liveBias = live - (totalAllocations - totalFrees);
        this.totalAllocations = totalAllocations;
        this.totalFrees = totalFrees;
        this.failedAllocations = failedAllocations;
    }

    @Override
    public String toString() {
        settleUnits();
        return engine + " allocator over " + spans.list() + ": " + live() + " allocations, "
                + Long.toUnsignedString(allocated) + " of " + Long.toUnsignedString(spans.capacity()) + " allocated";
    }

    private void countAllocation(long size) {
        allocated += size;
        totalAllocations++;
    }

    private void countFree(long size) {
        allocated -= size;
        totalFrees++;
    }

    /** Live allocations. */
    private long live() {
        return totalAllocations - totalFrees + liveBias;
    }

    private ExhaustedException exhausted(Request request, AllocationPolicy policy) {
        settleUnits();
        return new ExhaustedException("no free placement for " + request + " with " + policy.name() + " in "
                + engine + " allocator (free " + Unsigned.hex(spans.capacity() - allocated) + ", largest free range "
                + Unsigned.hex(core.largestFree()) + ")");
    }

    /** Why {@code range} is not exactly one allocation, naming what is there instead. */
    private String notAnAllocation(Range range) {
        Allocation holder = core.allocationContaining(range.start());
        if (holder == null) {
            holder = core.firstAllocationIn(range.start(), range.end());
        }
        String why;
        if (holder == null) {
            why = spans.withinOne(range.start(), range.end()) ? "it is free" : "no allocation overlaps it";
        } else if (holder.range().contains(range)) {
            why = "it lies inside " + holder.range();
        } else if (range.contains(holder.range())) {
            why = "it covers " + holder.range();
        } else {
            why = "it overlaps " + holder.range();
        }
        return range + " is not an allocation (" + why + ")";
    }

    /** The policies' read-only window onto the core; one per allocator, so placing allocates nothing. */
    private final class View implements FreeSpace {

        @Override
        public Optional<Range> firstFit(Request request, long from) {
            return Optional.ofNullable(core.firstFit(Objects.requireNonNull(request, "request"), from));
        }

        @Override
        public Optional<Range> lastFit(Request request, long to) {
            return Optional.ofNullable(core.lastFit(Objects.requireNonNull(request, "request"), to));
        }

        @Override
        public Optional<Range> bestFit(Request request) {
            return Optional.ofNullable(core.bestFit(Objects.requireNonNull(request, "request")));
        }

        @Override
        public Optional<Range> instantFit(Request request) {
            return Optional.ofNullable(core.instantFit(Objects.requireNonNull(request, "request")));
        }

        @Override
        public long quantum() {
            return quantum;
        }

        @Override
        public long rotor() {
            return rotor;
        }

        @Override
        public Iterator<Range> ascending(long from) {
            return core.ascending(from);
        }

        @Override
        public Iterator<Range> descending(long to) {
            return core.descending(to);
        }
    }
}
