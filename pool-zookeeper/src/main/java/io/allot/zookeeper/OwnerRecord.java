package io.allot.zookeeper;

/**
 * The persistent record of a host id ({@code <pool>/owners/<host>}), kind {@code 'O'}. Its
 * ZooKeeper <em>version</em> is the host's incarnation, the fencing token every write of the
 * host checks: registering and quarantining both bump it, so a write from an earlier incarnation
 * of the host, or from a host that was declared gone, fails. Never deleted, so incarnations never
 * repeat.
 *
 * @param state what the pool knows of the host
 */
record OwnerRecord(HostState state) {

    byte[] encode() {
        return RecordFrame.start('O').varint(state.ordinal()).seal();
    }

    static OwnerRecord decode(byte[] data, String node) {
        RecordFrame.Reader in = RecordFrame.open(data, 'O', node);
        int state = in.count(HostState.values().length - 1);
        in.end();
        return new OwnerRecord(HostState.values()[state]);
    }
}
