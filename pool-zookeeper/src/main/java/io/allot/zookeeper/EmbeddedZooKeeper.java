package io.allot.zookeeper;

import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * ZooKeeper servers running inside this JVM, on the loopback interface, with ZooKeeper 3.9's own
 * embedded-server API ({@link ZooKeeperServerEmbedded}): one server, or an ensemble of 3 or 5 that
 * elects a leader, for demos and the fleet simulation (a leader can be killed and restarted). Data
 * lives in a temporary directory deleted on {@link #close()}. Not for production: a fleet needs
 * servers that outlive any one host.
 */
public final class EmbeddedZooKeeper implements AutoCloseable {

    private static EmbeddedZooKeeper shared;

    private final Path baseDir;
    private final List<Properties> configs = new ArrayList<>();
    private final ZooKeeperServerEmbedded[] servers;
    private final int[] clientPorts;

    private EmbeddedZooKeeper(int size) throws Exception {
        this.baseDir = Files.createTempDirectory("allot-zk");
        this.servers = new ZooKeeperServerEmbedded[size];
        this.clientPorts = new int[size];
        int[][] ports = new int[size][3];
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < 3; j++) {
                ports[i][j] = freePort();
            }
            clientPorts[i] = ports[i][0];
        }
        for (int i = 0; i < size; i++) {
            Properties p = new Properties();
            p.setProperty("tickTime", "200");
            p.setProperty("initLimit", "20");
            p.setProperty("syncLimit", "10");
            p.setProperty("clientPort", Integer.toString(ports[i][0]));
            p.setProperty("clientPortAddress", "127.0.0.1");
            p.setProperty("admin.enableServer", "false");
            p.setProperty("4lw.commands.whitelist", "srvr,ruok");
            // Sessions may last 20 s at most (tickTime * 100) and at least 400 ms.
            p.setProperty("maxSessionTimeout", "20000");
            Path dir = baseDir.resolve("server" + (i + 1));
            Path data = dir.resolve("data");
            Files.createDirectories(data);
            p.setProperty("dataDir", data.toString());
            if (size > 1) {
                Files.writeString(data.resolve("myid"), Integer.toString(i + 1));
                for (int k = 0; k < size; k++) {
                    p.setProperty("server." + (k + 1), "127.0.0.1:" + ports[k][1] + ":" + ports[k][2]);
                }
            }
            configs.add(p);
        }
    }

    /** One server. */
    public static EmbeddedZooKeeper single() {
        return started(1);
    }

    /**
     * An ensemble of {@code size} servers on loopback ports, started and with a leader elected.
     *
     * @throws IllegalArgumentException unless size is 3 or 5
     */
    public static EmbeddedZooKeeper ensemble(int size) {
        if (size != 3 && size != 5) {
            throw new IllegalArgumentException("ensemble size " + size + " must be 3 or 5");
        }
        return started(size);
    }

    /**
     * The JVM's own single server, started on first use and stopped when the JVM exits: what a
     * {@link FleetHost} with no connect string uses. Every such host of this JVM shares it, so they
     * share their pools; other processes reach it through {@link #connectString()}.
     */
    public static synchronized EmbeddedZooKeeper shared() {
        if (shared == null) {
            shared = single();
            EmbeddedZooKeeper s = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(s::close, "allot-zk-shutdown"));
        }
        return shared;
    }

    private static EmbeddedZooKeeper started(int size) {
        try {
            EmbeddedZooKeeper zk = new EmbeddedZooKeeper(size);
            // Together: a quorum peer's start() returns only once a quorum is up.
            Thread[] starters = new Thread[size];
            Exception[] failed = new Exception[size];
            for (int i = 0; i < size; i++) {
                int k = i;
                starters[i] = new Thread(() -> {
                    try {
                        zk.start(k);
                    } catch (Exception e) {
                        failed[k] = e;
                    }
                }, "allot-zk-start-" + (i + 1));
                starters[i].start();
            }
            for (int i = 0; i < size; i++) {
                starters[i].join();
                if (failed[i] != null) {
                    zk.close();
                    throw failed[i];
                }
            }
            zk.awaitServing(60_000);
            return zk;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("could not start an embedded ZooKeeper: " + e, e);
        }
    }

    /** The connect string of every running server. */
    public String connectString() {
        return java.util.stream.IntStream.range(0, servers.length)
                .mapToObj(i -> "127.0.0.1:" + clientPorts[i]).collect(Collectors.joining(","));
    }

    public int size() {
        return servers.length;
    }

    /** The index of the current leader, or -1 if none answers as leader (or this is one server). */
    public int leader() {
        for (int i = 0; i < servers.length; i++) {
            if (servers[i] != null && "leader".equals(mode(i))) {
                return i;
            }
        }
        return -1;
    }

    /** Stops server {@code i} (a crash, as far as clients and peers can tell). */
    public synchronized void kill(int i) {
        if (servers[i] != null) {
            servers[i].close();
            servers[i] = null;
        }
    }

    /** Starts server {@code i} again on its ports and data. */
    public synchronized void restart(int i) {
        if (servers[i] == null) {
            try {
                start(i);
            } catch (Exception e) {
                throw new IllegalStateException("could not restart server " + i + ": " + e, e);
            }
        }
    }

    /** Waits until every running server answers, and a leader is elected if this is an ensemble. */
    public void awaitServing(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            boolean all = true;
            for (int i = 0; i < servers.length; i++) {
                String m = servers[i] == null ? "stopped" : mode(i);
                if (servers[i] != null && !("leader".equals(m) || "follower".equals(m) || "standalone".equals(m))) {
                    all = false;
                }
            }
            if (all && (servers.length == 1 || leader() >= 0)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("embedded ZooKeeper not serving after " + timeoutMillis + " ms");
    }

    private void start(int i) throws Exception {
        ZooKeeperServerEmbedded server = ZooKeeperServerEmbedded.builder()
                .baseDir(baseDir.resolve("server" + (i + 1)))
                .configuration(configs.get(i))
                .exitHandler(ExitHandler.LOG_ONLY)
                .build();
        synchronized (this) {
            servers[i] = server;
        }
        server.start(60_000);
    }

    /** Server {@code i}'s mode from the {@code srvr} four-letter word, or null if it does not answer. */
    private String mode(int i) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), clientPorts[i]), 500);
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("Mode: ")) {
                    return line.substring(6).trim();
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Stops every server and deletes the data. */
    @Override
    public synchronized void close() {
        for (int i = 0; i < servers.length; i++) {
            kill(i);
        }
        try (Stream<Path> files = Files.walk(baseDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory; the OS cleans it eventually
        }
    }
}
