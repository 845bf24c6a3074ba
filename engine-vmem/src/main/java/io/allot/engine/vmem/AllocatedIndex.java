package io.allot.engine.vmem;

import static io.allot.engine.vmem.Segments.ALLOCATED;

/**
 * The allocated segments by start address: which allocation holds a value that is not its start
 * (the hash answers for starts), and the first allocation in a range (reserve's and free's
 * error messages). O(log n) where a plain vmem arena walks its segment list. Kept up to date
 * lazily (see {@link SegmentIndex}) and asked only by those queries, so allocation-heavy
 * workloads that never ask (W6, V1–V3) never build it. An allocated segment's range never changes
 * while it is allocated, so every update is an insertion or a removal.
 *
 * <p>Stored keys: {@code k1} = start, {@code k2} = end; no weight.
 */
final class AllocatedIndex extends SegmentIndex {

    AllocatedIndex(Segments segs) {
        super(segs, Segments.PENDING_ALLOCATED);
    }

    @Override
    boolean wanted(int p) {
        return segs.type(p) == ALLOCATED;
    }

    @Override
    long weight(int p) {
        return 0;
    }

    /** The address list is already sorted: a balanced tree in O(n). */
    @Override
    void build() {
        buildInAddressOrder();
    }
}
