package io.allot.cli.run;

import io.allot.cli.CliException;
import io.allot.spi.AllocationPolicy;
import io.allot.spi.EngineProvider;

import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolutionException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Engines and policies from a folder of jars, loaded into a {@link ModuleLayer} of their own above
 * the boot layer: a jar with a {@code module-info} is that module, a plain jar an automatic module
 * named after its file (its {@code META-INF/services} entries become its {@code provides}). Both
 * read Allot's {@code io.allot} from the boot layer, so their classes implement the very SPI the
 * engines on the module path implement.
 *
 * <p>{@link io.allot.Allocators} only sees the boot layer, so the providers found here are handed
 * to the builder as instances: a policy through {@code Builder.policy(AllocationPolicy)}, an engine
 * by calling its {@link EngineProvider#create} directly.
 *
 * @param dir       the folder the jars came from
 * @param engines   the engine providers defined in the plug-in layer, in jar order
 * @param policies  the policies defined in the plug-in layer, in jar order
 * @param jarOf     provider class name &rarr; the jar's file name, for messages and the report
 * @param warnings  what was skipped and why, one line each
 */
public record Plugins(Path dir, List<EngineProvider> engines, List<AllocationPolicy> policies,
                      Map<String, String> jarOf, List<String> warnings) {

    /**
     * Loads every {@code *.jar} directly in {@code dir}.
     *
     * @throws CliException if {@code dir} is not a readable folder, holds no jar, or its jars do not
     *                      form a resolvable set of modules
     */
    public static Plugins load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new CliException("--plugins " + dir + ": not a folder");
        }
        List<Path> jars;
        try (Stream<Path> files = Files.list(dir)) {
            jars = files.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p))
                    .sorted().toList();
        } catch (IOException e) {
            throw new CliException("--plugins " + dir + ": " + e.getMessage(), e);
        }
        if (jars.isEmpty()) {
            throw new CliException("--plugins " + dir + ": no .jar file in it (was the plug-in built?)");
        }
        ModuleLayer boot = ModuleLayer.boot();
        List<String> warnings = new ArrayList<>();
        List<Path> accepted = new ArrayList<>();
        Map<String, String> jarOfModule = new HashMap<>();
        for (Path jar : jars) {
            try {
                Set<ModuleReference> found = ModuleFinder.of(jar).findAll();
                for (ModuleReference ref : found) {
                    String name = ref.descriptor().name();
                    if (boot.findModule(name).isPresent()) {
                        warnings.add("plug-in " + jar.getFileName() + " skipped: module " + name
                                + " is already on the module path");
                    } else if (jarOfModule.containsKey(name)) {
                        warnings.add("plug-in " + jar.getFileName() + " skipped: module " + name
                                + " is also in " + jarOfModule.get(name));
                    } else {
                        accepted.add(jar);
                        jarOfModule.put(name, jar.getFileName().toString());
                    }
                }
            } catch (FindException e) {
                throw new CliException("--plugins " + dir + ": " + jar.getFileName() + " is not a usable module: "
                        + rootMessage(e), e);
            }
        }
        ModuleLayer layer;
        try {
            ModuleFinder finder = ModuleFinder.of(accepted.toArray(Path[]::new));
            Configuration configuration = boot.configuration().resolveAndBind(finder, ModuleFinder.of(),
                    jarOfModule.keySet());
            layer = boot.defineModulesWithOneLoader(configuration, ClassLoader.getSystemClassLoader());
        } catch (FindException | ResolutionException | LayerInstantiationException e) {
            throw new CliException("--plugins " + dir + ": the jars do not load together: " + rootMessage(e), e);
        }
        Map<String, String> jarOf = new HashMap<>();
        List<EngineProvider> engines = providers(layer, EngineProvider.class, jarOfModule, jarOf, warnings);
        List<AllocationPolicy> policies = providers(layer, AllocationPolicy.class, jarOfModule, jarOf, warnings);
        if (engines.isEmpty() && policies.isEmpty()) {
            warnings.add("--plugins " + dir + ": no engine or policy in " + jarOfModule.values().stream().sorted()
                    .collect(Collectors.joining(", ")));
        }
        return new Plugins(dir, engines, policies, Map.copyOf(jarOf), List.copyOf(warnings));
    }

    private static <T> List<T> providers(ModuleLayer layer, Class<T> service, Map<String, String> jarOfModule,
                                         Map<String, String> jarOf, List<String> warnings) {
        List<T> found = new ArrayList<>();
        Iterator<ServiceLoader.Provider<T>> candidates = ServiceLoader.load(layer, service).stream().iterator();
        while (true) {
            ServiceLoader.Provider<T> provider;
            try {
                if (!candidates.hasNext()) {
                    break;
                }
                provider = candidates.next();
            } catch (ServiceConfigurationError e) {
                warnings.add("a plug-in " + service.getSimpleName() + " skipped: " + rootMessage(e));
                continue;
            }
            if (provider.type().getModule().getLayer() != layer) {
                continue;                                   // the boot layer's own: Allocators has them
            }
            String jar = jarOfModule.getOrDefault(provider.type().getModule().getName(), "?");
            try {
                T instance = provider.get();
                found.add(instance);
                jarOf.put(instance.getClass().getName(), jar);
            } catch (ServiceConfigurationError | RuntimeException e) {
                warnings.add("plug-in " + provider.type().getName() + " in " + jar + " skipped: it failed to load: "
                        + rootMessage(e));
            }
        }
        return found;
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message != null ? message : root.getClass().getSimpleName();
    }
}
