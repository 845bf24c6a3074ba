package io.allot.cli.workload;

import io.allot.Range;
import io.allot.Request;
import io.allot.cli.trace.TraceWriter;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code fragmenter}: a 64 Mi-unit space attacked in rounds by the pattern that defeats address-
 * ordered first-fit (Robson's and Knuth's observation that interleaved lifetimes shatter free space):
 *
 * <ol>
 *   <li>fill to about 92% with small pins (16&ndash;256 units) alternating with blocks of
 *       1&ndash;16 Ki units (log-uniform);</li>
 *   <li>free every block, leaving holes between the pins;</li>
 *   <li>refill with as many requests of the same size distribution: a policy that takes the first
 *       hole big enough splits large holes for small requests and leaves slivers, so later, larger
 *       requests find no hole;</li>
 *   <li>ask for 200 blocks of 64&ndash;512 Ki units, which only fit if free space stayed together;</li>
 *   <li>free everything of the round except 15% of the pins, which live on and interleave with the
 *       next round.</li>
 * </ol>
 */
final class Fragmenter {

    static final Range SPACE = Range.of(0, (64L << 20) - 1);
    private static final int OPERATIONS = 120_000;
    private static final double FILL = 0.92;

    private final TraceWriter out;
    private final SplittableRandom random;
    private final List<String> survivors = new ArrayList<>();
    private long survivorUnits;
    private int serial;

    private Fragmenter(TraceWriter out, SplittableRandom random) {
        this.out = out;
        this.random = random;
    }

    static void write(TraceWriter out, SplittableRandom random) {
        new Fragmenter(out, random).run();
    }

    private void run() {
        out.span(SPACE);
        for (int round = 0; out.operations() < OPERATIONS; round++) {
            out.comment("round " + round);
            round();
        }
    }

    private void round() {
        List<String> pins = new ArrayList<>();
        List<Long> pinSizes = new ArrayList<>();
        List<String> blocks = new ArrayList<>();
        long units = survivorUnits;
        while (units < FILL * SPACE.size()) {
            long pin = 16 + random.nextInt(241);
            pins.add(alloc("pin", pin));
            pinSizes.add(pin);
            long block = block();
            blocks.add(alloc("blk", block));
            units += pin + block;
        }
        blocks.forEach(out::free);
        List<String> refill = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            refill.add(alloc("fill", block()));
        }
        List<String> large = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            large.add(alloc("big", (64L << 10) << random.nextInt(4)));
        }
        refill.forEach(out::free);
        large.forEach(out::free);
        for (int i = 0; i < pins.size(); i++) {
            if (random.nextDouble() < 0.15) {
                survivors.add(pins.get(i));
                survivorUnits += pinSizes.get(i);
            } else {
                out.free(pins.get(i));
            }
        }
    }

    /** 1-16 Ki units, log-uniform. */
    private long block() {
        return Math.round(Math.pow(2, 10 + 4 * random.nextDouble()));
    }

    private String alloc(String kind, long size) {
        String name = kind.charAt(0) + Integer.toString(serial++);
        out.alloc(name, Request.of(size));
        return name;
    }
}
