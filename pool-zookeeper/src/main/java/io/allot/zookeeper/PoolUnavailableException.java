package io.allot.zookeeper;

/**
 * A fleet-wide pool cannot serve the call now: this host is fenced (its ZooKeeper session is
 * suspended or lost and it has not yet verified that it still holds its leases), ZooKeeper did not
 * answer in time, or the host's registration was taken over. Nothing changed.
 *
 * <p>This is the one failure a distributed pool adds to the {@link io.allot.ResourceAllocator}
 * contract; it is an {@link IllegalStateException} (the pool is not in a state to serve), since
 * {@link io.allot.AllocationException}'s set is closed. Retry after the host is
 * {@linkplain FleetHost#awaitUnfenced(java.time.Duration) unfenced}.
 */
public final class PoolUnavailableException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    PoolUnavailableException(String message) {
        super(message);
    }

    PoolUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
