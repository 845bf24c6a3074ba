package io.allot.bench;

import io.allot.ResourceAllocator;
import io.allot.bench.baseline.FreeRanges;
import io.allot.spi.AllocationPolicy;

/**
 * W6: allocate {@code pages} pages of 4 KiB, page-aligned, first-match, into an empty
 * {@code [0, 2^40 - 1]}. Returns a checksum of the placements so that none of them is dead code,
 * and so that two allocators can be checked to place identically.
 */
public final class Fill {

    private Fill() {
    }

    /** Fills {@code allocator} (empty) with {@code pages} pages using {@code firstMatch}. */
    public static long fill(ResourceAllocator allocator, AllocationPolicy firstMatch, int pages) {
        long checksum = 0;
        for (int i = 0; i < pages; i++) {
            checksum = 31 * checksum + allocator.allocate(AllotPages.PAGE, firstMatch).start();
        }
        return checksum;
    }

    /** Fills {@code free} (all free) with {@code pages} pages. */
    public static long fill(FreeRanges free, int pages) {
        long checksum = 0;
        for (int i = 0; i < pages; i++) {
            checksum = 31 * checksum + free.allocate(Plan.PAGE, Plan.PAGE);
        }
        return checksum;
    }
}
