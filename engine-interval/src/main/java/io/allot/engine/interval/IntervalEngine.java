package io.allot.engine.interval;

import io.allot.ResourceAllocator;
import io.allot.internal.GuardedAllocator;
import io.allot.spi.AllocatorSpec;
import io.allot.spi.EngineProvider;

/**
 * The {@code interval} engine: a balanced search tree of the segments that tile each span, each
 * node caching the largest free run in its subtree — the structure behind rust-vmm's
 * {@code AddressAllocator}, made logarithmic under constraints and correct at both ends of the
 * 64-bit space.
 *
 * <h2>Data structure</h2>
 * Every span is cut into segments, free or allocated, that tile it exactly; two free segments of
 * one span are never adjacent (freeing merges both neighbours), and segments of different spans
 * never merge. The segments live in parallel arrays indexed by an int id ({@link Segments}) and are
 * threaded through two AVL trees:
 * <ul>
 *   <li>{@link AddressTree} — all segments by start, each node holding {@code maxFree}, the largest
 *       free segment in its subtree. First-, last- and next-fit descend only into subtrees whose
 *       {@code maxFree} can hold the request and that overlap the window.</li>
 *   <li>{@link SizeTree} — free segments by (size, start): best-fit and instant-fit find the
 *       smallest sufficient segment, ties to the lower address.</li>
 * </ul>
 *
 * <h2>Why AVL</h2>
 * Lookups (free, isFree, allocationContaining, every placement search) outnumber restructurings,
 * and AVL's height bound (1.44 log2 n, against red-black's 2 log2 n) shortens every one of them.
 * Its rotations are local, so the subtree maximum is re-derived from two children in O(1) per
 * rotation. A treap would need randomness (and reproducible layouts matter for snapshots and
 * tests); a B-tree packs better but makes the per-subtree maximum and the node-identity sharing
 * between the two trees far more intricate. Arrays rather than node objects keep the hot path
 * free of allocation and pointer-chasing, in the manner of Netty's {@code PoolChunk}.
 *
 * <h2>Costs</h2> n = live allocations + free segments.
 * <table>
 *   <caption>interval engine costs</caption>
 *   <tr><th>operation</th><th>cost</th></tr>
 *   <tr><td>first-, last-, next-fit, unconstrained or windowed</td><td>O(log n)</td></tr>
 *   <tr><td>the same with alignment, phase or no-cross</td><td>O(log n + k), k = free segments
 *       in front of the answer that are big enough but admit no aligned placement</td></tr>
 *   <tr><td>best-fit, instant-fit</td><td>O(log n), + k as above when constrained</td></tr>
 *   <tr><td>reserve, free (with merging), isFree, allocationContaining</td><td>O(log n)</td></tr>
 *   <tr><td>stats</td><td>O(1)</td></tr>
 *   <tr><td>memory</td><td>about 60 bytes per segment</td></tr>
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
     * @throws UnsupportedOperationException if the spec names a source allocator or quantum caches
     */
    @Override
    public ResourceAllocator create(AllocatorSpec spec) {
        return GuardedAllocator.create(NAME, spec, new IntervalCore());
    }
}
