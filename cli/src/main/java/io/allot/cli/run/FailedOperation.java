package io.allot.cli.run;

/**
 * An operation that allocated nothing at run time, for {@code allot replay --verbose}.
 *
 * @param line      the trace line
 * @param operation the operation as a trace line ({@code alloc b7 4K nocross=64K})
 * @param reason    why: the allocator's message, or "nothing fits"
 */
public record FailedOperation(int line, String operation, String reason) {
}
