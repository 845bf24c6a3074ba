package io.allot.zookeeper;

/** A host id's standing in a fleet-wide pool. */
public enum HostState {
    /** Registered: its ephemeral node exists, or it died a moment ago and no janitor noticed yet. */
    REGISTERED,
    /**
     * Gone: its leases are quarantined, untouched, since its owner record's modification time on
     * ZooKeeper's clock; it takes them back by registering again.
     */
    QUARANTINED,
    /** Gone, and its leases went back to the pool after the grace period. */
    RELEASED
}
