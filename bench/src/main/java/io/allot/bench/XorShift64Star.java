package io.allot.bench;

/**
 * The workloads' random numbers: Marsaglia's xorshift64* (Vigna's multiplier), chosen because it is
 * four lines in any language, so another allocator's harness can replay exactly the same
 * operations.
 *
 * <pre>
 * x ^= x &gt;&gt;&gt; 12; x ^= x &lt;&lt; 25; x ^= x &gt;&gt;&gt; 27; return x * 0x2545F4914F6CDD1D;
 * </pre>
 *
 * An index below {@code n} is {@code ((next() >>> 32) * n) >>> 32}: Lemire's multiply-shift on the
 * high 32 bits, no division and no rejection loop (its bias, below 2<sup>-12</sup> for n &le;
 * 2<sup>20</sup>, does not matter for a benchmark). Not thread-safe; one generator per state.
 */
public final class XorShift64Star {

    private static final long MULTIPLIER = 0x2545F4914F6CDD1DL;

    private long x;

    /**
     * A generator whose first output follows {@code seed}.
     *
     * @throws IllegalArgumentException if {@code seed} is 0, the generator's one fixed point
     */
    public XorShift64Star(long seed) {
        if (seed == 0) {
            throw new IllegalArgumentException("seed 0 is xorshift's fixed point; use any other");
        }
        this.x = seed;
    }

    /** The next 64 pseudo-random bits. */
    public long next() {
        x ^= x >>> 12;
        x ^= x << 25;
        x ^= x >>> 27;
        return x * MULTIPLIER;
    }

    /**
     * A pseudo-random index in {@code [0, n)}.
     *
     * @throws IllegalArgumentException if {@code n} is not positive
     */
    public int index(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("index bound " + n + " must be >= 1");
        }
        return (int) (((next() >>> 32) * n) >>> 32);
    }
}
