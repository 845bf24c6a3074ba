package io.allot.engine.bitmap;

import io.allot.internal.CoreUnitPath;
import io.allot.internal.UnitPath;

/**
 * The id hot path of a single-threaded {@link BitmapCore}: {@link io.allot.IdAllocator#of}'s
 * {@code allocate} and {@code free} straight on the one span's {@link BitTree}, with the span's
 * first value, shift and the path's counters in this one object, so an id reaches its word
 * through this object and the tree, with no contract layer, span search or core in between.
 *
 * <p>The core keeps this object in step with itself ({@link #track}): {@link #bits} is the tree
 * while the core has exactly one span, else null; {@link #plainBits} says that, besides, no
 * allocation of the span is longer than one quantum and none carries a tag, so that a one-quantum
 * free needs neither the allocation boundaries nor the tag map. Whatever this path does not
 * handle — no span of its own, nothing free, a free that is not plain — goes to the allocator's
 * general one-quantum path ({@link #general}), which gives the same answer and counts it itself.
 * The core's own one-unit fast paths ({@link BitmapCore#claimLowest}, {@link BitmapCore#release})
 * use {@link #claim} and {@link #release}, which do not count.
 *
 * <p>Costs: an allocate is {@link BitTree#claimLowest} (one word read from the hint, or none
 * when the last free left its unit pending below the hint — W2's steady state), a free is
 * {@link BitTree#clearIfSet} plus an offset check. Not thread-safe; concurrent cores have none.
 *
 * <p>Two kinds ({@link #of}): {@link Units} for quantum 1, every id allocator's, where a unit is
 * its offset from the span's first value, and {@link Quanta} for larger quanta, which shifts and
 * checks the offset's alignment. The caller's call site sees one kind, so the JIT compiles the
 * quantum-1 path with no test of the quantum, where one class testing a flag paid a load and a
 * branch in both the claim and the free.
 */
abstract sealed class IdPath implements CoreUnitPath permits IdPath.Units, IdPath.Quanta {

    /** The allocator's own one-quantum path; null until {@link BitmapCore#lowestPath} attaches it. */
    private UnitPath general;
    /** The only span's tree while the core has exactly one span, else null. */
    private BitTree bits;
    /** The only span's first value and units (0 while {@link #bits} is null). */
    long base;
    long units;
    /**
     * {@link #bits} while the span holds no multi-quantum and no tagged allocation, else null: one
     * field read says both that a free may go straight to the bits and where they are.
     */
    private BitTree plainBits;
    private long allocations;
    private long frees;

    /** The id path of a core whose quantum is 2^{@code shift}. */
    static IdPath of(int shift) {
        return shift == 0 ? new Units() : new Quanta(shift);
    }

    /**
     * Follows the core: {@code only} is its one span, or null if it has not exactly one;
     * {@code untagged} whether no allocation carries a tag.
     */
    void track(SpanBitmap only, boolean untagged) {
        bits = only == null ? null : only.bits;
        base = only == null ? 0 : only.start;
        units = only == null ? 0 : only.units;
        plainBits = only != null && untagged && !only.hasMultiUnit() ? only.bits : null;
    }

    /** Attaches the allocator's general path; once. */
    void attach(UnitPath general) {
        if (this.general != null) {
            throw new IllegalStateException("the id path of this core is attached already");
        }
        this.general = general;
    }

    /** Whether the core has exactly one span, so that {@link #claim} may be called. */
    boolean hasOneSpan() {
        return bits != null;
    }

    /** Whether {@link #release} may be called: see {@link #plainBits}. */
    boolean isPlain() {
        return plainBits != null;
    }

    /**
     * Allocates the lowest free quantum of the only span ({@link #hasOneSpan()} must hold).
     *
     * @return its first value, or {@code none} if every quantum is allocated
     */
    long claim(long none) {
        long u = bits.claimLowest();
        return u < 0 ? none : first(u);
    }

    /** The first value of unit {@code u} of the span. */
    abstract long first(long u);

    /**
     * Frees the one-quantum allocation starting at {@code start} ({@link #isPlain()} must hold).
     *
     * @return false, changing nothing, if there is none: {@code start} is off the quantum,
     *         outside the span, or free
     */
    boolean release(long start) {
        return release(plainBits, start);
    }

    /** {@link #release(long)} in {@code b}, the plain span's bits. */
    abstract boolean release(BitTree b, long start);

    /** Quantum 1: unit u is the value {@code base + u}, every value starts a quantum. */
    static final class Units extends IdPath {
        @Override
        long first(long u) {
            return base + u; // no shift: each step here lies on the chain from a claim's word read to the next free's
        }

        @Override
        boolean release(BitTree b, long start) {
            long offset = start - base;
            // 0 <= offset < units (units <= 2^32) in one test: unsigned comparison, which Java 17 compiles as two additions
            return (offset | (units - 1 - offset)) >= 0 && b.clearIfSet(offset);
        }
    }

    /** Quantum 2^shift &gt; 1: unit u starts at {@code base + (u << shift)}. */
    static final class Quanta extends IdPath {
        private final int shift;
        private final long offsetMask;

        Quanta(int shift) {
            this.shift = shift;
            this.offsetMask = (1L << shift) - 1;
        }

        @Override
        long first(long u) {
            return base + (u << shift);
        }

        @Override
        boolean release(BitTree b, long start) {
            long offset = start - base;
            long u = offset >>> shift;
            return (offset & offsetMask) == 0 && Long.compareUnsigned(u, units) < 0 && b.clearIfSet(u);
        }
    }

    // ---------------------------------------------------------------- UnitPath, counted

    @Override
    public final long allocateUnit(long none) {
        BitTree b = bits;
        if (b != null) {
            long u = b.claimLowest();
            if (u >= 0) {
                allocations++;
                return first(u);
            }
        }
        return general.allocateUnit(none); // counts the failure, or serves a core of several spans
    }

    // allocateUnit's body, written out again rather than shared: a helper returning -1 for "none"
    // made the caller test the unit twice, and W1 as the default engine measured about 1 ns slower
    // in every one of three alternated forks (8.81 -> 9.94 ns, medians).
    @Override
    public final long claimUnit() {
        BitTree b = bits;
        if (b != null) {
            long u = b.claimLowest();
            if (u >= 0) {
                allocations++;
                return first(u);
            }
        }
        return general.claimUnit(); // throws when nothing is free, or serves a core of several spans
    }

    @Override
    public final boolean freeUnit(long start) {
        BitTree b = plainBits;
        if (b == null) {
            return general.freeUnit(start);
        }
        if (!release(b, start)) {
            return false;
        }
        frees++;
        return true;
    }

    @Override
    public boolean isAllocated(long value) {
        return general.isAllocated(value);
    }

    @Override
    public long freeValues() {
        return general.freeValues(); // settles this path's counts first
    }

    @Override
    public long takeAllocations() {
        long n = allocations;
        allocations = 0;
        return n;
    }

    @Override
    public long takeFrees() {
        long n = frees;
        frees = 0;
        return n;
    }

    @Override
    public String toString() {
        return "bitmap id path over " + (bits == null ? "no single span" : bits.units + " quanta from 0x" + Long.toHexString(base));
    }
}
