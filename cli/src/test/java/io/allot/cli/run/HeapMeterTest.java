package io.allot.cli.run;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeapMeterTest {

    @Test
    void measuresWhatOnlyTheHolderKeepsAlive() {
        AtomicReference<Object> holder = new AtomicReference<>(new long[1 << 20]);        // 8 MiB + header
        long retained = HeapMeter.retainedAndRelease(holder);
        assertNull(holder.get());
        assertTrue(Math.abs(retained - 8L * (1 << 20)) < 64 * 1024, "8 MiB array measured as " + retained);
    }

    @Test
    void doesNotCountWhatSomethingElseAlsoKeepsAlive() {
        long[] shared = new long[1 << 20];
        AtomicReference<Object> holder = new AtomicReference<>(new Object[] {shared});
        long retained = HeapMeter.retainedAndRelease(holder);
        assertTrue(retained < 64 * 1024, "only the small wrapper is retained, measured " + retained);
        assertTrue(shared.length > 0);
    }

    @Test
    void ignoresGarbageAnotherThreadMakesMeanwhile() throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        Thread churner = new Thread(() -> {
            while (!stop.get()) {
                lastGarbage = new byte[64];     // dead by the next collection, but fills eden between them
            }
        });
        churner.start();
        try {
            for (int round = 0; round < 5; round++) {
                AtomicReference<Object> holder = new AtomicReference<>(new Object[] {new byte[16]});
                long retained = HeapMeter.retainedAndRelease(holder);
                assertTrue(retained < 16 * 1024, "a two-object holder measured as " + retained + " in round " + round);
            }
        } finally {
            stop.set(true);
            churner.join();
        }
    }

    private static volatile byte[] lastGarbage;
}
