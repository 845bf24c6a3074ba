package io.allot;

/**
 * The failures an allocator reports about the state of its space, as opposed to bad arguments
 * ({@link IllegalArgumentException}) and missing ones ({@link NullPointerException}).
 *
 * <p>Every method that throws one of these leaves the allocator exactly as it was, except for
 * {@link AllocatorStats#failedAllocations()}. The set is closed: catch this type to handle them all.
 */
public abstract sealed class AllocationException extends RuntimeException
        permits ExhaustedException, NotAllocatedException, OverlapException, SnapshotFormatException,
                PolicyViolationException {

    private static final long serialVersionUID = 1L;

    AllocationException(String message) {
        super(message);
    }

    AllocationException(String message, Throwable cause) {
        super(message, cause);
    }
}
