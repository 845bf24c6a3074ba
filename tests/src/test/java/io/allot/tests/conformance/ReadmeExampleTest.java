package io.allot.tests.conformance;

import io.allot.example.DeviceManager;
import org.junit.jupiter.api.Test;

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
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The README's device-manager example runs and prints what it says, and the README shows exactly
 * the code that runs: the lines between {@code // README:begin} and {@code // README:end} in
 * {@code DeviceManager.java}, dedented, must appear verbatim inside a {@code ```java} block of the
 * top-level {@code README.md}. Surefire runs with the tests module as working directory.
 */
class ReadmeExampleTest {

    private static final Path EXAMPLE = Path.of("src", "main", "java", "io", "allot", "example", "DeviceManager.java");
    private static final Path README = Path.of("..", "README.md");

    private static final String BEGIN = "// README:begin";
    private static final String END = "// README:end";

    @Test
    void deviceManagerPrintsWhatTheReadmeSays() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            DeviceManager.run(out);
        }
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(List.of(
                "net 0 at [0xd0000000, 0xd0000fff], blk 1 at [0xd0001000, 0xd0001fff]",
                "rng 0 at [0xd0000000, 0xd0000fff]",
                "refused: [0xd0001000, 0xd0001fff] is not an allocation (it is free)",
                "99 ids and 767 MiB of MMIO free"), lines);
    }

    @Test
    void readmeShowsTheExampleCodeVerbatim() throws IOException {
        assertTrue(Files.isRegularFile(EXAMPLE), "run from the tests module: no " + EXAMPLE.toAbsolutePath());
        List<String> snippet = dedent(between(Files.readAllLines(EXAMPLE, StandardCharsets.UTF_8)));
        assertTrue(snippet.stream().anyMatch(line -> !line.isBlank()), "the README markers enclose no code");

        assertTrue(Files.isRegularFile(README), "no README.md at " + README.toAbsolutePath().normalize());
        List<List<String>> blocks = javaBlocks(Files.readAllLines(README, StandardCharsets.UTF_8));
        for (List<String> block : blocks) {
            if (Collections.indexOfSubList(dedent(block), snippet) >= 0) {
                return;
            }
        }
        fail("README.md has no ```java block containing the example from DeviceManager.java ("
                + blocks.size() + " java blocks found); expected these lines:\n" + String.join("\n", snippet));
    }

    @Test
    void readmeShowsTheExampleOutputVerbatim() throws IOException {
        assertTrue(Files.isRegularFile(README), "no README.md at " + README.toAbsolutePath().normalize());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            DeviceManager.run(out);
        }
        List<String> output = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        List<String> readme = Files.readAllLines(README, StandardCharsets.UTF_8).stream().map(String::stripTrailing)
                .toList();
        assertTrue(Collections.indexOfSubList(readme, output) >= 0,
                "README.md does not show the example's output:\n" + String.join("\n", output));
    }

    /** The lines strictly between the one BEGIN marker and the one END marker after it. */
    private static List<String> between(List<String> source) {
        List<Integer> begins = markerLines(source, BEGIN);
        List<Integer> ends = markerLines(source, END);
        assertEquals(1, begins.size(), "exactly one " + BEGIN + " in " + EXAMPLE);
        assertEquals(1, ends.size(), "exactly one " + END + " in " + EXAMPLE);
        assertTrue(begins.get(0) < ends.get(0), BEGIN + " comes after " + END);
        return source.subList(begins.get(0) + 1, ends.get(0));
    }

    private static List<Integer> markerLines(List<String> source, String marker) {
        List<Integer> found = new ArrayList<>();
        for (int i = 0; i < source.size(); i++) {
            if (source.get(i).strip().equals(marker)) {
                found.add(i);
            }
        }
        return found;
    }

    /** The bodies of the {@code ```java} fenced blocks, in order; a fence may be indented (inside a list). */
    private static List<List<String>> javaBlocks(List<String> markdown) {
        List<List<String>> blocks = new ArrayList<>();
        List<String> current = null;
        for (String line : markdown) {
            String fence = line.strip();
            if (current == null) {
                if (fence.equals("```java")) {
                    current = new ArrayList<>();
                }
            } else if (fence.equals("```")) {
                blocks.add(current);
                current = null;
            } else {
                current.add(line);
            }
        }
        return blocks;
    }

    /** {@code lines} with trailing white space stripped and their common leading indentation removed. */
    private static List<String> dedent(List<String> lines) {
        int indent = Integer.MAX_VALUE;
        for (String line : lines) {
            if (!line.isBlank()) {
                indent = Math.min(indent, line.length() - line.stripLeading().length());
            }
        }
        List<String> out = new ArrayList<>(lines.size());
        for (String line : lines) {
            out.add(line.isBlank() ? "" : line.substring(indent).stripTrailing());
        }
        return out;
    }
}
