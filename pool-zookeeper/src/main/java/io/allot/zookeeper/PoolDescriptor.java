package io.allot.zookeeper;

import io.allot.Range;

import java.time.Duration;

/**
 * The pool node's data: the {@link PoolSpec} the pool was created with (all but its path, which
 * is where the node is). Kind {@code 'P'}.
 */
final class PoolDescriptor {

    private PoolDescriptor() {
    }

    static byte[] encode(PoolSpec spec) {
        return RecordFrame.start('P')
                .varint(spec.range().start()).varint(spec.range().end()).varint(spec.blockSize())
                .varint(spec.durability().ordinal())
                .varint(spec.grace() == null ? 0 : spec.grace().toMillis() + 1)
                .seal();
    }

    /**
     * The spec stored at {@code path}.
     *
     * @throws PoolFormatException if the data is not a pool descriptor, or an impossible one
     */
    static PoolSpec decode(byte[] data, String path) {
        RecordFrame.Reader in = RecordFrame.open(data, 'P', path);
        long start = in.varint();
        long end = in.varint();
        long block = in.varint();
        int durability = in.count(Durability.values().length - 1);
        long grace = in.varint();
        in.end();
        try {
            return new PoolSpec(path, Range.of(start, end), block, Durability.values()[durability],
                    grace == 0 ? null : Duration.ofMillis(grace - 1));
        } catch (IllegalArgumentException e) {
            throw in.malformed("describes an impossible pool: " + e.getMessage());
        }
    }

    /**
     * Checks that the pool found is the one asked for.
     *
     * @throws PoolFormatException naming the first parameter that differs
     */
    static void checkSame(PoolSpec found, PoolSpec asked) {
        String what = null;
        if (!found.range().equals(asked.range())) {
            what = "range " + found.range() + ", not " + asked.range();
        } else if (found.blockSize() != asked.blockSize()) {
            what = "block size 0x" + Long.toHexString(found.blockSize()) + ", not 0x" + Long.toHexString(asked.blockSize());
        } else if (found.durability() != asked.durability()) {
            what = "durability " + found.durability() + ", not " + asked.durability();
        } else if (!java.util.Objects.equals(found.grace(), asked.grace())) {
            what = "grace " + (found.grace() == null ? "never" : found.grace()) + ", not "
                    + (asked.grace() == null ? "never" : asked.grace());
        }
        if (what != null) {
            throw new PoolFormatException(found.path() + " holds a pool with " + what + "; join it with the spec it was created with");
        }
    }
}
