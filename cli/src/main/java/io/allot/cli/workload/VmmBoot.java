package io.allot.cli.workload;

import io.allot.Range;
import io.allot.Request;
import io.allot.cli.trace.TraceWriter;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code vmm-boot}: the resource map of a Firecracker-like VMM on x86, one allocator with four
 * spans, each request confined to its span by a window.
 *
 * <ul>
 *   <li>GSIs: legacy 5&ndash;23 for virtio-mmio devices, MSI 24&ndash;4095 for PCI devices (single
 *       MSI-X vectors, or power-of-two aligned multi-message MSI blocks);</li>
 *   <li>the 32-bit MMIO gap {@code [0xd0000000, 0xffffffff]} (768 MiB) with the IOAPIC and local APIC
 *       reserved at their fixed addresses: 4 KiB virtio-mmio slots, small non-prefetchable BARs and
 *       the odd large prefetchable one;</li>
 *   <li>a 64 GiB 64-bit window at 256 GiB: BARs of 16 KiB&ndash;1 GiB, naturally aligned, most
 *       small, a few GPU-sized.</li>
 * </ul>
 *
 * After boot the PCI device count follows a random walk towards targets between 350 and 650, which
 * takes the 64-bit window and the MSI space close to full (each fills at about 620 devices); 3% of events resize a BAR (resizable
 * BAR), which is a {@code realloc}.
 */
final class VmmBoot {

    static final Range LEGACY_GSI = Range.of(5, 23);
    static final Range MSI_GSI = Range.of(24, 4095);
    static final Range MMIO32 = Range.of(0xD000_0000L, 0xFFFF_FFFFL);
    static final Range MMIO64 = Range.ofSize(0x40_0000_0000L, 64L << 30);
    private static final int OPERATIONS = 120_000;
    private static final String[] VIRTIO_MMIO = {"net0", "net1", "blk0", "blk1", "blk2", "vsock", "balloon", "rng"};
    private static final String[] PCI_KINDS = {"nvme", "nic", "vf", "virtio-pci"};

    private final TraceWriter out;
    private final SplittableRandom random;
    private final LiveSet<Device> devices = new LiveSet<>();
    private int serial;

    /** One hotplugged PCI device: the names it holds, and its 64-bit BARs for resizing. */
    private record Device(List<String> names, List<String> bars64) {
    }

    private VmmBoot(TraceWriter out, SplittableRandom random) {
        this.out = out;
        this.random = random;
    }

    static void write(TraceWriter out, SplittableRandom random) {
        new VmmBoot(out, random).run();
    }

    private void run() {
        out.span(LEGACY_GSI).span(MSI_GSI).span(MMIO32).span(MMIO64);
        out.reserve("ioapic", Range.ofSize(0xFEC0_0000L, 0x1000), "ioapic");
        out.reserve("lapic", Range.ofSize(0xFEE0_0000L, 0x10_0000), "lapic");
        for (String device : VIRTIO_MMIO) {
            out.alloc(device + ".mmio", in(MMIO32, Request.of(0x1000).aligned(0x1000)).tagged("virtio-mmio:" + device));
            out.alloc(device + ".irq", in(LEGACY_GSI, Request.of(1)).tagged("virtio-mmio:" + device));
        }
        int target = 350;
        int phaseLeft = 0;
        while (out.operations() < OPERATIONS) {
            if (phaseLeft-- <= 0) {
                target = 350 + random.nextInt(301);
                phaseLeft = 200 + random.nextInt(1800);
            }
            double roll = random.nextDouble();
            if (roll < 0.03 && !devices.isEmpty()) {
                resize(devices.get(random.nextInt(devices.size())));
            } else if (devices.size() < target ? roll < 0.75 : roll < 0.25) {
                hotplug();
            } else if (!devices.isEmpty()) {
                for (String name : devices.removeRandom(random).names()) {
                    out.free(name);
                }
            }
        }
    }

    private void hotplug() {
        int id = serial++;
        String kind = random.nextDouble() < 0.1 ? "gpu" : PCI_KINDS[random.nextInt(PCI_KINDS.length)];
        String tag = kind + id;
        String prefix = "d" + id + ".";
        List<String> names = new ArrayList<>();
        List<String> bars64 = new ArrayList<>();
        if (random.nextDouble() < 0.8) {
            long size = 1L << (12 + random.nextInt(5));                   // 4-64 KiB registers
            names.add(alloc(prefix + "m", in(MMIO32, Request.of(size).aligned(size)).tagged(tag)));
        }
        if (kind.equals("gpu") && random.nextDouble() < 0.2) {
            long size = 1L << (24 + random.nextInt(4));                   // 16-128 MiB prefetchable
            names.add(alloc(prefix + "p", in(MMIO32, Request.of(size).aligned(size)).tagged(tag)));
        }
        int bars = 1 + (random.nextDouble() < 0.5 ? 1 : 0);
        for (int i = 0; i < bars; i++) {
            String name = alloc(prefix + "b" + i, bar64(kind, tag));
            names.add(name);
            bars64.add(name);
        }
        if (random.nextDouble() < 0.7) {
            int vectors = 1 + random.nextInt(8);                           // MSI-X: one GSI each
            for (int v = 0; v < vectors; v++) {
                names.add(alloc(prefix + "v" + v, in(MSI_GSI, Request.of(1))));
            }
        } else {
            long block = 1L << random.nextInt(6);                          // multi-message MSI: 1-32, aligned
            names.add(alloc(prefix + "msi", in(MSI_GSI, Request.of(block).aligned(block))));
        }
        devices.add(new Device(names, bars64));
    }

    /** A 64-bit BAR: 16 KiB-1 GiB, naturally aligned; squared uniform exponent so most are small. */
    private Request bar64(String kind, String tag) {
        int exponent;
        if (kind.equals("gpu")) {
            exponent = 28 + random.nextInt(3);                              // 256 MiB-1 GiB
        } else {
            double u = random.nextDouble();
            exponent = 14 + (int) (14 * u * u);                             // 16 KiB-128 MiB
        }
        long size = 1L << exponent;
        return in(MMIO64, Request.of(size).aligned(size)).tagged(tag);
    }

    private void resize(Device device) {
        if (device.bars64().isEmpty()) {
            return;
        }
        String bar = device.bars64().get(random.nextInt(device.bars64().size()));
        long size = 1L << (14 + random.nextInt(17));
        out.realloc(bar, in(MMIO64, Request.of(size).aligned(size)));
    }

    private String alloc(String name, Request request) {
        out.alloc(name, request);
        return name;
    }

    private static Request in(Range window, Request request) {
        return request.within(window.start(), window.end());
    }
}
