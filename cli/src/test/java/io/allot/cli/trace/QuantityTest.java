package io.allot.cli.trace;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class QuantityTest {

    @Test
    void decimalHexSeparatorsAndSuffixes() {
        assertEquals(0, Quantity.parse("0"));
        assertEquals(4096, Quantity.parse("4096"));
        assertEquals(4096, Quantity.parse("4K"));
        assertEquals(4096, Quantity.parse("4k"));
        assertEquals(3L << 20, Quantity.parse("3M"));
        assertEquals(1L << 30, Quantity.parse("1G"));
        assertEquals(2L << 40, Quantity.parse("2T"));
        assertEquals(0xD000_0000L, Quantity.parse("0xD000_0000"));
        assertEquals(0x10L << 10, Quantity.parse("0x10K"));
        assertEquals(1_000_000, Quantity.parse("1_000_000"));
        assertEquals(-1L, Quantity.parse("0xffffffffffffffff"));
        assertEquals(-1L, Quantity.parse("18446744073709551615"));
        assertEquals(0xFFFFFFL << 40, Quantity.parse("16777215T"));
    }

    @Test
    void badNumbersNameTheText() {
        for (String bad : new String[] {"", "x", "-1", "+1", "1.5", "0x", "_1", "1_", "K", "0xK", "4KB", "1__0"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Quantity.parse(bad), bad);
            assertEquals("bad number \"" + bad + "\" (expected decimal or 0x-hex, optionally ending in K, M, G or T)",
                    e.getMessage());
        }
        assertEquals("number \"18446744073709551616\" is larger than 2^64-1",
                assertThrows(IllegalArgumentException.class, () -> Quantity.parse("18446744073709551616")).getMessage());
        assertEquals("number \"16777216T\" is larger than 2^64-1",
                assertThrows(IllegalArgumentException.class, () -> Quantity.parse("16777216T")).getMessage());
        assertEquals("bad size \"4x\" (expected decimal or 0x-hex, optionally ending in K, M, G or T)",
                assertThrows(IllegalArgumentException.class, () -> Quantity.parse("4x", "size")).getMessage());
    }

    @Test
    void sizesPrintWithTheLargestExactSuffixAndReadBack() {
        assertEquals("0", Quantity.size(0));
        assertEquals("1536", Quantity.size(1536));
        assertEquals("4K", Quantity.size(4096));
        assertEquals("9K", Quantity.size(9216));
        assertEquals("1G", Quantity.size(1L << 30));
        assertEquals("16777215T", Quantity.size(0xFFFFFFL << 40));
        assertEquals("18446744073709551615", Quantity.size(-1L));
        for (long v : new long[] {1, 1023, 1024, 1025, 1L << 63, -1L, -1024L}) {
            assertEquals(v, Quantity.parse(Quantity.size(v)));
            assertEquals(v, Quantity.parse(Quantity.hex(v)));
        }
    }
}
