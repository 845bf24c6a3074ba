package io.allot.cli.trace;

import io.allot.Range;
import io.allot.Request;

/**
 * One operation of a {@link Trace}, already checked: its numbers parsed, its request valid, its
 * name resolved to a slot. Slots number the distinct names of a trace from 0, so that a replay keeps
 * live ranges in an array rather than a map.
 */
public sealed interface Op permits Op.Alloc, Op.Reserve, Op.Free, Op.Realloc, Op.AddSpan {

    /** The 1-based line this operation came from. */
    int line();

    /** {@code alloc <name> <size> [options]}: place {@code request} with the allocator's default policy. */
    record Alloc(int line, int slot, Request request) implements Op {
    }

    /** {@code reserve <name> <start> <end> [tag=]}: claim exactly {@code range}. */
    record Reserve(int line, int slot, Range range, String tag) implements Op {
    }

    /** {@code free <name>}: free what the name holds. */
    record Free(int line, int slot) implements Op {
    }

    /** {@code realloc <name> <size> [options]}: move the name's allocation to a new placement. */
    record Realloc(int line, int slot, Request request) implements Op {
    }

    /** {@code span <start> <end>} after the first operation: grow the space. */
    record AddSpan(int line, Range span) implements Op {
    }
}
