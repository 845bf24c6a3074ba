package io.allot.internal;

import io.allot.spi.AllocationPolicy;

/**
 * Which one-quantum search gives the same answer as a policy, for the standard policies whose
 * choice is known: first-match takes the lowest free quantum, last-match the highest, next-fit the
 * lowest at or after the rotor, wrapping once. Any other policy — best-fit, instant-fit, a plug-in,
 * a wrapper or a mock of a standard one — is {@link #NONE} and always asked through the general
 * path, so its {@code place} is called exactly as the contract says.
 *
 * <p>Recognised by class name, because {@code io.allot} cannot depend on {@code io.allot.policies};
 * a subclass or a proxy has another name and is not recognised.
 */
enum UnitSearch {
    LOWEST,
    HIGHEST,
    FROM_ROTOR,
    NONE;

    static UnitSearch of(AllocationPolicy policy) {
        switch (policy.getClass().getName()) {
            case "io.allot.policies.FirstMatch":
                return LOWEST;
            case "io.allot.policies.LastMatch":
                return HIGHEST;
            case "io.allot.policies.NextFit":
                return FROM_ROTOR;
            default:
                return NONE;
        }
    }
}
