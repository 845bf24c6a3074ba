package io.allot.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code allot fleet}: N hosts sharing one pool in ZooKeeper, from module {@code io.allot.zookeeper}.
 *
 * <p>That module cannot sit beside this one on the module path: ZooKeeper's jars split packages, so
 * ZooKeeper and Curator must be on the class path, and this module stays free of them. The command
 * therefore starts the simulation in a JVM of its own, on the paths the {@code allot} script hands
 * over in the system properties {@value #MODULE_PATH} (Allot's jars and {@code io.allot.zookeeper})
 * and {@value #CLASS_PATH} (Curator, ZooKeeper and what they need), and exits with its status:
 * 0 no duplicate and every host ran to the end, 2 a bad argument, 1 anything else. Values are
 * checked by the simulation, which prints one line for a bad one.
 */
@Command(name = "fleet", mixinStandardHelpOptions = true,
        description = {"Simulates a fleet of hosts sharing one pool in ZooKeeper.", "",
            "Each host joins the pool with its own ZooKeeper session, leases blocks of ids from it and hands "
                + "out and takes back ids at random inside its blocks. Every id is checked against a shared "
                + "record of every live id: a value live in two hosts is a duplicate, and there must be none. "
                + "Prints ids and leases per host, duplicates, ids/s overall and per host, ZooKeeper writes per "
                + "1000 ids, and the time to recover after a kill. Without --connect it starts a 3-server "
                + "ZooKeeper ensemble inside the simulation's JVM."},
        footer = {"", "Exit status: 0 no duplicate and every host ran to the end, 2 usage error, 1 any other "
                + "failure (one line on stderr)."})
final class FleetCommand implements Callable<Integer> {

    /** System property: the module path of the simulation's JVM (Allot's jars and io.allot.zookeeper). */
    static final String MODULE_PATH = "allot.fleet.module-path";
    /** System property: the class path of the simulation's JVM (Curator, ZooKeeper and what they need). */
    static final String CLASS_PATH = "allot.fleet.class-path";
    /** The simulation's main class, in module io.allot.zookeeper. */
    static final String MAIN = "io.allot.zookeeper/io.allot.zookeeper.FleetSimulation";

    @Option(names = "--hosts", paramLabel = "N", description = "Hosts, 1 to 64 (default: 8).")
    String hosts;

    @Option(names = "--range", paramLabel = "FIRST-LAST", description = "The pool's values (default: 0x0-0xffffff).")
    String range;

    @Option(names = "--block", paramLabel = "N", description = "Block size, a power of two (default: 1024).")
    String block;

    @Option(names = "--ops", paramLabel = "N",
            description = "Random allocate/free operations in all, split over the hosts (default: 200000).")
    String ops;

    @Option(names = "--kill-leader",
            description = "Kill the ZooKeeper leader halfway and restart it 2 s later (embedded ensemble only).")
    boolean killLeader;

    @Option(names = "--kill-host",
            description = "Crash the last host a third of the way through and restart it with the same host id.")
    boolean killHost;

    @Option(names = "--connect", paramLabel = "HOST:PORT,...",
            description = "A ZooKeeper ensemble to use instead of the embedded one.")
    String connect;

    @Option(names = "--durability", paramLabel = "MODE",
            description = "commit-each (every id committed to ZooKeeper) or lease-only (default: only leases).")
    String durability;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of every random choice (default: from the clock).")
    String seed;

    /** For {@code --debug} (an option of every command): the simulation then prints stack traces too. */
    @ParentCommand
    AllotCommand parent;

    @Override
    public Integer call() throws InterruptedException {
        List<String> command = command(System.getProperty(MODULE_PATH), System.getProperty(CLASS_PATH));
        Process process;
        try {
            process = new ProcessBuilder(command).inheritIO().start();
        } catch (IOException e) {
            throw new CliException("could not start the fleet simulation: " + e.getMessage(), e);
        }
        Thread stop = new Thread(process::destroy, "allot-fleet-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        try {
            return process.waitFor();
        } finally {
            process.destroy();
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    /**
     * The simulation's command line: this JVM's {@code java}, the two paths, the main class and the
     * options given.
     *
     * @throws CliException if a path is missing (the command was not started by the allot script)
     */
    List<String> command(String modulePath, String classPath) {
        if (modulePath == null || modulePath.isBlank() || classPath == null || classPath.isBlank()) {
            throw new CliException("fleet needs module io.allot.zookeeper and the Curator and ZooKeeper jars, which "
                    + "the allot script passes in -D" + MODULE_PATH + " and -D" + CLASS_PATH + ": run ./allot fleet");
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // An automatic module declares no requires: resolve Allot's modules (engines and
                // policies bind as services), and the platform modules Curator and ZooKeeper on the
                // class path may use (JMX, JAAS).
                "--add-modules", "ALL-MODULE-PATH,ALL-DEFAULT",
                "-p", modulePath, "-cp", classPath, "-m", MAIN));
        add(command, "--hosts", hosts);
        add(command, "--range", range);
        add(command, "--block", block);
        add(command, "--ops", ops);
        if (killLeader) {
            command.add("--kill-leader");
        }
        if (killHost) {
            command.add("--kill-host");
        }
        add(command, "--connect", connect);
        add(command, "--durability", durability);
        add(command, "--seed", seed);
        if (parent != null && parent.debug) {
            command.add("--debug");
        }
        return command;
    }

    private static void add(List<String> command, String option, String value) {
        if (value != null) {
            command.add(option);
            command.add(value);
        }
    }
}
