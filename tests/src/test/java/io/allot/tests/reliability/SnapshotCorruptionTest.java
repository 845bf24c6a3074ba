package io.allot.tests.reliability;

import io.allot.Allocation;
import io.allot.AllocationException;
import io.allot.Allocators;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.SnapshotFormatException;
import io.allot.tests.Matrix;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * A damaged or inconsistent snapshot never restores: it throws {@link SnapshotFormatException},
 * nothing else, and yields nothing.
 *
 * <p>Two halves. Real images written by every engine, in several states, suffer every single-bit
 * flip, every truncation and several appendices; each must be refused by {@code restore(in)} and
 * by {@code restore(in, engine)} for every installed engine. Then images crafted by hand after
 * {@code docs/snapshot-format.md}, with a <em>valid</em> CRC32C so that only the content is wrong,
 * must be refused with a message that names the problem and its byte offset; a crafted valid
 * image (the control) must restore and re-snapshot to the very same bytes, which proves the
 * crafted encoding is the writer's.
 */
class SnapshotCorruptionTest {

    private static final long TOP = 0xffff_ffff_ffff_ffffL;
    private static final int MAGIC = 0x414c4f54;
    private static final Pattern BYTE_OFFSET = Pattern.compile("byte (\\d+)");


    // ---------------------------------------------------------------------------------------------
    // Real images: every bit flip, every truncation, appendices
    // ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} engine")
    @MethodSource("io.allot.tests.Matrix#engines")
    void everyBitFlipTruncationAndAppendixOfARealImageIsRefused(String engine) {
        List<String> failures = new ArrayList<>();
        long flips = 0;
        long truncations = 0;
        long appendices = 0;
        List<byte[]> images = realImages(engine);
        for (byte[] image : images) {
            // Control: the undamaged image restores.
            Allocators.restore(new ByteArrayInputStream(image));
            for (int i = 0; i < image.length; i++) {
                for (int bit = 0; bit < 8; bit++) {
                    byte[] flipped = image.clone();
                    flipped[i] ^= (byte) (1 << bit);
                    expectRefused(flipped, "bit " + bit + " of byte " + i + " of a " + image.length + "-byte image",
                            failures, flips++);
                }
            }
            for (int length = 0; length < image.length; length++) {
                expectRefused(Arrays.copyOf(image, length), "truncated to " + length + " of " + image.length + " bytes",
                        failures, truncations++);
            }
            for (byte[] appendix : appendices(image)) {
                byte[] longer = Arrays.copyOf(image, image.length + appendix.length);
                System.arraycopy(appendix, 0, longer, image.length, appendix.length);
                expectRefused(longer, appendix.length + " bytes appended to a " + image.length + "-byte image", failures,
                        appendices++);
            }
        }
        System.out.printf("[snapshot corruption] %s: %d real images (%s bytes), %d bit flips, %d truncations,"
                        + " %d appendices, each refused by restore(in) and restore(in, engine): %d restores%n", engine,
                images.size(), images.stream().map(i -> String.valueOf(i.length)).collect(Collectors.joining("+")),
                flips, truncations, appendices, 2 * (flips + truncations + appendices));
        assertTrue(failures.isEmpty(), failures.size() + " damaged images were not refused with SnapshotFormatException;"
                + " first ones:\n" + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
    }

    /** Images of {@code engine} in a few different states, small enough to flip every bit of. */
    private static List<byte[]> realImages(String engine) {
        List<byte[]> images = new ArrayList<>();
        List<String> policies = Allocators.policies();

        images.add(snapshot(Allocators.builder().engine(engine).build())); // no spans at all

        Allocators.Builder tagged = Allocators.builder().engine(engine).span(Range.of(0x1000, 0x1fff));
        if (policies.contains("next-fit")) {
            tagged.policy("next-fit");
        }
        ResourceAllocator a = tagged.build();
        a.allocate(Request.of(0x10).tagged("ünï ✓"));
        Range freed = a.allocate(Request.of(0x20));
        a.allocate(Request.of(0x30).tagged(""));
        a.free(freed);
        a.tryAllocate(Request.of(0x10_0000)); // counted as failed
        images.add(snapshot(a));

        Allocators.Builder busy = Allocators.builder().engine(engine).quantum(0x10).threadSafe()
                .span(Range.of(0x1000, 0x1fff)).span(Range.of(0x2000, 0x2fff))
                .span(Range.of(0xffff_ffff_ffff_0000L, TOP));
        if (policies.contains("best-fit")) {
            busy.policy("best-fit");
        }
        ResourceAllocator b = busy.build();
        b.reserve(Range.of(0xffff_ffff_ffff_fff0L, TOP), "top");
        SplittableRandom rng = new SplittableRandom(42);
        for (int i = 0; i < 40; i++) {
            try {
                Range r = b.allocate(Request.of(1 + rng.nextInt(0x100)).aligned(1L << rng.nextInt(8))
                        .tagged(i % 3 == 0 ? null : "d" + i));
                if (i % 4 == 0) {
                    b.free(r);
                }
            } catch (AllocationException exhausted) {
                // part of the state
            }
        }
        images.add(snapshot(b));

        ResourceAllocator c = Allocators.builder().engine(engine).span(Range.of(0, 0xfff)).build();
        for (int i = 0; i < 8; i++) {
            c.allocate(Request.of(0x100));
        }
        for (int i = 0; i < 8; i++) {
            c.freeContaining(i * 0x100L);
        }
        images.add(snapshot(c)); // drained: counters only
        return images;
    }

    /** Garbage after a complete image, including a fresh valid CRC over it (so only the layout is wrong). */
    private static List<byte[]> appendices(byte[] image) {
        List<byte[]> list = new ArrayList<>();
        list.add(new byte[1]);
        list.add(new byte[4]);
        list.add(new byte[] {(byte) 0xff});
        list.add(Arrays.copyOfRange(image, image.length - 4, image.length)); // the CRC again
        list.add(image.clone()); // the whole image twice
        SplittableRandom rng = new SplittableRandom(image.length);
        for (int n = 1; n <= 40; n += 3) {
            byte[] junk = new byte[n];
            rng.nextBytes(junk);
            list.add(junk);
        }
        list.add(crcBytes(image)); // image + CRC(image): a valid trailer after 4 stray bytes
        byte[] allocationShaped = new byte[20];
        Arrays.fill(allocationShaped, 16, 20, (byte) 0xff); // tag length -1
        byte[] withAllocation = concat(Arrays.copyOf(image, image.length - 4), allocationShaped);
        list.add(concat(allocationShaped, crcBytes(withAllocation)));
        return list;
    }

    /**
     * Refused with SnapshotFormatException by restore(in) and by restore(in, e), e taking every
     * installed engine in turn from one corruption to the next (the check that catches these runs
     * before any engine is involved, so trying every engine on every corruption would only repeat it).
     */
    private static void expectRefused(byte[] image, String what, List<String> failures, long serial) {
        attempt(image, null, what, failures);
        List<String> engines = Allocators.engines();
        attempt(image, engines.get((int) (serial % engines.size())), what, failures);
    }

    private static void attempt(byte[] image, String engine, String what, List<String> failures) {
        String call = engine == null ? "restore(in)" : "restore(in, " + engine + ")";
        try {
            ResourceAllocator restored = engine == null
                    ? Allocators.restore(new ByteArrayInputStream(image))
                    : Allocators.restore(new ByteArrayInputStream(image), engine);
            failures.add(what + ": " + call + " restored " + restored);
        } catch (SnapshotFormatException expected) {
            if (!BYTE_OFFSET.matcher(String.valueOf(expected.getMessage())).find()) {
                failures.add(what + ": " + call + " message gives no byte offset: " + expected.getMessage());
            }
        } catch (Throwable wrong) {
            failures.add(what + ": " + call + " threw " + wrong);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Crafted images: valid CRC, inconsistent content
    // ---------------------------------------------------------------------------------------------

    /** One way to spoil a valid image, the byte offsets its message may name, and words it must use. */
    private record Case(String name, Consumer<Image> spoil, UnaryOperator<byte[]> raw,
                        Function<Image, int[]> offsets, String problem) {

        static Case of(String name, Consumer<Image> spoil, Function<Image, int[]> offsets, String problem) {
            return new Case(name, spoil, UnaryOperator.identity(), offsets, problem);
        }
    }

    @TestFactory
    Stream<DynamicNode> craftedInconsistentImagesAreRefusedNamingProblemAndOffset() {
        List<Case> cases = cases();
        return Matrix.engines().map(engine -> {
            System.out.printf("[snapshot corruption] %s: %d crafted CRC-valid inconsistent images,"
                            + " each tried with %d restores%n", engine, cases.size(), 1 + Allocators.engines().size());
            return DynamicContainer.dynamicContainer(engine + " engine", cases.stream()
                    .map(c -> dynamicTest(c.name, () -> refuse(engine, c))));
        });
    }

    private static void refuse(String engine, Case c) {
        Image image = Image.valid(engine);
        c.spoil.accept(image);
        byte[] bytes = c.raw.apply(image.bytes());
        int[] offsets = c.offsets == null ? null : c.offsets.apply(image);
        List<String> calls = new ArrayList<>();
        calls.add(null);
        calls.addAll(Allocators.engines());
        for (String target : calls) {
            String call = target == null ? "restore(in)" : "restore(in, " + target + ")";
            SnapshotFormatException e = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThrows(
                    SnapshotFormatException.class,
                    () -> restore(bytes, target),
                    c.name + ": " + call + " must refuse it"));
            String message = String.valueOf(e.getMessage());
            assertTrue(Pattern.compile(c.problem, Pattern.CASE_INSENSITIVE).matcher(message).find(),
                    c.name + ": " + call + ": message should name the problem (/" + c.problem + "/): " + message);
            Matcher at = BYTE_OFFSET.matcher(message);
            assertTrue(at.find(), c.name + ": " + call + ": message should give \"byte N\": " + message);
            if (offsets != null) {
                int offset = Integer.parseInt(at.group(1));
                assertTrue(IntStream.of(offsets).anyMatch(o -> o == offset), c.name + ": " + call + ": byte " + offset
                        + " is not where the problem is (expected one of " + Arrays.toString(offsets) + "): " + message);
            }
        }
    }

    private static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        // Header
        cases.add(Case.of("bad magic", i -> i.magic = 0x414c4f55, i -> at(0), "magic"));
        cases.add(Case.of("magic byte-swapped", i -> i.magic = Integer.reverseBytes(MAGIC), i -> at(0), "magic"));
        cases.add(Case.of("future version 2", i -> i.version = 2, i -> at(4), "version"));
        cases.add(Case.of("version 0", i -> i.version = 0, i -> at(4), "version"));
        cases.add(Case.of("version 0xffff", i -> i.version = 0xffff, i -> at(4), "version"));
        cases.add(new Case("future version 2 with an unknown layout and no valid CRC", i -> i.version = 2, b -> {
            for (int k = 6; k < b.length; k++) {
                b[k] = (byte) (0xa5 ^ k);
            }
            return b;
        }, i -> at(4), "version"));
        cases.add(Case.of("unknown flag bit 2", i -> i.flags = 0x4, i -> at(6), "flag"));
        cases.add(Case.of("layers flag bit 1 without its section", i -> i.flags = 0x2, i -> at(6), "flag"));
        cases.add(Case.of("unknown flag bit 15 with the known bit", i -> i.flags = 0x8001, i -> at(6), "flag"));
        cases.add(Case.of("quantum 0x18 not a power of two", i -> i.quantum = 0x18, i -> at(8), "power of two"));
        cases.add(Case.of("quantum 0", i -> i.quantum = 0, i -> at(8), "power of two"));
        cases.add(Case.of("quantum 3", i -> i.quantum = 3, i -> at(8), "power of two"));
        cases.add(Case.of("counters: one allocation too many", i -> i.totalAllocations++, i -> at(24, 32),
                "counter|allocations|frees"));
        cases.add(Case.of("counters: one allocation too few", i -> i.totalAllocations--, i -> at(24, 32),
                "counter|allocations|frees"));
        cases.add(Case.of("counters: totalFrees above totalAllocations", i -> {
            i.totalAllocations = 0;
            i.totalFrees = -(long) i.allocations.size(); // 0 - totalFrees wraps to the allocation count
        }, i -> at(24, 32), "counter|allocations|frees"));
        // Names
        cases.add(Case.of("unknown policy name", i -> i.policy = utf8("no-such-policy"),
                i -> at(i.policyAt, i.policyAt + 1), "policy"));
        cases.add(Case.of("empty policy name", i -> i.policy = new byte[0], i -> at(i.policyAt, i.policyAt + 1), "policy"));
        cases.add(Case.of("invalid UTF-8 in the engine name", i -> i.engine = new byte[] {'a', (byte) 0xff, 'b'},
                i -> at(48, 49), "UTF-8"));
        cases.add(Case.of("invalid UTF-8 in the policy name", i -> i.policy = new byte[] {(byte) 0xc3},
                i -> at(i.policyAt, i.policyAt + 1), "UTF-8"));
        // Spans
        cases.add(Case.of("span count 0xffffffff", i -> i.spanCount = 0xffff_ffffL, i -> at(i.spanCountAt),
                "span"));
        cases.add(Case.of("span count 2^31", i -> i.spanCount = 1L << 31, i -> at(i.spanCountAt), "span"));
        cases.add(Case.of("span off the quantum (start)", i -> i.spans.set(2, new long[] {0x8008, 0x8fff}),
                i -> at(i.spanAt[2], i.spanAt[2] + 8), "quantum"));
        cases.add(Case.of("span off the quantum (end)", i -> i.spans.set(2, new long[] {0x8000, 0x8ff7}),
                i -> at(i.spanAt[2], i.spanAt[2] + 8), "quantum"));
        cases.add(Case.of("overlapping spans", i -> i.spans.set(1, new long[] {0x1800, 0x2fff}),
                i -> at(i.spanAt[1], i.spanAt[1] + 8), "overlap|above|below|order|sort"));
        cases.add(Case.of("the same span twice", i -> i.spans.set(1, i.spans.get(0)),
                i -> at(i.spanAt[1], i.spanAt[1] + 8), "overlap|above|below|order|sort"));
        cases.add(Case.of("unsorted spans", i -> {
            long[] high = i.spans.get(3);
            i.spans.set(3, i.spans.get(2));
            i.spans.set(2, high);
        }, i -> at(i.spanAt[3], i.spanAt[3] + 8), "overlap|above|below|order|sort"));
        cases.add(Case.of("span end below its start", i -> i.spans.set(2, new long[] {0x8fff, 0x8000}),
                i -> at(i.spanAt[2], i.spanAt[2] + 8), "above|below|end"));
        cases.add(Case.of("one span of all 2^64 values", i -> {
            i.quantum = 1;
            i.spans = new ArrayList<>(List.<long[]>of(new long[] {0, TOP}));
            i.setAllocations(List.of());
        }, i -> at(i.spanAt[0], i.spanAt[0] + 8), "2\\^64|values"));
        cases.add(Case.of("spans together holding all 2^64 values", i -> {
            i.quantum = 1;
            i.spans = new ArrayList<>(List.of(new long[] {0, Long.MAX_VALUE}, new long[] {Long.MIN_VALUE, TOP}));
            i.setAllocations(List.of());
        }, i -> at(i.spanAt[1], i.spanAt[1] + 8), "2\\^64|values"));
        // Allocations
        cases.add(Case.of("allocation count 2^62", i -> i.allocationCount = 1L << 62, i -> at(i.allocationCountAt),
                "allocation"));
        cases.add(Case.of("allocation count 2^63", i -> i.allocationCount = Long.MIN_VALUE, i -> at(i.allocationCountAt),
                "allocation"));
        cases.add(Case.of("allocation count 2^64-1", i -> i.allocationCount = TOP, i -> at(i.allocationCountAt),
                "allocation"));
        cases.add(Case.of("allocation count 2^31", i -> i.allocationCount = 1L << 31, i -> at(i.allocationCountAt),
                "allocation"));
        cases.add(Case.of("allocation count one more than written", i -> {
            i.allocationCount = (long) i.allocations.size() + 1;
            i.totalAllocations++;
        }, null, "allocation|truncat|remain"));
        cases.add(Case.of("allocation count one less than written", i -> {
            i.allocationCount = (long) i.allocations.size() - 1;
            i.totalAllocations--;
        }, i -> at(i.allocationAt[i.allocations.size() - 1]), "unexpected|trailing|after"));
        cases.add(Case.of("overlapping allocations", i -> i.allocations.set(1, Alloc.of(0x10f0, 0x11ff, "x")),
                i -> i.entry(1), "overlap|below|order|ascending"));
        cases.add(Case.of("the same allocation twice", i -> i.allocations.set(1, i.allocations.get(0)),
                i -> i.entry(1), "overlap|below|order|ascending"));
        cases.add(Case.of("allocations out of order", i -> {
            Alloc first = i.allocations.get(0);
            i.allocations.set(0, i.allocations.get(1));
            i.allocations.set(1, first);
        }, i -> i.entry(1), "overlap|below|order|ascending"));
        cases.add(Case.of("allocation in the gap between spans", i -> i.insert(3, Alloc.of(0x3000, 0x30ff, "gap")),
                i -> i.entry(3), "span"));
        cases.add(Case.of("allocation below every span", i -> i.insert(0, Alloc.of(0x0, 0xf, null)),
                i -> i.entry(0), "span"));
        cases.add(Case.of("allocation partly outside its span", i -> i.insert(4, Alloc.of(0x8f00, 0x90ff, null)),
                i -> i.entry(4), "span"));
        cases.add(Case.of("allocation straddling two adjacent spans", i -> {
            i.allocations.remove(2); // [0x2000, 0x2fff]
            i.allocations.set(1, Alloc.of(0x1f00, 0x20ff, "straddle"));
            i.setAllocations(i.allocations);
        }, i -> i.entry(1), "span"));
        cases.add(Case.of("allocation start off the quantum", i -> i.allocations.set(1, Alloc.of(0x1208, 0x1217, null)),
                i -> i.entry(1), "quantum"));
        cases.add(Case.of("allocation end off the quantum", i -> i.allocations.set(1, Alloc.of(0x1200, 0x1207, null)),
                i -> i.entry(1), "quantum"));
        cases.add(Case.of("allocations off a larger quantum", i -> i.quantum = 0x100, i -> i.entry(1), "quantum"));
        cases.add(Case.of("allocation end below its start", i -> i.allocations.set(1, Alloc.of(0x120f, 0x1200, null)),
                i -> i.entry(1), "above|below|end"));
        cases.add(Case.of("tag length -2", i -> i.allocations.set(1, new Alloc(0x1200, 0x120f, -2, new byte[0])),
                i -> i.tag(1), "negative|length"));
        cases.add(Case.of("tag length Integer.MIN_VALUE",
                i -> i.allocations.set(1, new Alloc(0x1200, 0x120f, Integer.MIN_VALUE, new byte[0])),
                i -> i.tag(1), "negative|length"));
        cases.add(Case.of("tag length Integer.MAX_VALUE",
                i -> i.allocations.set(1, new Alloc(0x1200, 0x120f, Integer.MAX_VALUE, new byte[0])),
                i -> i.tag(1), "tag|truncat|remain"));
        byte[][] badUtf8 = {
                {(byte) 0xff}, {'o', 'k', (byte) 0xc3}, {(byte) 0xc0, (byte) 0x80}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
                {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0x80}};
        String[] badUtf8Names = {"0xff", "a cut two-byte sequence", "an overlong NUL", "an encoded surrogate",
                "a code point above 0x10ffff", "a lone continuation byte"};
        for (int k = 0; k < badUtf8.length; k++) {
            byte[] bad = badUtf8[k];
            cases.add(Case.of("invalid UTF-8 in a tag: " + badUtf8Names[k],
                    i -> i.allocations.set(3, new Alloc(0x8100, 0x81ff, bad.length, bad)), i -> i.tag(3), "UTF-8"));
        }
        // Between the last allocation and the CRC
        cases.add(Case.of("one trailing byte before the CRC", i -> i.trailing = new byte[1], i -> at(i.trailingAt),
                "unexpected|trailing|after"));
        cases.add(Case.of("an unannounced allocation before the CRC", i -> {
            byte[] extra = new byte[20];
            System.arraycopy(longBytes(0x8f00), 0, extra, 0, 8);
            System.arraycopy(longBytes(0x8fff), 0, extra, 8, 8);
            Arrays.fill(extra, 16, 20, (byte) 0xff);
            i.trailing = extra;
        }, i -> at(i.trailingAt), "unexpected|trailing|after"));
        cases.add(Case.of("CRC off by one bit", i -> i.crcFlip = 1, i -> at(i.crcAt), "CRC"));
        return cases;
    }

    private static int[] at(int... offsets) {
        return offsets;
    }

    // ---------------------------------------------------------------------------------------------
    // Crafted images that must be accepted (controls for the cases above)
    // ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} engine")
    @MethodSource("io.allot.tests.Matrix#engines")
    void craftedValidImageRestoresAndIsTheWritersEncoding(String engine) {
        Image image = Image.valid(engine);
        byte[] bytes = image.bytes();
        ResourceAllocator own = restore(bytes, null);
        assertArrayEquals(bytes, snapshot(own), "the hand-written image is not what writeSnapshot writes for its state");
        List<Allocation> expected = image.allocations.stream()
                .map(a -> new Allocation(Range.of(a.start, a.end), a.tagLength < 0 ? null
                        : new String(a.tag, StandardCharsets.UTF_8)))
                .collect(Collectors.toList());
        for (String target : Allocators.engines()) {
            ResourceAllocator restored = restore(bytes, target);
            assertEquals(expected, SnapshotRoundTripTest.allocations(restored), target);
            assertEquals(image.totalAllocations, restored.stats().totalAllocations(), target);
            assertEquals(image.totalFrees, restored.stats().totalFrees(), target);
            assertEquals(image.failedAllocations, restored.stats().failedAllocations(), target);
            assertEquals(0x10, restored.quantum(), target);
            assertEquals(image.spans.size(), restored.spans().size(), target);
            assertEquals("", restored.allocationContaining(0x2000).orElseThrow().tag(), "empty tag is not no tag");
            assertNull(restored.allocationContaining(0x1200).orElseThrow().tag(), "no tag is not an empty tag");
        }
    }

    @ParameterizedTest(name = "{0} engine")
    @MethodSource("io.allot.tests.Matrix#engines")
    void fieldsThatMayHoldAnyValueAreAccepted(String engine) {
        List<Consumer<Image>> variants = List.of(
                i -> i.rotor = TOP,
                i -> i.rotor = 0,
                i -> i.failedAllocations = TOP,
                i -> i.flags = 0,
                i -> {
                    i.totalFrees = 1L << 40;
                    i.setAllocations(i.allocations);
                },
                i -> i.setAllocations(List.of()),
                i -> {
                    i.spans = new ArrayList<>();
                    i.setAllocations(List.of());
                });
        for (Consumer<Image> variant : variants) {
            Image image = Image.valid(engine);
            variant.accept(image);
            byte[] bytes = image.bytes();
            assertArrayEquals(bytes, snapshot(restore(bytes, null)));
            for (String target : Allocators.engines()) {
                restore(bytes, target);
            }
        }
    }

    @ParameterizedTest(name = "{0} engine")
    @MethodSource("io.allot.tests.Matrix#engines")
    void restoreIntoANamedEngineIgnoresTheImagesEngineName(String engine) {
        Image image = Image.valid(engine);
        image.engine = utf8("no-such-engine");
        byte[] bytes = image.bytes();
        assertEquals(engine, restore(bytes, engine).engine());
        // restore(in) must use the image's engine; one that is not installed is an IllegalArgumentException.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> restore(bytes, null));
        assertTrue(e.getMessage().contains("no-such-engine"), e.getMessage());
    }

    // ---------------------------------------------------------------------------------------------
    // The image, written by hand after docs/snapshot-format.md
    // ---------------------------------------------------------------------------------------------

    /** One allocation entry: start, end, tag length (-1 = none), tag bytes. */
    private record Alloc(long start, long end, int tagLength, byte[] tag) {
        static Alloc of(long start, long end, String tag) {
            byte[] bytes = tag == null ? new byte[0] : utf8(tag);
            return new Alloc(start, end, tag == null ? -1 : bytes.length, bytes);
        }
    }

    /** Every field of a version-1 image, mutable; {@link #bytes()} writes it and records field offsets. */
    private static final class Image {
        int magic = MAGIC;
        int version = 1;
        int flags = 1;
        long quantum = 0x10;
        long rotor = 0x1300;
        long totalAllocations;
        long totalFrees = 4;
        long failedAllocations = 5;
        byte[] engine;
        byte[] policy;
        Long spanCount;
        List<long[]> spans = new ArrayList<>();
        Long allocationCount;
        List<Alloc> allocations = new ArrayList<>();
        byte[] trailing = new byte[0];
        int crcFlip;

        int policyAt;
        int spanCountAt;
        int[] spanAt;
        int allocationCountAt;
        int[] allocationAt;
        int trailingAt;
        int crcAt;

        /** A consistent image: four spans (two adjacent, one ending at 2^64 - 1), five allocations, threadSafe. */
        static Image valid(String engine) {
            Image image = new Image();
            image.engine = utf8(engine);
            List<String> installed = Allocators.policies();
            image.policy = utf8(installed.contains("first-match") ? "first-match" : installed.get(0));
            image.spans.add(new long[] {0x1000, 0x1fff});
            image.spans.add(new long[] {0x2000, 0x2fff});
            image.spans.add(new long[] {0x8000, 0x8fff});
            image.spans.add(new long[] {0xffff_ffff_ffff_0000L, TOP});
            image.setAllocations(new ArrayList<>(List.of(
                    Alloc.of(0x1000, 0x10ff, "a"),
                    Alloc.of(0x1200, 0x120f, null),
                    Alloc.of(0x2000, 0x2fff, ""),
                    Alloc.of(0x8100, 0x81ff, "ünïcødé 𝄞"),
                    Alloc.of(0xffff_ffff_ffff_fff0L, TOP, "top"))));
            return image;
        }

        /** Replaces the allocations and makes totalAllocations consistent with them. */
        void setAllocations(List<Alloc> list) {
            allocations = new ArrayList<>(list);
            totalAllocations = totalFrees + allocations.size();
        }

        /** Inserts an allocation, keeping the counters consistent so that only the allocation is wrong. */
        void insert(int index, Alloc allocation) {
            allocations.add(index, allocation);
            setAllocations(allocations);
        }

        int[] entry(int i) {
            return at(allocationAt[i], allocationAt[i] + 8);
        }

        int[] tag(int i) {
            return at(allocationAt[i], allocationAt[i] + 16, allocationAt[i] + 20);
        }

        byte[] bytes() {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(buffer);
            try {
                out.writeInt(magic);
                out.writeShort(version);
                out.writeShort(flags);
                out.writeLong(quantum);
                out.writeLong(rotor);
                out.writeLong(totalAllocations);
                out.writeLong(totalFrees);
                out.writeLong(failedAllocations);
                out.writeByte(engine.length);
                out.write(engine);
                policyAt = out.size();
                out.writeByte(policy.length);
                out.write(policy);
                spanCountAt = out.size();
                out.writeInt((int) (spanCount != null ? spanCount : spans.size()));
                spanAt = new int[spans.size()];
                for (int i = 0; i < spans.size(); i++) {
                    spanAt[i] = out.size();
                    out.writeLong(spans.get(i)[0]);
                    out.writeLong(spans.get(i)[1]);
                }
                allocationCountAt = out.size();
                out.writeLong(allocationCount != null ? allocationCount : allocations.size());
                allocationAt = new int[allocations.size()];
                for (int i = 0; i < allocations.size(); i++) {
                    Alloc a = allocations.get(i);
                    allocationAt[i] = out.size();
                    out.writeLong(a.start);
                    out.writeLong(a.end);
                    out.writeInt(a.tagLength);
                    out.write(a.tag);
                }
                trailingAt = out.size();
                out.write(trailing);
                out.flush();
                crcAt = out.size();
                CRC32C crc = new CRC32C();
                crc.update(buffer.toByteArray());
                out.writeInt((int) crc.getValue() ^ crcFlip);
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return buffer.toByteArray();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------

    private static ResourceAllocator restore(byte[] image, String engine) {
        return engine == null
                ? Allocators.restore(new ByteArrayInputStream(image))
                : Allocators.restore(new ByteArrayInputStream(image), engine);
    }

    private static byte[] snapshot(ResourceAllocator allocator) {
        return SnapshotRoundTripTest.snapshot(allocator);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] longBytes(long value) {
        byte[] b = new byte[8];
        for (int k = 0; k < 8; k++) {
            b[k] = (byte) (value >>> (56 - 8 * k));
        }
        return b;
    }

    private static byte[] crcBytes(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        int v = (int) crc.getValue();
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
