package io.allot.bench.report;

/** One line of {@code io.allot.bench.Memory}'s TSV output. */
record MemoryRow(String workload, String implementation, String engine, long quantum, long size, long live,
                 long segments, long emptyBytes, long builtBytes) {

    /**
     * Parses a data line (tab-separated, in the header's order).
     *
     * @throws IllegalArgumentException if it has the wrong number of fields
     */
    static MemoryRow parse(String line) {
        String[] f = line.split("\t");
        if (f.length != 9) {
            throw new IllegalArgumentException("memory line has " + f.length + " fields, not 9: " + line);
        }
        return new MemoryRow(f[0], f[1], f[2], Long.parseLong(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5]),
                Long.parseLong(f[6]), Long.parseLong(f[7]), Long.parseLong(f[8]));
    }

    double bytesPerLive() {
        return (double) builtBytes / live;
    }

    double bytesPerSegment() {
        return (double) builtBytes / segments;
    }
}
