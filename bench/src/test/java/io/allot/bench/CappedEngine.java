package io.allot.bench;

import io.allot.Range;
import io.allot.ResourceAllocator;
import io.allot.spi.AllocatorSpec;
import io.allot.spi.EngineProvider;

import java.math.BigInteger;
import java.util.ServiceLoader;

/**
 * A test-only engine that refuses more than 2<sup>32</sup> units, as the bitmap engine will, and
 * otherwise hands the spec to another installed engine: it proves that the page-space workloads
 * fall back to quantum 4096 for such an engine without being told its name, and it rides along in
 * every other smoke test.
 */
public final class CappedEngine implements EngineProvider {

    static final String NAME = "capped-for-test";
    private static final BigInteger MAX_UNITS = BigInteger.ONE.shiftLeft(32);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ResourceAllocator create(AllocatorSpec spec) {
        BigInteger units = BigInteger.ZERO;
        for (Range span : spec.spans()) {
            units = units.add(BigInteger.valueOf(span.end() - span.start()).add(BigInteger.ONE)
                    .divide(BigInteger.valueOf(spec.quantum())));
        }
        if (units.compareTo(MAX_UNITS) > 0) {
            throw new IllegalArgumentException(units + " units exceed the limit of 2^32");
        }
        for (EngineProvider other : ServiceLoader.load(EngineProvider.class)) {
            if (!other.name().equals(NAME)) {
                return other.create(spec);
            }
        }
        throw new IllegalStateException("no other engine to delegate to");
    }
}
