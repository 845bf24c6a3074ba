package io.allot.spi;

import io.allot.OverlapException;
import io.allot.Range;
import io.allot.ResourceAllocator;
import io.allot.internal.Spans;
import io.allot.internal.Unsigned;

import java.util.List;
import java.util.Objects;

/**
 * Everything an {@link EngineProvider} needs to build an allocator, checked once here so that
 * engines can trust it.
 *
 * @param spans           the initial spans, in any order; stored sorted. Disjoint, on quantum
 *                        boundaries, together fewer than 2<sup>64</sup> values. May be empty.
 * @param quantum         the unit of the space, a power of two
 * @param defaultPolicy   the policy {@code allocate(Request)} uses
 * @param threadSafe      whether the allocator must be safe for concurrent use
 * @param source          the allocator to import spans from when this one runs dry, or {@code null}
 * @param importSize      the smallest span to import from {@code source}: 0 without a source, else
 *                        a positive multiple of the quantum
 * @param quantumCacheMax the largest size served from per-size caches, or 0 for none
 */
public record AllocatorSpec(List<Range> spans, long quantum, AllocationPolicy defaultPolicy,
                            boolean threadSafe, ResourceAllocator source, long importSize,
                            long quantumCacheMax) {

    /**
     * @throws NullPointerException     if {@code spans}, one of them, or {@code defaultPolicy} is null
     * @throws IllegalArgumentException naming the value, if any rule above is broken
     */
    public AllocatorSpec {
        Objects.requireNonNull(spans, "spans");
        Objects.requireNonNull(defaultPolicy, "defaultPolicy");
        if (!Unsigned.isPowerOfTwo(quantum)) {
            throw new IllegalArgumentException("quantum " + Unsigned.hex(quantum) + " is not a power of two");
        }
        Spans checked = new Spans(quantum);
        for (Range span : spans) {
            try {
                checked.add(Objects.requireNonNull(span, "span"));
            } catch (OverlapException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
        spans = checked.list();
        if (source == null && importSize != 0) {
            throw new IllegalArgumentException("importSize " + Unsigned.hex(importSize) + " given without a source");
        }
        if (source != null && (importSize == 0 || (importSize & (quantum - 1)) != 0)) {
            throw new IllegalArgumentException("importSize " + Unsigned.hex(importSize)
                    + " must be a positive multiple of the quantum " + Unsigned.hex(quantum));
        }
    }

    /** A single-threaded spec with no source and no quantum caches. */
    public static AllocatorSpec of(List<Range> spans, long quantum, AllocationPolicy defaultPolicy) {
        return new AllocatorSpec(spans, quantum, defaultPolicy, false, null, 0, 0);
    }
}
