package io.allot.tests;

import io.allot.Range;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ledger the concurrency suites rely on must itself catch what they look for. */
class OwnersTest {

    @Test
    void aQuantumHandedOutTwiceIsAViolation() {
        Owners owners = new Owners(0x1000, 0x10, 8);
        owners.claim(Range.of(0x1010, 0x102f), 1, "allocate");
        assertTrue(owners.clean());
        assertEquals(1, owners.holder(1));
        assertEquals(1, owners.holder(2));
        assertEquals(0, owners.holder(3));
        owners.claim(Range.of(0x1020, 0x103f), 2, "allocate");
        assertFalse(owners.clean(), "0x1020 was 1's");
        assertThrows(AssertionError.class, () -> owners.assertNone("test"));
    }

    @Test
    void aReleaseByAnotherHolderIsAViolation() {
        Owners owners = new Owners(0, 1, 4);
        owners.claim(Range.of(1, 2), 1, "allocate");
        owners.release(Range.of(1, 2), 1, "free");
        assertTrue(owners.clean());
        assertEquals(0, owners.holder(1));
        owners.release(Range.of(3, 3), 1, "free");
        assertFalse(owners.clean(), "3 was nobody's");
    }

    @Test
    void theLastQuantumOfTheSpaceEndsTheWalk() {
        Owners owners = new Owners(-0x40L, 0x10, 4);
        owners.claim(Range.of(-0x20L, -1L), 7, "allocate");
        assertEquals(7, owners.holder(2));
        assertEquals(7, owners.holder(3));
        assertEquals(0, owners.holder(1));
        owners.assertNone("top of the space");
        assertEquals(-0x40L + 0x30, owners.value(3));
    }
}
