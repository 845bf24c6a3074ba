package io.allot.zookeeper;

import io.allot.Range;

import java.time.Duration;
import java.util.Objects;

/**
 * What a fleet-wide pool is: where it lives in ZooKeeper, the values it manages, the block size
 * hosts lease, what survives a host ({@link Durability}) and how long the blocks of a departed host
 * stay quarantined ({@code LEASE_ONLY} only).
 *
 * <p>The first host to join creates the pool with these parameters; every later host must ask for
 * the same ones, or is refused with {@link PoolFormatException}.
 *
 * @param path       the pool's ZooKeeper path, absolute, e.g. {@code /allot/vni}; parents are created
 * @param range      the values managed; start and end + 1 must be multiples of {@code blockSize}
 * @param blockSize  the unit a host leases: a power of two (the pool's quantum)
 * @param durability see {@link Durability}
 * @param grace      how long a departed host's blocks stay quarantined before they go back to the
 *                   pool ({@code LEASE_ONLY}); {@code null} for never. Measured on ZooKeeper's clock.
 */
public record PoolSpec(String path, Range range, long blockSize, Durability durability, Duration grace) {

    /** The grace period of {@link #of}: five minutes. */
    public static final Duration DEFAULT_GRACE = Duration.ofMinutes(5);

    /**
     * @throws IllegalArgumentException naming the value: a path that is not an absolute ZooKeeper
     *                                  path, a block size that is not a power of two, a range off the
     *                                  block size, a negative grace
     * @throws NullPointerException     if path, range or durability is null
     */
    public PoolSpec {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(durability, "durability");
        checkPath(path);
        if (blockSize == 0 || (blockSize & (blockSize - 1)) != 0) {
            throw new IllegalArgumentException("blockSize 0x" + Long.toHexString(blockSize) + " is not a power of two");
        }
        long mask = blockSize - 1;
        if ((range.start() & mask) != 0 || (range.end() & mask) != mask) {
            throw new IllegalArgumentException("range " + range + " does not start and end on blocks of 0x"
                    + Long.toHexString(blockSize));
        }
        if (grace != null && grace.isNegative()) {
            throw new IllegalArgumentException("grace " + grace + " is negative");
        }
    }

    /** A {@code LEASE_ONLY} pool whose departed hosts' blocks return after {@link #DEFAULT_GRACE}. */
    public static PoolSpec of(String path, Range range, long blockSize) {
        return new PoolSpec(path, range, blockSize, Durability.LEASE_ONLY, DEFAULT_GRACE);
    }

    /** This spec with another durability. */
    public PoolSpec durability(Durability durability) {
        return new PoolSpec(path, range, blockSize, durability, grace);
    }

    /** This spec with another grace period; {@code null} for never. */
    public PoolSpec grace(Duration grace) {
        return new PoolSpec(path, range, blockSize, durability, grace);
    }

    /** Number of blocks in the range (unsigned). */
    long blocks() {
        return (range.end() - range.start()) / blockSize + 1;
    }

    private static void checkPath(String path) {
        if (!path.startsWith("/") || path.length() < 2 || path.endsWith("/") || path.contains("//")) {
            throw new IllegalArgumentException("path \"" + path + "\" is not an absolute ZooKeeper path like /allot/pool");
        }
        for (String part : path.substring(1).split("/")) {
            if (part.equals(".") || part.equals("..") || part.equals("zookeeper") && path.startsWith("/zookeeper")) {
                throw new IllegalArgumentException("path \"" + path + "\" holds a reserved name \"" + part + "\"");
            }
            for (int i = 0; i < part.length(); i++) {
                char c = part.charAt(i);
                if (c < 0x21 || c > 0x7e) {
                    throw new IllegalArgumentException("path \"" + path + "\" holds character U+"
                            + String.format("%04X", (int) c) + "; use printable ASCII");
                }
            }
        }
    }
}
