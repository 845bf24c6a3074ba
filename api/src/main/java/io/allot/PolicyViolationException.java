package io.allot;

/**
 * Thrown when an {@link io.allot.spi.AllocationPolicy} answers with a placement the engine cannot accept: not free, outside every span, of the wrong size, or not satisfying the request. The allocator is unchanged; the fault is the plug-in's.
 */
public final class PolicyViolationException extends AllocationException {

    private static final long serialVersionUID = 1L;

    /** @param message what failed, naming the values involved */
    public PolicyViolationException(String message) {
        super(message);
    }
}
