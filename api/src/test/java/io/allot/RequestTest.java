package io.allot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Request}: defaults, withers and every construction rule with its message. Whether a
 * request admits a start is proved exhaustively in {@code io.allot.internal.PlacementTest}.
 */
class RequestTest {

    private static final long MAX = -1L;
    private static final long TWO_63 = Long.MIN_VALUE;

    private static String rejected(Executable construction) {
        return assertThrows(IllegalArgumentException.class, construction).getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "\"" + message + "\" should mention " + part);
        }
    }

    @Test
    void ofHasTheDefaults() {
        Request r = Request.of(0x1000);
        assertAll(
                () -> assertEquals(0x1000, r.size()),
                () -> assertEquals(1, r.alignment()),
                () -> assertEquals(0, r.phase()),
                () -> assertEquals(0, r.noCross()),
                () -> assertEquals(0, r.min()),
                () -> assertEquals(MAX, r.max()),
                () -> assertNull(r.tag()));
        assertEquals(new Request(0x1000, 1, 0, 0, 0, MAX, null), r);
    }

    @Test
    void withersSetOneFieldAndKeepTheRest() {
        Request base = Request.of(0x10);
        Request r = base.aligned(0x100).phase(0x8).noCross(0x1000).within(0x2000, 0x2fff).tagged("dev");
        assertEquals(new Request(0x10, 0x100, 0x8, 0x1000, 0x2000, 0x2fff, "dev"), r);
        assertEquals(Request.of(0x10), base, "withers return new requests");

        assertEquals(new Request(0x10, 0x40, 0x8, 0x1000, 0x2000, 0x2fff, "dev"), r.aligned(0x40));
        assertEquals(new Request(0x10, 0x100, 0x0, 0x1000, 0x2000, 0x2fff, "dev"), r.phase(0));
        assertEquals(new Request(0x10, 0x100, 0x8, 0, 0x2000, 0x2fff, "dev"), r.noCross(0));
        assertEquals(new Request(0x10, 0x100, 0x8, 0x1000, 0, MAX, "dev"), r.within(0, MAX));
        assertEquals(new Request(0x10, 0x100, 0x8, 0x1000, 0x2000, 0x2fff, null), r.tagged(null));
        assertEquals(new Request(0x10, 0x100, 0x8, 0x1000, 0x2000, 0x2fff, "other"), r.tagged("other"));
    }

    @Test
    void sizeZeroIsRejected() {
        assertEquals("size 0 must be >= 1", rejected(() -> Request.of(0)));
        assertEquals("size 0 must be >= 1", rejected(() -> new Request(0, 1, 0, 0, 0, MAX, null)));
    }

    @Test
    void everySizeUpToTwoToThe64MinusOneIsValid() {
        assertEquals(MAX, Request.of(MAX).size());
        assertEquals(TWO_63, Request.of(TWO_63).size());
        assertEquals(1, Request.of(1).size());
    }

    @Test
    void alignmentMustBeAPowerOfTwo() {
        assertEquals("alignment 0x3 is not a power of two", rejected(() -> Request.of(1).aligned(3)));
        assertEquals("alignment 0x0 is not a power of two", rejected(() -> Request.of(1).aligned(0)));
        assertEquals("alignment 0xffffffffffffffff is not a power of two", rejected(() -> Request.of(1).aligned(MAX)));
        assertEquals("alignment 0x8000000000000001 is not a power of two",
                rejected(() -> Request.of(1).aligned(TWO_63 + 1)));
        assertEquals("alignment 0x1001 is not a power of two", rejected(() -> Request.of(1).aligned(0x1001)));
    }

    @Test
    void alignmentOfTwoToThe63IsValid() {
        Request r = Request.of(1).aligned(TWO_63);
        assertEquals(TWO_63, r.alignment());
        assertEquals(TWO_63 - 1, r.phase(TWO_63 - 1).phase(), "any phase below 2^63, read unsigned");
        for (int k = 0; k < 64; k++) {
            assertEquals(1L << k, Request.of(1).aligned(1L << k).alignment());
        }
    }

    @Test
    void phaseMustBeBelowTheAlignment() {
        assertMentions(rejected(() -> Request.of(1).phase(1)), "phase 0x1", "alignment 0x1");
        assertMentions(rejected(() -> Request.of(1).aligned(4).phase(4)), "phase 0x4", "alignment 0x4");
        assertMentions(rejected(() -> Request.of(1).aligned(4).phase(MAX)), "phase 0xffffffffffffffff",
                "alignment 0x4");
        assertMentions(rejected(() -> Request.of(1).aligned(TWO_63).phase(TWO_63)), "phase 0x8000000000000000",
                "alignment 0x8000000000000000");
        assertEquals(3, Request.of(1).aligned(4).phase(3).phase());
    }

    @Test
    void eachWitherChecksTheWholeRequestAgain() {
        Request phased = Request.of(1).aligned(8).phase(7);
        assertMentions(rejected(() -> phased.aligned(4)), "phase 0x7", "alignment 0x4");
        Request narrow = Request.of(1).aligned(8).phase(7).aligned(8);
        assertEquals(7, narrow.phase());
        assertMentions(rejected(() -> Request.of(1).within(10, 20).within(30, 20)), "min 0x1e", "max 0x14");
    }

    @Test
    void noCrossMustBeAPowerOfTwoOrZero() {
        String message = rejected(() -> Request.of(1).noCross(3));
        assertTrue(message.startsWith("noCross 0x3 is not a power of two"), message);
        assertMentions(rejected(() -> Request.of(1).noCross(MAX)), "noCross 0xffffffffffffffff");
        assertMentions(rejected(() -> Request.of(1).noCross(TWO_63 + 1)), "noCross 0x8000000000000001");
        assertEquals(0, Request.of(1).noCross(0).noCross(), "0 means no boundary");
        assertEquals(TWO_63, Request.of(1).noCross(TWO_63).noCross());
    }

    @Test
    void noCrossMustHoldTheSize() {
        assertMentions(rejected(() -> Request.of(8).noCross(4)), "noCross 0x4", "size 0x8");
        assertMentions(rejected(() -> Request.of(TWO_63 + 1).noCross(TWO_63)), "noCross 0x8000000000000000",
                "size 0x8000000000000001");
        assertMentions(rejected(() -> Request.of(MAX).noCross(TWO_63)), "noCross 0x8000000000000000",
                "size 0xffffffffffffffff");
        assertEquals(8, Request.of(8).noCross(8).noCross(), "noCross equal to the size is allowed");
        assertEquals(TWO_63, Request.of(TWO_63).noCross(TWO_63).noCross());
        assertDoesNotThrow(() -> Request.of(MAX).noCross(0));
    }

    @Test
    void minMustNotExceedMax() {
        assertMentions(rejected(() -> Request.of(1).within(5, 4)), "min 0x5", "max 0x4");
        assertMentions(rejected(() -> Request.of(1).within(TWO_63, 5)), "min 0x8000000000000000", "max 0x5");
        assertMentions(rejected(() -> Request.of(1).within(MAX, MAX - 1)), "min 0xffffffffffffffff",
                "max 0xfffffffffffffffe");
        Request r = Request.of(1).within(5, TWO_63);
        assertEquals(5, r.min());
        assertEquals(TWO_63, r.max());
        assertEquals(MAX, Request.of(1).within(MAX, MAX).min(), "a window of one value");
    }

    @Test
    void aWindowSmallerThanTheSizeIsAllowedButAdmitsNothing() {
        Request r = Request.of(0x10).within(0x1000, 0x1007);
        assertEquals(0x1000, r.min());
        assertFalse(r.admits(0x1000));
    }

    @Test
    void rulesAreCheckedInTheOrderOfTheFields() {
        assertEquals("size 0 must be >= 1", rejected(() -> new Request(0, 3, 5, 3, 9, 1, null)));
        assertMentions(rejected(() -> new Request(1, 3, 5, 3, 9, 1, null)), "alignment 0x3");
    }

    @Test
    void toStringShowsEveryFieldInHex() {
        assertEquals("Request[size=0x10, alignment=0x100, phase=0x8, noCross=0x1000, min=0x2000, max=0xffffffffffffffff,"
                + " tag=dev]", Request.of(0x10).aligned(0x100).phase(8).noCross(0x1000).within(0x2000, MAX)
                .tagged("dev").toString());
        assertEquals("Request[size=0x1, alignment=0x1, phase=0x0, noCross=0x0, min=0x0, max=0xffffffffffffffff]",
                Request.of(1).toString());
    }
}
