package io.allot.cli.trace;

import io.allot.Range;
import io.allot.Request;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the trace format (see {@code docs/trace-format.md}) and checks everything that can be
 * checked without running it: verbs, arity, numbers, options, requests, names, spans and quanta.
 * The first malformed line throws a {@link TraceException} naming its number, so that a trace with a
 * mistake never half-runs.
 *
 * <p>Names are checked statically: {@code alloc} and {@code reserve} need a name that is not live,
 * {@code free} and {@code realloc} one that is; a freed name may be used again. Whether an
 * allocation succeeds is a run-time matter and never an error here.
 */
public final class TraceParser {

    private static final String VERBS = "span, quantum, alloc, reserve, free, realloc";
    private static final String ALLOC_USAGE =
            "<name> <size> [align=N] [phase=N] [nocross=N] [min=N] [max=N] [tag=TEXT]";
    private static final String REALLOC_USAGE = ALLOC_USAGE;
    private static final String RESERVE_USAGE = "<name> <start> <end> [tag=TEXT]";

    private final String source;
    private long quantum = 1;
    private int quantumLine;
    private final List<Range> spans = new ArrayList<>();
    private final List<Integer> spanLines = new ArrayList<>();
    private final List<Range> initialSpans = new ArrayList<>();
    private boolean started;
    private final List<Op> ops = new ArrayList<>();
    private final Map<String, Name> names = new HashMap<>();
    private final List<String> slotNames = new ArrayList<>();
    private int line;

    /** What the parser knows about one name: its slot, whether it holds something, and since which line. */
    private static final class Name {
        final int slot;
        boolean live;
        int since;

        Name(int slot) {
            this.slot = slot;
        }
    }

    private TraceParser(String source) {
        this.source = source;
    }

    /**
     * Parses a whole trace.
     *
     * @param source the name to put in front of line numbers in messages
     * @throws TraceException       at the first malformed line
     * @throws UncheckedIOException if reading fails
     */
    public static Trace parse(String source, Reader in) {
        TraceParser parser = new TraceParser(source);
        try {
            BufferedReader lines = in instanceof BufferedReader b ? b : new BufferedReader(in, 1 << 16);
            for (String text = lines.readLine(); text != null; text = lines.readLine()) {
                parser.line++;
                parser.parseLine(text);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + source + " failed: " + e.getMessage(), e);
        }
        return parser.finish();
    }

    /** Parses a trace held in a string; see {@link #parse(String, Reader)}. */
    public static Trace parse(String source, String text) {
        return parse(source, new StringReader(text));
    }

    private Trace finish() {
        if (spans.isEmpty()) {
            throw error(Math.max(line, 1), "no span: a trace needs at least one \"span <start> <end>\" line");
        }
        return new Trace(source, quantum, initialSpans, ops, slotNames);
    }

    private void parseLine(String text) {
        List<String> tokens = tokenize(text);
        if (tokens.isEmpty()) {
            return;
        }
        String verb = tokens.get(0);
        List<String> args = tokens.subList(1, tokens.size());
        switch (verb) {
            case "quantum" -> quantum(args);
            case "span" -> span(args);
            case "alloc" -> alloc(args);
            case "reserve" -> reserve(args);
            case "free" -> free(args);
            case "realloc" -> realloc(args);
            default -> throw error("unknown verb \"" + verb + "\" (expected " + VERBS + ")");
        }
    }

    private void quantum(List<String> args) {
        exactly(args, 1, "quantum", "<q>");
        if (quantumLine != 0) {
            throw error("quantum is already set, at line " + quantumLine);
        }
        if (!spans.isEmpty() || started) {
            throw error("quantum must come before the first span and the first operation");
        }
        long q = number(args.get(0), "quantum");
        if (Long.bitCount(q) != 1) {
            throw error("quantum " + Quantity.hex(q) + " is not a power of two");
        }
        quantum = q;
        quantumLine = line;
    }

    private void span(List<String> args) {
        exactly(args, 2, "span", "<start> <end>");
        Range span = range(args.get(0), args.get(1));
        checkQuantum(span, "span");
        for (int i = 0; i < spans.size(); i++) {
            if (spans.get(i).overlaps(span)) {
                throw error("span " + span + " overlaps span " + spans.get(i) + " (line " + spanLines.get(i) + ")");
            }
        }
        long total = span.size();
        for (Range s : spans) {
            total += s.size();
            if (Long.compareUnsigned(total, s.size()) < 0 || total == 0) {
                throw error("spans together would hold 2^64 or more values");
            }
        }
        spans.add(span);
        spanLines.add(line);
        if (started) {
            ops.add(new Op.AddSpan(line, span));
        } else {
            initialSpans.add(span);
            initialSpans.sort(null);
        }
    }

    private void alloc(List<String> args) {
        Options options = operation(args, 2, "alloc", ALLOC_USAGE, true);
        Name name = claim(args.get(0));
        ops.add(new Op.Alloc(line, name.slot, request(args.get(1), options)));
    }

    private void realloc(List<String> args) {
        Options options = operation(args, 2, "realloc", REALLOC_USAGE, true);
        Name name = live(args.get(0));
        ops.add(new Op.Realloc(line, name.slot, request(args.get(1), options)));
    }

    private void reserve(List<String> args) {
        Options options = operation(args, 3, "reserve", RESERVE_USAGE, false);
        Range range = range(args.get(1), args.get(2));
        checkQuantum(range, "reserve");
        if (spans.stream().noneMatch(s -> s.contains(range))) {
            throw error("reserve " + range + " is not inside one span");
        }
        Name name = claim(args.get(0));
        ops.add(new Op.Reserve(line, name.slot, range, options.tag));
    }

    private void free(List<String> args) {
        start();
        exactly(args, 1, "free", "<name>");
        Name name = live(args.get(0));
        name.live = false;
        name.since = line;
        ops.add(new Op.Free(line, name.slot));
    }

    /** Checks arity and options of alloc, realloc and reserve; the first {@code fixed} arguments are positional. */
    private Options operation(List<String> args, int fixed, String verb, String usage, boolean placement) {
        start();
        for (int i = 0; i < fixed; i++) {
            if (i >= args.size() || args.get(i).indexOf('=') >= 0) {
                String missing = usage.split(" ")[i];
                throw error("missing " + missing + " (usage: " + verb + " " + usage + ")");
            }
        }
        Options options = new Options();
        for (String arg : args.subList(fixed, args.size())) {
            options.add(arg, verb, usage, placement);
        }
        return options;
    }

    private void start() {
        if (spans.isEmpty()) {
            throw error("no span before the first operation (add a \"span <start> <end>\" line)");
        }
        started = true;
    }

    private Request request(String sizeText, Options o) {
        long size = number(sizeText, "size");
        Request request;
        try {
            request = Request.of(size);
            if (o.align != null) {
                request = request.aligned(o.align);
            }
            if (o.phase != null) {
                request = request.phase(o.phase);
            }
            if (o.noCross != null) {
                request = request.noCross(o.noCross);
            }
            if (o.min != null || o.max != null) {
                request = request.within(o.min != null ? o.min : 0, o.max != null ? o.max : -1L);
            }
            if (o.tag != null) {
                request = request.tagged(o.tag);
            }
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
        if ((request.phase() & (quantum - 1)) != 0) {
            throw error("phase " + Quantity.hex(request.phase()) + " is not a multiple of the quantum "
                    + Quantity.hex(quantum));
        }
        return request;
    }

    /** A name for alloc or reserve: new, or freed earlier. */
    private Name claim(String text) {
        checkName(text);
        Name name = names.get(text);
        if (name == null) {
            name = new Name(slotNames.size());
            names.put(text, name);
            slotNames.add(text);
        } else if (name.live) {
            throw error("name \"" + text + "\" is already live (allocated at line " + name.since
                    + "); free it first or use another name");
        }
        name.live = true;
        name.since = line;
        return name;
    }

    /** A name for free or realloc: it must be live. */
    private Name live(String text) {
        Name name = names.get(text);
        if (name == null) {
            throw error("unknown name \"" + text + "\"");
        }
        if (!name.live) {
            throw error("name \"" + text + "\" was freed at line " + name.since);
        }
        return name;
    }

    private void checkName(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || c == '"' || c == '#' || c == '=') {
                throw error("name \"" + text + "\" must not contain whitespace, '\"', '#' or '='");
            }
        }
    }

    private Range range(String startText, String endText) {
        long start = number(startText, "start");
        long end = number(endText, "end");
        try {
            return Range.of(start, end);
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
    }

    private void checkQuantum(Range range, String what) {
        long mask = quantum - 1;
        if ((range.start() & mask) != 0 || ((range.end() + 1) & mask) != 0) {
            throw error(what + " " + range + " is not on quantum " + Quantity.hex(quantum) + " boundaries");
        }
    }

    private long number(String text, String what) {
        try {
            return Quantity.parse(text, what);
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
    }

    private void exactly(List<String> args, int count, String verb, String usage) {
        if (args.size() < count) {
            String[] parts = usage.split(" ");
            throw error("missing " + parts[args.size()] + " (usage: " + verb + " " + usage + ")");
        }
        if (args.size() > count) {
            throw error("unexpected argument \"" + args.get(count) + "\" (usage: " + verb + " " + usage + ")");
        }
    }

    private TraceException error(String detail) {
        return error(line, detail);
    }

    private TraceException error(int at, String detail) {
        return new TraceException(source, at, detail);
    }

    /**
     * Splits a line into words at whitespace, dropping a {@code #} comment. A double-quoted part
     * keeps its whitespace and {@code #}; inside it {@code \"} and {@code \\} stand for themselves.
     */
    private List<String> tokenize(String text) {
        List<String> tokens = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '\\' && i + 1 < text.length() && (text.charAt(i + 1) == '"' || text.charAt(i + 1) == '\\')) {
                    word.append(text.charAt(++i));
                } else if (c == '"') {
                    quoted = false;
                } else {
                    word.append(c);
                }
            } else if (c == '#') {
                break;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    tokens.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                inWord = true;
                if (c == '"') {
                    quoted = true;
                } else {
                    word.append(c);
                }
            }
        }
        if (quoted) {
            throw error("unterminated quote");
        }
        if (inWord) {
            tokens.add(word.toString());
        }
        return tokens;
    }

    /** The {@code key=value} options of one line, each at most once. */
    private final class Options {
        Long align;
        Long phase;
        Long noCross;
        Long min;
        Long max;
        String tag;

        void add(String arg, String verb, String usage, boolean placement) {
            int eq = arg.indexOf('=');
            if (eq < 0) {
                throw error("unexpected argument \"" + arg + "\" (usage: " + verb + " " + usage + ")");
            }
            String key = arg.substring(0, eq);
            String value = arg.substring(eq + 1);
            if (!key.equals("tag") && value.isEmpty()) {
                throw error("missing value for " + key + "=");
            }
            switch (key) {
                case "align", "phase", "nocross", "min", "max" -> {
                    if (!placement) {
                        throw error("option " + key + "= does not apply to " + verb + " (usage: " + verb + " " + usage + ")");
                    }
                    long v = number(value, key + "= value");
                    switch (key) {
                        case "align" -> align = once(align, v, key);
                        case "phase" -> phase = once(phase, v, key);
                        case "nocross" -> noCross = once(noCross, v, key);
                        case "min" -> min = once(min, v, key);
                        default -> max = once(max, v, key);
                    }
                }
                case "tag" -> tag = once(tag, value, key);
                default -> throw error("unknown option \"" + key + "=\" ("
                        + (placement ? "expected align=, phase=, nocross=, min=, max=, tag=" : "expected tag=") + ")");
            }
        }

        private <T> T once(T previous, T value, String key) {
            if (previous != null) {
                throw error("option " + key + "= given twice");
            }
            return value;
        }
    }
}
