package io.allot;

/**
 * Thrown when no free placement satisfies a request: the space is full, too fragmented, or the constraints admit nothing.
 */
public final class ExhaustedException extends AllocationException {

    private static final long serialVersionUID = 1L;

    /** @param message what failed, naming the values involved */
    public ExhaustedException(String message) {
        super(message);
    }
}
