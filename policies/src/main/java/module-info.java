/**
 * The five standard placement policies. Each is a stateless class over
 * {@link io.allot.spi.FreeSpace}; the engine does the searching, the policy says which search.
 */
module io.allot.policies {
    requires io.allot;

    exports io.allot.policies;

    provides io.allot.spi.AllocationPolicy with
            io.allot.policies.FirstMatch,
            io.allot.policies.LastMatch,
            io.allot.policies.NextFit,
            io.allot.policies.BestFit,
            io.allot.policies.InstantFit;
}
