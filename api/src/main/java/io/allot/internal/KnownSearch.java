package io.allot.internal;

import io.allot.spi.AllocationPolicy;

/**
 * Which core search gives the same answer as a policy, for the standard policies whose choice is
 * known: first-match takes the lowest fit, last-match the highest, next-fit the lowest at or after
 * the rotor, wrapping once; best-fit the core's {@link EngineCore#bestFit}; instant-fit the core's
 * {@link EngineCore#instantFit} for an unconstrained request, falling back to best-fit. Any other
 * policy — a plug-in, a wrapper or a mock of a standard one — is {@link #NONE} and always asked
 * through the general path, so its {@code place} is called exactly as the contract says.
 *
 * <p>Only the first three also have a one-quantum claim on a core's {@link SingleUnits}
 * ({@link #claimsUnits}); best-fit and instant-fit of one quantum go through the core's search.
 *
 * <p>Recognised by class name, because {@code io.allot} cannot depend on {@code io.allot.policies};
 * a subclass or a proxy has another name and is not recognised.
 */
enum KnownSearch {
    LOWEST,
    HIGHEST,
    FROM_ROTOR,
    SMALLEST,
    INSTANT,
    NONE;

    static KnownSearch of(AllocationPolicy policy) {
        switch (policy.getClass().getName()) {
            case "io.allot.policies.FirstMatch":
                return LOWEST;
            case "io.allot.policies.LastMatch":
                return HIGHEST;
            case "io.allot.policies.NextFit":
                return FROM_ROTOR;
            case "io.allot.policies.BestFit":
                return SMALLEST;
            case "io.allot.policies.InstantFit":
                return INSTANT;
            default:
                return NONE;
        }
    }

    /** {@link #of}, or {@link #NONE} for a policy whose one quantum no {@link SingleUnits} claim gives. */
    static KnownSearch ofUnits(AllocationPolicy policy) {
        KnownSearch search = of(policy);
        return search.claimsUnits() ? search : NONE;
    }

    /** Whether a one-quantum request of this search is a {@link SingleUnits} claim. */
    boolean claimsUnits() {
        return this == LOWEST || this == HIGHEST || this == FROM_ROTOR;
    }
}
