package io.allot.internal;

import io.allot.Allocation;
import io.allot.AllocatorStats;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.spi.AllocationPolicy;
import io.allot.spi.Restorable;

import java.io.OutputStream;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Makes a {@link GuardedAllocator} over a core with {@link SingleUnits} safe for concurrent use,
 * with lock-free one-quantum allocations and frees.
 *
 * <h2>Two paths</h2>
 * <ul>
 *   <li><b>Lock-free</b>: {@code allocate}/{@code tryAllocate} of one untagged quantum with
 *       first-match, last-match or next-fit ({@link KnownSearch}), and {@code free} of a one-quantum
 *       untagged allocation. They go straight to the core's {@link SingleUnits} — a CAS on the
 *       word, then on the summaries — with no lock and no allocation but the returned
 *       {@link Range}.</li>
 *   <li><b>Exclusive</b>: everything else — multi-quantum and constrained requests, other
 *       policies, tags, reserve, reallocate, lookups, {@code stats}, iteration, snapshots — runs on
 *       the {@link GuardedAllocator} under one re-entrant lock, after waiting until no lock-free
 *       call is in flight. So each exclusive call sees one consistent state (a snapshot restores, a
 *       {@code forEach} tiles the spans, the stats add up), the core's ordinary single-threaded
 *       code needs no atomics, and no contract logic exists twice.</li>
 * </ul>
 * A lock-free call whose search finds nothing, or whose quantum turns out tagged or not an
 * allocation, retries on the exclusive path, which gives the contract's answer and message.
 *
 * <h2>The gate</h2>
 * Lock-free calls announce themselves in a striped counter: each thread hashes to one of a few
 * padded cells (128 bytes apart, so threads do not share cache lines), adds 1 on entry and reads
 * the volatile {@code closed} flag. An exclusive caller takes the lock, sets {@code closed}, and
 * waits until every cell's in-flight count is 0. Both sides write, then read the other's variable
 * (Dekker's pattern, sequentially consistent in the Java memory model), so either the entering
 * call sees {@code closed} and backs out to the exclusive path, or the exclusive caller sees it in
 * flight and waits. The gate's volatile accesses also order the exclusive path's plain writes
 * before every later lock-free call, and the lock-free calls' writes before the next exclusive
 * call.
 *
 * <h2>Counters</h2>
 * The counters of {@link io.allot.AllocatorStats} cannot be plain fields under lock-free callers,
 * and one shared atomic would make every thread contend for one cache line. So each cell packs
 * its threads' in-flight count (12 bits) with their one-quantum allocations and frees (24 bits
 * each), and the exit does both with one atomic add. The exclusive path folds the cells into the
 * {@link GuardedAllocator}'s counters once nothing is in flight, so {@code stats()} and snapshots
 * are exact; a cell whose count reaches 2<sup>23</sup> folds itself through the exclusive path
 * long before it could overflow. (A lock-free search that finds nothing counts nothing: it retries
 * on the exclusive path, which counts the failure if it fails too.)
 *
 * <p>Contention: a lock-free call costs two atomic adds on its own cell plus the CAS on the word.
 * First-match sends every thread to the lowest free word, where they contend for one cache line;
 * under contention a search may find nothing although a quantum was freed behind it, and then
 * retries exclusively. No quantum is ever handed out twice, and none is lost.
 */
public final class ConcurrentAllocator implements ResourceAllocator, Restorable, Importing, UnitPath {

    /** Longs between two cells: 128 bytes, two cache lines, so neighbouring cells never share one. */
    private static final int STRIDE = 16;
    private static final long IN_FLIGHT = (1L << 12) - 1;
    private static final int ALLOCATIONS = 12;
    private static final int FREES = 36;
    private static final long FIELD = (1L << 24) - 1;
    private static final long ONE_ALLOCATION = 1L << ALLOCATIONS;
    private static final long ONE_FREE = 1L << FREES;
    /** A cell whose count reaches this folds, long before another 2^23 calls could overflow it. */
    private static final long FOLD_AT = 1L << 23;

    private final GuardedAllocator guarded;
    private final SingleUnits units;
    private final KnownSearch defaultSearch;
    private final long quantum;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicLongArray cells;
    private final int cellMask;
    /** True while an exclusive call runs or waits for the lock-free ones to drain. */
    private volatile boolean closed;

    /** @param guarded an allocator, over a core with {@link SingleUnits}, that no other code uses */
    ConcurrentAllocator(GuardedAllocator guarded) {
        this.guarded = Objects.requireNonNull(guarded, "guarded");
        this.units = Objects.requireNonNull(guarded.singleUnits(), "core without SingleUnits");
        this.defaultSearch = KnownSearch.ofUnits(guarded.defaultPolicy());
        this.quantum = guarded.quantum();
        int processors = Runtime.getRuntime().availableProcessors();
        int count = Integer.highestOneBit(Math.min(64, Math.max(4, 4 * processors)) - 1) << 1;
        this.cells = new AtomicLongArray(count * STRIDE);
        this.cellMask = count - 1;
    }

    // ---------------------------------------------------------------- the gate

    /** Enters the lock-free path: the cell's index, or -1 if an exclusive call is running. */
    private int enter() {
        long id = Thread.currentThread().getId() * 0x9E37_79B9_7F4A_7C15L;
        int cell = ((int) (id >>> 40) & cellMask) * STRIDE;
        cells.getAndIncrement(cell);
        if (closed) {
            cells.getAndDecrement(cell);
            return -1;
        }
        return cell;
    }

    /** Leaves the lock-free path, adding {@code counted} (0 or one of the ONE_ constants). */
    private void exit(int cell, long counted) {
        long now = cells.addAndGet(cell, counted - 1);
        if (counted != 0 && (((now >>> ALLOCATIONS) & FIELD) >= FOLD_AT || ((now >>> FREES) & FIELD) >= FOLD_AT)) {
            lockExclusive(); // folds
            unlockExclusive();
        }
    }

    private void lockExclusive() {
        lock.lock();
        if (lock.getHoldCount() > 1) {
            return; // re-entered from a forEach action: already exclusive
        }
        closed = true;
        for (int cell = 0; cell < cells.length(); cell += STRIDE) {
            for (int spins = 0; (cells.get(cell) & IN_FLIGHT) != 0; spins++) {
                if (spins < 128) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield(); // lock-free calls are short and never block; this is rare
                }
            }
        }
        fold();
    }

    private void unlockExclusive() {
        if (lock.getHoldCount() == 1) {
            closed = false;
        }
        lock.unlock();
    }

    /** Moves every cell's counts into the guarded allocator; nothing is in flight. */
    private void fold() {
        long allocations = 0;
        long frees = 0;
        for (int cell = 0; cell < cells.length(); cell += STRIDE) {
            long counts = cells.get(cell) & ~IN_FLIGHT;
            if (counts != 0) {
                // Subtract rather than zero: a thread backing out of enter() may touch IN_FLIGHT now.
                cells.getAndAdd(cell, -counts);
                allocations += (counts >>> ALLOCATIONS) & FIELD;
                frees += (counts >>> FREES) & FIELD;
            }
        }
        if ((allocations | frees) != 0) {
            guarded.fold(allocations, frees, (allocations - frees) * quantum);
        }
    }

    // ---------------------------------------------------------------- lock-free one quantum

    /**
     * Allocates one quantum for {@code request} with {@code search}, lock-free.
     *
     * @return the range, or null if the request is not for one quantum, the gate is closed or
     *         nothing was found: the caller then takes the exclusive path
     */
    private Range tryOneQuantum(Request request, KnownSearch search) {
        if (search == KnownSearch.NONE || !GuardedAllocator.isOneQuantum(request, quantum)) {
            return null;
        }
        int cell = enter();
        if (cell < 0) {
            return null;
        }
        long none = units.none(); // read inside the gate: the spans cannot change until exit
        long start = claim(search, request.min(), request.max(), none);
        exit(cell, start == none ? 0 : ONE_ALLOCATION);
        return start == none ? null : new Range(start, start + quantum - 1);
    }

    /**
     * One quantum in {@code [lo, hi]} with {@code search}; called between {@link #enter} and
     * {@link #exit}.
     *
     * @param none the core's {@link SingleUnits#none()}, read after entering
     * @return its first value, or {@code none}
     */
    private long claim(KnownSearch search, long lo, long hi, long none) {
        if (search == KnownSearch.LOWEST) {
            return units.claimLowest(lo, hi);
        }
        if (search == KnownSearch.HIGHEST) {
            return units.claimHighest(lo, hi);
        }
        long start = units.claimLowest(Unsigned.max(guarded.rotorOpaque(), lo), hi);
        if (start == none) {
            start = units.claimLowest(lo, hi);
        }
        if (start != none) {
            guarded.rotorOpaque(start + quantum); // racing next-fit callers: the last one wins
        }
        return start;
    }

    /** Frees the one-quantum allocation at {@code start} lock-free; false if the exclusive path must. */
    private boolean releaseOneQuantum(long start) {
        int cell = enter();
        if (cell < 0) {
            return false;
        }
        boolean released = units.release(start) == SingleUnits.RELEASED;
        exit(cell, released ? ONE_FREE : 0);
        return released;
    }

    // ---------------------------------------------------------------- ResourceAllocator

    @Override
    public Range allocate(Request request) {
        return allocate(request, guarded.defaultPolicy());
    }

    @Override
    public Range allocate(Request request, AllocationPolicy policy) {
        Objects.requireNonNull(request, "request");
        Range placed = tryOneQuantum(request, KnownSearch.ofUnits(Objects.requireNonNull(policy, "policy")));
        if (placed != null) {
            return placed;
        }
        lockExclusive();
        try {
            return guarded.allocate(request, policy);
        } finally {
            unlockExclusive();
        }
    }

    @Override
    public Optional<Range> tryAllocate(Request request) {
        return tryAllocate(request, guarded.defaultPolicy());
    }

    @Override
    public Optional<Range> tryAllocate(Request request, AllocationPolicy policy) {
        Objects.requireNonNull(request, "request");
        Range placed = tryOneQuantum(request, KnownSearch.ofUnits(Objects.requireNonNull(policy, "policy")));
        if (placed != null) {
            return Optional.of(placed);
        }
        lockExclusive();
        try {
            return guarded.tryAllocate(request, policy);
        } finally {
            unlockExclusive();
        }
    }

    @Override
    public Range reserve(Range range) {
        return reserve(range, null);
    }

    @Override
    public Range reserve(Range range, String tag) {
        lockExclusive();
        try {
            return guarded.reserve(range, tag);
        } finally {
            unlockExclusive();
        }
    }

    @Override
    public void free(Range range) {
        Objects.requireNonNull(range, "range");
        if (range.end() - range.start() == quantum - 1 && releaseOneQuantum(range.start())) {
            return;
        }
        lockExclusive();
        try {
            guarded.free(range);
        } finally {
            unlockExclusive();
        }
    }

    @Override
    public Range freeContaining(long value) {
        lockExclusive();
        try {
            return guarded.freeContaining(value);
        } finally {
            unlockExclusive();
        }
    }

    @Override
    public Range reallocate(Range old, Request request) {
        lockExclusive();
        try {
            return guarded.reallocate(old, request);
        } finally {
            unlockExclusive();
        }
    }

    @Override
    public Optional<Allocation> allocationContaining(long value) {
        lockExclusive();
        try {
            return guarded.allocationContaining(value);
        } finally {
            unlockExclusive();
        }
    }

    @Override
    public boolean isFree(Range range) {
        lockExclusive();
        try {
            return guarded.isFree(range);
        } finally {
            unlockExclusive();
        }
    }

    @Override
    public void addSpan(Range span) {
        lockExclusive();
        try {
            guarded.addSpan(span);
        } finally {
            unlockExclusive();
        }
    }

    @Override
    public List<Range> spans() {
        lockExclusive();
        try {
            return guarded.spans();
        } finally {
            unlockExclusive();
        }
    }

    @Override
    public AllocatorStats stats() {
        lockExclusive();
        try {
            return guarded.stats();
        } finally {
            unlockExclusive();
        }
    }

    @Override
    public void forEachAllocated(Consumer<? super Allocation> action) {
        lockExclusive();
        try {
            guarded.forEachAllocated(action);
        } finally {
            unlockExclusive();
        }
    }

    @Override
    public void forEachFree(Consumer<? super Range> action) {
        lockExclusive();
        try {
            guarded.forEachFree(action);
        } finally {
            unlockExclusive();
        }
    }

    @Override
    public String engine() {
        return guarded.engine();
    }

    @Override
    public AllocationPolicy defaultPolicy() {
        return guarded.defaultPolicy();
    }

    @Override
    public long quantum() {
        return quantum;
    }

    @Override
    public void writeSnapshot(OutputStream out) {
        lockExclusive();
        try {
            guarded.writeSnapshot(out);
        } finally {
            unlockExclusive();
        }
    }

    @Override
    public void restoreState(long rotor, long totalAllocations, long totalFrees, long failedAllocations) {
        lockExclusive(); // folds first, so the cells hold nothing the restored counters would gain
        try {
            guarded.restoreState(rotor, totalAllocations, totalFrees, failedAllocations);
        } finally {
            unlockExclusive();
        }
    }

    /** Passed through on the exclusive path; this class is only built for arenas without a source. */
    @Override
    public void restoreImported(Range span) {
        lockExclusive();
        try {
            guarded.restoreImported(span);
        } finally {
            unlockExclusive();
        }
    }

    // ---------------------------------------------------------------- UnitPath

    @Override
    public long allocateUnit(long none) {
        if (defaultSearch != KnownSearch.NONE) {
            int cell = enter();
            if (cell >= 0) {
                long missing = units.none(); // read inside the gate
                long start = claim(defaultSearch, 0, Unsigned.MAX, missing);
                exit(cell, start == missing ? 0 : ONE_ALLOCATION);
                if (start != missing) {
                    return start;
                }
            }
        }
        lockExclusive();
        try {
            return guarded.allocateUnit(none);
        } finally {
            unlockExclusive();
        }
    }

    /**
     * Under the exclusive lock: its one caller, {@link io.allot.IdAllocator}, is never thread-safe,
     * so this does not repeat {@link #allocateUnit}'s lock-free claim.
     */
    @Override
    public long claimUnit() {
        lockExclusive();
        try {
            return guarded.claimUnit();
        } finally {
            unlockExclusive();
        }
    }

    @Override
    public boolean freeUnit(long start) {
        if (releaseOneQuantum(start)) {
            return true;
        }
        lockExclusive();
        try {
            return guarded.freeUnit(start);
        } finally {
            unlockExclusive();
        }
    }

    @Override
    public boolean isAllocated(long value) {
        lockExclusive();
        try {
            return guarded.isAllocated(value);
        } finally {
            unlockExclusive();
        }
    }

    @Override
    public long freeValues() {
        lockExclusive();
        try {
            return guarded.freeValues();
        } finally {
            unlockExclusive();
        }
    }

    @Override
    public String toString() {
        lockExclusive();
        try {
            return "thread-safe " + guarded;
        } finally {
            unlockExclusive();
        }
    }
}
