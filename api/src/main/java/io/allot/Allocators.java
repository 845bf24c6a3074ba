package io.allot;

import io.allot.internal.Snapshot;
import io.allot.internal.SnapshotReader;
import io.allot.internal.Unsigned;
import io.allot.spi.AllocationPolicy;
import io.allot.spi.AllocatorSpec;
import io.allot.spi.EngineProvider;
import io.allot.spi.Restorable;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The entry point: builds allocators and finds the engines and policies installed on the module
 * path or class path.
 *
 * <p>Providers are discovered once, on first use, with {@link ServiceLoader}, and cached; names
 * are listed in alphabetical order. A provider that fails to load, or whose name is taken by an
 * earlier one, is skipped with a warning on the {@code io.allot} {@link System.Logger} rather than
 * breaking the others. Unknown names throw {@link IllegalArgumentException} listing the known ones.
 */
public final class Allocators {

    private Allocators() {
    }

    /** A new builder: engine {@code "interval"}, policy {@code "first-match"}, quantum 1, no spans. */
    public static Builder builder() {
        return new Builder();
    }

    /** Names of the installed engines, alphabetical. */
    public static List<String> engines() {
        return List.copyOf(Installed.ENGINES.keySet());
    }

    /** Names of the installed policies, alphabetical. */
    public static List<String> policies() {
        return List.copyOf(Installed.POLICIES.keySet());
    }

    /**
     * The installed policy called {@code name}.
     *
     * @throws IllegalArgumentException if none is, listing the installed ones
     */
    public static AllocationPolicy policy(String name) {
        return lookup("policy", Installed.POLICIES, name);
    }

    /**
     * Rebuilds a snapshot written by {@link ResourceAllocator#writeSnapshot} in the engine it was
     * written from: same spans, quantum, allocations and tags, default policy, thread-safety,
     * next-fit rotor and statistics. Reads {@code in} to its end; does not close it.
     *
     * @throws SnapshotFormatException      if the image is truncated, corrupt, of a future version,
     *                                      inconsistent, or names a policy that is not installed
     *                                      (policies are restored by name, so an allocator built
     *                                      with an uninstalled policy instance cannot be restored);
     *                                      nothing is built
     * @throws IllegalArgumentException     if the engine it names is not installed (use
     *                                      {@link #restore(InputStream, String)} to pick another)
     * @throws java.io.UncheckedIOException if reading {@code in} fails
     */
    public static ResourceAllocator restore(InputStream in) {
        Snapshot snapshot = read(in);
        return rebuild(snapshot, snapshot.engine());
    }

    /**
     * Rebuilds a snapshot in the named engine, whichever engine wrote it.
     *
     * @throws SnapshotFormatException  as {@link #restore(InputStream)}
     * @throws IllegalArgumentException if no engine is called {@code engine}, or that engine cannot
     *                                  manage the snapshot's spans
     */
    public static ResourceAllocator restore(InputStream in, String engine) {
        engineProvider(engine);
        return rebuild(read(in), engine);
    }

    private static Snapshot read(InputStream in) {
        Objects.requireNonNull(in, "in");
        try {
            return SnapshotReader.read(in.readAllBytes(), Installed.POLICIES.keySet());
        } catch (IOException e) {
            throw new UncheckedIOException("reading a snapshot failed", e);
        }
    }

    /** Replays a checked snapshot into a new allocator on {@code engine}. */
    private static ResourceAllocator rebuild(Snapshot snapshot, String engine) {
        Builder builder = builder().engine(engine).quantum(snapshot.quantum())
                .policy(Installed.POLICIES.get(snapshot.policy()));
        snapshot.spans().forEach(builder::span);
        if (snapshot.threadSafe()) {
            builder.threadSafe();
        }
        ResourceAllocator allocator = builder.build();
        for (Allocation allocation : snapshot.allocations()) {
            allocator.reserve(allocation.range(), allocation.tag());
        }
        if (allocator instanceof Restorable restorable) {
            restorable.restoreState(snapshot.rotor(), snapshot.totalAllocations(), snapshot.totalFrees(),
                    snapshot.failedAllocations());
        }
        return allocator;
    }

    static EngineProvider engineProvider(String name) {
        return lookup("engine", Installed.ENGINES, name);
    }

    /** Whether an engine called {@code name} is installed. */
    static boolean hasEngine(String name) {
        return Installed.ENGINES.containsKey(name);
    }

    private static <T> T lookup(String kind, Map<String, T> installed, String name) {
        Objects.requireNonNull(name, kind);
        T found = installed.get(name);
        if (found == null) {
            throw new IllegalArgumentException("unknown " + kind + " \"" + name + "\"; installed: " + installed.keySet());
        }
        return found;
    }

    /** The providers found at first use (initialisation-on-demand holder: loaded once, lazily, safely). */
    private static final class Installed {
        static final Map<String, EngineProvider> ENGINES = load(EngineProvider.class, EngineProvider::name);
        static final Map<String, AllocationPolicy> POLICIES = load(AllocationPolicy.class, AllocationPolicy::name);

        private static <T> Map<String, T> load(Class<T> service, Function<T, String> key) {
            System.Logger log = System.getLogger("io.allot");
            Map<String, T> found = new TreeMap<>();
            Iterator<T> providers = ServiceLoader.load(service, Allocators.class.getClassLoader()).iterator();
            while (true) {
                T provider;
                try {
                    if (!providers.hasNext()) {
                        break;
                    }
                    provider = providers.next();
                } catch (ServiceConfigurationError e) {
                    log.log(System.Logger.Level.WARNING, "skipping a " + service.getSimpleName() + " that failed to load", e);
                    continue;
                }
                String name = key.apply(provider);
                T earlier = found.putIfAbsent(name, provider);
                if (earlier != null) {
                    log.log(System.Logger.Level.WARNING, () -> service.getSimpleName() + " \"" + name + "\" of "
                            + provider.getClass().getName() + " ignored; " + earlier.getClass().getName() + " has that name");
                }
            }
            return Collections.unmodifiableMap(found);
        }
    }

    /**
     * Collects the settings for one allocator. Mutable and not thread-safe; each setter checks its
     * argument at once and returns this builder.
     */
    public static final class Builder {

        private String engine = "interval";
        private final List<Range> spans = new ArrayList<>();
        private long quantum = 1;
        private AllocationPolicy policy;
        private boolean threadSafe;
        private ResourceAllocator source;
        private long importSize;
        private long quantumCacheMax;

        private Builder() {
        }

        /**
         * Selects the engine by name (default {@code "interval"}).
         *
         * @throws IllegalArgumentException if no such engine is installed, listing those that are
         */
        public Builder engine(String name) {
            engineProvider(name);
            this.engine = name;
            return this;
        }

        /** Adds an initial span; repeatable. Spans must be disjoint and on quantum boundaries (checked by {@link #build()}). */
        public Builder span(Range span) {
            spans.add(Objects.requireNonNull(span, "span"));
            return this;
        }

        /**
         * Sets the unit of the space (default 1).
         *
         * @throws IllegalArgumentException if {@code quantum} is not a power of two
         */
        public Builder quantum(long quantum) {
            if (!Unsigned.isPowerOfTwo(quantum)) {
                throw new IllegalArgumentException("quantum " + Unsigned.hex(quantum) + " is not a power of two");
            }
            this.quantum = quantum;
            return this;
        }

        /**
         * Selects the default policy by name (default {@code "first-match"}).
         *
         * @throws IllegalArgumentException if no such policy is installed, listing those that are
         */
        public Builder policy(String name) {
            this.policy = Allocators.policy(name);
            return this;
        }

        /** Sets the default policy to this instance, installed or not. */
        public Builder policy(AllocationPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Makes the allocator safe for use by any number of threads. */
        public Builder threadSafe() {
            this.threadSafe = true;
            return this;
        }

        /**
         * Imports spans of at least {@code importSize} from {@code parent} when this allocator runs
         * dry, and hands a wholly free imported span back (vmem's arena hierarchy).
         *
         * @throws IllegalArgumentException if {@code importSize} is 0
         */
        public Builder source(ResourceAllocator parent, long importSize) {
            if (importSize == 0) {
                throw new IllegalArgumentException("importSize 0 must be >= 1");
            }
            this.source = Objects.requireNonNull(parent, "parent");
            this.importSize = importSize;
            return this;
        }

        /**
         * Serves sizes up to {@code maxSize} from per-size caches (vmem's quantum caches).
         *
         * @throws IllegalArgumentException if {@code maxSize} is 0
         */
        public Builder quantumCache(long maxSize) {
            if (maxSize == 0) {
                throw new IllegalArgumentException("quantum cache maxSize 0 must be >= 1");
            }
            this.quantumCacheMax = maxSize;
            return this;
        }

        /**
         * A new allocator with these settings.
         *
         * @throws IllegalArgumentException      if the spans overlap or are off the quantum, or the
         *                                       engine cannot manage them
         * @throws UnsupportedOperationException if the engine lacks a requested feature
         */
        public ResourceAllocator build() {
            AllocationPolicy chosen = policy != null ? policy : Allocators.policy("first-match");
            AllocatorSpec spec = new AllocatorSpec(spans, quantum, chosen, threadSafe, source, importSize,
                    quantumCacheMax);
            return engineProvider(engine).create(spec);
        }
    }
}
