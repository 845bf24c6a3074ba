package io.allot.cli;

import io.allot.cli.trace.Trace;
import io.allot.cli.trace.TraceParser;
import io.allot.cli.workload.Workload;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Where a trace comes from, as a command-line argument names it: a bundled workload's name, a
 * file, or {@code -} for standard input. A bundled name wins over a file of the same name (write
 * {@code ./dma} for the file).
 *
 * @param argument    what the user typed
 * @param workload    the bundled workload, or null
 * @param file        the file, or null (and null for standard input)
 * @param description one sentence for the report
 */
record TraceSource(String argument, Workload workload, Path file, String description) {

    /**
     * Resolves {@code argument}.
     *
     * @throws ParameterException (a usage error) if it is neither a bundled workload nor an existing file
     */
    static TraceSource resolve(String argument, CommandLine commandLine) {
        var bundled = Workload.named(argument);
        if (bundled.isPresent()) {
            return new TraceSource(argument, bundled.get(), null, bundled.get().description());
        }
        if (argument.equals("-")) {
            return new TraceSource(argument, null, null, "a trace read from standard input");
        }
        Path file = Path.of(argument);
        if (!Files.exists(file)) {
            throw new ParameterException(commandLine, "unknown workload \"" + argument + "\": not a bundled workload ("
                    + String.join(", ", Workload.ids()) + ") nor a file");
        }
        return new TraceSource(argument, null, file, "trace file " + argument);
    }

    /** The name shown for this trace in tables and messages. */
    String name() {
        if (workload != null) {
            return workload.id();
        }
        return file == null ? "<stdin>" : file.toString();
    }

    /**
     * Generates or reads and parses the trace.
     *
     * @throws io.allot.cli.trace.TraceException at a malformed line
     * @throws CliException                      if the file cannot be read
     */
    Trace load(long seed) {
        if (workload != null) {
            return workload.trace(seed);
        }
        if (file == null) {
            return TraceParser.parse(name(), new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
        }
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return TraceParser.parse(name(), in);
        } catch (NoSuchFileException e) {
            throw new CliException(file + ": no such file", e);
        } catch (IOException e) {
            throw new CliException(file + ": " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new CliException(file + ": " + e.getCause().getMessage(), e);
        }
    }
}
