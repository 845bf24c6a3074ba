package io.allot.engine.vmem;

import io.allot.ResourceAllocator;
import io.allot.internal.GuardedAllocator;
import io.allot.spi.AllocatorSpec;
import io.allot.spi.EngineProvider;

/**
 * The {@code vmem} engine: the arena of Bonwick and Adams, "Magazines and Vmem: Extending the
 * Slab Allocator to Many CPUs and Arbitrary Resources" (USENIX 2001), as illumos
 * {@code usr/src/uts/common/os/vmem.c} implements it — O(1) instant-fit allocation and O(1) free —
 * with the searches a plain vmem answers by walking lists (best-fit, address-ordered fits under a
 * window, "which segment holds this value") made logarithmic by indexes that cost the O(1) paths
 * nothing.
 *
 * <h2>Data structure</h2>
 * <ul>
 *   <li><b>Segments with boundary tags</b> ({@link Segments}): one record per free or allocated
 *       segment and per span marker, all in one circular address-ordered doubly linked list headed
 *       by a sentinel. A span's marker precedes its segments, which tile it exactly. A record's
 *       bounds and four links are eight {@code int}s (32 bytes) in one array, two records to a
 *       64-byte line, so a record is one cache miss when cold, not two; its type and pending bits
 *       are a byte in a second, 32 times denser array. Records are recycled through a stack, so a
 *       steady loop allocates nothing but the returned {@code Range}. (A 64-byte record at a
 *       stride that did not match the lines, as tried before, still spanned two of them.)</li>
 *   <li><b>Power-of-two free lists</b> ({@link FreeLists}): list k holds the free segments of size
 *       [2<sup>k</sup>, 2<sup>k+1</sup>), newest first, and bit k of a {@code long} says whether it
 *       is non-empty. A list's head that shrinks into a lower class (up to seven classes lower)
 *       stays where it is, marked misfiled by how far it fell, until something is pushed over it
 *       or an instant-fit search for its class or above files it (a second {@code long} marks the
 *       lists whose head is misfiled): an alloc/free pair at a head then moves it nowhere
 *       instead of down the lists and back (and instant fit's own pair, V1's and W3's, does not
 *       even mark it: see the held carve).</li>
 *   <li><b>The allocation hash</b> ({@link AllocationHash}): allocated segments by start, open
 *       addressing over 8-byte slots (hash bits and record) with backward-shift deletion; starts
 *       are taken in units of their common power of two, groups of 16 consecutive units spread by
 *       a Fibonacci hash over runs of 16 slots (random starts spread, consecutive ones share cache
 *       lines); doubling above load 1/2 and halving below 1/8 on every insert and delete (illumos
 *       resizes from a periodic timer; the Rust {@code vmem} crate never does). The latest
 *       insertion is held beside the table until the next one, so freeing the latest allocation
 *       is one comparison, not a probe and a backward shift.</li>
 *   <li><b>The held carve</b>: the latest allocation carved off the front of a longer free
 *       segment has no record until something needs it (the next carve, a free of another
 *       allocation, a look-up by value). Its segment's bounds change at once; the allocation itself is
 *       four fields of the arena, lying in the gap before that segment. A free of it before then
 *       gives the segment its front back: V1's allocate/free pair creates, links, hashes and
 *       destroys no record. After instant fit's carve everything else waits too, until anything
 *       reads the free space (a search, a walk, a statistic, a span change) or another carve or
 *       free comes: the segment stays the unmarked head of its list, the largest free size is not
 *       told that it shrank, and a carve that takes all of it (an exact fit, 3 of V1's pairs in
 *       16) leaves it empty, {@code [end + 1, end]}, and still counted free, so that an exact fit
 *       and a front carve take one path with no branch between them. A free of the carve first
 *       leaves all of that as it was. Any other exact fit is held with its record typed and
 *       tagged at once and only its hash entry late, which is also what filing makes of an empty
 *       segment. The record slot and hash room the settling will need
 *       are reserved before the carve, so settling never fails; when nothing is held, no index is
 *       awake and nothing must grow, instant fit's carve takes a path that calls nothing.</li>
 *   <li><b>Three lazy indexes</b> ({@link SegmentIndex}), AVL trees with one cache line per
 *       node: the free segments by address with the largest free segment per subtree
 *       ({@link AddressIndex}), the free segments by (size, start) ({@link SizeIndex}), and the
 *       allocated segments by address ({@link AllocatedIndex}, for lookups by a value inside an
 *       allocation). A change only queues the record it touched (O(1)); a query first applies the
 *       queued changes, skipping records that ended up as the tree already has them (a split
 *       undone by the next free) and re-keying in place a free segment that was carved or grown
 *       (its address order cannot change), so a first-fit fill costs no rebalancing. An index
 *       whose queue outgrows half its tree goes dormant (drops the queue, ignores changes) and is
 *       rebuilt when next asked. Workloads that never ask — instant-fit allocation and free, frees
 *       by start, reservations in ascending order — never pay for a tree.</li>
 * </ul>
 *
 * <h2>Invariants</h2> (checked after every operation of the white-box tests)
 * <ol>
 *   <li>Spans ascend and do not overlap; each span's segments follow its marker and tile it
 *       exactly, in ascending order, but for the held carve's allocation, which lies in the gap just
 *       before its free segment.</li>
 *   <li>No two free segments of one span are adjacent: a free merges with both free neighbours.
 *       Segments never merge across a marker, so adjacent spans stay apart.</li>
 *   <li>A record is on free list k exactly when it is free and its size is in
 *       [2<sup>k</sup>, 2<sup>k+1</sup>), or it is list k's head, marked misfiled by d (1 &le; d
 *       &le; 7), and its size is in [2<sup>k-d</sup>, 2<sup>k-d+1</sup>), or it is the held
 *       instant-fit carve's segment left unfiled, list k's unmarked head, whose size with the held
 *       allocation's is in [2<sup>k</sup>, 2<sup>k+1</sup>); only free records are marked. Bit k
 *       of the map is set exactly when list k has a member, bit k of the misfiled map exactly
 *       when list k's head is marked. No segment is empty but that unfiled one, when the carve
 *       took all of it.</li>
 *   <li>The hash maps start to record for exactly the allocated segments but a held exact fit
 *       (a held front carve's allocation is no segment yet), the held entry apart and not in the
 *       table, every other reachable from its home slot, at load 1/8 to 1/2 (32 slots at least,
 *       the held entry counted); every start in the table is a multiple of
 *       2<sup>grain</sup>.</li>
 *   <li>Each awake index holds exactly the records it wants, keyed as they are now, except
 *       records queued since its last sync; a dormant one queues nothing and marks no record
 *       pending; the trees are AVL-balanced with exact augmentation.</li>
 *   <li>The free-segment count is exact, counting an unfiled empty segment as free; the cached
 *       largest free size is exact whenever it is marked known, taking the unfiled segment at its
 *       size before the carve. Every operation but instant fit's carve and the free of the held
 *       carve files the segment before it reads either.</li>
 * </ol>
 *
 * <h2>Policies</h2>
 * <ul>
 *   <li><b>instant-fit</b>: the head of the lowest list whose every member holds the request,
 *       {@code map & -(1L << ceil(log2 size))}, placed at its start — O(1). The contract lets the
 *       engine pick any member of that list; the head is the one vmem picks, and the reference
 *       model accepts any member. The standard policies' searches are allocated where they end
 *       ({@code allocateInstantFit} and its siblings): the segment the search chose is carved
 *       without being looked up again.</li>
 *   <li><b>best-fit</b>: the smallest whole free segment that admits a placement, ties to the
 *       lower address, the lowest fit in it — the size index's first admitting entry from
 *       {@code size} up. The index remembers its answer per request size while its tree is
 *       unchanged, so a best-fit loop of transient allocations (each freed before the free
 *       segments change) skips the descent.</li>
 *   <li><b>first-, last-, next-fit</b>: the address index's lowest or highest admitting segment,
 *       pruned by the largest free segment per subtree and by the window.</li>
 *   <li>Constraints (alignment, phase, no-cross, window) are {@code vmem_xalloc}'s, computed for
 *       every engine by {@link io.allot.internal.Placement}.</li>
 * </ul>
 *
 * <h2>Costs</h2> n = segments (live allocations + free segments), s = spans, p = records changed
 * since the index a query uses last caught up, k = big-enough free segments in front of the answer
 * that admit no placement (0 for unconstrained requests).
 * <table>
 *   <caption>vmem engine costs</caption>
 *   <tr><th>operation</th><th>cost</th></tr>
 *   <tr><td>instant-fit allocate</td><td>O(1), amortised over the filing of misfiled heads (a
 *       constrained request goes to best-fit)</td></tr>
 *   <tr><td>free, with coalescing</td><td>O(1) expected (hash), amortised over resizes</td></tr>
 *   <tr><td>freeContaining, allocationContaining</td><td>O(1) for an allocation's start, else
 *       O(log n) + catch-up</td></tr>
 *   <tr><td>reserve</td><td>O(1) inside the segment the last split left (ascending
 *       reservations, snapshot restore), else O(log n) + catch-up</td></tr>
 *   <tr><td>best-fit</td><td>O(log n + k) + catch-up; O(1) + catch-up for an unconstrained
 *       request when the size index has not changed since a search for the same size</td></tr>
 *   <tr><td>first-, last-, next-fit</td><td>O(log n + k) + catch-up</td></tr>
 *   <tr><td>isFree, firstAllocationIn</td><td>O(log n) + catch-up</td></tr>
 *   <tr><td>catch-up of an index</td><td>O(p log n), or an O(n) rebuild when p exceeds half the
 *       tree (or the index went dormant): each change costs an index at most one O(log n) update,
 *       and only if a query follows; a carved or grown free segment is one descent, no
 *       rotation</td></tr>
 *   <tr><td>stats: freeSegments, largestFree</td><td>O(1); largestFree after the largest free
 *       segment shrank files the highest list's misfiled heads and walks that list once</td></tr>
 *   <tr><td>addSpan, removeSpan</td><td>O(s)</td></tr>
 *   <tr><td>ascending, descending</td><td>O(log n) per segment</td></tr>
 *   <tr><td>forEachAllocated, forEachFree, snapshot</td><td>O(n)</td></tr>
 *   <tr><td>memory</td><td>33 bytes per segment (+4 or 8 once any allocation is tagged); 16–64 bytes
 *       of hash per allocation; 64 bytes per free segment in the address and size indexes and per
 *       allocation in the allocated index, once asked; 4 bytes per segment of node map per index
 *       asked; up to half an index's size in queued changes</td></tr>
 * </table>
 *
 * <p>Departures from illumos: free-list heads are an array beside the bitmap rather than marker
 * segments threaded into one chain; the next-fit rotor is the contract's (an address kept by
 * {@link GuardedAllocator}) rather than a marker segment in the list; a span's marker is inserted
 * in address order rather than appended; constrained instant-fit scans the lists as
 * {@code vmem_xalloc} does, but best-fit and address-ordered fits use the indexes instead; a
 * list head that shrinks up to seven classes is filed late (illumos files it at once unless it
 * stays in its list); the allocation hash holds its latest entry outside the table.
 * Arena hierarchies ({@code source}) and quantum caches are layers around every engine, not part
 * of this one.
 *
 * <p>Allocators from this engine are not thread-safe unless built with
 * {@link io.allot.Allocators.Builder#threadSafe()}, which puts one lock around each. Even queries
 * change internal state here (they bring the indexes up to date, and remember where the next
 * allocation will probably go), so concurrent readers need that lock as much as writers do.
 */
public final class VmemEngine implements EngineProvider {

    /** The name this engine is found by. */
    public static final String NAME = "vmem";

    /** Called by {@link java.util.ServiceLoader}. */
    public VmemEngine() {
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
        return GuardedAllocator.create(NAME, spec, new VmemCore());
    }
}
