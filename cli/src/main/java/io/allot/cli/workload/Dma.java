package io.allot.cli.workload;

import io.allot.Range;
import io.allot.Request;
import io.allot.cli.trace.TraceWriter;

import java.util.SplittableRandom;

/**
 * {@code dma}: an IOMMU's IOVA space of 256 MiB, {@code [0xf8000000, 0x107ffffff]}, half below
 * 4 GiB and half above, quantum 512 bytes. Buffers of 512 B&ndash;256 KiB come from four kinds of
 * user: packet buffers (1.5&ndash;9 KiB), small control blocks, descriptor rings (4&ndash;64 KiB,
 * 4 KiB aligned) and storage I/O (4&ndash;256 KiB). A buffer of up to 64 KiB may not cross a 64 KiB
 * boundary; a larger one starts on one. 40% come from 32-bit devices and carry a window below
 * 4 GiB. Live bytes follow a random walk between 40% and 95% of the space, so the low half (which
 * placements that prefer low addresses fill with buffers that could have gone high) runs short.
 */
final class Dma {

    static final Range IOVA = Range.of(0xF800_0000L, 0x1_07FF_FFFFL);
    private static final long QUANTUM = 512;
    private static final long BOUNDARY = 64 << 10;
    private static final long BELOW_4G = 0xFFFF_FFFFL;
    private static final int OPERATIONS = 120_000;

    private record Buffer(String name, long bytes) {
    }

    private Dma() {
    }

    static void write(TraceWriter out, SplittableRandom random) {
        out.quantum(QUANTUM);
        out.span(IOVA);
        LiveSet<Buffer> live = new LiveSet<>();
        long liveBytes = 0;
        long capacity = IOVA.size();
        long target = capacity / 2;
        int phaseLeft = 0;
        int serial = 0;
        while (out.operations() < OPERATIONS) {
            if (phaseLeft-- <= 0) {
                target = (long) (capacity * (0.40 + 0.55 * random.nextDouble()));
                phaseLeft = 1_000 + random.nextInt(9_000);
            }
            boolean allocate = liveBytes < target ? random.nextDouble() < 0.8 : random.nextDouble() < 0.2;
            if (allocate || live.isEmpty()) {
                Request request = buffer(random);
                if (random.nextDouble() < 0.4) {
                    request = request.within(0, BELOW_4G);
                }
                String name = "b" + serial++;
                out.alloc(name, request);
                long rounded = (request.size() + QUANTUM - 1) & -QUANTUM;
                live.add(new Buffer(name, rounded));
                liveBytes += rounded;
            } else {
                Buffer buffer = live.removeRandom(random);
                out.free(buffer.name());
                liveBytes -= buffer.bytes();
            }
        }
    }

    /** One buffer of a random kind, with its boundary rule: no crossing up to 64 KiB, else starting on one. */
    private static Request buffer(SplittableRandom random) {
        double kind = random.nextDouble();
        Request request;
        if (kind < 0.45) {
            long[] packets = {1536, 2048, 4096, 9216};
            request = Request.of(packets[random.nextInt(packets.length)]);
        } else if (kind < 0.65) {
            request = Request.of(512 + random.nextInt(3585));                   // 512 B-4 KiB control blocks
        } else if (kind < 0.80) {
            request = Request.of(4096L << random.nextInt(5)).aligned(4096);     // 4-64 KiB rings
        } else {
            long pages = Math.max(1, Math.round(Math.pow(64, random.nextDouble())));
            request = Request.of(4096 * pages);                                 // 4-256 KiB I/O, log-uniform
        }
        return request.size() <= BOUNDARY ? request.noCross(BOUNDARY) : request.aligned(BOUNDARY);
    }
}
