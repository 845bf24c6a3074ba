package io.allot.example;

import io.allot.AddressAllocator;
import io.allot.Allocators;
import io.allot.IdAllocator;
import io.allot.NotAllocatedException;
import io.allot.Range;

import java.io.PrintStream;

/**
 * The README's example: a VMM's device manager giving each device an id and a page-aligned 4 KiB
 * MMIO slot, hot-unplugging one, and catching a double free. The lines between the README markers
 * are copied verbatim into README.md; {@code ReadmeExampleTest} fails if the two drift apart.
 */
public final class DeviceManager {

    private DeviceManager() {
    }

    /** Runs the example, printing each step and then what was found on the module path. */
    public static void main(String[] args) {
        run(System.out);
        System.out.println("engines " + Allocators.engines() + ", policies " + Allocators.policies());
    }

    /** Runs the example, printing each step to {@code out}. */
    public static void run(PrintStream out) {
        // README:begin
        IdAllocator deviceIds = IdAllocator.of(0, 100);
        AddressAllocator mmio = AddressAllocator.of(0xD000_0000L, 768L << 20);   // 768 MiB window

        long net = deviceIds.allocate();                              // 0
        Range netMmio = mmio.allocate(0x1000, 0x1000);                // [0xd0000000, 0xd0000fff]
        long blk = deviceIds.allocate();                              // 1
        Range blkMmio = mmio.allocate(0x1000, 0x1000);                // [0xd0001000, 0xd0001fff]
        out.println("net " + net + " at " + netMmio + ", blk " + blk + " at " + blkMmio);

        deviceIds.free(net);                                          // hot-unplug the NIC
        mmio.free(netMmio);
        long rng = deviceIds.allocate();                              // 0 again: smallest free id
        Range rngMmio = mmio.allocate(0x1000, 0x1000);                // [0xd0000000, 0xd0000fff] again
        out.println("rng " + rng + " at " + rngMmio);

        mmio.free(blkMmio);
        try {
            mmio.free(blkMmio);                                       // a double free is refused...
        } catch (NotAllocatedException e) {
            out.println("refused: " + e.getMessage());                // ...and says why
        }
        out.println(deviceIds.available() + " ids and " + (mmio.allocator().stats().free() >> 20)
                + " MiB of MMIO free");
        // README:end
    }
}
