package io.allot;

import io.allot.internal.Importing;
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
import java.util.Optional;
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
     *                                      {@link #restore(InputStream, String)} to pick another),
     *                                      or the image is of an arena that imports from a source
     *                                      (use {@link #restore(InputStream, ResourceAllocator)})
     * @throws java.io.UncheckedIOException if reading {@code in} fails
     */
    public static ResourceAllocator restore(InputStream in) {
        Snapshot snapshot = read(in);
        return rebuild(snapshot, snapshot.engine(), null);
    }

    /**
     * Rebuilds a snapshot in the named engine, whichever engine wrote it.
     *
     * @throws SnapshotFormatException  as {@link #restore(InputStream)}
     * @throws IllegalArgumentException if no engine is called {@code engine}, that engine cannot
     *                                  manage the snapshot's spans, or the image is of an arena
     *                                  that imports from a source
     */
    public static ResourceAllocator restore(InputStream in, String engine) {
        engineProvider(engine);
        return rebuild(read(in), engine, null);
    }

    /**
     * Rebuilds the snapshot of an arena that imports from a source (built with
     * {@link Builder#source}), in the engine that wrote it, importing from {@code source} from now
     * on. {@code source} must be the parent as it was when the child's image was written, restored
     * first: it must hold each span the child had imported as exactly one allocation, which the
     * restored child then owns again and hands back once it is wholly free.
     *
     * <p>To snapshot a hierarchy, write each child's image before its parent's (writing a child
     * with quantum caches returns what they hold, which can hand a span back to the parent); to
     * restore it, restore the parent, then each child with this method, naming the restored
     * parent. Restore each child image once per restored parent: two children restored from one
     * image would both own its imported spans.
     *
     * @throws SnapshotFormatException  as {@link #restore(InputStream)}; nothing is built
     * @throws IllegalArgumentException if the image's arena had no source, or {@code source} does
     *                                  not hold one of its imported spans as exactly one
     *                                  allocation (naming the span); nothing is built
     */
    public static ResourceAllocator restore(InputStream in, ResourceAllocator source) {
        Objects.requireNonNull(source, "source");
        Snapshot snapshot = read(in);
        return rebuild(snapshot, snapshot.engine(), source);
    }

    /**
     * As {@link #restore(InputStream, ResourceAllocator)}, into the named engine.
     *
     * @throws SnapshotFormatException  as {@link #restore(InputStream)}
     * @throws IllegalArgumentException as {@link #restore(InputStream, ResourceAllocator)}, or if
     *                                  no engine is called {@code engine}
     */
    public static ResourceAllocator restore(InputStream in, String engine, ResourceAllocator source) {
        engineProvider(engine);
        Objects.requireNonNull(source, "source");
        return rebuild(read(in), engine, source);
    }

    private static Snapshot read(InputStream in) {
        Objects.requireNonNull(in, "in");
        try {
            return SnapshotReader.read(in.readAllBytes(), Installed.POLICIES);
        } catch (IOException e) {
            throw new UncheckedIOException("reading a snapshot failed", e);
        }
    }

    /**
     * Replays a checked snapshot into a new allocator on {@code engine}, importing from
     * {@code source} if the image's arena had one (then {@code source} must not be null).
     */
    private static ResourceAllocator rebuild(Snapshot snapshot, String engine, ResourceAllocator source) {
        if (snapshot.importSize() == 0 && source != null) {
            throw new IllegalArgumentException("the snapshot is of an allocator without a source; restore it without one");
        }
        if (snapshot.importSize() != 0 && source == null) {
            throw new IllegalArgumentException("the snapshot is of an allocator that imports from a source ("
                    + snapshot.imported().size() + " imported spans); restore it with restore(in, source)"
                    + " after restoring the source");
        }
        for (Range span : snapshot.imported()) {
            Optional<Allocation> held = source.allocationContaining(span.start());
            if (held.isEmpty() || !held.get().range().equals(span)) {
                throw new IllegalArgumentException("imported span " + span + " is not an allocation of the given source"
                        + held.map(a -> " (it holds " + a.range() + " there)").orElse(" (it is free there)"));
            }
        }
        Builder builder = builder().engine(engine).quantum(snapshot.quantum())
                .policy(Installed.POLICIES.get(snapshot.policy()));
        List<Range> imported = snapshot.imported();
        for (Range span : snapshot.spans()) {
            if (!imported.contains(span)) {
                builder.span(span);
            }
        }
        if (snapshot.threadSafe()) {
            builder.threadSafe();
        }
        if (source != null) {
            builder.source(source, snapshot.importSize());
        }
        if (snapshot.quantumCacheMax() != 0) {
            builder.quantumCache(snapshot.quantumCacheMax());
        }
        ResourceAllocator allocator = builder.build();
        if (!imported.isEmpty()) {
            if (!(allocator instanceof Importing importing)) {
                throw new IllegalArgumentException("engine " + engine + " cannot restore imported spans");
            }
            imported.forEach(importing::restoreImported);
        }
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
         * Makes this allocator an arena that imports from {@code parent} (vmem's arena hierarchy):
         * a request it cannot place imports a span of at least {@code importSize} from the parent
         * (enough for the request with its alignment, phase, boundary and window, on both quanta,
         * placed by the parent's default policy), adds it to {@link ResourceAllocator#spans()} and
         * places the request there. As soon as an imported span is wholly free again it goes back
         * to the parent and leaves {@code spans()}. {@link AllocatorStats#imported()} is what is
         * borrowed now. A refused import changes neither allocator, except that the parent counts
         * it in {@code failedAllocations} like any allocate that allocated nothing. {@code reserve}
         * never imports; spans added by hand are never handed back.
         *
         * <p>Any {@link ResourceAllocator} can be a parent, and arenas nest. The parent is called
         * while this allocator's lock (if thread-safe) is held; a parent shared with other users
         * or other threads must itself be thread-safe. Snapshot and restore a hierarchy as
         * {@link Allocators#restore(InputStream, ResourceAllocator)} says.
         *
         * @param importSize the smallest span to import: at least 1; {@link #build()} requires a
         *                   multiple of the quantum
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
         * Puts vmem's quantum caches in front of the allocator: for each multiple of the quantum up
         * to {@code maxSize}, magazines of free segments of that size, filled from the allocator
         * and drained back to it in batches; with {@link #threadSafe()}, each thread works on its
         * own magazines and takes the allocator's lock once per batch, not per allocation.
         *
         * <p>Served from the caches: {@code allocate(Request)} and {@code tryAllocate(Request)} of a
         * request constrained by nothing but its size (alignment at most the quantum, no phase, no
         * boundary, the whole window; any tag) whose size rounds up to at most {@code maxSize}, and
         * the frees of what they returned. Such an allocation is whatever segment of its size was
         * freed last, or filled first, so placements are not the default policy's ("lowest
         * placement" holds only among values not held in a cache). Everything else goes to the
         * allocator as before. Cached segments count as free everywhere: {@code stats()},
         * {@code isFree}, {@code forEachFree} and snapshots first return them to the allocator
         * (so those calls cost in proportion to what is cached), and a request the allocator cannot
         * place returns them and tries again, so none is lost to a large request.
         *
         * @param maxSize the largest size to cache: at least 1; {@link #build()} requires at least
         *                the quantum, at most 64 quanta, and a default policy that does not move
         *                the next-fit rotor (a cache reuses the value freed last)
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
         * @throws IllegalArgumentException      if the spans overlap or are off the quantum, the
         *                                       engine cannot manage them, the import size is not a
         *                                       multiple of the quantum, or the quantum cache is
         *                                       refused (see {@link #quantumCache})
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
