package io.allot.bench;

import io.allot.Allocators;
import io.allot.IdAllocator;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.bench.baseline.FreeRanges;
import io.allot.bench.baseline.RangeSetFirstFit;
import io.allot.bench.baseline.TreeMapFirstFit;
import io.allot.spi.AllocationPolicy;
import io.allot.spi.FreeSpace;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The workloads on tiny states, for every engine and policy on the class path: each pair leaves
 * the allocator as it found it (and did allocate), Allot and the baselines place identically
 * where the definitions say they must, and the random numbers are the documented ones.
 */
class WorkloadsTest {

    private static final int IDS = 1_000;
    private static final int LIVE = 300;
    private static final int BLOCKS = 400;
    private static final int PAIRS = 200;

    private static final BigInteger MASK = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    @Test
    void xorshiftMatchesTheDefinitionComputedWithBigIntegers() {
        for (long seed : new long[] {Plan.ID_SEED, Plan.PAGE_SEED, 1, -1}) {
            XorShift64Star rng = new XorShift64Star(seed);
            XorShift64Star twin = new XorShift64Star(seed);   // draws the same numbers through index()
            BigInteger x = new BigInteger(Long.toUnsignedString(seed));
            for (int i = 0; i < 10_000; i++) {
                x = x.xor(x.shiftRight(12));
                x = x.xor(x.shiftLeft(25)).and(MASK);
                x = x.xor(x.shiftRight(27));
                BigInteger out = x.multiply(new BigInteger("2545F4914F6CDD1D", 16)).and(MASK);
                int n = 1 + i * 97;
                long expectedIndex = out.shiftRight(32).multiply(BigInteger.valueOf(n)).shiftRight(32).longValueExact();
                assertEquals(out.longValue(), rng.next(), "seed " + Long.toHexString(seed) + " output " + i);
                assertEquals(expectedIndex, twin.index(n), "seed " + Long.toHexString(seed) + " index " + i);
                assertTrue(expectedIndex >= 0 && expectedIndex < n);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new XorShift64Star(0));
        assertThrows(IllegalArgumentException.class, () -> new XorShift64Star(1).index(0));
    }

    @Test
    void partialFisherYatesChoosesDistinctItemsAndKeepsAPermutation() {
        long[] items = new long[1000];
        for (int i = 0; i < items.length; i++) {
            items[i] = i;
        }
        FisherYates.chooseFront(items, 500, new XorShift64Star(Plan.PAGE_SEED));
        Set<Long> seen = new HashSet<>();
        for (long item : items) {
            assertTrue(seen.add(item), "item " + item + " twice");
        }
        assertEquals(1000, seen.size());
        long[] again = new long[1000];
        for (int i = 0; i < again.length; i++) {
            again[i] = i;
        }
        FisherYates.chooseFront(again, 500, new XorShift64Star(Plan.PAGE_SEED));
        assertArrayEquals(items, again, "same seed, same choice");
        assertFalse(isIdentity(items), "a shuffle that moves nothing");
        assertThrows(IllegalArgumentException.class, () -> FisherYates.chooseFront(new long[3], 4, new XorShift64Star(1)));
        assertThrows(IllegalArgumentException.class, () -> FisherYates.chooseFront(new long[3], -1, new XorShift64Star(1)));
    }

    private static boolean isIdentity(long[] items) {
        for (int i = 0; i < items.length; i++) {
            if (items[i] != i) {
                return false;
            }
        }
        return true;
    }

    @Test
    void plansPartitionTheirBlocksAsDefined() {
        Plan pages = Plan.pages(LIVE);
        assertEquals(2 * LIVE, pages.count());
        assertEquals(LIVE, pages.freedCount());
        assertEquals(LIVE, pages.liveCount());
        Set<Integer> all = new HashSet<>();
        for (int j = 0; j < pages.freedCount(); j++) {
            assertTrue(all.add(pages.freed(j)));
        }
        for (int j = 0; j < pages.liveCount(); j++) {
            assertTrue(all.add(pages.live(j)));
        }
        assertEquals(2 * LIVE, all.size());
        assertEquals(7 * Plan.PAGE, pages.start(7));

        Plan blocks = Plan.blocks(BLOCKS);
        assertEquals(BLOCKS / 2, blocks.freedCount());
        long next = 0;
        for (int i = 0; i < blocks.count(); i++) {
            assertEquals(next, blocks.start(i), "blocks are packed from 0");
            assertTrue(blocks.size(i) >= Plan.PAGE && blocks.size(i) <= 256 * Plan.PAGE && blocks.size(i) % Plan.PAGE == 0,
                    "block size " + blocks.size(i));
            next += blocks.size(i);
        }
        assertThrows(IllegalArgumentException.class, () -> Plan.ids(0));
        assertThrows(IndexOutOfBoundsException.class, () -> pages.live(LIVE));
    }

    @Test
    void w1AndW2HandOutTheSameIdsOnEveryEngineThroughIdAllocatorAndBitSet() {
        BitSetIds bits = new BitSetIds(IDS);
        List<AllotIds> engines = new ArrayList<>();
        List<IdAllocatorIds> viaIds = new ArrayList<>();
        for (String engine : Allocators.engines()) {
            engines.add(new AllotIds(engine, IDS));
            viaIds.add(new IdAllocatorIds(IdAllocator.of(0, IDS - 1, engine), IDS));
        }
        viaIds.add(new IdAllocatorIds(IdAllocator.of(0, IDS - 1), IDS));
        for (AllotIds ids : engines) {
            assertEquals(bits.allocated(), allocatedBits(ids.allocator()), "W1 set-up agrees with BitSet");
        }
        List<Shape> before = new ArrayList<>();
        for (AllotIds ids : engines) {
            before.add(Shape.of(ids.allocator()));
        }
        for (int step = 0; step < PAIRS; step++) {
            int expected = bits.allocateFree();
            for (AllotIds ids : engines) {
                assertEquals(expected, ids.allocateFree().start(), "W1 step " + step + " on " + ids.allocator().engine());
            }
            for (IdAllocatorIds ids : viaIds) {
                assertEquals(expected, ids.allocateFree(), "W1 step " + step + " via " + ids.ids());
            }
        }
        for (int e = 0; e < engines.size(); e++) {
            ResourceAllocator allocator = engines.get(e).allocator();
            assertEquals(before.get(e), Shape.of(allocator), "W1 pairs left " + allocator.engine() + " as it was");
        }
        for (int step = 0; step < PAIRS; step++) {
            int expected = bits.freeAllocate();
            for (AllotIds ids : engines) {
                assertEquals(expected, ids.freeAllocate().start(), "W2 step " + step);
            }
            for (IdAllocatorIds ids : viaIds) {
                assertEquals(expected, ids.freeAllocate(), "W2 step " + step + " via " + ids.ids());
            }
        }
        for (AllotIds ids : engines) {
            BitSet live = new BitSet();
            for (long id : ids.liveIds()) {
                live.set((int) id);
            }
            assertEquals(bits.allocated(), allocatedBits(ids.allocator()), "W2 left the same ids as BitSet");
            assertEquals(live, allocatedBits(ids.allocator()), "the live list is exactly what is allocated");
            assertEquals(IDS - IDS / 2, ids.allocator().stats().liveAllocations());
        }
    }

    private static BitSet allocatedBits(ResourceAllocator allocator) {
        BitSet bits = new BitSet();
        allocator.forEachAllocated(a -> bits.set((int) a.range().start(), (int) a.range().end() + 1));
        return bits;
    }

    @Test
    void w3W4AndW5PairsLeaveEveryEngineAsTheyFoundItUnderEveryPolicy() {
        for (String engine : Allocators.engines()) {
            for (String name : Allocators.policies()) {
                AllocationPolicy policy = Allocators.policy(name);
                AllotPages pages = new AllotPages(engine, LIVE);
                Shape before = Shape.of(pages.allocator());
                long total = pages.allocator().stats().totalAllocations();
                for (int i = 0; i < PAIRS; i++) {
                    Range r = pages.allocateFree(AllotPages.PAGE, policy);
                    assertEquals(Plan.PAGE, r.size());
                    assertEquals(0, r.start() % Plan.PAGE);
                    pages.allocateFree(AllotPages.PAGES_64, policy);
                    pages.allocateFree(AllotPages.GIB, policy);
                }
                assertEquals(before, Shape.of(pages.allocator()), "W3/W4/W5 on " + engine + " x " + name);
                assertEquals(total + 3 * PAIRS, pages.allocator().stats().totalAllocations(), "the pairs did allocate");
            }
        }
    }

    @Test
    void w3W4AndW5FirstMatchPlaceWhereTheBaselinesDo() {
        AllocationPolicy firstMatch = Allocators.policy("first-match");
        BaselinePages treeMap = new BaselinePages(new TreeMapFirstFit(0, Plan.SPAN_LAST), LIVE);
        BaselinePages rangeSet = new BaselinePages(new RangeSetFirstFit(0, Plan.SPAN_LAST), LIVE);
        long lowestHole = treeMap.allocateFree(Plan.PAGE);
        assertTrue(lowestHole < 2L * LIVE * Plan.PAGE, "the lowest hole lies below the tail");
        assertEquals(lowestHole, rangeSet.allocateFree(Plan.PAGE));
        assertEquals(2L * LIVE * Plan.PAGE, treeMap.allocateFree(AllotPages.PAGES_64.size()), "W4 reaches the tail");
        assertEquals(2L * LIVE * Plan.PAGE, rangeSet.allocateFree(AllotPages.PAGES_64.size()));
        assertEquals(2L * LIVE * Plan.PAGE, treeMap.allocateFree(AllotPages.GIB.size()), "W5 reaches the tail");
        assertEquals(2L * LIVE * Plan.PAGE, rangeSet.allocateFree(AllotPages.GIB.size()));
        for (String engine : Allocators.engines()) {
            AllotPages pages = new AllotPages(engine, LIVE);
            assertEquals(treeMap.free().freeRanges(), pages.allocator().stats().freeSegments(), "free ranges on " + engine);
            assertEquals(lowestHole, pages.allocateFree(AllotPages.PAGE, firstMatch).start(), "W3 on " + engine);
            assertEquals(2L * LIVE * Plan.PAGE, pages.allocateFree(AllotPages.PAGES_64, firstMatch).start(), "W4 on " + engine);
            assertEquals(2L * LIVE * Plan.PAGE, pages.allocateFree(AllotPages.GIB, firstMatch).start(), "W5 on " + engine);
        }
    }

    @Test
    void w6FillsEveryEngineExactlyAsTheBaselinesDo() {
        int pages = 500;
        long expected = Fill.fill(new TreeMapFirstFit(0, Plan.SPAN_LAST), pages);
        assertEquals(expected, Fill.fill(new RangeSetFirstFit(0, Plan.SPAN_LAST), pages));
        for (String engine : Allocators.engines()) {
            ResourceAllocator empty = PageSpace.build(engine);
            assertEquals(expected, Fill.fill(empty, Allocators.policy("first-match"), pages), "W6 on " + engine);
            assertEquals(pages, empty.stats().liveAllocations());
            assertEquals(pages * Plan.PAGE, empty.stats().allocated());
        }
    }

    @Test
    void pageSpaceFallsBackToPageQuantumForAnEngineThatCapsItsUnits() {
        assertTrue(Allocators.engines().contains(CappedEngine.NAME), "the test engine is discovered");
        assertEquals(Plan.PAGE, PageSpace.build(CappedEngine.NAME).quantum());
        assertTrue(Discover.pageQuantumFallbacks().contains(CappedEngine.NAME));
        for (String engine : Allocators.engines()) {
            ResourceAllocator space = PageSpace.build(engine);
            assertEquals(List.of(PageSpace.SPAN), space.spans(), engine);
            assertTrue(space.quantum() == 1 || space.quantum() == Plan.PAGE, engine);
        }
        assertThrows(IllegalArgumentException.class, () -> PageSpace.build("no-such-engine"));
    }

    @Test
    void v1PairsLeaveEveryEngineAsTheyFoundItAndV3KeepsTheLiveListExact() {
        for (String engine : Allocators.engines()) {
            for (String name : new String[] {"instant-fit", "best-fit"}) {
                AllotBlocks blocks = new AllotBlocks(engine, BLOCKS, 0);
                Shape before = Shape.of(blocks.allocator());
                for (int i = 0; i < PAIRS; i++) {
                    Range r = blocks.allocateFree(Allocators.policy(name));
                    assertTrue(r.size() >= Plan.PAGE && r.size() <= 16 * Plan.PAGE, "V1 size " + r.size());
                }
                assertEquals(before, Shape.of(blocks.allocator()), "V1 " + name + " on " + engine);
            }
            AllotBlocks blocks = new AllotBlocks(engine, BLOCKS, 0);
            for (int i = 0; i < PAIRS; i++) {
                blocks.freeReplace();
            }
            Set<Range> live = new HashSet<>(List.of(blocks.live()));
            Set<Range> allocated = new HashSet<>();
            blocks.allocator().forEachAllocated(a -> allocated.add(a.range()));
            assertEquals(live, allocated, "V3 on " + engine + ": the live list is what is allocated");
            assertEquals(BLOCKS - BLOCKS / 2, allocated.size());
        }
    }

    /**
     * W2's word-read floor draws W2's slots and reads, in each, the id W2's drifted state would
     * hold there in rank order: the dense prefix {@code [0, liveCount)}, the plan's live ids
     * renumbered with their order kept, so the floor reads as many words as that state spans.
     */
    @Test
    void theWordReadFloorDrawsW2sSlotsInItsDriftedState() {
        Plan ids = Plan.ids(IDS);
        int n = ids.liveCount();
        long[] sorted = new long[n];
        for (int j = 0; j < n; j++) {
            sorted[j] = ids.start(ids.live(j));
        }
        java.util.Arrays.sort(sorted);
        XorShift64Star draws = ids.rng();
        IdsWordRead floor = new IdsWordRead(IDS);
        assertEquals(n, floor.liveCount());
        BitSet seen = new BitSet();
        for (int step = 0; step < 10 * PAIRS; step++) {
            int slot = draws.index(n);
            long rank = java.util.Arrays.binarySearch(sorted, ids.start(ids.live(slot)));
            long read = floor.freeAllocate();
            assertEquals(rank, read, "W2 word-read floor step " + step);
            assertTrue(read >= 0 && read < n, "step " + step + ": id " + read + " outside the dense prefix");
            seen.set((int) read);
        }
        assertTrue(seen.cardinality() > n / 2, "the floor read only " + seen.cardinality() + " distinct ids");
    }

    @Test
    void theHarnessRowsMakeTheirWorkloadsDrawsAndReadTheirLiveLists() {
        Plan ids = Plan.ids(IDS);
        XorShift64Star draws = ids.rng();
        IdsHarness idsHarness = new IdsHarness(IDS);
        for (int step = 0; step < PAIRS; step++) {
            int slot = draws.index(ids.liveCount());
            assertEquals(ids.start(ids.live(slot)), idsHarness.freeAllocate(), "W2 harness step " + step);
        }

        Plan blocks = Plan.blocks(BLOCKS);
        draws = blocks.rng();
        long[] starts = new long[blocks.liveCount()];
        for (int j = 0; j < starts.length; j++) {
            starts[j] = blocks.start(blocks.live(j));
        }
        BlocksHarness blocksHarness = new BlocksHarness(BLOCKS);
        AllotBlocks onEngine = new AllotBlocks(Allocators.engines().iterator().next(), BLOCKS, 0);
        for (int step = 0; step < PAIRS; step++) {
            int slot = draws.index(starts.length);
            Range expected = Range.ofSize(starts[slot], Plan.randomBlockSize(draws, Plan.MAX_BLOCK_PAGES));
            Range placed = blocksHarness.freeReplace();
            assertEquals(expected, placed, "V3 harness step " + step);
            assertEquals(expected.size(), onEngine.freeReplace().size(), "V3 harness and engine draw the same size");
            assertTrue(List.of(blocksHarness.live()).contains(placed));
        }
    }

    @Test
    void theV1HarnessDrawsV1sSizes() {
        XorShift64Star draws = Plan.blocks(BLOCKS).rng();
        BlocksHarness harness = new BlocksHarness(BLOCKS);
        AllotBlocks onEngine = new AllotBlocks(Allocators.engines().iterator().next(), BLOCKS, 0);
        AllocationPolicy instantFit = Allocators.policy("instant-fit");
        for (int step = 0; step < PAIRS; step++) {
            long expected = Plan.PAGE * (1 + draws.index(AllotBlocks.SMALL_PAGES));
            Range made = harness.allocateFree();
            assertEquals(Range.ofSize(0, expected), made, "V1 harness step " + step);
            assertEquals(expected, onEngine.allocateFree(instantFit).size(), "V1 on the engine, step " + step);
        }
    }

    /**
     * The bare carve (V1's instant-fit floor) starts from the free segments an engine holds after
     * V1's set-up, on the lists in the order {@code vmem} leaves them: every pair takes exactly the
     * range {@code vmem}'s instant fit does, holds it out of the free segments until its free, and
     * leaves them as it found them. It frees only its latest allocation and refuses anything
     * else, changing nothing.
     */
    @Test
    void theBareCarvePlacesWhereVmemDoesOnV1sStateAndEachPairLeavesItAsItFoundIt() {
        AllocationPolicy instantFit = Allocators.policy("instant-fit");
        for (int blocks : new int[] {BLOCKS, 10_000}) {
            AllotBlocks vmem = new AllotBlocks("vmem", blocks, 0);
            List<Range> free = new ArrayList<>();
            vmem.allocator().forEachFree(free::add);
            BareInstantFit bare = new BareInstantFit(blocks);
            assertEquals(free, bare.freeSegments(), "V1's free segments at " + blocks + " blocks");
            int pairs = 10 * PAIRS;
            for (int step = 0; step < pairs; step++) {
                assertEquals(vmem.allocateFree(instantFit), bare.allocateFree(), "V1 pair " + step + " at " + blocks + " blocks");
            }
            assertEquals(free, bare.freeSegments(), "after " + pairs + " pairs at " + blocks + " blocks");
            // At 400 blocks no list head V1 reaches is exactly a request's size; at 10^4 some are
            // (about one pair in eight; 3 in 16 at V1's 10^5, as on vmem).
            long exact = bare.exactFits();
            assertTrue(blocks < 10_000 || exact > 0 && exact < pairs, "exact fits and front carves both: " + exact + " of " + pairs);

            // Half a pair: the allocation is out of the free segments until its free.
            long first = bare.allocate(3 * Plan.PAGE);
            Range held = Range.ofSize(first, 3 * Plan.PAGE);
            List<Range> without = new ArrayList<>();
            for (Range r : free) {
                if (r.start() == held.start()) {
                    if (r.end() != held.end()) {
                        without.add(Range.of(held.end() + 1, r.end()));
                    }
                } else {
                    without.add(r);
                }
            }
            assertEquals(without, bare.freeSegments(), held + " held");
            IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                    () -> bare.free(held.start(), held.end() + Plan.PAGE));
            assertTrue(wrong.getMessage().contains(Range.of(held.start(), held.end() + Plan.PAGE).toString()), wrong.getMessage());
            IllegalStateException again = assertThrows(IllegalStateException.class, () -> bare.allocate(Plan.PAGE));
            assertTrue(again.getMessage().contains(held.toString()), again.getMessage());
            assertEquals(without, bare.freeSegments(), "refused calls change nothing");
            bare.free(held.start(), held.end());
            assertEquals(free, bare.freeSegments());
        }
    }

    @Test
    void theDependentLoadChainIsOneCycleThroughEveryLine() {
        for (int lines : new int[] {2, 3, 64, 1_000}) {
            DependentLoads chain = new DependentLoads((long) lines * DependentLoads.LINE, new XorShift64Star(Plan.PAGE_SEED));
            assertEquals(lines, chain.links());
            Set<Integer> seen = new HashSet<>();
            int at = 0;
            for (int step = 0; step < lines; step++) {
                at = chain.next();
                assertEquals(0, at % (DependentLoads.LINE / Integer.BYTES), "a link at a line's start, step " + step);
                assertTrue(seen.add(at), "line " + at + " visited twice within " + lines + " steps");
            }
            assertEquals(0, at, "the chain of " + lines + " lines closes after exactly " + lines + " loads");
        }
        for (long bytes : new long[] {0, DependentLoads.LINE, 100, 1L << 40}) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> new DependentLoads(bytes, new XorShift64Star(1)));
            assertTrue(refused.getMessage().contains(Long.toString(bytes)), refused.getMessage());
        }
    }

    @Test
    void v2EitherRunsAndLeavesTheStateOrIsRefusedWithAReason() {
        List<String> caching = Discover.cachingEngines();
        assertEquals(Set.copyOf(Allocators.engines()), union(caching, Discover.cacheRefusals().keySet()));
        for (String engine : Allocators.engines()) {
            if (caching.contains(engine)) {
                // The default policy counts how often the arena is asked: V2 must measure the
                // caches, so after each size class's first refill its pairs never reach the arena.
                AllocationPolicy instantFit = Allocators.policy("instant-fit");
                int[] arenaPlacements = {0};
                AllocationPolicy counting = new AllocationPolicy() {
                    @Override
                    public String name() {
                        return "counting-instant-fit";
                    }

                    @Override
                    public Optional<Range> place(Request request, FreeSpace free) {
                        arenaPlacements[0]++;
                        return instantFit.place(request, free);
                    }
                };
                AllotBlocks blocks = new AllotBlocks(engine, BLOCKS, Discover.CACHE_MAX, counting);
                Shape before = Shape.of(blocks.allocator());
                arenaPlacements[0] = 0;
                for (int i = 0; i < 10 * PAIRS; i++) {
                    blocks.allocateFree();
                }
                // At most two magazine refills (16 rounds each) per size class; asking the arena on
                // every pair would be 10 * PAIRS = 2,000.
                int classes = AllotBlocks.SMALL_PAGES;
                assertTrue(arenaPlacements[0] <= classes * 32,
                        "V2 on " + engine + ": " + arenaPlacements[0] + " of " + 10 * PAIRS + " pairs asked the arena");
                Shape after = Shape.of(blocks.allocator());
                assertEquals(before.allocations(), after.allocations(), "V2 on " + engine);
                assertEquals(before.allocated(), after.allocated(), "V2 on " + engine);
            } else {
                assertFalse(Discover.cacheRefusals().get(engine).isBlank());
                assertThrows(RuntimeException.class, () -> new AllotBlocks(engine, BLOCKS, Discover.CACHE_MAX));
            }
        }
    }

    private static Set<String> union(List<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void baselinesRefuseWhatTheyCannotDo() {
        for (FreeRanges free : new FreeRanges[] {new TreeMapFirstFit(0, 4 * Plan.PAGE - 1), new RangeSetFirstFit(0, 4 * Plan.PAGE - 1)}) {
            free.reserve(Plan.PAGE, Plan.PAGE);
            assertThrows(IllegalStateException.class, () -> free.reserve(Plan.PAGE, 1), free.getClass().getSimpleName());
            assertThrows(IllegalStateException.class, () -> free.free(0, 1));
            assertThrows(IllegalStateException.class, () -> free.allocate(4 * Plan.PAGE, Plan.PAGE));
            assertEquals(2 * Plan.PAGE, free.allocate(2 * Plan.PAGE, Plan.PAGE));
            free.free(Plan.PAGE, Plan.PAGE);
            free.free(2 * Plan.PAGE, 2 * Plan.PAGE);
            assertEquals(1, free.freeRanges(), "frees merge with both neighbours");
        }
    }
}
