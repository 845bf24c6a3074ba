package io.allot.cli.trace;

import io.allot.Range;

import java.util.List;

/**
 * A parsed, checked workload: the space to build (quantum and initial spans) and the operations to
 * run on it, in order. Every name an operation uses was live when the trace said so; whether an
 * allocation succeeds is only known when the trace runs.
 *
 * @param source  the trace's name for messages ({@code file.txt}, {@code <stdin>}, or a bundled
 *                workload's name)
 * @param quantum the allocator's quantum
 * @param spans   the spans given before the first operation, ascending; at least one
 * @param ops     the operations, in trace order
 * @param names   slot number &rarr; the name it stands for
 */
public record Trace(String source, long quantum, List<Range> spans, List<Op> ops, List<String> names) {

    /** Copies the lists. */
    public Trace {
        spans = List.copyOf(spans);
        ops = List.copyOf(ops);
        names = List.copyOf(names);
    }

    /** The name slot {@code slot} stands for. */
    public String name(int slot) {
        return names.get(slot);
    }
}
