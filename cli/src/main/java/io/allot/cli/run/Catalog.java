package io.allot.cli.run;

import io.allot.Allocators;
import io.allot.Range;
import io.allot.ResourceAllocator;
import io.allot.spi.AllocationPolicy;
import io.allot.spi.AllocatorSpec;
import io.allot.spi.EngineProvider;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The engines and policies present at run time: those {@link Allocators} finds on the module path
 * (the boot layer), plus those of a plug-in folder. Nothing is listed by name in the command's code,
 * so an engine module dropped on the module path, or a jar dropped in the plug-in folder, shows up
 * in {@code allot compare} with no change here. A plug-in whose name is taken by an installed
 * provider is skipped with a warning, as {@link Allocators} does for duplicates.
 */
public final class Catalog {

    /** How a named engine builds an allocator over some spans with some default policy. */
    @FunctionalInterface
    private interface Engine {
        ResourceAllocator build(List<Range> spans, long quantum, AllocationPolicy policy);
    }

    private final Map<String, Engine> engines;
    private final Map<String, AllocationPolicy> policies;
    private final Map<String, String> pluginJar;
    private final List<String> warnings;

    private Catalog(Map<String, Engine> engines, Map<String, AllocationPolicy> policies,
                    Map<String, String> pluginJar, List<String> warnings) {
        this.engines = Collections.unmodifiableMap(engines);
        this.policies = Collections.unmodifiableMap(policies);
        this.pluginJar = Map.copyOf(pluginJar);
        this.warnings = List.copyOf(warnings);
    }

    /** What the module path holds, with the plug-ins of {@code plugins} (may be null) added. */
    public static Catalog of(Plugins plugins) {
        Map<String, Engine> engines = new TreeMap<>();
        Map<String, AllocationPolicy> policies = new TreeMap<>();
        Map<String, String> pluginJar = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        for (String name : Allocators.engines()) {
            engines.put(name, (spans, quantum, policy) -> {
                Allocators.Builder builder = Allocators.builder().engine(name).quantum(quantum).policy(policy);
                spans.forEach(builder::span);
                return builder.build();
            });
        }
        for (String name : Allocators.policies()) {
            policies.put(name, Allocators.policy(name));
        }
        if (plugins != null) {
            warnings.addAll(plugins.warnings());
            for (EngineProvider provider : plugins.engines()) {
                String jar = plugins.jarOf().getOrDefault(provider.getClass().getName(), "?");
                if (engines.containsKey(provider.name())) {
                    warnings.add("plug-in engine \"" + provider.name() + "\" in " + jar
                            + " skipped: an installed engine has that name");
                    continue;
                }
                engines.put(provider.name(), (spans, quantum, policy) ->
                        provider.create(AllocatorSpec.of(spans, quantum, policy)));
                pluginJar.put("engine " + provider.name(), jar);
            }
            for (AllocationPolicy policy : plugins.policies()) {
                String jar = plugins.jarOf().getOrDefault(policy.getClass().getName(), "?");
                if (policies.containsKey(policy.name())) {
                    warnings.add("plug-in policy \"" + policy.name() + "\" in " + jar
                            + " skipped: an installed policy has that name");
                    continue;
                }
                policies.put(policy.name(), policy);
                pluginJar.put("policy " + policy.name(), jar);
            }
        }
        return new Catalog(engines, policies, pluginJar, warnings);
    }

    /** Engine names, alphabetical. */
    public List<String> engines() {
        return List.copyOf(engines.keySet());
    }

    /** Policy names, alphabetical. */
    public List<String> policies() {
        return List.copyOf(policies.keySet());
    }

    /** Whether an engine is called {@code name}. */
    public boolean hasEngine(String name) {
        return engines.containsKey(name);
    }

    /** Whether a policy is called {@code name}. */
    public boolean hasPolicy(String name) {
        return policies.containsKey(name);
    }

    /** {@code "engine worst-fit" -> "worst-fit-policy-1.0.jar"} for each plug-in that was added. */
    public Map<String, String> plugins() {
        return pluginJar;
    }

    /** The jar a plug-in engine or policy came from, if it is one. */
    public Optional<String> pluginJar(String kind, String name) {
        return Optional.ofNullable(pluginJar.get(kind + " " + name));
    }

    /** Plug-ins skipped, one line each. */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * A new allocator of {@code combination}'s engine over {@code spans} with its policy as the default.
     *
     * @throws IllegalArgumentException      if the engine cannot manage the spans (or a name is unknown)
     * @throws UnsupportedOperationException if the engine lacks a feature this needs
     */
    public ResourceAllocator build(Combination combination, List<Range> spans, long quantum) {
        Engine engine = engines.get(combination.engine());
        AllocationPolicy policy = policies.get(combination.policy());
        if (engine == null || policy == null) {
            throw new IllegalArgumentException("unknown " + (engine == null ? "engine \"" + combination.engine()
                    + "\"; present: " + engines.keySet() : "policy \"" + combination.policy() + "\"; present: "
                    + policies.keySet()));
        }
        return engine.build(spans, quantum, policy);
    }
}
