package io.allot.zookeeper;

import io.allot.Range;

/**
 * One lease of a fleet-wide pool: a run of whole blocks held by one host.
 *
 * @param range the blocks, first value to last
 * @param host  the host id that holds it
 * @param state the holder's standing: {@code REGISTERED} for a live (or not yet noticed dead) host,
 *              {@code QUARANTINED} for a departed one whose blocks wait for it or for the grace period
 */
public record Lease(Range range, String host, HostState state) {
}
