package io.allot;

/**
 * Thrown when a range to claim (a reservation, or a new span) overlaps something already there; the message names what it overlaps.
 */
public final class OverlapException extends AllocationException {

    private static final long serialVersionUID = 1L;

    /** @param message what failed, naming the values involved */
    public OverlapException(String message) {
        super(message);
    }
}
