package io.allot.cli;

import io.allot.Allocators;
import io.allot.Range;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --plugins DIR}: jars compiled here with {@code javax.tools} — the worst-fit example as a
 * named module, the same classes as a plain jar (an automatic module), a plain-jar engine, and jars
 * that must be refused or skipped — are found in a module layer and run next to the installed ones.
 */
class PluginFolderTest {

    private static final Path EXAMPLE = Path.of("..", "examples", "worst-fit-policy", "src", "main");
    private static final String POLICY_SERVICE = "META-INF/services/io.allot.spi.AllocationPolicy";
    private static final String ENGINE_SERVICE = "META-INF/services/io.allot.spi.EngineProvider";

    @TempDir
    static Path work;

    static Path modular;
    static Path plain;
    static Path engine;
    static Path clash;

    @BeforeAll
    static void buildPlugins() throws IOException {
        List<Path> sources;
        try (Stream<Path> files = Files.walk(EXAMPLE.resolve("java"))) {
            sources = files.filter(p -> p.toString().endsWith(".java")).toList();
        }
        modular = jar("modular", "worst-fit-policy.jar", compile("modular", sources, true),
                Map.of(POLICY_SERVICE, Files.readString(EXAMPLE.resolve("resources").resolve(POLICY_SERVICE))));
        plain = jar("plain", "worst-fit-plain.jar",
                compile("plain", sources.stream().filter(p -> !p.endsWith("module-info.java")).toList(), false),
                Map.of(POLICY_SERVICE, "com.example.worstfit.WorstFit\n"));
        Path borrowed = source("engine", "com/example/borrowed/Borrowed.java", """
                package com.example.borrowed;

                import io.allot.Allocators;
                import io.allot.ResourceAllocator;
                import io.allot.spi.AllocatorSpec;
                import io.allot.spi.EngineProvider;

                /**
                 * An engine plug-in that lends another engine's allocators under its own name, and
                 * refuses spaces of more than 2^32 units as a bitmap engine would.
                 */
                public final class Borrowed implements EngineProvider {
                    public String name() { return "borrowed"; }
                    public ResourceAllocator create(AllocatorSpec spec) {
                        long units = 0;
                        for (var span : spec.spans()) {
                            units += span.size() / spec.quantum();
                        }
                        if (units > (1L << 32) || units < 0) {
                            throw new IllegalArgumentException("borrowed holds at most 2^32 units, not " + units);
                        }
                        Allocators.Builder b = Allocators.builder().engine(Allocators.engines().get(0))
                                .quantum(spec.quantum()).policy(spec.defaultPolicy());
                        spec.spans().forEach(b::span);
                        return b.build();
                    }
                }
                """);
        engine = jar("engine", "borrowed-engine.jar", compile("engine", List.of(borrowed), false),
                Map.of(ENGINE_SERVICE, "com.example.borrowed.Borrowed\n"));
        Path impostor = source("clash", "com/example/clash/Impostor.java", """
                package com.example.clash;

                import io.allot.Range;
                import io.allot.Request;
                import io.allot.spi.AllocationPolicy;
                import io.allot.spi.FreeSpace;
                import java.util.Optional;

                public final class Impostor implements AllocationPolicy {
                    public String name() { return "first-match"; }
                    public Optional<Range> place(Request request, FreeSpace free) { return Optional.empty(); }
                }
                """);
        clash = jar("clash", "impostor.jar", compile("clash", List.of(impostor), false),
                Map.of(POLICY_SERVICE, "com.example.clash.Impostor\n"));
    }

    @Test
    void theWorstFitExampleAppearsInTheTableNextToTheInstalledPolicies() {
        for (Path dir : List.of(modular.getParent(), plain.getParent())) {
            Cli cli = Cli.run("compare", "--plugins", dir.toString(), "-w", "fragmenter", "--runs", "1", "--no-heap",
                    "--report", work.resolve("r.html").toString());
            assertEquals(0, cli.status(), cli.toString());
            assertTrue(cli.out().contains("plug-in policy worst-fit from " + jarName(dir)), cli.out());
            for (String engineName : Allocators.engines()) {
                for (String policy : List.of("first-match", "best-fit", "worst-fit")) {
                    assertTrue(row(engineName, policy).matcher(cli.out()).find(), engineName + "/" + policy + ":\n" + cli.out());
                }
            }
            assertEquals("", cli.err(), "no warning");
        }
    }

    @Test
    void anEnginePlugInRunsEveryPolicyAndReplays() throws IOException {
        Cli cli = Cli.run("compare", "--plugins", engine.getParent().toString(), "-w", "pid-churn", "--runs", "1",
                "--no-heap", "--engines", "borrowed", "--report", work.resolve("e.html").toString());
        assertEquals(0, cli.status(), cli.toString());
        assertTrue(cli.out().contains("plug-in engine borrowed from borrowed-engine.jar"), cli.out());
        for (String policy : Allocators.policies()) {
            assertTrue(row("borrowed", policy).matcher(cli.out()).find(), cli.out());
        }
        Cli refused = Cli.run("compare", "--plugins", engine.getParent().toString(), "-w", "vmm-boot", "-w", "dma",
                "--runs", "1", "--no-heap", "--policies", "first-match", "--report", work.resolve("refused.html").toString());
        assertEquals(0, refused.status(), refused.toString());
        assertTrue(refused.out().contains("borrowed  first-match  not run: the engine refused this space: borrowed holds"
                + " at most 2^32 units, not 69524787195"), refused.out());
        assertTrue(row("borrowed", "first-match").matcher(refused.out().substring(refused.out().indexOf("dma:")))
                .find(), "the next workload runs: " + refused.out());
        String html = Files.readString(work.resolve("refused.html"));
        assertTrue(html.contains("not run: engine refused the space"), "throughput chart notes it");
        assertTrue(html.contains("not run: the engine refused this space: borrowed holds at most 2^32 units"), "table and map");

        Path trace = Files.writeString(work.resolve("t.txt"), "span 0 99\nalloc a 10\n");
        Cli replay = Cli.run("replay", trace.toString(), "--plugins", engine.getParent().toString(), "--engine", "borrowed");
        assertEquals(0, replay.status(), replay.toString());
        assertTrue(replay.out().contains("on borrowed / first-match"), replay.out());
    }

    @Test
    void aPlugInThatTakesAnInstalledNameIsSkippedWithAWarning() {
        Cli cli = Cli.run("compare", "--plugins", clash.getParent().toString(), "-w", "pid-churn", "--runs", "1",
                "--no-heap", "--policies", "first-match", "--report", work.resolve("c.html").toString());
        assertEquals(0, cli.status(), cli.toString());
        assertEquals("allot: warning: plug-in policy \"first-match\" in impostor.jar skipped: an installed policy has"
                + " that name\n", cli.err());
        assertFalse(cli.out().contains("plug-in policy"), cli.out());
        // The impostor places nothing, so every fork would fail; the installed first-match fails only at exhaustion.
        for (String line : cli.out().lines().filter(l -> l.contains(" first-match ")).toList()) {
            long failed = Long.parseLong(line.trim().split(" +")[3].replace(",", ""));
            assertTrue(failed < 1_000, line);
        }
    }

    @Test
    void aFolderThatCannotBeLoadedIsAFailure() throws IOException {
        Path empty = Files.createDirectories(work.resolve("empty"));
        Cli none = Cli.run("compare", "--plugins", empty.toString());
        assertEquals(1, none.status(), none.toString());
        assertEquals("allot: --plugins " + empty + ": no .jar file in it (was the plug-in built?)\n", none.err());

        Cli notFolder = Cli.run("compare", "--plugins", modular.toString());
        assertEquals(1, notFolder.status(), notFolder.toString());
        assertEquals("allot: --plugins " + modular + ": not a folder\n", notFolder.err());

        Path broken = Files.createDirectories(work.resolve("broken"));
        Files.writeString(broken.resolve("garbage.jar"), "this is not a zip file");
        Cli garbage = Cli.run("compare", "--plugins", broken.toString());
        assertEquals(1, garbage.status(), garbage.toString());
        assertTrue(garbage.err().startsWith("allot: --plugins " + broken + ": garbage.jar is not a usable module: "),
                garbage.err());
        assertEquals(1, garbage.errLines());
        assertEquals("", garbage.out());
    }

    private static Pattern row(String engine, String policy) {
        return Pattern.compile("(?m)^" + Pattern.quote(engine) + " +" + Pattern.quote(policy) + " +[0-9.]+[kMG]? ");
    }

    private static String jarName(Path dir) throws RuntimeException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".jar")).findFirst().orElseThrow().getFileName().toString();
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    private static Path source(String name, String path, String text) throws IOException {
        Path file = work.resolve("src-" + name).resolve(path);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }

    /** Compiles {@code sources} against the api module (on the module path, or the class path for a plain jar). */
    private static Path compile(String name, List<Path> sources, boolean modular) throws IOException {
        Path classes = Files.createDirectories(work.resolve("classes-" + name));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            List<String> options = new ArrayList<>(List.of("--release", "17", "-d", classes.toString(),
                    modular ? "--module-path" : "--class-path", apiLocation().toString()));
            Boolean ok = javac.getTask(null, files, diagnostics, options, null, files.getJavaFileObjectsFromPaths(sources))
                    .call();
            assertTrue(ok, () -> "compiling " + name + ": " + diagnostics.getDiagnostics());
        }
        return classes;
    }

    private static Path apiLocation() {
        try {
            return Path.of(Range.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A jar of {@code classes} plus {@code extra} entries, alone in a folder of its own. */
    private static Path jar(String folder, String name, Path classes, Map<String, String> extra) throws IOException {
        Path jar = Files.createDirectories(work.resolve("plugins-" + folder)).resolve(name);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out);
             Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                zip.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                zip.write(Files.readAllBytes(file));
                zip.closeEntry();
            }
            for (Map.Entry<String, String> entry : extra.entrySet()) {
                zip.putNextEntry(new JarEntry(entry.getKey()));
                zip.write(entry.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return jar;
    }
}
