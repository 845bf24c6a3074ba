package io.allot.cli.trace;

/**
 * A malformed trace line. The message is the one line a user sees, in the form compilers use:
 * {@code trace.txt:12: unknown verb "allocate" (expected span, quantum, alloc, reserve, free, realloc)}.
 * A trace that throws this has not run at all.
 */
public final class TraceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;
    private final String detail;

    /**
     * @param source the trace's name as the user gave it (a path, or {@code <stdin>})
     * @param line   1-based line number
     * @param detail what is wrong, naming the offending text
     */
    public TraceException(String source, int line, String detail) {
        super(source + ":" + line + ": " + detail);
        this.source = source;
        this.line = line;
        this.detail = detail;
    }

    /** The trace's name as the user gave it. */
    public String source() {
        return source;
    }

    /** The 1-based number of the offending line. */
    public int line() {
        return line;
    }

    /** What is wrong, without the {@code source:line: } prefix. */
    public String detail() {
        return detail;
    }
}
