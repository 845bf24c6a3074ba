package io.allot.cli.run;

import io.allot.Allocators;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OccupancyTest {

    @Test
    void bucketsHoldTheAllocatedShareSpanBySpan() {
        ResourceAllocator a = Allocators.builder().engine(ReplayerTest.engine())
                .span(Range.of(0, 99)).span(Range.of(1000, 1003)).build();
        a.reserve(Range.of(0, 24));          // bucket 0 of 4 full
        a.reserve(Range.of(30, 39));         // 10 of bucket 1's 25
        a.reserve(Range.of(1001, 1001));     // second span: 1 of 4 units in 2 buckets -> half of bucket 0
        Occupancy map = Occupancy.of(a, 2);
        assertEquals(a.spans(), map.spans());
        Occupancy four = Occupancy.of(a, 4);
        assertArrayEquals(new double[] {1, 0.4, 0, 0}, four.allocated()[0], 1e-12);
        assertArrayEquals(new double[] {0.5, 0}, map.allocated()[1], 1e-12);
        assertEquals("█▒  ", four.strip(0));
        assertEquals("▒ ", map.strip(1));
    }

    @Test
    void theTopOfTheSixtyFourBitSpaceMapsToTheLastBucket() {
        ResourceAllocator a = Allocators.builder().engine(ReplayerTest.engine())
                .span(Range.of(0xffff_ffff_ffff_ff00L, -1L)).build();
        a.allocate(Request.of(16).within(-16L, -1L));
        a.reserve(Range.of(0xffff_ffff_ffff_ff00L, 0xffff_ffff_ffff_ff0fL));
        Occupancy map = Occupancy.of(a, 16);
        double[] row = map.allocated()[0];
        assertEquals(1.0, row[0], 1e-9);
        assertEquals(1.0, row[15], 1e-9);
        assertEquals(0.0, row[7], 1e-9);
    }

    @Test
    void bucketsMustBePositive() {
        ResourceAllocator a = Allocators.builder().span(Range.of(0, 9)).build();
        assertEquals("buckets 0 must be >= 1",
                assertThrows(IllegalArgumentException.class, () -> Occupancy.of(a, 0)).getMessage());
    }
}
