package io.allot.zookeeper;

import io.allot.Allocation;
import io.allot.Range;
import io.allot.Request;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * {@code allot fleet}: N hosts sharing one pool, each handing out and taking back ids at random
 * from its own arena, every id checked against a shared record of every live id (a value handed
 * to a host while live in another is a duplicate; there must be none). Optionally the ZooKeeper
 * leader is killed halfway ({@code --kill-leader}, embedded ensemble only), and one host crashes a
 * third of the way and restarts with the same host id ({@code --kill-host}): under COMMIT_EACH it
 * must find exactly its live allocations again, under LEASE_ONLY its blocks, where it re-reserves
 * the ids it still holds.
 *
 * <p>All hosts run in this JVM, each with its own ZooKeeper client and session, so they are
 * separate hosts as far as ZooKeeper can tell. Without {@code --connect} the simulation starts a
 * three-server ensemble on loopback ports inside this JVM.
 *
 * <p>{@code ./allot fleet} starts it in a JVM of its own, with this jar and Allot's on the module
 * path and Curator and ZooKeeper on the class path (they cannot be modules: split packages); from
 * Maven it runs on the class path ({@code exec:exec} in this module's pom). Exit status: 0 when no
 * duplicate was found and every host ran to the end, 1 otherwise, 2 for bad arguments.
 */
public final class FleetSimulation {

    /**
     * What to simulate.
     *
     * @param hosts      number of hosts, 1 to 64
     * @param range      the pool's values
     * @param block      block size, a power of two
     * @param ops        random allocate/free operations in all, split evenly over the hosts
     * @param killLeader kill the ensemble's leader halfway (and restart it 2 s later)
     * @param killHost   crash the last host a third of the way through, and restart it
     * @param connect    ZooKeeper connect string, or null for an embedded 3-server ensemble
     * @param durability the pool's durability
     * @param seed       seeds every random choice
     */
    public record Options(int hosts, Range range, long block, long ops, boolean killLeader, boolean killHost,
                          String connect, Durability durability, long seed) {

        /** The defaults: 8 hosts, [0, 0xffffff], blocks of 1024, 200,000 operations, LEASE_ONLY. */
        public static Options defaults() {
            return new Options(8, Range.of(0, 0xFF_FFFF), 1024, 200_000, false, false, null, Durability.LEASE_ONLY,
                    System.nanoTime());
        }

        /**
         * Parses {@code allot fleet}'s arguments.
         *
         * @throws IllegalArgumentException naming the argument that is wrong
         */
        public static Options parse(String... args) {
            Options o = defaults();
            int hosts = o.hosts;
            Range range = o.range;
            long block = o.block;
            long ops = o.ops;
            boolean killLeader = false;
            boolean killHost = false;
            String connect = null;
            Durability durability = o.durability;
            long seed = o.seed;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--kill-leader" -> killLeader = true;
                    case "--kill-host" -> killHost = true;
                    case "--hosts", "--range", "--block", "--ops", "--connect", "--durability", "--seed" -> {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException(a + " needs a value");
                        }
                        String v = args[++i];
                        switch (a) {
                            case "--hosts" -> hosts = (int) number(a, v);
                            case "--range" -> range = range(v);
                            case "--block" -> block = number(a, v);
                            case "--ops" -> ops = number(a, v);
                            case "--connect" -> connect = v;
                            case "--durability" -> durability = switch (v) {
                                case "commit-each" -> Durability.COMMIT_EACH;
                                case "lease-only" -> Durability.LEASE_ONLY;
                                default -> throw new IllegalArgumentException("--durability " + v
                                        + ": use commit-each or lease-only");
                            };
                            default -> seed = number(a, v);
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown argument \"" + a + "\"; " + USAGE);
                }
            }
            if (hosts < 1 || hosts > 64) {
                throw new IllegalArgumentException("--hosts " + hosts + " must be 1 to 64");
            }
            if (ops < 1) {
                throw new IllegalArgumentException("--ops " + ops + " must be at least 1");
            }
            if (killLeader && connect != null) {
                throw new IllegalArgumentException("--kill-leader needs the embedded ensemble: drop --connect");
            }
            PoolSpec.of("/check", range, block); // the range and block rules, with their messages
            return new Options(hosts, range, block, ops, killLeader, killHost, connect, durability, seed);
        }

        private static long number(String name, String v) {
            try {
                return v.startsWith("0x") ? Long.parseUnsignedLong(v.substring(2).replace("_", ""), 16)
                        : Long.parseLong(v.replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " " + v + " is not a number");
            }
        }

        private static Range range(String v) {
            int dash = v.indexOf('-');
            if (dash < 0) {
                throw new IllegalArgumentException("--range " + v + " is not FIRST-LAST, e.g. 0x0-0xffffff");
            }
            return Range.of(number("--range", v.substring(0, dash)), number("--range", v.substring(dash + 1)));
        }
    }

    /** The usage line of {@code allot fleet}. */
    public static final String USAGE = "usage: allot fleet [--hosts 8] [--range 0x0-0xffffff] [--block 1024]"
            + " [--ops 200000] [--kill-leader] [--kill-host] [--connect host:port,...]"
            + " [--durability commit-each|lease-only] [--seed N]";

    /** One host's figures. */
    public record HostReport(String host, long ids, long frees, long leasesTaken, long leasesReturned,
                             long conflicts, long refused, long writes, double idsPerSecond) {
    }

    /**
     * What the simulation measured.
     *
     * @param duplicates      values handed to a host while live in another (must be 0)
     * @param readoptMismatches COMMIT_EACH: allocations a restarted host did not find exactly as it left them
     * @param recoveryMillis  after {@code --kill-leader}: from the kill until every host that was
     *                        fenced was verified and unfenced again (-1 if none was killed)
     * @param restartMillis   after {@code --kill-host}: from the restarted host's join to its first id
     *                        (re-adoption included), -1 if none
     * @param failedHosts     hosts whose run ended with an exception (must be 0)
     */
    public record Report(List<HostReport> hosts, long duplicates, long readoptMismatches, long ids, long writes,
                         double seconds, double idsPerSecond, long recoveryMillis, int fencedHosts,
                         long restartMillis, int failedHosts) {

        /** ZooKeeper transactions per 1000 ids handed out. */
        public double writesPer1000Ids() {
            return ids == 0 ? 0 : writes * 1000.0 / ids;
        }
    }

    /**
     * The pool's log, warnings only while the simulation prints its report (janitors log every
     * quarantine at INFO). Held here: JUL keeps loggers weakly, so a level set on a logger nobody
     * holds is lost at the next GC.
     */
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("io.allot.zookeeper");

    private FleetSimulation() {
    }

    /**
     * Runs {@code allot fleet}: prints the report to {@code out}; a bad argument or a failure is
     * one line on {@code err}, as the {@code allot} command prints its errors.
     *
     * @return 0 if no duplicate was found and every host ran to the end; 2 for a bad argument;
     *         1 for a duplicate, a re-adoption mismatch, a host that failed, or a simulation that
     *         could not run (ZooKeeper not reachable, say)
     */
    public static int run(PrintStream out, PrintStream err, String... args) {
        // --debug is the allot command's: a failure then shows its stack trace after the one line.
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        String[] simulation = java.util.Arrays.stream(args).filter(a -> !a.equals("--debug")).toArray(String[]::new);
        Options options;
        try {
            options = Options.parse(simulation);
        } catch (IllegalArgumentException e) {
            err.println("allot fleet: " + e.getMessage() + " (see 'allot fleet --help')");
            return 2;
        }
        QUIET.setLevel(java.util.logging.Level.WARNING);
        Report report;
        try {
            report = run(options, out);
        } catch (RuntimeException e) {
            out.flush();
            err.println("allot fleet: " + String.valueOf(e.getMessage()).replace('\n', ' '));
            if (debug) {
                e.printStackTrace(err);
            }
            return 1;
        }
        if (report.failedHosts() > 0) {
            out.flush();
            err.println("allot fleet: " + report.failedHosts() + " host(s) failed (see 'host failure' above)");
            return 1;
        }
        return report.duplicates() == 0 && report.readoptMismatches() == 0 ? 0 : 1;
    }

    /** The entry point {@code allot fleet} starts (with this jar and Curator/ZooKeeper's). */
    public static void main(String[] args) {
        int status = run(System.out, System.err, args);
        System.out.flush();
        System.exit(status);
    }

    /** Runs the simulation and prints its report to {@code out}. */
    public static Report run(Options o, PrintStream out) {
        EmbeddedZooKeeper ensemble = o.connect() == null ? EmbeddedZooKeeper.ensemble(3) : null;
        String connect = ensemble != null ? ensemble.connectString() : o.connect();
        try {
            return simulate(o, connect, ensemble, out);
        } finally {
            if (ensemble != null) {
                ensemble.close();
            }
        }
    }

    private static Report simulate(Options o, String connect, EmbeddedZooKeeper ensemble, PrintStream out) {
        PoolSpec spec = new PoolSpec("/allot/fleet-" + Long.toHexString(o.seed()), o.range(), o.block(), o.durability(),
                PoolSpec.DEFAULT_GRACE);
        LiveRecord record = new LiveRecord(o.range());
        AtomicLong done = new AtomicLong();
        AtomicLong readoptMismatches = new AtomicLong();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Worker[] workers = new Worker[o.hosts()];
        long perHost = o.ops() / o.hosts();
        for (int h = 0; h < o.hosts(); h++) {
            long ops = perHost + (h < o.ops() % o.hosts() ? 1 : 0);
            boolean crash = o.killHost() && h == o.hosts() - 1;
            try {
                workers[h] = new Worker(h, spec, connect, o.seed(), ops, crash, record, done, readoptMismatches, failures);
            } catch (RuntimeException e) {
                // ZooKeeper unreachable, say: the error alone, after the hosts that did join leave.
                for (int j = 0; j < h; j++) {
                    workers[j].close();
                }
                throw e;
            }
        }
        // Printed once every host has joined, so a simulation that cannot start prints only its error.
        out.printf(Locale.ROOT, "allot fleet: %d hosts on pool %s %s, blocks of 0x%x, %s, %,d operations, seed %d%n",
                o.hosts(), spec.path(), spec.range(), spec.blockSize(), o.durability(), o.ops(), o.seed());
        out.println("ZooKeeper: " + (ensemble != null ? "embedded 3-server ensemble " : "") + connect);
        long start = System.nanoTime();
        for (Worker w : workers) {
            w.thread.start();
        }
        long killAt = -1;
        if (o.killLeader()) {
            while (done.get() < o.ops() / 2 && anyAlive(workers)) {
                sleep(1);
            }
            int leader = ensemble.leader();
            killAt = System.nanoTime();
            ensemble.kill(leader);
            out.printf(Locale.ROOT, "killed the ZooKeeper leader (server %d) after %,d operations%n", leader + 1, done.get());
            sleep(2000);
            ensemble.restart(leader);
        }
        for (Worker w : workers) {
            try {
                w.thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long recovery = -1;
        int fenced = 0;
        if (killAt > 0) {
            recovery = 0;
            for (Worker w : workers) {
                long at = w.unfencedAfter(killAt);
                if (at > 0) {
                    fenced++;
                    recovery = Math.max(recovery, TimeUnit.NANOSECONDS.toMillis(at - killAt));
                }
            }
        }
        List<HostReport> hosts = new ArrayList<>();
        long ids = 0;
        long writes = 0;
        for (Worker w : workers) {
            hosts.add(w.report());
            ids += w.ids;
            writes += w.writes;
        }
        for (Worker w : workers) {
            w.close();
        }
        Report report = new Report(hosts, record.duplicates.get(), readoptMismatches.get(), ids, writes, seconds,
                ids / seconds, recovery, fenced, o.killHost() ? workers[o.hosts() - 1].restartMillis : -1, failures.size());
        print(report, o, out);
        for (Throwable t : failures) {
            out.println("host failure: " + t);
        }
        return report;
    }

    private static void print(Report r, Options o, PrintStream out) {
        out.printf(Locale.ROOT, "%-8s %10s %10s %7s %9s %8s %7s %12s%n", "host", "ids", "frees", "leases", "returned",
                "races", "writes", "ids/s");
        double[] rates = new double[r.hosts().size()];
        for (int i = 0; i < rates.length; i++) {
            HostReport h = r.hosts().get(i);
            rates[i] = h.idsPerSecond();
            out.printf(Locale.ROOT, "%-8s %,10d %,10d %7d %9d %8d %7d %,12.0f%s%n", h.host(), h.ids(), h.frees(),
                    h.leasesTaken(), h.leasesReturned(), h.conflicts(), h.writes(), h.idsPerSecond(),
                    h.refused() > 0 ? "  (" + h.refused() + " calls refused while fenced)" : "");
        }
        Arrays.sort(rates);
        out.printf(Locale.ROOT, "duplicates: %d (every id checked against a shared record of every live id)%n", r.duplicates());
        if (o.killHost() && o.durability() == Durability.COMMIT_EACH) {
            out.printf(Locale.ROOT, "re-adoption: %d allocations not found exactly as left%n", r.readoptMismatches());
        }
        out.printf(Locale.ROOT, "ids/s: %,.0f overall in %.2f s; per host min %,.0f, median %,.0f, max %,.0f%n",
                r.idsPerSecond(), r.seconds(), rates[0], rates[rates.length / 2], rates[rates.length - 1]);
        out.printf(Locale.ROOT, "ZooKeeper writes: %,d transactions for %,d ids = %.2f per 1000 ids%n", r.writes(), r.ids(),
                r.writesPer1000Ids());
        if (r.recoveryMillis() >= 0) {
            out.printf(Locale.ROOT, "leader kill: %d of %d hosts fenced; every one verified and unfenced %,d ms after the kill%n",
                    r.fencedHosts(), r.hosts().size(), r.recoveryMillis());
        }
        if (r.restartMillis() >= 0) {
            out.printf(Locale.ROOT, "host kill: %s crashed and rejoined; re-adoption to its first id took %,d ms%n",
                    r.hosts().get(r.hosts().size() - 1).host(), r.restartMillis());
        }
    }

    private static boolean anyAlive(Worker[] workers) {
        for (Worker w : workers) {
            if (w.thread.isAlive()) {
                return true;
            }
        }
        return false;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The shared record of every live value: a bitmap over the range when it has at most 2^31
     * values, else a concurrent set. Marking a value that is already marked is a duplicate.
     */
    static final class LiveRecord {
        private final long first;
        private final AtomicLongArray bits;
        private final Set<Long> set;
        final AtomicLong duplicates = new AtomicLong();

        LiveRecord(Range range) {
            this.first = range.start();
            long size = range.size();
            if (size > 0 && size <= (1L << 31)) {
                bits = new AtomicLongArray((int) ((size + 63) >>> 6));
                set = null;
            } else {
                bits = null;
                set = ConcurrentHashMap.newKeySet();
            }
        }

        void mark(Range r) {
            for (long v = r.start(); ; v++) {
                if (!markOne(v)) {
                    duplicates.incrementAndGet();
                }
                if (v == r.end()) {
                    return;
                }
            }
        }

        void clear(Range r) {
            for (long v = r.start(); ; v++) {
                if (bits != null) {
                    long i = v - first;
                    long mask = 1L << (i & 63);
                    int w = (int) (i >>> 6);
                    long old;
                    do {
                        old = bits.get(w);
                    } while (!bits.compareAndSet(w, old, old & ~mask));
                } else {
                    set.remove(v);
                }
                if (v == r.end()) {
                    return;
                }
            }
        }

        private boolean markOne(long v) {
            if (bits == null) {
                return set.add(v);
            }
            long i = v - first;
            long mask = 1L << (i & 63);
            int w = (int) (i >>> 6);
            while (true) {
                long old = bits.get(w);
                if ((old & mask) != 0) {
                    return false;
                }
                if (bits.compareAndSet(w, old, old | mask)) {
                    return true;
                }
            }
        }
    }

    /** One simulated host: its thread, its arena, its figures. */
    private static final class Worker {
        final Thread thread;
        final String id;
        final PoolSpec spec;
        final String connect;
        final long seed;
        final long ops;
        final boolean crash;
        final LiveRecord record;
        final AtomicLong done;
        final AtomicLong readoptMismatches;
        final ConcurrentLinkedQueue<Throwable> failures;
        FleetHost host;
        long ids;
        long frees;
        long refused;
        long writes;
        long leasesTaken;
        long leasesReturned;
        long conflicts;
        long restartMillis = -1;
        double seconds;
        /** When the host was last unfenced (nanoTime), sampled after every call; kept per incarnation. */
        volatile long lastUnfencedAt = -1;

        Worker(int index, PoolSpec spec, String connect, long seed, long ops, boolean crash, LiveRecord record,
               AtomicLong done, AtomicLong readoptMismatches, ConcurrentLinkedQueue<Throwable> failures) {
            this.id = "host-" + index;
            this.spec = spec;
            this.connect = connect;
            this.seed = seed * 1_000_003 + index;
            this.ops = ops;
            this.crash = crash;
            this.record = record;
            this.done = done;
            this.readoptMismatches = readoptMismatches;
            this.failures = failures;
            this.host = join();
            this.thread = new Thread(this::work, "fleet-" + id);
        }

        private FleetHost join() {
            return FleetHost.builder(spec).connect(connect).hostId(id).seed(seed).sessionTimeout(Duration.ofSeconds(6))
                    .joinWait(Duration.ofSeconds(20)).join();
        }

        long unfencedAfter(long killAt) {
            long at = host.session().lastUnfencedAtNanos();
            return at > killAt ? at : -1;
        }

        private void work() {
            SplittableRandom random = new SplittableRandom(seed);
            List<Range> live = new ArrayList<>();
            long cap = Math.max(64, Math.min(spec.blocks() * spec.blockSize() / 4 / 64, 20_000));
            long begin = System.nanoTime();
            try {
                for (long op = 0; op < ops; op++) {
                    if (crash && op == ops / 3) {
                        live = crashAndRestart(live);
                    }
                    try {
                        if (live.isEmpty() || live.size() < cap && random.nextInt(100) < 55) {
                            Range r = host.arena().allocate(Request.of(1));
                            record.mark(r);
                            live.add(r);
                            ids++;
                        } else {
                            int i = random.nextInt(live.size());
                            Range r = live.get(i);
                            record.clear(r);
                            try {
                                host.arena().free(r);
                            } catch (RuntimeException e) {
                                record.mark(r); // not freed: still live here
                                throw e;
                            }
                            live.set(i, live.get(live.size() - 1));
                            live.remove(live.size() - 1);
                            frees++;
                        }
                    } catch (PoolUnavailableException e) {
                        refused++;
                        if (!host.awaitUnfenced(Duration.ofSeconds(120))) {
                            throw new IllegalStateException(id + " still fenced after 120 s", e);
                        }
                    }
                    done.incrementAndGet();
                }
            } catch (Throwable t) {
                failures.add(t);
            }
            seconds = (System.nanoTime() - begin) / 1e9;
            collect();
        }

        /** Crashes (closes without leaving) and joins again with the same host id. */
        private List<Range> crashAndRestart(List<Range> live) throws Exception {
            collect();
            long w = writes;
            long lt = leasesTaken;
            long lr = leasesReturned;
            long c = conflicts;
            host.close();
            sleep(500);
            long begin = System.nanoTime();
            host = join();
            if (spec.durability() == Durability.COMMIT_EACH) {
                List<Range> found = new ArrayList<>();
                host.arena().forEachAllocated((Allocation a) -> found.add(a.range()));
                List<Range> expected = new ArrayList<>(live);
                expected.sort(Range::compareTo);
                if (!found.equals(expected)) {
                    readoptMismatches.addAndGet(Math.max(1, Math.abs(found.size() - expected.size())));
                }
            } else {
                for (Range r : live) {
                    host.arena().reserve(r); // the application re-registers the ids it holds
                }
            }
            Range first = host.arena().allocate(Request.of(1));
            restartMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
            record.mark(first);
            live.add(first);
            ids++;
            // keep counting across the restart
            writesBefore += w;
            leasesTakenBefore += lt;
            leasesReturnedBefore += lr;
            conflictsBefore += c;
            return live;
        }

        long writesBefore;
        long leasesTakenBefore;
        long leasesReturnedBefore;
        long conflictsBefore;

        private void collect() {
            writes = writesBefore + host.writes();
            leasesTaken = leasesTakenBefore + host.leasesTaken();
            leasesReturned = leasesReturnedBefore + host.leasesReturned();
            conflicts = conflictsBefore + host.conflicts();
        }

        HostReport report() {
            return new HostReport(id, ids, frees, leasesTaken, leasesReturned, conflicts, refused, writes,
                    seconds == 0 ? 0 : ids / seconds);
        }

        void close() {
            host.close();
        }
    }
}
