package io.allot.engine.bitmap;

/**
 * First-, last- and next-fit's way past free runs too short for a request: the first (or last)
 * free run of at least {@code n} units from a unit, found from {@link RunStats}' figures instead
 * of by visiting every run in between.
 *
 * <p>{@link BitmapCore#firstFit} walks free runs in address order, two summary searches a run
 * (the next free unit, then the next allocated one), and asks {@link io.allot.internal.Placement}
 * about each. That is the right thing while a fitting run is near, and O(runs) when it is not: a
 * large request in a space of many small holes (the {@code fragmenter} workload: about 3,000
 * holes in 2<sup>26</sup> units) walked hundreds of runs per allocation. A run shorter than the
 * request's size holds no placement whatever its alignment, phase or boundary, so the walk may
 * skip every such run; this class says where the next run that is not too short begins, and the
 * walk goes on from there, asking the placement math as before.
 *
 * <h2>How</h2>
 * The run statistics keep, for every summary node (level 1: 64 words, 4096 units; level k:
 * 64<sup>k+1</sup> units), its free prefix, suffix and longest run. Scanning from a unit with the
 * length of the free run that reaches it from the left (its <em>carry</em>), a node is
 * <ul>
 *   <li>wholly free: the carry grows by the node's size;</li>
 *   <li>an answer at its start when the carry and its prefix together are long enough;</li>
 *   <li>entered (the next level down, from the same unit) when its longest run is long enough:
 *       the run it holds is then the answer, since its prefix was not;</li>
 *   <li>passed otherwise, the carry becoming its suffix;</li>
 * </ul>
 * and a word of the leaf is read whole, its runs of at least {@code n} found by doubling shifts
 * ({@link RunStats#atLeast}). Passing a node moves on to its parent's level as soon as the position is aligned to
 * it, so long stretches of short runs cost one read per big node. The start unit's own nodes are
 * passed from the top: the highest node holding it whose longest run is too short is left at
 * once, its suffix the carry. The descending search is the mirror image.
 *
 * <p>Cost: O(64 · levels) node and word reads at most (at most 63 siblings a level before the
 * scan can rise, and one descent), plus bringing the statistics up to date first
 * ({@link RunStats#refresh}: a fold of 8 words for each group of 512 units changed since the last
 * query, 64 for each block before the statistics' groups exist, and the ancestors whose figures
 * moved). Exact in a single-threaded tree; on a concurrent one only
 * on the exclusive path, like every multi-unit search. Holds its state in fields, so a search
 * allocates nothing; not thread-safe.
 */
final class RunSkip {

    private final RunStats stats;
    private final long[] leaf;
    private final int levels;
    private final long units;

    // The scan in hand: the free run that reaches the position, clipped to the search's start.
    private long carry;
    /** Ascending: the first unit of that run; descending: its last unit. Meaningful while carry > 0. */
    private long carryFrom;

    /** For a tree with at least one summary level. */
    RunSkip(BitTree bits, RunStats stats) {
        if (bits.levels < 1) {
            throw new IllegalArgumentException("a tree of one word has no summary to skip with");
        }
        this.stats = stats;
        this.leaf = bits.leaf;
        this.levels = bits.levels;
        this.units = bits.units;
    }

    /** log2 of the units under one item of level {@code k}: a word at 0, a node of level k above. */
    private static int shift(int k) {
        return 6 * (k + 1);
    }

    // ---------------------------------------------------------------- ascending

    /**
     * The first unit at or after {@code p} (0 &le; p &lt; units) at which a free run of at least
     * {@code n} (&ge; 1) units begins, the run counted from {@code p} when it begins before it;
     * -1 if there is none. Every unit from {@code p} up to the answer lies in a run shorter than
     * {@code n} so counted, or is allocated.
     */
    long firstFrom(long p, long n) {
        stats.refresh();
        carry = 0;
        // The highest node holding p whose longest run is too short holds no answer but, perhaps,
        // its suffix run, which may go on past it: leave it at once. (A parent's longest run is
        // at least each child's, so the too-short nodes holding p are those of the lowest levels.)
        int k = 1;
        while (k <= levels && stats.max(k, (int) (p >>> shift(k))) < n) {
            k++;
        }
        if (k > levels) {
            return -1; // the top node's longest run is the tree's
        }
        int tooShort = k - 1;
        if (tooShort >= 1) {
            long end = (p >>> shift(tooShort)) + 1 << shift(tooShort); // one past that node
            long suffix = stats.suffix(tooShort, (int) (p >>> shift(tooShort)));
            if (suffix > 0) {
                carryFrom = Math.max(p, end - suffix);
                carry = end - carryFrom;
            }
            return ascend(end, tooShort, n);
        }
        // Level 1's node holding p may hold an answer: read p's word from p, then on.
        int w = (int) (p >>> 6);
        long found = inWordUp(leaf[w] | (1L << p) - 1, (long) w << 6, n);
        if (found >= 0) {
            return found;
        }
        return ascend((long) (w + 1) << 6, 0, n);
    }

    /**
     * The aligned scan from {@code pos}, a boundary of level {@code k}'s items, with the carry of
     * the units before it.
     */
    private long ascend(long pos, int k, long n) {
        boolean advanced = true;
        while (pos < units) {
            if (advanced) {
                while (k < levels && (pos & (1L << shift(k + 1)) - 1) == 0) {
                    k++;
                }
            }
            advanced = true;
            if (k == 0) {
                long found = inWordUp(leaf[(int) (pos >>> 6)], pos, n);
                if (found >= 0) {
                    return found;
                }
                pos += 64;
                continue;
            }
            int i = (int) (pos >>> shift(k));
            long size = 1L << shift(k);
            long prefix = stats.prefix(k, i);
            if (prefix == size) {
                if (carry == 0) {
                    carryFrom = pos;
                }
                carry += size;
                if (carry >= n) {
                    return carryFrom;
                }
                pos += size;
                continue;
            }
            if (prefix == 0) {
                carry = 0; // the run reaching it ends before it
            } else if (carry + prefix >= n) {
                return carry > 0 ? carryFrom : pos;
            }
            if (stats.max(k, i) >= n) {
                // Its prefix run is too short, so a run inside it is the answer: look closer.
                k--;
                advanced = false;
                continue;
            }
            long suffix = stats.suffix(k, i);
            carry = suffix;
            carryFrom = pos + size - suffix;
            pos += size;
        }
        return -1;
    }

    /**
     * Word {@code x} (set bits allocated) at unit {@code start}, after the carry: the first unit
     * of a run of at least {@code n} in it, or -1 with the carry now the run open at its end.
     */
    private long inWordUp(long x, long start, long n) {
        if (x == -1L) {
            carry = 0;
            return -1;
        }
        if (x == 0) {
            if (carry == 0) {
                carryFrom = start;
            }
            carry += 64;
            return carry >= n ? carryFrom : -1;
        }
        int prefix = Long.numberOfTrailingZeros(x);
        if (prefix > 0 && carry + prefix >= n) {
            return carry > 0 ? carryFrom : start;
        }
        int suffix = Long.numberOfLeadingZeros(x);
        if (n <= 62) {
            long at = RunStats.atLeast(RunStats.innerRuns(x, prefix, suffix), (int) n);
            if (at != 0) {
                return start + Long.numberOfTrailingZeros(at);
            }
        }
        carry = suffix;
        carryFrom = start + 64 - suffix;
        return suffix > 0 && suffix >= n ? carryFrom : -1;
    }

    // ---------------------------------------------------------------- descending

    /**
     * The last unit at or before {@code q} (0 &le; q &lt; units) at which a free run of at least
     * {@code n} (&ge; 1) units ends, the run counted up to {@code q} when it ends after it; -1 if
     * there is none. The mirror image of {@link #firstFrom}.
     */
    long lastFrom(long q, long n) {
        stats.refresh();
        carry = 0;
        int k = 1;
        while (k <= levels && stats.max(k, (int) (q >>> shift(k))) < n) {
            k++;
        }
        if (k > levels) {
            return -1;
        }
        int tooShort = k - 1;
        if (tooShort >= 1) {
            long begin = q >>> shift(tooShort) << shift(tooShort);
            long prefix = stats.prefix(tooShort, (int) (q >>> shift(tooShort)));
            if (prefix > 0) {
                carryFrom = Math.min(q, begin + prefix - 1);
                carry = carryFrom - begin + 1;
            }
            return descend(begin - 1, tooShort, n);
        }
        int w = (int) (q >>> 6);
        long found = inWordDown(leaf[w] | -2L << (q & 63), (long) w << 6, n);
        if (found >= 0) {
            return found;
        }
        return descend(((long) w << 6) - 1, 0, n);
    }

    /**
     * The aligned scan down from {@code pos}, the last unit of an item of level {@code k}, with
     * the carry of the units after it.
     */
    private long descend(long pos, int k, long n) {
        boolean advanced = true;
        while (pos >= 0) {
            if (advanced) {
                while (k < levels && (pos + 1 & (1L << shift(k + 1)) - 1) == 0) {
                    k++;
                }
            }
            advanced = true;
            if (k == 0) {
                long begin = pos - 63;
                long found = inWordDown(leaf[(int) (begin >>> 6)], begin, n);
                if (found >= 0) {
                    return found;
                }
                pos -= 64;
                continue;
            }
            long size = 1L << shift(k);
            long begin = pos - size + 1;
            int i = (int) (begin >>> shift(k));
            long suffix = stats.suffix(k, i);
            if (suffix == size) {
                if (carry == 0) {
                    carryFrom = pos;
                }
                carry += size;
                if (carry >= n) {
                    return carryFrom;
                }
                pos -= size;
                continue;
            }
            if (suffix == 0) {
                carry = 0;
            } else if (carry + suffix >= n) {
                return carry > 0 ? carryFrom : pos;
            }
            if (stats.max(k, i) >= n) {
                k--;
                advanced = false;
                continue;
            }
            long prefix = stats.prefix(k, i);
            carry = prefix;
            carryFrom = begin + prefix - 1;
            pos -= size;
        }
        return -1;
    }

    /**
     * Word {@code x} at unit {@code start}, before the carry (descending): the last unit of a run
     * of at least {@code n} in it, or -1 with the carry now the run open at its start.
     */
    private long inWordDown(long x, long start, long n) {
        if (x == -1L) {
            carry = 0;
            return -1;
        }
        long end = start + 63;
        if (x == 0) {
            if (carry == 0) {
                carryFrom = end;
            }
            carry += 64;
            return carry >= n ? carryFrom : -1;
        }
        int suffix = Long.numberOfLeadingZeros(x);
        if (suffix > 0 && carry + suffix >= n) {
            return carry > 0 ? carryFrom : end;
        }
        int prefix = Long.numberOfTrailingZeros(x);
        if (n <= 62) {
            // A run of n starting at bit b ends at b + n - 1: the highest such start gives the last end.
            long at = RunStats.atLeast(RunStats.innerRuns(x, prefix, suffix), (int) n);
            if (at != 0) {
                return start + 63 - Long.numberOfLeadingZeros(at) + n - 1;
            }
        }
        carry = prefix;
        carryFrom = start + prefix - 1;
        return prefix > 0 && prefix >= n ? carryFrom : -1;
    }
}
