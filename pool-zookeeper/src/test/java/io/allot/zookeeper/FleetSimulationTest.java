package io.allot.zookeeper;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code allot fleet} end to end, in the build: the simulation {@code ./allot fleet} starts in a
 * child JVM, run here on the tests' ensemble; and its one-line failure when ZooKeeper is not there.
 */
class FleetSimulationTest {

    /** What one run printed and returned. */
    private record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = FleetSimulation.run(o, e, args);
        }
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void hostsShareThePoolAndNothingIsHandedOutTwice() throws Exception {
        long seed = System.nanoTime();
        Run run = run("--connect", Ensemble.connect(), "--hosts", "3", "--ops", "30000", "--range", "0x0-0xfffff",
                "--block", "256", "--seed", Long.toString(seed));
        assertEquals(0, run.status(), run.toString());
        assertEquals("", run.err(), run.toString());
        assertTrue(run.out().startsWith("allot fleet: 3 hosts on pool /allot/fleet-" + Long.toHexString(seed)), run.out());
        for (String host : new String[] {"host-0 ", "host-1 ", "host-2 "}) {
            assertTrue(run.out().contains("\n" + host), host + " in " + run.out());
        }
        assertTrue(run.out().contains("duplicates: 0 "), run.out());
        String writes = run.out().lines().filter(l -> l.startsWith("ZooKeeper writes: ")).findFirst().orElseThrow();
        double per1000 = Double.parseDouble(writes.substring(writes.indexOf("= ") + 2, writes.indexOf(" per 1000")));
        assertTrue(per1000 > 0 && per1000 < 100, "blocks of 256 ids: far fewer writes than ids: " + writes);
    }

    @Test
    void withNoZooKeeperItPrintsOnlyItsOneLineError() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0)) {
            port = closed.getLocalPort();
        }
        Run run = run("--connect", "127.0.0.1:" + port, "--hosts", "2", "--ops", "10");
        assertEquals(1, run.status(), run.toString());
        assertEquals("", run.out(), "no header before the error: " + run);
        assertEquals(1, run.err().lines().count(), run.toString());
        assertTrue(run.err().startsWith("allot fleet: "), run.err());
    }
}
