package io.allot.zookeeper;

/**
 * What of a host's state survives the host, in a fleet-wide pool.
 *
 * <p>Leases (which blocks a host holds) are durable in both modes: they live in ZooKeeper until
 * the host returns them. The modes differ in what happens to the ids handed out <em>inside</em> a
 * leased block, and so to the blocks of a host that dies.
 */
public enum Durability {

    /**
     * Every allocate and free inside a block is committed to that block's node before it returns
     * (one ZooKeeper write per call). A host that restarts with the same host id re-adopts its
     * blocks with exactly its live allocations. The blocks of a host that never comes back stay
     * leased to it until an operator calls {@link ZooKeeperPool#releaseHost(String)}.
     */
    COMMIT_EACH,

    /**
     * Only leases are durable; ids inside a block live in the host's memory, at engine speed, with
     * no ZooKeeper write. A host that restarts re-adopts its blocks empty, and its application
     * re-registers ({@code reserve}s) the ids it still holds. The blocks of a host that is gone are
     * quarantined and go back to the pool after the pool's grace period, or never.
     */
    LEASE_ONLY
}
