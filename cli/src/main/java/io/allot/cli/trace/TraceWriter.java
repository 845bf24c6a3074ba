package io.allot.cli.trace;

import io.allot.Range;
import io.allot.Request;

/**
 * Writes the trace format: the inverse of {@link TraceParser}. Sizes are written with the largest
 * exact binary suffix ({@code 64K}), addresses in hex, options only when they differ from a
 * request's defaults, and a tag in quotes when it needs them; {@link TraceParser} reads every line
 * back as the same operation.
 */
public final class TraceWriter {

    private final StringBuilder out;
    private int operations;

    /** Appends to {@code out}. */
    public TraceWriter(StringBuilder out) {
        this.out = out;
    }

    /** Operations written so far ({@code alloc}, {@code reserve}, {@code free}, {@code realloc}). */
    public int operations() {
        return operations;
    }

    /** A {@code #} comment line; {@code text} must not hold a line break. */
    public TraceWriter comment(String text) {
        out.append("# ").append(text).append('\n');
        return this;
    }

    /** {@code quantum <q>}. */
    public TraceWriter quantum(long quantum) {
        out.append("quantum ").append(Quantity.size(quantum)).append('\n');
        return this;
    }

    /** {@code span <start> <end>}. */
    public TraceWriter span(Range span) {
        out.append("span ").append(Quantity.hex(span.start())).append(' ').append(Quantity.hex(span.end())).append('\n');
        return this;
    }

    /** {@code alloc <name> <size> [options]}. */
    public TraceWriter alloc(String name, Request request) {
        return placement("alloc", name, request);
    }

    /** {@code realloc <name> <size> [options]}. */
    public TraceWriter realloc(String name, Request request) {
        return placement("realloc", name, request);
    }

    /** {@code reserve <name> <start> <end> [tag=]}. */
    public TraceWriter reserve(String name, Range range, String tag) {
        operations++;
        out.append("reserve ").append(name).append(' ').append(Quantity.hex(range.start())).append(' ')
                .append(Quantity.hex(range.end()));
        tag(tag);
        out.append('\n');
        return this;
    }

    /** {@code free <name>}. */
    public TraceWriter free(String name) {
        operations++;
        out.append("free ").append(name).append('\n');
        return this;
    }

    private TraceWriter placement(String verb, String name, Request r) {
        operations++;
        out.append(verb).append(' ').append(name).append(' ').append(Quantity.size(r.size()));
        out.append(describeOptions(r));
        out.append('\n');
        return this;
    }

    /** {@code op} as the trace line that would produce it (without its line number). */
    public static String line(Op op, Trace trace) {
        if (op instanceof Op.Alloc alloc) {
            return "alloc " + trace.name(alloc.slot()) + " " + Quantity.size(alloc.request().size())
                    + describeOptions(alloc.request());
        }
        if (op instanceof Op.Realloc realloc) {
            return "realloc " + trace.name(realloc.slot()) + " " + Quantity.size(realloc.request().size())
                    + describeOptions(realloc.request());
        }
        if (op instanceof Op.Reserve reserve) {
            return "reserve " + trace.name(reserve.slot()) + " " + Quantity.hex(reserve.range().start()) + " "
                    + Quantity.hex(reserve.range().end()) + (reserve.tag() == null ? "" : " tag=" + quoted(reserve.tag()));
        }
        if (op instanceof Op.Free free) {
            return "free " + trace.name(free.slot());
        }
        Op.AddSpan span = (Op.AddSpan) op;
        return "span " + Quantity.hex(span.span().start()) + " " + Quantity.hex(span.span().end());
    }

    /** The options of {@code r} as a trace line writes them, each preceded by a space; empty for defaults. */
    public static String describeOptions(Request r) {
        StringBuilder s = new StringBuilder();
        if (r.alignment() != 1) {
            s.append(" align=").append(Quantity.size(r.alignment()));
        }
        if (r.phase() != 0) {
            s.append(" phase=").append(Quantity.hex(r.phase()));
        }
        if (r.noCross() != 0) {
            s.append(" nocross=").append(Quantity.size(r.noCross()));
        }
        if (r.min() != 0) {
            s.append(" min=").append(Quantity.hex(r.min()));
        }
        if (r.max() != -1L) {
            s.append(" max=").append(Quantity.hex(r.max()));
        }
        if (r.tag() != null) {
            s.append(" tag=").append(quoted(r.tag()));
        }
        return s.toString();
    }

    private void tag(String tag) {
        if (tag != null) {
            out.append(" tag=").append(quoted(tag));
        }
    }

    /** {@code text} as one trace word: bare when it can be, else in double quotes with {@code "} and {@code \} escaped. */
    public static String quoted(String text) {
        boolean plain = !text.isEmpty();
        for (int i = 0; i < text.length() && plain; i++) {
            char c = text.charAt(i);
            plain = !Character.isWhitespace(c) && c != '"' && c != '#' && c != '\\';
        }
        if (plain) {
            return text;
        }
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
