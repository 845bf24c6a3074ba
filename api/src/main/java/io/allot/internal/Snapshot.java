package io.allot.internal;

import io.allot.Allocation;
import io.allot.Range;

import java.util.List;

/**
 * The content of one snapshot image, checked: what {@link SnapshotReader} returns and
 * {@link SnapshotWriter} writes. See {@code docs/snapshot-format.md} for the byte layout.
 *
 * @param engine            the engine the image was written from (informative; restore may pick another)
 * @param policy            name of the default policy
 * @param quantum           a power of two
 * @param threadSafe        whether the allocator was built thread-safe
 * @param rotor             the next-fit rotor
 * @param totalAllocations  counter from {@link io.allot.AllocatorStats}
 * @param totalFrees        counter from {@link io.allot.AllocatorStats}
 * @param failedAllocations counter from {@link io.allot.AllocatorStats}
 * @param spans             ascending, disjoint, on quantum boundaries
 * @param allocations       ascending, disjoint, each inside one span and on quantum boundaries
 * @param importSize        the allocator's smallest import from its source, or 0 if it has no source
 * @param quantumCacheMax   the largest size its quantum caches serve, or 0 if it has none
 * @param imported          the spans (some of {@code spans}, ascending) imported from the source
 *                          and not yet handed back; each holds at least one allocation
 */
public record Snapshot(String engine, String policy, long quantum, boolean threadSafe, long rotor,
                       long totalAllocations, long totalFrees, long failedAllocations,
                       List<Range> spans, List<Allocation> allocations,
                       long importSize, long quantumCacheMax, List<Range> imported) {

    /** "ALOT": the first four bytes of every image. */
    static final int MAGIC = 0x414c4f54;
    /** The only version this code writes and reads. */
    static final int VERSION = 1;
    /** Flag bit: the allocator was built with {@code threadSafe()}. */
    static final int FLAG_THREAD_SAFE = 1;
    /**
     * Flag bit: a layers section (import size, quantum cache size, imported spans) follows the
     * allocations. Written only for allocators with a source or quantum caches, so that every
     * other image is exactly what it was before the section existed; like every flag, a reader
     * that does not know it refuses the image.
     */
    static final int FLAG_LAYERS = 2;
    /** Longest engine or policy name accepted, in UTF-8 bytes. */
    static final int MAX_NAME_BYTES = 255;
}
