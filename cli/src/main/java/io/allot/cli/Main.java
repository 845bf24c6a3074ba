package io.allot.cli;

import io.allot.cli.trace.TraceException;
import picocli.CommandLine;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The {@code allot} command's entry point. Exit status: 0 success, 2 a usage error (unknown
 * option, missing argument, unknown engine, policy or workload), 1 anything else (a missing or
 * malformed file, a corrupt snapshot, a plug-in folder that does not load). Every error is one
 * line on stderr; the stack trace only with {@code --debug}.
 */
public final class Main {

    /** Exit status of a successful run. */
    public static final int OK = 0;
    /** Exit status of any failure but a usage error. */
    public static final int FAILED = 1;
    /** Exit status of a usage error. */
    public static final int USAGE = 2;

    private Main() {
    }

    /** Runs the command and exits with its status. Output is UTF-8 whatever the locale. */
    public static void main(String[] args) {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        int status = run(out, err, args);
        out.flush();
        err.flush();
        System.exit(status);
    }

    /**
     * Runs the command with {@code args}, writing to {@code out} and {@code err}.
     *
     * @return the exit status
     */
    public static int run(PrintStream out, PrintStream err, String... args) {
        boolean debug = Arrays.asList(args).contains("--debug");
        PrintWriter errWriter = new PrintWriter(err, true);
        CommandLine commandLine = new CommandLine(new AllotCommand());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(errWriter);
        commandLine.setParameterExceptionHandler((e, ignored) -> {
            String command = e.getCommandLine().getCommandSpec().qualifiedName();
            errWriter.println(command + ": " + e.getMessage() + " (see '" + command + " --help')");
            if (debug) {
                e.printStackTrace(errWriter);
            }
            return USAGE;
        });
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            errWriter.println("allot: " + oneLine(e));
            if (debug) {
                e.printStackTrace(errWriter);
            }
            return FAILED;
        });
        int status = commandLine.execute(args);
        out.flush();
        errWriter.flush();
        return status;
    }

    /** The message a user sees for {@code e}: the message alone when it is one of ours. */
    private static String oneLine(Exception e) {
        if (e instanceof CliException || e instanceof TraceException) {
            return e.getMessage();
        }
        if (e instanceof UncheckedIOException io) {
            return io.getMessage();
        }
        String message = e.getMessage() == null ? e.getClass().getName() : e.getClass().getSimpleName() + ": "
                + e.getMessage();
        return message.replace('\n', ' ') + " (run with --debug for the stack trace)";
    }
}
