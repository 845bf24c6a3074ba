package io.allot.bench;

import io.allot.Range;
import io.allot.ResourceAllocator;
import io.allot.bench.baseline.FreeRanges;

/**
 * The set-up of one workload as plain numbers, the same for Allot and for every baseline: which
 * blocks to create (in creation order), which of them to free (in freeing order), which stay live,
 * and the generator the measured loop then continues with. See {@code bench/README.md} for the
 * definitions these factories implement.
 *
 * <p>The live list is {@code live(0) .. live(liveCount()-1)}: the measured loops of W2 and V3 pick
 * {@code live(rng.index(liveCount()))} and put the replacement in the same slot.
 */
public final class Plan {

    /** A page of W3 to W6, and the quantum of V1–V3: 4 KiB. */
    public static final long PAGE = 4096;
    /** The last address of W3–W6/V1–V3's span {@code [0, 2^40 - 1]}. */
    public static final long SPAN_LAST = (1L << 40) - 1;
    /** Seed of W1 and W2. */
    public static final long ID_SEED = 0x9E3779B97F4A7C15L;
    /** Seed of W3, W5 and V1–V3. */
    public static final long PAGE_SEED = 0xDEADBEEFCAFEF00DL;
    /** V1–V3 block sizes are {@code PAGE * (1 + index(MAX_BLOCK_PAGES))}: 4 KiB to 1 MiB. */
    public static final int MAX_BLOCK_PAGES = 256;

    private final long[] starts;
    private final long[] sizes;
    private final long[] order;
    private final int freedCount;
    private final XorShift64Star rng;

    private Plan(long[] starts, long[] sizes, int freedCount, XorShift64Star rng) {
        this.starts = starts;
        this.sizes = sizes;
        this.freedCount = freedCount;
        this.rng = rng;
        this.order = new long[starts.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        FisherYates.chooseFront(order, freedCount, rng);
    }

    /**
     * W1/W2: ids {@code [0, ids-1]}, all allocated (smallest first, so id i is block i), then a
     * random half ({@code ids / 2}) freed; seed {@link #ID_SEED}.
     */
    public static Plan ids(int ids) {
        requirePositive("ids", ids);
        long[] starts = new long[ids];
        long[] sizes = new long[ids];
        for (int i = 0; i < ids; i++) {
            starts[i] = i;
            sizes[i] = 1;
        }
        return new Plan(starts, sizes, ids / 2, new XorShift64Star(ID_SEED));
    }

    /**
     * W3/W4/W5: {@code 2 * live} pages reserved at {@code i * PAGE}, then a random {@code live} of them
     * freed; seed {@link #PAGE_SEED}.
     */
    public static Plan pages(int live) {
        requirePositive("live", live);
        int n = Math.multiplyExact(2, live);
        long[] starts = new long[n];
        long[] sizes = new long[n];
        for (int i = 0; i < n; i++) {
            starts[i] = i * PAGE;
            sizes[i] = PAGE;
        }
        return new Plan(starts, sizes, live, new XorShift64Star(PAGE_SEED));
    }

    /**
     * V1–V3: {@code blocks} blocks packed from 0, block i of size {@code PAGE * (1 + index(256))}
     * drawn in creation order, then a random {@code blocks / 2} freed; seed {@link #PAGE_SEED}.
     */
    public static Plan blocks(int blocks) {
        requirePositive("blocks", blocks);
        XorShift64Star rng = new XorShift64Star(PAGE_SEED);
        long[] starts = new long[blocks];
        long[] sizes = new long[blocks];
        long next = 0;
        for (int i = 0; i < blocks; i++) {
            starts[i] = next;
            sizes[i] = randomBlockSize(rng, MAX_BLOCK_PAGES);
            next += sizes[i];
        }
        return new Plan(starts, sizes, blocks / 2, rng);
    }

    /** {@code PAGE * (1 + rng.index(maxPages))}: a size of 1 to {@code maxPages} pages. */
    public static long randomBlockSize(XorShift64Star rng, int maxPages) {
        return PAGE * (1 + rng.index(maxPages));
    }

    private static void requirePositive(String what, int n) {
        if (n <= 0) {
            throw new IllegalArgumentException(what + " " + n + " must be >= 1");
        }
    }

    /** Reserves every block in {@code allocator} in creation order, then frees the chosen ones in order. */
    public void applyTo(ResourceAllocator allocator) {
        for (int i = 0; i < count(); i++) {
            allocator.reserve(Range.ofSize(starts[i], sizes[i]));
        }
        for (int j = 0; j < freedCount; j++) {
            int block = (int) order[j];
            allocator.free(Range.ofSize(starts[block], sizes[block]));
        }
    }

    /** As {@link #applyTo(ResourceAllocator)}, on a baseline free set. */
    public void applyTo(FreeRanges free) {
        for (int i = 0; i < count(); i++) {
            free.reserve(starts[i], sizes[i]);
        }
        for (int j = 0; j < freedCount; j++) {
            int block = (int) order[j];
            free.free(starts[block], sizes[block]);
        }
    }

    /** How many blocks are created. */
    public int count() {
        return starts.length;
    }

    /** Start of block {@code i} (creation order). */
    public long start(int i) {
        return starts[i];
    }

    /** Size of block {@code i} (creation order). */
    public long size(int i) {
        return sizes[i];
    }

    /** How many blocks are freed after creation. */
    public int freedCount() {
        return freedCount;
    }

    /** The creation index of the {@code j}-th block to free. */
    public int freed(int j) {
        if (j < 0 || j >= freedCount) {
            throw new IndexOutOfBoundsException("freed block " + j + " of " + freedCount);
        }
        return (int) order[j];
    }

    /** How many blocks stay live. */
    public int liveCount() {
        return starts.length - freedCount;
    }

    /** The creation index of the {@code j}-th block of the live list. */
    public int live(int j) {
        if (j < 0 || j >= liveCount()) {
            throw new IndexOutOfBoundsException("live block " + j + " of " + liveCount());
        }
        return (int) order[freedCount + j];
    }

    /** The generator, positioned just after the set-up's draws: the measured loop continues with it. */
    public XorShift64Star rng() {
        return rng;
    }
}
