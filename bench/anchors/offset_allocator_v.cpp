// V1 and V3 (bench/README.md) on OffsetAllocator, the C++ anchor issue #9 quotes, so that its
// figures can be measured in the same phase of this machine as Allot's JMH rows: the anchors in
// the issue were measured once, and this shared VM runs 1.5-4 times slower in some hours than
// in others. Built and run by ./offset-allocator (beside this file) against a copy of OffsetAllocator's
// two source files, which the project does not ship.
//
// The set-up is V1's plan (bench's Plan.blocks) in pages: the same xorshift64* generator and seed,
// `blocks` blocks of 1 + index(256) pages allocated in order (packed from 0, as a fresh allocator
// places them), a random half chosen by the same partial Fisher-Yates and freed in that order, the
// live list being the rest of the shuffled order. The measured loops continue the generator:
//   v1: r = allocate(1 + index(16)); free(r)
//   v3: s = index(live); free(live[s]); live[s] = allocate(1 + index(256))
//   v3-loop: v3 with the allocator left out (the floor, as bench's V3.harness)
// Each prints the median of the last 10 of 15 rounds of `ops` operations, in ns per operation; with
// a fifth argument `json` (v1 and v3 only), one element of a JMH result array instead, benchmark
// io.allot.bench.V1.offsetAllocator or V3.offsetAllocator, parameter size = blocks, the last 10
// rounds as its raw data, so that bench's report takes it as a baseline of the same run.
#include "offsetAllocator.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

using OffsetAllocator::Allocation;
using OffsetAllocator::Allocator;

namespace {

// bench's XorShift64Star: xorshift64* and its index(n) = high 32 bits scaled to [0, n).
struct XorShift64Star {
    uint64_t x;
    uint64_t next() {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        return x * 0x2545F4914F6CDD1DULL;
    }
    uint32_t index(uint32_t n) { return static_cast<uint32_t>(((next() >> 32) * n) >> 32); }
};

double nowNs() {
    return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

constexpr uint64_t PAGE_SEED = 0xDEADBEEFCAFEF00DULL;
constexpr uint32_t SPAN_PAGES = 1u << 28;   // [0, 2^40 - 1] in 4 KiB pages
constexpr uint32_t MAX_BLOCK_PAGES = 256;
constexpr uint32_t SMALL_PAGES = 16;

}  // namespace

int main(int argc, char** argv) {
    const bool json = argc == 5 && std::strcmp(argv[4], "json") == 0;
    if (argc != 4 && !json) {
        std::fprintf(stderr, "usage: %s BLOCKS v1|v3|v3-loop OPS [json]\n", argv[0]);
        return 2;
    }
    const uint32_t blocks = static_cast<uint32_t>(std::atol(argv[1]));
    const char* mode = argv[2];
    const long ops = std::atol(argv[3]);
    const bool known = std::strcmp(mode, "v1") == 0 || std::strcmp(mode, "v3") == 0 || std::strcmp(mode, "v3-loop") == 0;
    if (!known) {
        std::fprintf(stderr, "unknown mode %s (v1, v3 or v3-loop)\n", mode);
        return 2;
    }
    if (json && std::strcmp(mode, "v3-loop") == 0) {
        std::fprintf(stderr, "json is for v1 and v3, not %s\n", mode);
        return 2;
    }

    XorShift64Star rng{PAGE_SEED};
    Allocator allocator(SPAN_PAGES, 2 * blocks + 1024);
    std::vector<Allocation> made(blocks);
    for (uint32_t i = 0; i < blocks; i++) {
        made[i] = allocator.allocate(1 + rng.index(MAX_BLOCK_PAGES));
        if (made[i].offset == Allocation::NO_SPACE) {
            std::fprintf(stderr, "the set-up ran out of space at block %u\n", i);
            return 1;
        }
    }
    std::vector<uint32_t> order(blocks);
    for (uint32_t i = 0; i < blocks; i++) {
        order[i] = i;
    }
    const uint32_t freed = blocks / 2;
    for (uint32_t i = 0; i < freed; i++) {
        std::swap(order[i], order[i + rng.index(blocks - i)]);
    }
    for (uint32_t i = 0; i < freed; i++) {
        allocator.free(made[order[i]]);
    }
    std::vector<Allocation> live;
    for (uint32_t i = freed; i < blocks; i++) {
        live.push_back(made[order[i]]);
    }
    const uint32_t liveCount = static_cast<uint32_t>(live.size());

    uint64_t sink = 0;
    std::vector<double> rounds;
    for (int round = 0; round < 15; round++) {
        const double t0 = nowNs();
        if (std::strcmp(mode, "v1") == 0) {
            for (long i = 0; i < ops; i++) {
                Allocation r = allocator.allocate(1 + rng.index(SMALL_PAGES));
                sink += r.offset;
                allocator.free(r);
            }
        } else if (std::strcmp(mode, "v3") == 0) {
            for (long i = 0; i < ops; i++) {
                uint32_t s = rng.index(liveCount);
                allocator.free(live[s]);
                live[s] = allocator.allocate(1 + rng.index(MAX_BLOCK_PAGES));
                sink += live[s].offset;
            }
        } else {  // v3-loop (checked above)
            for (long i = 0; i < ops; i++) {
                uint32_t s = rng.index(liveCount);
                Allocation old = live[s];
                live[s] = Allocation{old.offset, 1 + rng.index(MAX_BLOCK_PAGES)};
                sink += old.offset;
            }
        }
        rounds.push_back((nowNs() - t0) / static_cast<double>(ops));
    }
    if (json) {
        // The measured rounds in order, as JMH's rawData; the report takes their median itself.
        std::printf("{\"benchmark\": \"io.allot.bench.%s.offsetAllocator\", \"params\": {\"size\": \"%u\"}, "
                    "\"primaryMetric\": {\"scoreUnit\": \"ns/op\", \"rawData\": [[",
                    mode[1] == '1' ? "V1" : "V3", blocks);
        for (int round = 5; round < 15; round++) {
            std::printf(round == 5 ? "%.3f" : ", %.3f", rounds[round]);
        }
        std::printf("]]}, \"sink\": %llu}\n", static_cast<unsigned long long>(sink & 1));
        return 0;
    }
    std::sort(rounds.begin() + 5, rounds.end());
    std::printf("OffsetAllocator %-7s %8u blocks: %8.1f ns/op (median of the last 10 of 15 rounds; %llu)\n", mode,
                blocks, (rounds[9] + rounds[10]) / 2, static_cast<unsigned long long>(sink & 1));
    return 0;
}
