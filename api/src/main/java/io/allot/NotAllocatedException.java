package io.allot;

/**
 * Thrown when a range or value given back to an allocator is not exactly one live allocation: never allocated, already freed, or only a part or a superset of one.
 */
public final class NotAllocatedException extends AllocationException {

    private static final long serialVersionUID = 1L;

    /** @param message what failed, naming the values involved */
    public NotAllocatedException(String message) {
        super(message);
    }
}
