package io.allot.zookeeper;

import io.allot.Range;

/**
 * Where a pool keeps what, under its path {@code P}:
 * <pre>
 *   P                      persistent  the {@link PoolDescriptor}
 *   P/hosts/&lt;host&gt;         ephemeral   a host is alive: created by its session at registration
 *   P/owners/&lt;host&gt;        persistent  its {@link OwnerRecord}; the node's version is the host's incarnation
 *   P/owners/&lt;host&gt;/&lt;s&gt;-&lt;e&gt; persistent  one per lease the host holds, named by the lease's range (hex)
 *   P/blocks/&lt;b&gt;           persistent  one per leased block, named by the block's first value (16 hex
 *                                      digits): two leases can never hold one block, because
 *                                      ZooKeeper refuses to create a node twice
 *   P/clock                persistent  touched to read ZooKeeper's time (its mtime)
 * </pre>
 * The owner index lists a host's leases in one {@code getChildren}; the block nodes make every
 * lease an atomic claim. A lease is taken and returned by one multi-op that creates or deletes both.
 */
final class PoolLayout {

    static final String HOSTS = "hosts";
    static final String OWNERS = "owners";
    static final String BLOCKS = "blocks";
    static final String CLOCK = "clock";

    private final String path;
    private final long blockSize;

    PoolLayout(String path, long blockSize) {
        this.path = path;
        this.blockSize = blockSize;
    }

    String pool() {
        return path;
    }

    String child(String name) {
        return path + "/" + name;
    }

    String host(String hostId) {
        return path + "/" + HOSTS + "/" + hostId;
    }

    String owner(String hostId) {
        return path + "/" + OWNERS + "/" + hostId;
    }

    String ownerLease(String hostId, Range lease) {
        return owner(hostId) + "/" + leaseName(lease);
    }

    String block(long blockStart) {
        return path + "/" + BLOCKS + "/" + hex16(blockStart);
    }

    /** The block holding {@code value}. */
    long blockOf(long value) {
        return value & -blockSize;
    }

    long blockSize() {
        return blockSize;
    }

    static String leaseName(Range lease) {
        return hex16(lease.start()) + "-" + hex16(lease.end());
    }

    /**
     * The lease a child of an owner node names.
     *
     * @throws PoolFormatException if the name is not {@code <16 hex>-<16 hex>} of an ascending range
     */
    static Range parseLease(String name, String node) {
        if (name.length() != 33 || name.charAt(16) != '-') {
            throw new PoolFormatException(node + " is not a lease (a lease is named <16 hex digits>-<16 hex digits>)");
        }
        try {
            long s = Long.parseUnsignedLong(name.substring(0, 16), 16);
            long e = Long.parseUnsignedLong(name.substring(17), 16);
            return Range.of(s, e);
        } catch (IllegalArgumentException e) {
            throw new PoolFormatException(node + " is not a lease: " + e.getMessage());
        }
    }

    static String hex16(long value) {
        String h = Long.toHexString(value);
        return "0".repeat(16 - h.length()) + h;
    }
}
