package io.allot.zookeeper;

import io.allot.Allocation;
import io.allot.Range;
import io.allot.Request;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pool paths holding something else, corrupt records, and bad arguments: refused, named, nothing written. */
class BadInputTest {

    private static final Range RANGE = Range.of(0, 0xFFFF);

    /** Every node under {@code path} with its data and versions, to prove nothing was written. */
    private static Map<String, String> tree(CuratorFramework c, String path) throws Exception {
        Map<String, String> nodes = new TreeMap<>();
        Stat stat = c.checkExists().forPath(path);
        if (stat == null) {
            return nodes;
        }
        byte[] data = c.getData().forPath(path);
        nodes.put(path, java.util.Arrays.toString(data) + " v" + stat.getVersion() + " c" + stat.getCversion()
                + " m" + stat.getMzxid());
        for (String child : c.getChildren().forPath(path)) {
            nodes.putAll(tree(c, path + "/" + child));
        }
        return nodes;
    }

    private static void refusedUntouched(CuratorFramework c, PoolSpec spec, String id, String expected) throws Exception {
        Map<String, String> before = tree(c, spec.path());
        PoolFormatException e = assertThrows(PoolFormatException.class, () -> Ensemble.host(spec, id).join());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(before, tree(c, spec.path()), "the path is left untouched");
    }

    @Test
    void foreignDataAtThePoolPathIsRefusedAndLeftUntouched() throws Exception {
        try (CuratorFramework c = Ensemble.client()) {
            PoolSpec spec = PoolSpec.of(Ensemble.newPath("foreign"), RANGE, 256);
            c.create().creatingParentsIfNeeded().forPath(spec.path(), "{\"config\": 1}".getBytes(StandardCharsets.UTF_8));
            c.create().forPath(spec.path() + "/locks", new byte[0]);
            refusedUntouched(c, spec, "a", spec.path() + " holds 13 bytes that are not an Allot pool record (foreign data)");

            PoolSpec empty = PoolSpec.of(Ensemble.newPath("someone-elses-tree"), RANGE, 256);
            c.create().creatingParentsIfNeeded().forPath(empty.path(), new byte[0]);
            c.create().forPath(empty.path() + "/x", new byte[] {1});
            refusedUntouched(c, empty, "a", "not an Allot pool record");
        }
    }

    @Test
    void corruptOrOtherPoolsAreRefusedNamingWhatIsWrong() throws Exception {
        try (CuratorFramework c = Ensemble.client()) {
            PoolSpec spec = PoolSpec.of(Ensemble.newPath("corrupt"), RANGE, 256);
            try (FleetHost a = Ensemble.host(spec, "a").join()) {
                a.arena().allocate(Request.of(1));
            }
            refusedUntouched(c, spec.durability(Durability.COMMIT_EACH), "b", "durability LEASE_ONLY, not COMMIT_EACH");
            refusedUntouched(c, new PoolSpec(spec.path(), RANGE, 512, spec.durability(), spec.grace()), "b",
                    "block size 0x100, not 0x200");
            refusedUntouched(c, new PoolSpec(spec.path(), Range.of(0, 0x1FFFF), 256, spec.durability(), spec.grace()), "b",
                    "range [0x0, 0xffff], not [0x0, 0x1ffff]");
            refusedUntouched(c, spec.grace(null), "b", "grace PT5M, not never");

            byte[] good = c.getData().forPath(spec.path());
            byte[] flipped = good.clone();
            flipped[6] ^= 0x10;
            c.setData().forPath(spec.path(), flipped);
            refusedUntouched(c, spec, "b", "is corrupt: its CRC32C does not match");
            c.setData().forPath(spec.path(), good);

            c.create().forPath(spec.path() + "/intruder", new byte[0]);
            refusedUntouched(c, spec, "b", "holds a foreign child \"intruder\"");
            c.delete().forPath(spec.path() + "/intruder");

            c.create().forPath(spec.path() + "/owners/b", "junk".getBytes(StandardCharsets.UTF_8));
            refusedUntouched(c, spec, "b", spec.path() + "/owners/b holds 4 bytes that are not an Allot pool record");
            c.delete().forPath(spec.path() + "/owners/b");

            String lease = c.getChildren().forPath(spec.path() + "/owners/a").get(0);
            String block = spec.path() + "/blocks/" + lease.substring(0, 16);
            byte[] record = c.getData().forPath(block);
            byte[] bad = record.clone();
            bad[bad.length - 6] ^= 1;
            c.setData().forPath(block, bad);
            refusedUntouched(c, spec, "a", block + " is corrupt");
            c.setData().forPath(block, record);
            try (FleetHost a = Ensemble.host(spec, "a").join()) {
                assertEquals(1, a.leases().size(), "repaired: adopted again");
            }
        }
    }

    @Test
    void everyBitFlipAndTruncationOfARecordIsRefused() {
        BlockRecord record = new BlockRecord("host-7", Range.of(0x4000, 0x43FF), 0x1234_5678_9ABCL,
                List.of(new Allocation(Range.of(0x4001, 0x4001), null), new Allocation(Range.of(0x4010, 0x401F), "vm-1")));
        byte[] bytes = record.encode();
        assertEquals(record, BlockRecord.decode(bytes, "/n"));
        for (int bit = 0; bit < bytes.length * 8; bit++) {
            byte[] flipped = bytes.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThrows(PoolFormatException.class, () -> BlockRecord.decode(flipped, "/n"), "bit " + bit);
        }
        for (int n = 0; n < bytes.length; n++) {
            byte[] cut = java.util.Arrays.copyOf(bytes, n);
            assertThrows(PoolFormatException.class, () -> BlockRecord.decode(cut, "/n"), "length " + n);
        }
        assertThrows(PoolFormatException.class, () -> OwnerRecord.decode(bytes, "/n"), "a block record is no owner record");
        PoolSpec spec = new PoolSpec("/p", Range.of(0xFFFF_FFFF_FFFF_0000L, 0xFFFF_FFFF_FFFF_FFFEL | 1), 0x100,
                Durability.COMMIT_EACH, Duration.ofSeconds(3));
        assertEquals(spec, PoolDescriptor.decode(PoolDescriptor.encode(spec), "/p"), "the top of the 64-bit space");
        byte[] top = new BlockRecord("h", Range.of(0xFFFF_FFFF_FFFF_FF00L, -1L), 1,
                List.of(new Allocation(Range.of(-2L, -1L), null))).encode();
        assertEquals(Range.of(-2L, -1L), BlockRecord.decode(top, "/n").allocations().get(0).range());
        assertArrayEquals(top, BlockRecord.decode(top, "/n").encode());
    }

    @Test
    void badArgumentsNameTheValue() throws Exception {
        List<Runnable> bad = new ArrayList<>();
        String[] messages = {
            "path \"allot/x\" is not an absolute ZooKeeper path",
            "path \"/allot/x/\" is not an absolute ZooKeeper path",
            "blockSize 0x3 is not a power of two",
            "blockSize 0x0 is not a power of two",
            "range [0x10, 0x10ff] does not start and end on blocks of 0x100",
            "range [0x0, 0x10fe] does not start and end on blocks of 0x100",
            "grace PT-1S is negative",
            "host id \"a b\" must be 1 to 64 of [A-Za-z0-9._-]",
            "host id \"..\" must be",
            "host id \"\" must be",
            "spareLeases -1 is negative",
        };
        bad.add(() -> PoolSpec.of("allot/x", RANGE, 256));
        bad.add(() -> PoolSpec.of("/allot/x/", RANGE, 256));
        bad.add(() -> PoolSpec.of("/allot/x", RANGE, 3));
        bad.add(() -> PoolSpec.of("/allot/x", RANGE, 0));
        bad.add(() -> PoolSpec.of("/allot/x", Range.of(0x10, 0x10FF), 0x100));
        bad.add(() -> PoolSpec.of("/allot/x", Range.of(0, 0x10FE), 0x100));
        bad.add(() -> PoolSpec.of("/allot/x", RANGE, 256).grace(Duration.ofSeconds(-1)));
        bad.add(() -> FleetHost.builder(PoolSpec.of("/allot/x", RANGE, 256)).hostId("a b"));
        bad.add(() -> FleetHost.builder(PoolSpec.of("/allot/x", RANGE, 256)).hostId(".."));
        bad.add(() -> FleetHost.builder(PoolSpec.of("/allot/x", RANGE, 256)).hostId(""));
        bad.add(() -> FleetHost.builder(PoolSpec.of("/allot/x", RANGE, 256)).spareLeases(-1));
        for (int i = 0; i < bad.size(); i++) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad.get(i)::run, messages[i]);
            assertTrue(e.getMessage().contains(messages[i]), e.getMessage());
        }
        assertThrows(NullPointerException.class, () -> PoolSpec.of(null, RANGE, 256));
        assertThrows(IllegalArgumentException.class, () -> FleetHost.builder(PoolSpec.of("/a", RANGE, 256)).engine("no-such"));
    }

    @Test
    void aSecondLiveProcessWithTheSameHostIdIsRefused() throws Exception {
        PoolSpec spec = PoolSpec.of(Ensemble.newPath("twin"), RANGE, 256);
        try (FleetHost a = Ensemble.host(spec, "a").join()) {
            PoolUnavailableException e = assertThrows(PoolUnavailableException.class,
                    () -> Ensemble.host(spec, "a").joinWait(Duration.ofMillis(500)).join());
            assertTrue(e.getMessage().contains("host id \"a\" is registered in " + spec.path() + " by another live session"),
                    e.getMessage());
            assertTrue(!a.isFenced(), "the first is unaffected");
        }
    }
}
