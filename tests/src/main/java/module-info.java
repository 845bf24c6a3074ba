/**
 * The conformance suite's home (its tests are patched into this module by surefire) and the
 * README's device-manager example. Requires only the API: engines and policies on the module
 * path are bound through {@code io.allot}'s {@code uses} clauses.
 */
module io.allot.tests {
    requires io.allot;

    // Matrix reads each engine's EngineProvider.maxUnits() to pick spaces the engine can hold.
    uses io.allot.spi.EngineProvider;

    exports io.allot.example;
}
