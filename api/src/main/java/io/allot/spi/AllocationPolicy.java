package io.allot.spi;

import io.allot.Range;
import io.allot.Request;

import java.util.Optional;

/**
 * Chooses where a request goes, given a read-only view of an engine's free space.
 *
 * <p>A policy only chooses: the engine checks the answer (free, inside one span, of the request's
 * size, satisfying the request) and throws {@link io.allot.PolicyViolationException} otherwise, so
 * a faulty policy cannot corrupt an allocator. Policies must be stateless and thread-safe: one
 * instance serves every allocator. They are discovered with {@link java.util.ServiceLoader}: a
 * plug-in is one class with a public no-argument constructor, named in {@code module-info}
 * ({@code provides io.allot.spi.AllocationPolicy with ...}) and in
 * {@code META-INF/services/io.allot.spi.AllocationPolicy}.
 */
public interface AllocationPolicy {

    /** The stable key this policy is found by, such as {@code "first-match"}. */
    String name();

    /**
     * The placement for {@code request}, or empty when nothing fits.
     *
     * @param request already normalised by the engine: size rounded up to the quantum, alignment
     *                at least the quantum
     * @param free    the engine's free space, valid only during this call
     */
    Optional<Range> place(Request request, FreeSpace free);

    /**
     * Whether a successful allocation with this policy moves the allocator's rotor to the end of
     * the placement plus one (next-fit does; nothing else should). Default {@code false}.
     */
    default boolean advancesRotor() {
        return false;
    }
}
