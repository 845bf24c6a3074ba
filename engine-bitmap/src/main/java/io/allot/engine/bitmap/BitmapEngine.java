package io.allot.engine.bitmap;

import io.allot.ResourceAllocator;
import io.allot.internal.GuardedAllocator;
import io.allot.spi.AllocatorSpec;
import io.allot.spi.EngineProvider;

/**
 * The {@code bitmap} engine: one bit per quantum, with 64-ary summary levels that find the next
 * free or allocated quantum from any point in O(log<sub>64</sub> n) word reads — Linux's
 * {@code find_bit} and IDA, in Java. The default engine behind {@link io.allot.IdAllocator}.
 *
 * <h2>Data structure</h2>
 * Per span ({@link SpanBitmap}), the span's quanta are units {@code 0 .. n-1}:
 * <ul>
 *   <li>{@link BitTree}: a {@code long[]} of unit bits (1 = allocated) and two summary hierarchies
 *       over it — "this word is full" and "this word is not empty" — of 64 bits per word each, up to
 *       a one-word top. They find the first free unit at or after a point (a one-unit allocation),
 *       and the end of a free run (the next allocated unit), each in O(log<sub>64</sub> n); a hint
 *       of two words (the lowest that may have a free unit, and the first past it not known to be
 *       full) makes the lowest free unit of a dense prefix one word read, even while holes open
 *       and close anywhere in it. An id claim that fills a word leaves its "full" bit clear; a
 *       search that meets such a bit sets it and goes on, so the id path writes no summary bit
 *       while the prefix stays dense.</li>
 *   <li>{@link Boundaries}: continuation bits in chunks created only where multi-unit allocations
 *       are, so that {@code free} accepts exactly an allocation and {@code freeContaining} finds
 *       one; one-unit allocations never write them, and one-unit frees do not read them while the
 *       span has no multi-unit allocation (an id allocator never has one).</li>
 *   <li>{@link RunStats}: per 4096 units and up, the free runs' prefix, suffix, longest and count,
 *       and (from the first best- or instant-fit search) a 64-bit set of the size classes of the
 *       runs inside the node, recomputed lazily for {@code stats()} and the searches: best- and
 *       instant-fit's ({@link FitSearch}), and the skip of first-, last- and next-fit past runs
 *       too short for the size ({@link RunSkip}). Once read 16 times they also keep the same
 *       figures per eighth of each node (512 units at the bottom), and the change marks say which
 *       eighths changed, so a read after one change refolds 8 words, not 64.</li>
 *   <li>{@link RunIndex}: best-fit's index of the free runs of 33 units and more (the classes that
 *       span a power of two, which a walk must meet whole for their smallest member), by size and
 *       by position in two treaps over one node per run. Built only when wide best-fit walks have
 *       grown long on average, and brought up to date at the next such search from the eighths
 *       the statistics refolded, so no allocate or free touches it.</li>
 * </ul>
 * {@link IdPath}: while the core has one span (an id allocator's), that span's tree, first value
 * and one-quantum counters in one object — {@link io.allot.IdAllocator#of}'s whole hot path, an id
 * reaching its word through that object and the tree; it hands anything else (several spans, a multi-quantum or
 * tagged allocation to free around, nothing free) to the allocator's general one-quantum path.
 * Tags live in a sparse {@link io.allot.internal.TagMap} keyed by first value. Each span has its own structures, so
 * free runs never join across spans, even adjacent ones.
 *
 * <h2>Invariants</h2>
 * Summary bits equal their predicates of the words below (between lock-free calls), except that a
 * single-threaded tree's "full" bit may be clear over a full word (never set over a word with a
 * free unit); padding past a span's last unit is allocated forever; a continuation bit sits only on
 * an allocated unit whose predecessor is in the same allocation; words below the hint's low word,
 * and strictly between it and its full-until word, are full; every changed word's block is marked
 * for the run statistics but the hint's low word, whose change an id's claim or free records in one
 * flag beside the hint, marked when the hint moves on or the statistics are read.
 * At most 2<sup>32</sup>
 * quanta in all spans together ({@link #maxUnits()}), refused beyond with
 * {@link IllegalArgumentException}.
 *
 * <h2>Costs</h2> n = quanta in a span; r = free runs walked; k = quanta of the allocation in hand.
 * <table>
 *   <caption>bitmap engine costs</caption>
 *   <tr><th>operation</th><th>cost</th></tr>
 *   <tr><td>one-quantum first-, last-, next-fit; free of one quantum</td><td>O(log<sub>64</sub> n)
 *       amortised (a search sets each lazy "full" bit it meets, once), O(1) from the hint: the
 *       id allocator's allocate and free, and a dense prefix with holes opening and closing
 *       anywhere in it</td></tr>
 *   <tr><td>multi-quantum or constrained first-, last-, next-fit</td><td>O((r + 1) log<sub>64</sub> n),
 *       r = runs in front of the answer that cannot hold it, up to 8 of them; past the eighth, each
 *       skip to the next run long enough for the size ({@link RunSkip}) is O(64 log<sub>64</sub> n)
 *       node reads plus the statistics' recomputation (as for best-fit below), so r counts only
 *       runs long enough that the alignment, phase, no-cross or window refuse, and 8 more per such
 *       run; for 8191 quanta or more only runs holding a wholly free block of 4096 count, found
 *       through the second summary (O(n / 2<sup>18</sup>) word reads at most)</td></tr>
 *   <tr><td>best-fit, instant-fit</td><td>O(64 c log<sub>64</sub> n) to the first run of each size
 *       class tried (c classes: one per size from 1 to 32 quanta, one per power of two above), through
 *       the run statistics' per-node classes ({@link FitSearch}); the first fitting run of a one-size
 *       class, or of exactly the wanted size, ends the search. Worst case still O(r) runs of the
 *       wanted class (runs that fail the window or alignment, or a wide class with no run of exactly
 *       the wanted size), plus the statistics' recomputation, O(8 log<sub>64</sub> n) per group of
 *       512 quanta changed since the last search (O(64 log<sub>64</sub> n) per block of 4096 before
 *       their groups exist). While the index of wide runs serves (walks of the wide classes met more
 *       than 64 runs on average), runs of 33 quanta and more cost O(log w) to the smallest that
 *       holds the request (w wide runs), plus O((v + 1) log w) per group changed since the last such
 *       search (v its wide runs)</td></tr>
 *   <tr><td>reserve, free, freeContaining, allocationContaining, isFree</td><td>O(log<sub>64</sub> n
 *       + k/64), the k/64 a fill of k/64 words</td></tr>
 *   <tr><td>stats</td><td>O(8 d log<sub>64</sub> n) for d groups of 512 quanta changed since the
 *       last call (64 words per block of 4096 before the statistics' sixteenth read): O(1)
 *       amortised per change</td></tr>
 *   <tr><td>memory</td><td>1.058 bits per quantum (measured as retained heap): the unit bits, 0.016 for each summary, 0.018 for
 *       run statistics, 0.008 for the boundary chunk table; 0.016 more for the runs' size classes once
 *       a best- or instant-fit search has run; 0.133 more for the statistics' groups once they have
 *       been read 16 times (by {@code stats()} or the skip), and then 0.143, not 0.016, for the
 *       classes, which the groups keep too (1.334 in all, measured); plus 528 bytes per 4096 quanta where a
 *       multi-quantum allocation begins or ends, plus the tags; plus, once the index of wide runs
 *       exists, 36 bytes per wide run and a bit per 512 quanta</td></tr>
 * </table>
 *
 * <h2>Threads</h2>
 * Allocators from this engine are not thread-safe unless built with
 * {@link io.allot.Allocators.Builder#threadSafe()}. Then one-quantum allocations and frees are
 * lock-free — a CAS on the word, then on the summaries — and everything else takes a lock that
 * waits for the lock-free calls in flight; see {@link io.allot.internal.ConcurrentAllocator}.
 */
public final class BitmapEngine implements EngineProvider {

    /** The name this engine is found by. */
    public static final String NAME = "bitmap";

    /** Called by {@link java.util.ServiceLoader}. */
    public BitmapEngine() {
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * An allocator over the spec's spans; a source and quantum caches, if the spec names them,
     * are layers in {@code api} around this engine's core, as around every engine's.
     *
     * @throws IllegalArgumentException if the spans hold more than 2<sup>32</sup> quanta, or the
     *                                  spec's quantum cache cannot serve its quantum and default
     *                                  policy
     */
    @Override
    public ResourceAllocator create(AllocatorSpec spec) {
        return GuardedAllocator.create(NAME, spec, new BitmapCore(spec.quantum(), spec.threadSafe()));
    }

    /** @return 2<sup>32</sup> */
    @Override
    public long maxUnits() {
        return BitmapCore.MAX_UNITS;
    }
}
