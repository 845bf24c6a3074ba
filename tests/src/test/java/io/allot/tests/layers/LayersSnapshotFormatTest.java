package io.allot.tests.layers;

import io.allot.Allocators;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.SnapshotFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The snapshot layers section (docs/snapshot-format.md): real images of arenas with a source and
 * with quantum caches, from every engine, refuse every single-bit flip and every truncation; images
 * crafted by hand with a valid CRC32C, wrong in one field of the section, are refused with a
 * {@link SnapshotFormatException} naming the problem and its byte; the crafted control restores and
 * re-snapshots to the same bytes, which proves the hand encoding is the writer's.
 */
class LayersSnapshotFormatTest {

    private static final Pattern BYTE = Pattern.compile("snapshot at byte (\\d+)");

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.allot.tests.Matrix#engines")
    void everyBitFlipAndTruncationOfALayeredImageIsRefused(String engine) {
        ResourceAllocator parent = Allocators.builder().engine(engine).quantum(0x10).span(Range.of(0x1000, 0x4fff))
                .build();
        ResourceAllocator child = Allocators.builder().engine(engine).quantum(0x10).source(parent, 0x100)
                .quantumCache(0x40).build();
        child.allocate(Request.of(0x10).tagged("c"));
        child.allocate(Request.of(0x180));
        ResourceAllocator cached = Allocators.builder().engine(engine).span(Range.of(0, 0xff)).quantumCache(4).build();
        cached.allocate(Request.of(3));
        List<String> failures = new ArrayList<>();
        long tried = 0;
        for (boolean isChild : new boolean[] {true, false}) {
            byte[] image = Images.of(isChild ? child : cached);
            for (int i = 0; i < image.length; i++) {
                for (int bit = 0; bit < 8; bit++) {
                    byte[] flipped = image.clone();
                    flipped[i] ^= (byte) (1 << bit);
                    tried += refused(flipped, isChild ? parent : null, "bit " + bit + " of byte " + i, failures);
                }
            }
            for (int length = 0; length < image.length; length++) {
                tried += refused(Arrays.copyOf(image, length), isChild ? parent : null, "cut to " + length, failures);
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " damaged images not refused, first: " + failures.subList(0,
                Math.min(10, failures.size())));
        assertTrue(tried > 2000, "tried " + tried);
    }

    private static int refused(byte[] image, ResourceAllocator source, String what, List<String> failures) {
        try {
            if (source == null) {
                Allocators.restore(new ByteArrayInputStream(image));
            } else {
                Allocators.restore(new ByteArrayInputStream(image), source);
            }
            failures.add(what + ": restored");
        } catch (SnapshotFormatException expected) {
            // refused, as it must be
        } catch (RuntimeException e) {
            failures.add(what + ": " + e);
        }
        return 1;
    }

    // ------------------------------------------------------------------ crafted images

    @Test
    void theCraftedControlRestoresToTheSameBytes() {
        ResourceAllocator parent = parentHolding();
        byte[] control = valid().bytes();
        ResourceAllocator child = Allocators.restore(new ByteArrayInputStream(control), parent);
        assertArrayEquals(control, Images.of(child), "the hand encoding is the writer's");
        assertEquals(0x200, child.stats().imported());
        byte[] cachedOnly = valid(i -> {
            i.importSize = 0;
            i.imported = new int[0];
        }).bytes();
        assertArrayEquals(cachedOnly, Images.of(Images.restore(cachedOnly)));
    }

    @Test
    void craftedInconsistentSectionsAreRefusedNamingTheByte() {
        ResourceAllocator parent = parentHolding();
        record Case(String name, Consumer<Image> spoil, int after, String words) {
        }
        // 'after' is the byte's offset from the section's start (-1: the flags at byte 6).
        int count = 16;
        int firstIndex = 20;
        List<Case> cases = List.of(
                new Case("flag without a section", i -> i.omitSection = true, -1, "flag"),
                new Case("section cut short", i -> i.truncateSectionTo = 12, -1, "flag"),
                new Case("import size off the quantum", i -> i.importSize = 0x108, 0, "import size"),
                new Case("neither a source nor caches", i -> {
                    i.importSize = 0;
                    i.quantumCacheMax = 0;
                    i.imported = new int[0];
                }, -1, "neither"),
                new Case("cache size below the quantum", i -> i.quantumCacheMax = 0xf, 8, "below the quantum"),
                new Case("cache size above 64 quanta", i -> i.quantumCacheMax = 65 * 0x10, 8, "64"),
                new Case("cache with next-fit", i -> i.policy = "next-fit", 8, "next-fit"),
                new Case("more imported spans than spans", i -> i.imported = new int[] {0, 1, 1}, count, "spans"),
                new Case("imported spans without a source", i -> i.importSize = 0, count, "no source"),
                new Case("index past the spans", i -> i.imported = new int[] {0, 2}, firstIndex + 4, "index"),
                new Case("indexes not ascending", i -> i.imported = new int[] {1, 0}, firstIndex + 4, "index"),
                new Case("index listed twice", i -> i.imported = new int[] {1, 1}, firstIndex + 4, "index"),
                new Case("an imported span holding nothing", i -> i.allocations = List.of(Range.of(0x1000, 0x100f)),
                        firstIndex + 4, "holds no allocation"),
                new Case("bytes after the section", i -> i.trailing = new byte[] {0, 0, 0, 0}, firstIndex + 8,
                        "unexpected"));
        for (Case c : cases) {
            Image image = valid();
            c.spoil().accept(image);
            byte[] bytes = image.bytes();
            SnapshotFormatException e = assertThrows(SnapshotFormatException.class,
                    () -> Allocators.restore(new ByteArrayInputStream(bytes), parent), c.name());
            Matcher m = BYTE.matcher(e.getMessage());
            assertTrue(m.find(), c.name() + ": no byte offset in " + e.getMessage());
            int at = c.after() < 0 ? 6 : image.sectionAt + c.after();
            assertEquals(at, Integer.parseInt(m.group(1)), c.name() + ": " + e.getMessage());
            assertTrue(e.getMessage().contains(c.words()), c.name() + ": " + e.getMessage());
        }
    }

    /** A parent holding [0x1000, 0x10ff] and [0x2000, 0x20ff], the spans the crafted child imported. */
    private static ResourceAllocator parentHolding() {
        ResourceAllocator parent = Allocators.builder().quantum(0x10).span(Range.of(0x1000, 0x2fff)).build();
        parent.reserve(Range.of(0x1000, 0x10ff));
        parent.reserve(Range.of(0x2000, 0x20ff));
        return parent;
    }

    private static Image valid() {
        return valid(i -> { });
    }

    /** A child with quantum 0x10, importing with size 0x100, caching up to 0x40, two imported spans. */
    private static Image valid(Consumer<Image> change) {
        Image i = new Image();
        i.spans = List.of(Range.of(0x1000, 0x10ff), Range.of(0x2000, 0x20ff));
        i.allocations = List.of(Range.of(0x1000, 0x100f), Range.of(0x2010, 0x202f));
        i.importSize = 0x100;
        i.quantumCacheMax = 0x40;
        i.imported = new int[] {0, 1};
        change.accept(i);
        return i;
    }

    /** Every field of a layered version-1 image, written after docs/snapshot-format.md. */
    private static final class Image {
        String engine = "interval";
        String policy = "first-match";
        long quantum = 0x10;
        List<Range> spans;
        List<Range> allocations;
        long importSize;
        long quantumCacheMax;
        int[] imported;
        boolean omitSection;
        int truncateSectionTo = -1;
        byte[] trailing = new byte[0];
        int sectionAt;

        byte[] bytes() {
            try {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                DataOutputStream out = new DataOutputStream(buf);
                out.writeInt(0x414c4f54);
                out.writeShort(1);
                out.writeShort(2); // the layers flag
                out.writeLong(quantum);
                out.writeLong(0x1000); // rotor
                out.writeLong(allocations.size()); // totalAllocations
                out.writeLong(0); // totalFrees
                out.writeLong(0); // failedAllocations
                byte[] e = engine.getBytes(StandardCharsets.UTF_8);
                out.writeByte(e.length);
                out.write(e);
                byte[] p = policy.getBytes(StandardCharsets.UTF_8);
                out.writeByte(p.length);
                out.write(p);
                out.writeInt(spans.size());
                for (Range s : spans) {
                    out.writeLong(s.start());
                    out.writeLong(s.end());
                }
                out.writeLong(allocations.size());
                for (Range a : allocations) {
                    out.writeLong(a.start());
                    out.writeLong(a.end());
                    out.writeInt(-1);
                }
                sectionAt = out.size();
                if (!omitSection) {
                    ByteArrayOutputStream sec = new ByteArrayOutputStream();
                    DataOutputStream s = new DataOutputStream(sec);
                    s.writeLong(importSize);
                    s.writeLong(quantumCacheMax);
                    s.writeInt(imported.length);
                    for (int index : imported) {
                        s.writeInt(index);
                    }
                    byte[] section = sec.toByteArray();
                    out.write(section, 0, truncateSectionTo < 0 ? section.length : truncateSectionTo);
                }
                out.write(trailing);
                CRC32C crc = new CRC32C();
                crc.update(buf.toByteArray());
                out.writeInt((int) crc.getValue());
                return buf.toByteArray();
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
    }
}
