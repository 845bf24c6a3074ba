package io.allot.spi;

import io.allot.ResourceAllocator;

/**
 * A factory for one kind of engine, discovered with {@link java.util.ServiceLoader}.
 *
 * <p>Implementations need a public no-argument constructor and must be listed both in
 * {@code module-info} ({@code provides io.allot.spi.EngineProvider with ...}) and in
 * {@code META-INF/services/io.allot.spi.EngineProvider}.
 */
public interface EngineProvider {

    /** The stable key users select this engine by, such as {@code "interval"}. */
    String name();

    /**
     * A new allocator over {@code spec}'s spans.
     *
     * @throws IllegalArgumentException      if this engine cannot manage the spec (for example a
     *                                       span too large for it)
     * @throws UnsupportedOperationException if the spec asks for a feature this engine lacks
     */
    ResourceAllocator create(AllocatorSpec spec);

    /**
     * The most quanta this engine's allocators hold in all their spans together, unsigned. A spec
     * (or a later {@code addSpan}) with more is refused with {@link IllegalArgumentException}
     * naming the limit. Default {@code -1L}: 2<sup>64</sup>&minus;1, no limit below what a space
     * can hold. Callers that pick spaces for any engine (the conformance suites, benchmarks) read
     * it to stay within reach of every engine.
     */
    default long maxUnits() {
        return -1L;
    }
}
