package io.allot.bench;

import io.allot.bench.baseline.FreeRanges;

/** W3, W4 and W5 on a baseline free set: the same plan as {@link AllotPages}. */
public final class BaselinePages {

    private final FreeRanges free;

    /** Builds the W3/W4/W5 state with {@code live} live pages in {@code empty}, which must be all free over the span. */
    public BaselinePages(FreeRanges empty, int live) {
        this.free = empty;
        Plan.pages(live).applyTo(free);
    }

    /** W3 ({@code size} 4 KiB), W4 (256 KiB) or W5 (1 GiB): {@code s = allocate(size, 4096); free(s)}. */
    public long allocateFree(long size) {
        long start = free.allocate(size, Plan.PAGE);
        free.free(start, size);
        return start;
    }

    /** The free set, to read its state. */
    public FreeRanges free() {
        return free;
    }
}
