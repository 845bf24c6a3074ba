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
}
