package io.allot.engine.interval;

import io.allot.ResourceAllocator;
import io.allot.internal.GuardedAllocator;
import io.allot.spi.AllocatorSpec;
import io.allot.spi.EngineProvider;

/**
 * The {@code interval} engine: the whole 64-bit space as a B-tree of ranges whose every node
 * knows the largest free segment below each child — Linux's maple tree, applied to a resource
 * allocator — with a finger that makes work near the last operation cost no descent.
 *
 * <h2>Data structure</h2>
 * <ul>
 *   <li>{@link SegmentTree}: every value of [0, 2<sup>64</sup>&minus;1] lies in exactly one
 *       <em>entry</em> — a free segment, an allocated segment, or a hole outside every span. An
 *       entry is stored only as its last value (its pivot); it starts one past the pivot before
 *       it, and a node's first value is implied by its parent. Nodes are 256-byte blocks of one
 *       {@code long[]}: a leaf holds up to 29 pivots and four 29-bit masks (free, hole, span start,
 *       tagged); an internal node holds up to 10 (pivot, largest free gap, child) triples and a
 *       mask of the children whose gap is not 0. One visit reads a few adjacent cache lines, not
 *       one line per field.</li>
 *   <li>The <em>cursor</em> ({@link Path}): the root-to-leaf path of the last entry touched, kept
 *       valid across allocations and frees. A lookup inside its leaf scans only that leaf; a
 *       first- or last-fit search checks the children beside the path top-down (through the gap
 *       masks, O(1) per level when they hold nothing big enough) and restarts the walk only below
 *       the highest level where one could. Allocating the placement a search just returned, and
 *       freeing the allocation just made, start from it too.</li>
 *   <li>{@link SizeIndex}: free segments by (size, start) in a B+-tree of the same block layout
 *       ({@link SizeTree}), for best- and instant-fit. Built on the first such query (first-,
 *       last- and next-fit users never pay for it), then kept exact through an eight-slot write
 *       buffer in which a change and its undoing cancel, so an allocation followed by the free
 *       that restores the same segments leaves it untouched. A <em>finger</em> per size class
 *       (by bit length) remembers where the last search for that minimum size entered the leaf
 *       chain, valid while the tree is unchanged: repeated searches between changes skip the
 *       descent.</li>
 *   <li>{@link io.allot.internal.TagMap}: the tags of the allocations that have one, and the unit
 *       of each run (below), by start, in an open-addressing hash; a leaf bit says which entries
 *       to look up.</li>
 *   <li><em>Runs</em>: an address-order fill of equal untagged allocations (first- or next-fit
 *       placing each right after the one before, as a VMM lays out pages, memory slots or
 *       devices) is one allocated entry, whose unit the tag map holds; each allocation after the
 *       second moves that entry's pivot ({@link SegmentTree#extendRunAtCursor}; straight after a
 *       join, with no other call between, only the checks that the request or the shrinking free
 *       entry can fail: {@link SegmentTree#extendRunAgain}), so such a fill adds no entry, splits
 *       no leaf and never grows the node array. A run never shows:
 *       lookups, walks and snapshots see its allocations one by one, and freeing one carves it
 *       out first ({@link SegmentTree#carveFromRun}, two pivots at most), the rest on either side
 *       staying a run while it holds two or more.</li>
 *   <li>{@link io.allot.internal.SingleUnits}: one-quantum, untagged first- and last-match requests
 *       (and {@link io.allot.IdAllocator}'s) are claimed through the same tree searches without a
 *       {@code Request}, an {@code Optional} or a policy call; the claims use plain accesses, so a
 *       thread-safe allocator keeps its lock.</li>
 *   <li>Search and carve in one step: first-, last- and next-match requests of any shape are
 *       placed by {@link IntervalCore#allocateFirstFit}/{@link IntervalCore#allocateLastFit}
 *       (the allocator calls them instead of asking the policy, whose answer they are), which
 *       carve the entry the search ended on without finding it again; best- and instant-fit by
 *       {@link IntervalCore#allocateBestFit}/{@link IntervalCore#allocateInstantFit}, which carve
 *       the segment the size index named, entering the segment tree by its first value (inside
 *       the cursor's leaf when it holds it). The commonest carves (all of a free entry, a piece
 *       sharing its first or last value, or a piece strictly inside it, in a leaf with room) and
 *       the commonest free (an entry inside its leaf, which keeps its fill) run as small methods
 *       of their own beside the general ones, with the same effect; an exact fit (all of a free
 *       entry) and a free that merges with neither neighbour move no pivot, only the entry's kind
 *       bit, with gap work only when the leaf's largest free entry changes.</li>
 *   <li>One pass where a search would not leave the cursor's leaf: when the leaf is
 *       <em>clean</em> for the request (the last first-fit search proved that nothing of at least
 *       its size ends before the leaf at or above its lower limit; last-fit mirrored), first- and
 *       last-fit and one-unit claims scan only that leaf's free entries and carve the one they
 *       find from the values the scan read ({@link SegmentTree#allocateLowestInLeaf},
 *       {@link SegmentTree#allocateHighestInLeaf}); a free of exactly the untagged allocation at
 *       the cursor, inside its leaf, is checked and made from the same leaf words
 *       ({@link SegmentTree#freeAtCursor}). A first-fit that takes the front of the entry it
 *       found (an address-order fill every time, most first-fit pairs) knows so from the
 *       window, alignment and phase alone, without the general placement, and carves it inline
 *       in that pass, without a call to the carve (a last-fit taking the back of its entry, as
 *       last-match takes the free tail's, likewise); one that lands strictly inside its entry
 *       calls the in-leaf middle carve directly, and when that entry is the cursor's and the
 *       placement is at the lower limit itself — next-fit's rotor, inside the free tail its
 *       last pair merged back — there is no scan at all: nothing can start lower
 *       ({@link SegmentTree#allocateInsideCursor}). A carve on
 *       these paths that needs a split keeps the
 *       search's clean bounds for the leaf that then holds the allocation (the split moves only
 *       entries before the carved one to the left of that leaf). An address-order fill (each
 *       allocation at the low edge of the free tail the cursor sits beside) and allocate/free
 *       pairs take these paths every time, splits included; anything they do not cover steps
 *       aside, changing nothing, to the general search.</li>
 * </ul>
 * Allocated segments are found by start through the tree (or the cursor), not through a hash as
 * in vmem: freeing must find the neighbours in address order to merge anyway, and a hash of
 * allocations would cost about 20 more bytes per allocation and re-pointing on every leaf split.
 *
 * <h2>Invariants</h2> (checked after every operation of the white-box test)
 * <ol>
 *   <li>entries tile the space in pivot order; a node's last pivot is its parent's pivot for it;</li>
 *   <li>every gap and gap mask is exact, and the root's gap is the largest free segment — except
 *       that the gaps on the path of at most one leaf may still show that leaf's largest free
 *       segment as it was before allocations shrank it (a <em>deferred shrink</em>, applied before
 *       anything needs exact gaps; see {@link SegmentTree}), which the check verifies without
 *       applying it;</li>
 *   <li>all leaves at one depth; non-root leaves hold 14..29 entries (the last leaf, ending at
 *       2<sup>64</sup>&minus;1, 1..29: appending there splits off a new last leaf with just the
 *       entries from the insertion point on, so address-order fills leave full leaves behind and
 *       move two or three entries per split), internal nodes 5..10 children (an internal root at
 *       least 2);</li>
 *   <li>no two adjacent holes; two adjacent free segments only across a span start (free space
 *       never merges across spans, even adjacent ones);</li>
 *   <li>the size index (once built), with its buffer applied, holds exactly the free segments, and
 *       each of its current fingers is where a fresh descent would enter the leaf chain; the tag
 *       table holds exactly the tagged allocations; a valid cursor is the path a fresh descent to
 *       its entry would take, and a deferred shrink's first value leads a descent to its leaf;
 *       a clean leaf (first- or last-fit) is a leaf of the tree and no free segment its bounds
 *       rule out lies before (after) it; a run is an allocated, untagged entry of two or more
 *       whole allocations of its recorded unit.</li>
 * </ol>
 *
 * <h2>Costs</h2> n = entries (live allocations + free segments + holes); height at most
 * 2 + log<sub>5</sub>(n / 28) (6 for the 1.5 &times; 10<sup>5</sup> entries of 10<sup>5</sup> random
 * live pages).
 * <table>
 *   <caption>interval engine costs</caption>
 *   <tr><th>operation</th><th>cost</th></tr>
 *   <tr><td>first-, last-, next-fit, unconstrained or windowed</td><td>O(log n); O(height) checks
 *       and one leaf scan when the fit is beside the cursor; none of the checks when the last
 *       first-fit (last-fit) search found its fit in the cursor's leaf and only allocations
 *       happened since (an address-order fill, an allocate/free pair), nor a scan when the
 *       placement at the lower limit (next-fit's rotor) lies inside the cursor's free entry;
 *       the allocation itself then costs a shift of the leaf's pivots above it and O(1) gap
 *       work, in one pass over the leaf with the search</td></tr>
 *   <tr><td>the same with alignment, phase or no-cross</td><td>O(log n + k), k = free segments
 *       in front of the answer that are big enough but admit no aligned placement</td></tr>
 *   <tr><td>best-fit, instant-fit</td><td>O(log n), + k as above when constrained; no descent
 *       of the size index when its tree is unchanged since the last search of that minimum size
 *       (as between allocate/free pairs); the carve enters the segment tree by one descent, none
 *       when the cursor's leaf holds the segment; the first call builds the size index,
 *       O(n log n)</td></tr>
 *   <tr><td>an address-order fill of equal untagged allocations</td><td>O(1) each after the
 *       second: one pivot moved, no entry added, no split, no growth of the node array</td></tr>
 *   <tr><td>reserve, free (with merging), freeContaining, isFree, allocationContaining</td>
 *       <td>O(log n); one leaf scan inside the cursor's leaf; freeing the untagged allocation
 *       at the cursor reads only its leaf's header, bit words and two pivots before the merge. Gap updates climb only while a
 *       gap changes (freeing the allocation just made, in its leaf, climbs not at all); splits
 *       and merges are the B-tree's, and appending at the end of the last leaf splits it once
 *       per 27 entries, moving two or three; freeing one allocation of a run first carves it out
 *       of the run (at most two pivots, the carve's cost)</td></tr>
 *   <tr><td>one-quantum claim and release ({@code SingleUnits})</td><td>as first-/last-fit and free;
 *       O(1) beside the cursor</td></tr>
 *   <tr><td>stats (free segments, largest free)</td><td>O(1)</td></tr>
 *   <tr><td>memory</td><td>256-byte nodes at least half full (all but the last leaf): at most 23
 *       bytes per entry, about 10 when filled in address order with allocations of different
 *       sizes, and one entry for a whole fill of equal ones (a run); the size index adds at most 46 bytes per free segment
 *       once built, and 1.5 KB of fingers</td></tr>
 * </table>
 *
 * <p>Allocators from this engine are not thread-safe unless built with
 * {@link io.allot.Allocators.Builder#threadSafe()}, which puts one lock around each.
 */
public final class IntervalEngine implements EngineProvider {

    /** The name this engine is found by. */
    public static final String NAME = "interval";

    /** Called by {@link java.util.ServiceLoader}. */
    public IntervalEngine() {
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * An allocator over the spec's spans; a source and quantum caches, if the spec names them,
     * are layers in {@code api} around this engine's core, as around every engine's.
     *
     * @throws IllegalArgumentException if the spec's quantum cache cannot serve its quantum and
     *                                  default policy
     */
    @Override
    public ResourceAllocator create(AllocatorSpec spec) {
        return GuardedAllocator.create(NAME, spec, new IntervalCore(spec.quantum()));
    }
}
