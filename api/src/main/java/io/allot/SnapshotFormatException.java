package io.allot;

/**
 * Thrown when a snapshot image cannot be restored: truncated, corrupt (CRC mismatch), of a
 * future version, or inconsistent (overlapping allocations, an allocation outside every span,
 * values off the quantum). Restoring yields nothing in that case.
 */
public final class SnapshotFormatException extends AllocationException {

    private static final long serialVersionUID = 1L;

    /** @param message what is wrong and at which byte offset */
    public SnapshotFormatException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong and at which byte offset
     * @param cause   the underlying failure, such as an {@link java.io.EOFException}
     */
    public SnapshotFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
