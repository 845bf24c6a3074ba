package io.allot.tests.layers;

import io.allot.Allocators;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's arena-hierarchy and quantum-cache examples run and print what the README says, and
 * the README shows exactly this code: the lines between each {@code // README:begin} and
 * {@code // README:end} below, dedented, appear verbatim in a {@code ```java} block of README.md.
 */
class ReadmeLayersTest {

    private static final Path SOURCE = Path.of("src", "test", "java", "io", "allot", "tests", "layers",
            "ReadmeLayersTest.java");
    private static final Path README = Path.of("..", "README.md");

    static void hierarchy(PrintStream out) {
        // README:begin
        ResourceAllocator mmio = Allocators.builder()                    // the VM's MMIO window
                .quantum(0x1000).span(Range.ofSize(0xD000_0000L, 768L << 20))
                .threadSafe().build();
        ResourceAllocator gpu = Allocators.builder()                     // a device's arena: borrows 1 MiB at a time
                .quantum(0x1000).source(mmio, 1 << 20).build();

        Range bar = gpu.allocate(Request.of(0x4000).aligned(0x4000));    // imports [0xd0000000, 0xd00fffff]
        out.println(gpu.spans() + ", imported 0x" + Long.toHexString(gpu.stats().imported()));
        out.println(mmio.allocationContaining(0xD000_0000L).orElseThrow());
        Range big = gpu.allocate(Request.of(3 << 20));                   // more than 1 MiB: imports 3 MiB
        gpu.free(bar);                                                   // its span is wholly free: back at once
        out.println(gpu.spans() + ", imported 0x" + Long.toHexString(gpu.stats().imported()));

        ByteArrayOutputStream child = new ByteArrayOutputStream();       // snapshot children first...
        gpu.writeSnapshot(child);
        ByteArrayOutputStream parent = new ByteArrayOutputStream();      // ...then their parent
        mmio.writeSnapshot(parent);
        ResourceAllocator mmio2 = Allocators.restore(new ByteArrayInputStream(parent.toByteArray()));
        ResourceAllocator gpu2 = Allocators.restore(new ByteArrayInputStream(child.toByteArray()), mmio2);
        gpu2.free(big);                                                  // hands back to the restored parent
        out.println(gpu2.stats().imported() + " imported, " + mmio2.stats().allocated() + " allocated in mmio2");
        // README:end
    }

    static void cache(PrintStream out) {
        // README:begin
        ResourceAllocator vectors = Allocators.builder()
                .span(Range.of(0x20, 0xfff)).quantumCache(8)             // sizes 1..8 come from magazines
                .threadSafe().build();
        Range v = vectors.allocate(Request.of(1));                       // a miss: one lock, 16 segments filled
        vectors.free(v);                                                 // into this thread's magazine
        Range w = vectors.allocate(Request.of(1));                       // a hit: v again, no lock, no search
        out.println(v + " " + w + ", " + vectors.stats().free() + " free"); // cached values count as free
        vectors.free(w);
        out.println(vectors.allocate(Request.of(0xfe0)));                // all of it: the caches are emptied first
        // README:end
    }

    @Test
    void theHierarchyExamplePrintsWhatTheReadmeSays() {
        assertEquals(List.of(
                "[[0xd0000000, 0xd00fffff]], imported 0x100000",
                "Allocation[range=[0xd0000000, 0xd00fffff], tag=null]",
                "[[0xd0100000, 0xd03fffff]], imported 0x300000",
                "0 imported, 0 allocated in mmio2"), run(ReadmeLayersTest::hierarchy));
    }

    @Test
    void theCacheExamplePrintsWhatTheReadmeSays() {
        assertEquals(List.of(
                "[0x20, 0x20] [0x20, 0x20], 4063 free",
                "[0x20, 0xfff]"), run(ReadmeLayersTest::cache));
    }

    @Test
    void theReadmeShowsThisCodeVerbatim() throws IOException {
        List<String> source = Files.readAllLines(SOURCE, StandardCharsets.UTF_8);
        List<List<String>> blocks = javaBlocks(Files.readAllLines(README, StandardCharsets.UTF_8));
        int snippets = 0;
        for (int i = 0; i < source.size(); i++) {
            if (!source.get(i).trim().equals("// README:begin")) {
                continue;
            }
            List<String> snippet = new ArrayList<>();
            for (i++; !source.get(i).trim().equals("// README:end"); i++) {
                snippet.add(source.get(i));
            }
            List<String> wanted = dedent(snippet);
            assertTrue(blocks.stream().anyMatch(b -> Collections.indexOfSubList(dedent(b), wanted) >= 0),
                    "README.md has no ```java block holding:\n" + String.join("\n", wanted));
            snippets++;
        }
        assertEquals(2, snippets);
    }

    private static List<String> run(java.util.function.Consumer<PrintStream> example) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            example.accept(out);
        }
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private static List<List<String>> javaBlocks(List<String> lines) {
        List<List<String>> blocks = new ArrayList<>();
        List<String> current = null;
        for (String line : lines) {
            if (current == null && line.trim().equals("```java")) {
                current = new ArrayList<>();
            } else if (current != null && line.trim().equals("```")) {
                blocks.add(current);
                current = null;
            } else if (current != null) {
                current.add(line);
            }
        }
        return blocks;
    }

    private static List<String> dedent(List<String> lines) {
        int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length())
                .min().orElse(0);
        return lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent).stripTrailing()).toList();
    }
}
