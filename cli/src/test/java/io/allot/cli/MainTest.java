package io.allot.cli;

import io.allot.Allocators;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.SnapshotFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each command's output and exit status: 0 success, 2 usage error, 1 anything else, one line on stderr. */
class MainTest {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static void assertStatus(int expected, Cli cli) {
        assertEquals(expected, cli.status(), cli.toString());
    }

    private static void assertOneLineError(Cli cli, String... fragments) {
        assertEquals(1, cli.errLines(), "one line on stderr: " + cli);
        for (String fragment : fragments) {
            assertTrue(cli.err().contains(fragment), "\"" + fragment + "\" in " + cli);
        }
        assertFalse(cli.err().contains("\tat "), "no stack trace without --debug");
    }

    // --- version, help, usage errors ---

    @Test
    void versionNamesTheReleaseAndWhatIsInstalled() {
        Cli cli = Cli.run("--version");
        assertStatus(0, cli);
        assertTrue(cli.out().startsWith("allot 0.1.0"), cli.out());
        for (String engine : Allocators.engines()) {
            assertTrue(cli.out().contains(engine), cli.out());
        }
        assertTrue(cli.out().contains("first-match"), cli.out());
    }

    @Test
    void helpForTheCommandAndEachSubcommand() {
        Cli top = Cli.run("--help");
        assertStatus(0, top);
        for (String command : new String[] {"compare", "replay", "workload", "inspect"}) {
            assertTrue(top.out().contains(command), top.out());
            Cli help = Cli.run(command, "--help");
            assertStatus(0, help);
            assertTrue(help.out().startsWith("Usage: allot " + command), help.out());
        }
    }

    @Test
    void usageErrorsExitWithTwoAndOneLine() {
        String[][] cases = {
            {},
            {"frobnicate"},
            {"--nope"},
            {"compare", "--nope"},
            {"compare", "--engines", "no-such-engine"},
            {"compare", "--policies", "first-match,no-such-policy"},
            {"compare", "-w", "no-such-workload-or-file"},
            {"compare", "--runs", "0"},
            {"compare", "--seed", "abc"},
            {"replay"},
            {"replay", "no-such-file.txt"},
            {"replay", "dma", "--engine", "no-such-engine"},
            {"replay", "dma", "--policy", "no-such-policy"},
            {"workload"},
            {"workload", "no-such-workload"},
            {"inspect"},
            {"workload", "dma", "extra"},
        };
        for (String[] args : cases) {
            Cli cli = Cli.run(args);
            assertEquals(2, cli.status(), String.join(" ", args) + ": " + cli);
            assertOneLineError(cli);
            assertTrue(cli.err().startsWith("allot"), cli.err());
            assertEquals("", cli.out(), "nothing runs: " + String.join(" ", args));
        }
        assertOneLineError(Cli.run("compare", "--engines", "no-such-engine"), "unknown engine \"no-such-engine\"", "present: ");
        assertOneLineError(Cli.run("workload", "nope"), "unknown workload \"nope\"", "vmm-boot, pid-churn, dma, fragmenter");
    }

    // --- workload ---

    @Test
    void workloadPrintsATraceThatReplays() throws IOException {
        Cli printed = Cli.run("workload", "pid-churn", "--seed", "3");
        assertStatus(0, printed);
        assertTrue(printed.out().startsWith("# pid-churn, seed 3: "), printed.out().substring(0, 80));
        Path file = write("pid.txt", printed.out());
        Cli replayed = Cli.run("replay", file.toString(), "--policy", "next-fit");
        assertStatus(0, replayed);
        assertTrue(replayed.out().contains("operations on "), replayed.out());
        assertTrue(replayed.out().contains("/ next-fit"), replayed.out());
    }

    // --- replay ---

    @Test
    void replayPrintsStatsAndVerboseFailuresWithLineNumbers() throws IOException {
        Path trace = write("t.txt", """
                span 0 0xff
                alloc a 0x80
                alloc b 0x81     # does not fit
                alloc c 0x80     # takes the rest
                free b           # skipped
                reserve d 0 0xf  # overlaps a
                """);
        Cli quiet = Cli.run("replay", trace.toString());
        assertStatus(0, quiet);
        assertTrue(quiet.out().contains("failed allocations  2 (and 1 frees or reallocs skipped"), quiet.out());
        assertFalse(quiet.out().contains("t.txt:3:"), quiet.out());
        Cli verbose = Cli.run("replay", trace.toString(), "--verbose");
        assertStatus(0, verbose);
        assertTrue(verbose.out().contains(trace + ":3: alloc b 129: nothing fits"), verbose.out());
        assertFalse(verbose.out().contains(":4:"), verbose.out());
        assertTrue(Pattern.compile(Pattern.quote(trace + ":6: reserve d 0x0 0xf: ") + ".*overlap.*")
                .matcher(verbose.out()).find(), verbose.out());
    }

    @Test
    void aMalformedTraceIsOneLineWithItsLineNumberAndNothingRuns() throws IOException {
        Path trace = write("bad.txt", "span 0 0xff\nalloc a 4\nalloc b 4 align=3\nfree a\n");
        for (String command : new String[] {"replay", "compare"}) {
            Cli cli = command.equals("replay") ? Cli.run("replay", trace.toString())
                    : Cli.run("compare", "-w", "dma", "-w", trace.toString(), "--report", dir.resolve("r.html").toString());
            assertStatus(1, cli);
            assertOneLineError(cli, trace + ":3: alignment 0x3 is not a power of two");
            assertEquals("", cli.out(), command + " ran nothing");
        }
        assertFalse(Files.exists(dir.resolve("r.html")));
    }

    @Test
    void debugAddsTheStackTrace() throws IOException {
        Path trace = write("bad.txt", "alloc a 4\n");
        Cli cli = Cli.run("replay", trace.toString(), "--debug");
        assertStatus(1, cli);
        assertTrue(cli.err().startsWith("allot: " + trace + ":1: no span before the first operation"), cli.err());
        assertTrue(cli.err().contains("\tat ") && cli.err().contains("io.allot.cli.trace.TraceParser.start("), cli.err());
    }

    @Test
    void anUnreadableTraceIsAFailureNotAUsageError() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("a-folder"));
        Cli cli = Cli.run("replay", folder.toString());
        assertStatus(1, cli);
        assertOneLineError(cli, folder.toString());
    }

    // --- compare ---

    @Test
    void compareRunsEveryEngineAndPolicyAndWritesASelfContainedReport() throws IOException {
        Path trace = write("small.txt", "span 0 0xffff\nalloc a 0x100\nalloc b 0x200 align=0x200\nfree a\nalloc c 0x80\n");
        Path report = dir.resolve("out/report.html");
        Cli cli = Cli.run("compare", "-w", trace.toString(), "--report", report.toString(), "--runs", "2");
        assertStatus(0, cli);
        for (String engine : Allocators.engines()) {
            for (String policy : Allocators.policies()) {
                assertTrue(Pattern.compile("(?m)^" + Pattern.quote(engine) + " +" + Pattern.quote(policy) + " ")
                        .matcher(cli.out()).find(), engine + " / " + policy + " row in\n" + cli.out());
            }
        }
        assertTrue(cli.out().contains("engine    policy"), cli.out());
        assertTrue(cli.out().contains("ops/s  failed  peak frag  final frag  largest free  live"), cli.out());
        assertTrue(cli.out().contains("report: " + report + " (" + 2 * Allocators.engines().size()
                * Allocators.policies().size() + " runs in "), "every quick combination timed twice: " + cli.out());
        String html = Files.readString(report);
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertTrue(html.contains("<svg"), "inline charts");
        assertTrue(html.contains("<style>"), "inline CSS");
        for (String fetching : new String[] {"<script", "<link", "<img", "src=", "url(", "@import", "href=\"http"}) {
            assertFalse(html.contains(fetching), "nothing fetched, but found " + fetching);
        }
        assertEquals(html.split("http").length - 1, html.split("xmlns=\"http://www.w3.org/2000/svg\"").length - 1,
                "the only URLs are SVG namespace names");
    }

    @Test
    void compareRunsABundledWorkloadOnChosenCombinations() {
        Path report = dir.resolve("r.html");
        Cli cli = Cli.run("compare", "-w", "vmm-boot", "--policies", "best-fit,first-match", "--runs", "1",
                "--report", report.toString());
        assertStatus(0, cli);
        assertTrue(cli.out().contains("vmm-boot: 120,0"), cli.out());
        assertTrue(cli.out().contains(" best-fit "), cli.out());
        assertFalse(cli.out().contains(" next-fit "), cli.out());
        assertTrue(Files.exists(report));
    }

    // --- inspect ---

    private static byte[] snapshot() {
        ResourceAllocator a = Allocators.builder().engine(Allocators.engines().get(0)).policy("best-fit")
                .span(Range.of(0xD000_0000L, 0xD00F_FFFFL)).span(Range.of(0x10, 0x1f)).build();
        a.allocate(Request.of(0x1000).aligned(0x1000).tagged("virtio-net \"0\""));
        a.reserve(Range.of(0xD008_0000L, 0xD008_FFFFL), "ioapic");
        a.allocate(Request.of(4).within(0x10, 0x1f));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        a.writeSnapshot(out);
        return out.toByteArray();
    }

    @Test
    void inspectShowsEngineSpansAllocationsTagsStatsAndAMap() throws IOException {
        Path file = Files.write(dir.resolve("good.snap"), snapshot());
        Cli cli = Cli.run("inspect", file.toString());
        assertStatus(0, cli);
        String out = cli.out();
        assertTrue(out.contains("engine       " + Allocators.engines().get(0)), out);
        assertTrue(out.contains("policy       best-fit"), out);
        assertTrue(out.contains("spans (2)"), out);
        assertTrue(out.contains("[0xd0000000, 0xd00fffff]  1.00 Mi"), out);
        assertTrue(out.contains("live allocations 3"), out);
        assertTrue(out.contains("allocations (3)"), out);
        assertTrue(out.contains("[0xd0000000, 0xd0000fff]  4,096  virtio-net \"0\""), out);
        assertTrue(out.contains("[0xd0080000, 0xd008ffff]  65,536  ioapic"), out);
        assertTrue(out.contains("[0x10, 0x13]  4\n"), out);
        assertTrue(out.contains("  |" + "█".repeat(16) + " ".repeat(48) + "|  [0x10, 0x1f]"), "text map: " + out);
        assertTrue(out.contains("  |░" + " ".repeat(31) + "████" + " ".repeat(28) + "|  [0xd0000000, 0xd00fffff]"),
                "text map: " + out);
    }

    @Test
    void inspectOfACorruptSnapshotGivesTheSnapshotFormatExceptionMessage() throws IOException {
        byte[] image = snapshot();
        for (int bit : new int[] {3, 8 * 30 + 1, 8 * (image.length - 1)}) {
            byte[] corrupt = image.clone();
            corrupt[bit / 8] ^= (byte) (1 << (bit % 8));
            String expected = assertThrows(SnapshotFormatException.class,
                    () -> Allocators.restore(new ByteArrayInputStream(corrupt), Allocators.engines().get(0))).getMessage();
            Path file = Files.write(dir.resolve("corrupt" + bit + ".snap"), corrupt);
            Cli cli = Cli.run("inspect", file.toString());
            assertStatus(1, cli);
            assertOneLineError(cli, "allot: " + file + ": " + expected);
            assertEquals("", cli.out());
        }
        Path truncated = Files.write(dir.resolve("short.snap"), java.util.Arrays.copyOf(image, 20));
        assertOneLineError(Cli.run("inspect", truncated.toString()), "snapshot at byte");
        assertStatus(1, Cli.run("inspect", truncated.toString()));
        Path text = write("not-a-snapshot.txt", "span 0 9\n");
        Cli notSnapshot = Cli.run("inspect", text.toString());
        assertStatus(1, notSnapshot);
        assertOneLineError(notSnapshot, "snapshot at byte 0");
        Cli missing = Cli.run("inspect", dir.resolve("missing.snap").toString());
        assertStatus(1, missing);
        assertOneLineError(missing, "missing.snap: no such file");
    }

    @Test
    void inspectOfAnArenaThatImportsFromASourceSaysWhyItCannotStandAlone() throws IOException {
        ResourceAllocator parent = Allocators.builder().span(Range.of(0, 0xffff)).build();
        ResourceAllocator child = Allocators.builder().source(parent, 0x100).build();
        child.allocate(Request.of(0x10));
        ByteArrayOutputStream image = new ByteArrayOutputStream();
        child.writeSnapshot(image);
        Path file = Files.write(dir.resolve("child.snap"), image.toByteArray());
        Cli cli = Cli.run("inspect", file.toString());
        assertStatus(1, cli);
        assertOneLineError(cli, file + ": the snapshot is of an allocator that imports from a source",
                "inspect shows allocators without a source");
    }

    @Test
    void replayWritesASnapshotThatInspectReads() {
        Path snap = dir.resolve("dma.snap");
        Cli replay = Cli.run("replay", "dma", "--snapshot", snap.toString(), "--policy", "last-match");
        assertStatus(0, replay);
        Cli inspect = Cli.run("inspect", snap.toString());
        assertStatus(0, inspect);
        assertTrue(inspect.out().contains("policy       last-match"), inspect.out());
        assertTrue(inspect.out().contains("quantum      512"), inspect.out());
        String live = replay.out().lines().filter(l -> l.contains("live allocations")).findFirst().orElseThrow()
                .replaceAll("\\D", "");
        assertTrue(inspect.out().contains("allocations (" + String.format("%,d", Long.parseLong(live)) + ")"),
                inspect.out().substring(0, 600));
    }
}
