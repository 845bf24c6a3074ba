package io.allot.bench;

import io.allot.Allocators;
import io.allot.Range;
import io.allot.ResourceAllocator;

/**
 * The span {@code [0, 2^40 - 1]} of W3 to W6 on a named engine, in bytes with quantum 1, or
 * — for an engine that refuses that many units with {@link IllegalArgumentException}, as the
 * bitmap engine does beyond 2<sup>32</sup> — with quantum {@link Plan#PAGE}. Every request of those
 * workloads is a multiple of a page, page-aligned, so both quanta do the same work; the report
 * states which one each engine ran with.
 */
public final class PageSpace {

    /** The whole space, {@code [0, 2^40 - 1]}. */
    public static final Range SPAN = Range.of(0, Plan.SPAN_LAST);

    private PageSpace() {
    }

    /**
     * An empty allocator over {@link #SPAN} on {@code engine}, default policy first-match, with
     * quantum 1 if the engine accepts it, else {@link Plan#PAGE}.
     *
     * @throws IllegalArgumentException if the engine is unknown or refuses both quanta
     */
    public static ResourceAllocator build(String engine) {
        try {
            return Allocators.builder().engine(engine).span(SPAN).quantum(1).build();
        } catch (IllegalArgumentException tooManyUnits) {
            Allocators.builder().engine(engine);   // an unknown engine fails here, naming the known ones
            try {
                return Allocators.builder().engine(engine).span(SPAN).quantum(Plan.PAGE).build();
            } catch (IllegalArgumentException also) {
                also.addSuppressed(tooManyUnits);
                throw also;
            }
        }
    }
}
