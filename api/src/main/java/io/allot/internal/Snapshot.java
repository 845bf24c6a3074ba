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
 */
public record Snapshot(String engine, String policy, long quantum, boolean threadSafe, long rotor,
                       long totalAllocations, long totalFrees, long failedAllocations,
                       List<Range> spans, List<Allocation> allocations) {

    /** "ALOT": the first four bytes of every image. */
    static final int MAGIC = 0x414c4f54;
    /** The only version this code writes and reads. */
    static final int VERSION = 1;
    /** Flag bit: the allocator was built with {@code threadSafe()}. */
    static final int FLAG_THREAD_SAFE = 1;
    /** Longest engine or policy name accepted, in UTF-8 bytes. */
    static final int MAX_NAME_BYTES = 255;
}
