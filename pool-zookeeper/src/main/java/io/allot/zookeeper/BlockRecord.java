package io.allot.zookeeper;

import io.allot.Allocation;
import io.allot.Range;

import java.util.ArrayList;
import java.util.List;

/**
 * The data of a leased block's node ({@code <pool>/blocks/<16 hex digits>}), kind {@code 'B'}.
 * Every block of a lease names the lease and its holder; the lease's first block also holds the
 * live allocations inside the lease when the pool is {@link Durability#COMMIT_EACH}.
 *
 * @param owner       the host id holding the lease
 * @param lease       the whole lease this block belongs to
 * @param token       a random number chosen when the lease was taken, so that a host whose
 *                    create was retried after a lost connection recognises its own lease
 * @param allocations in the first block only: live allocations inside the lease, ascending
 */
record BlockRecord(String owner, Range lease, long token, List<Allocation> allocations) {

    BlockRecord {
        allocations = List.copyOf(allocations);
    }

    byte[] encode() {
        RecordFrame frame = RecordFrame.start('B').string(owner)
                .varint(lease.start()).varint(lease.end() - lease.start()).varint(token)
                .varint(allocations.size());
        long next = lease.start();
        for (Allocation a : allocations) {
            frame.varint(a.range().start() - next).varint(a.range().end() - a.range().start());
            if (a.tag() == null) {
                frame.varint(0);
            } else {
                frame.varint(1).string(a.tag());
            }
            next = a.range().end() + 1;
        }
        return frame.seal();
    }

    /**
     * @throws PoolFormatException if the data is not a block record, or its allocations are not
     *                             ascending, disjoint and inside the lease
     */
    static BlockRecord decode(byte[] data, String node) {
        RecordFrame.Reader in = RecordFrame.open(data, 'B', node);
        String owner = in.string();
        long start = in.varint();
        long length = in.varint();
        long end = start + length;
        if (Long.compareUnsigned(end, start) < 0) {
            throw in.malformed("holds a lease past 2^64 - 1");
        }
        long token = in.varint();
        int count = in.count(1 << 24);
        List<Allocation> allocations = new ArrayList<>(Math.min(count, 1024));
        long next = start;
        boolean first = true;
        for (int i = 0; i < count; i++) {
            long gap = in.varint();
            long size = in.varint();
            long s = next + gap;
            long e = s + size;
            if (!first && next == 0 || Long.compareUnsigned(s, next) < 0 || Long.compareUnsigned(e, s) < 0
                    || Long.compareUnsigned(e, end) > 0) {
                throw in.malformed("holds allocation " + i + " outside lease " + Range.of(start, end) + " or out of order");
            }
            String tag = switch ((int) in.varint()) {
                case 0 -> null;
                case 1 -> in.string();
                default -> throw in.malformed("holds a bad tag flag");
            };
            allocations.add(new Allocation(Range.of(s, e), tag));
            next = e + 1;
            first = false;
        }
        in.end();
        return new BlockRecord(owner, Range.of(start, end), token, allocations);
    }
}
