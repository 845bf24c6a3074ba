package io.allot.zookeeper;

import io.allot.Range;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.Stat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Every lease of a pool and the standing of every host id, as of one moment: read with one
 * multi-read of the owner records and owner indexes (ZooKeeper serves a multi-read against one
 * state of its tree), after listing the owners; repeated if the owners changed in between.
 * Leases are read from the owner indexes' names, so the read costs one round trip and no read per
 * lease.
 *
 * @param leases by start (unsigned order), each with its holder
 * @param owners every host id ever registered
 */
record LeaseTable(NavigableMap<Long, Lease> leases, Map<String, Owner> owners) {

    /** What the table knows of a host id. */
    record Owner(HostState state, int version, long mtime, List<Range> leases) {
    }

    static LeaseTable read(CuratorFramework client, PoolLayout layout) throws Exception {
        String owners = layout.child(PoolLayout.OWNERS);
        for (int attempt = 0; ; attempt++) {
            List<String> names = client.getChildren().forPath(owners);
            List<Op> ops = new ArrayList<>(1 + 2 * names.size());
            ops.add(Op.getChildren(owners));
            for (String name : names) {
                ops.add(Op.getData(owners + "/" + name));
                ops.add(Op.getChildren(owners + "/" + name));
            }
            List<OpResult> results = HostSession.multi(client, ops);
            if (!(results.get(0) instanceof OpResult.GetChildrenResult listed)
                    || !new HashSet<>(listed.getChildren()).equals(new HashSet<>(names))) {
                if (attempt > 100) {
                    throw new PoolUnavailableException("the owners of " + layout.pool() + " kept changing while read");
                }
                continue;
            }
            NavigableMap<Long, Lease> leases = new TreeMap<>(Long::compareUnsigned);
            Map<String, Owner> table = new TreeMap<>();
            boolean vanished = false;
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                String node = owners + "/" + name;
                if (!(results.get(1 + 2 * i) instanceof OpResult.GetDataResult data)
                        || !(results.get(2 + 2 * i) instanceof OpResult.GetChildrenResult children)) {
                    vanished = true; // an owner record is never deleted; only an operator could
                    break;
                }
                OwnerRecord record = OwnerRecord.decode(data.getData(), node);
                Stat stat = data.getStat();
                List<Range> held = new ArrayList<>();
                for (String child : children.getChildren()) {
                    Range lease = PoolLayout.parseLease(child, node + "/" + child);
                    held.add(lease);
                    Lease previous = leases.put(lease.start(), new Lease(lease, name, record.state()));
                    if (previous != null) {
                        throw new PoolFormatException(node + "/" + child + " is corrupt: lease " + lease
                                + " is also held by " + previous.host());
                    }
                }
                table.put(name, new Owner(record.state(), stat.getVersion(), stat.getMtime(), List.copyOf(held)));
            }
            if (vanished) {
                if (attempt > 100) {
                    throw new PoolFormatException(owners + " lost an owner record while read");
                }
                continue;
            }
            checkDisjoint(leases, layout);
            return new LeaseTable(leases, table);
        }
    }

    private static void checkDisjoint(NavigableMap<Long, Lease> leases, PoolLayout layout) {
        Lease previous = null;
        for (Lease lease : leases.values()) {
            if (previous != null && Long.compareUnsigned(previous.range().end(), lease.range().start()) >= 0) {
                throw new PoolFormatException(layout.pool() + " is corrupt: leases " + previous.range() + " of "
                        + previous.host() + " and " + lease.range() + " of " + lease.host() + " overlap");
            }
            previous = lease;
        }
    }

    /** The lease holding {@code value}, or null. */
    Lease holding(long value) {
        Map.Entry<Long, Lease> e = leases.floorEntry(value);
        return e != null && e.getValue().range().contains(value) ? e.getValue() : null;
    }

    static boolean isNoNode(OpResult r) {
        return r instanceof OpResult.ErrorResult e && e.getErr() == KeeperException.Code.NONODE.intValue();
    }
}
