package io.allot.bench;

import io.allot.Allocators;
import io.allot.Range;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs every {@code @Benchmark} method of the module as JMH would — states instantiated,
 * {@code @Param} fields filled, {@code @Setup} and {@code @TearDown} called — but on tiny states
 * and a few invocations, for every engine and policy on the class path (the values
 * {@code bench/run} would pass). JMH itself never runs here. Finds the benchmarks by scanning the
 * compiled package, and checks that JMH's generated {@code META-INF/BenchmarkList} lists exactly
 * those, so a benchmark cannot escape the smoke test.
 */
class BenchmarkBodiesTest {

    /** Every int {@code @Param} (a size) becomes this: tiny, yet more than a handful of segments. */
    private static final int TINY = 64;
    private static final int INVOCATIONS = 20;
    private static final Pattern LIST_LINE = Pattern.compile("^JMH S \\d+ (\\S+) S \\d+ \\S+ S \\d+ (\\S+) ");

    @Test
    void everyBenchmarkBodyRunsOnEveryEngineAndPolicy() throws Exception {
        List<Method> benchmarks = benchmarkMethods();
        assertTrue(benchmarks.size() >= 18, "found only " + benchmarks.size() + " benchmarks: " + benchmarks);
        int runs = 0;
        for (Method benchmark : benchmarks) {
            Object instance = benchmark.getDeclaringClass().getDeclaredConstructor().newInstance();
            for (List<Object> states : stateCombinations(benchmark)) {
                for (Object state : states) {
                    call(state, Setup.class);
                }
                Object previous = null;
                boolean varied = false;
                for (int i = 0; i < INVOCATIONS; i++) {
                    Object result = invoke(benchmark, instance, states.toArray());
                    assertNotNull(result, benchmark + " returned null, which JMH's dead-code guard would drop");
                    if (result instanceof Range range) {
                        assertTrue(range.size() > 0);
                    }
                    varied |= previous != null && !previous.equals(result);
                    previous = result;
                }
                for (Object state : states) {
                    call(state, TearDown.class);
                }
                runs++;
                if (benchmark.getName().equals("freeReplace") || benchmark.getDeclaringClass() == W2.class) {
                    assertTrue(varied, benchmark + " on " + describe(states) + " returned the same value every time");
                }
            }
        }
        assertTrue(runs >= benchmarks.size(), "ran " + runs + " combinations");
    }

    @Test
    void jmhGeneratedExactlyTheBenchmarksThisTestRuns() throws IOException, URISyntaxException {
        Set<String> found = new TreeSet<>();
        for (Method m : benchmarkMethods()) {
            found.add(m.getDeclaringClass().getName() + "." + m.getName());
        }
        Set<String> listed = new TreeSet<>();
        try (InputStream in = BenchmarkBodiesTest.class.getResourceAsStream("/META-INF/BenchmarkList")) {
            assertNotNull(in, "JMH's annotation processor wrote no META-INF/BenchmarkList");
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                Matcher m = LIST_LINE.matcher(line);
                if (m.find()) {
                    listed.add(m.group(1) + "." + m.group(2));
                }
            }
        }
        assertEquals(listed, found);
    }

    /** Every public {@code @Benchmark} method of the classes compiled into this package. */
    private static List<Method> benchmarkMethods() throws IOException, URISyntaxException {
        Path dir = Path.of(W1.class.getResource("W1.class").toURI()).getParent();
        List<Method> methods = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                if (!name.endsWith(".class") || name.contains("$")) {
                    continue;
                }
                Class<?> type = load(W1.class.getPackageName() + "." + name.substring(0, name.length() - 6));
                Arrays.stream(type.getMethods()).filter(m -> m.isAnnotationPresent(Benchmark.class))
                        .sorted(Comparator.comparing(Method::getName)).forEach(methods::add);
            }
        }
        return methods;
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    /** Every filling of the benchmark's states' parameters: one instance per state per combination. */
    private static List<List<Object>> stateCombinations(Method benchmark) throws ReflectiveOperationException {
        List<List<Object>> combinations = new ArrayList<>();
        combinations.add(new ArrayList<>());
        for (Class<?> stateType : benchmark.getParameterTypes()) {
            assertTrue(stateType.isAnnotationPresent(State.class), stateType + " is no @State");
            List<Map<Field, Object>> fillings = new ArrayList<>();
            fillings.add(Map.of());
            for (Field field : stateType.getFields()) {
                if (!field.isAnnotationPresent(Param.class)) {
                    continue;
                }
                List<Map<Field, Object>> next = new ArrayList<>();
                for (Map<Field, Object> filling : fillings) {
                    for (Object value : values(field)) {
                        Map<Field, Object> extended = new java.util.HashMap<>(filling);
                        extended.put(field, value);
                        next.add(extended);
                    }
                }
                fillings = next;
            }
            List<List<Object>> grown = new ArrayList<>();
            for (List<Object> partial : combinations) {
                for (Map<Field, Object> filling : fillings) {
                    Object state = stateType.getDeclaredConstructor().newInstance();
                    for (Map.Entry<Field, Object> e : filling.entrySet()) {
                        e.getKey().set(state, e.getValue());
                    }
                    List<Object> extended = new ArrayList<>(partial);
                    extended.add(state);
                    grown.add(extended);
                }
            }
            combinations = grown;
        }
        return combinations;
    }

    /** The values {@code bench/run} would pass for a parameter, or {@link #TINY} for a size. */
    private static List<?> values(Field field) {
        if (field.getType() == int.class) {
            return List.of(TINY);
        }
        return switch (field.getName()) {
            case "engine" -> Allocators.engines();
            case "policy" -> Allocators.policies();
            case "cachingEngine" -> Discover.cachingEngines();
            default -> fail("no smoke-test values for @Param " + field);
        };
    }

    private static void call(Object state, Class<? extends java.lang.annotation.Annotation> phase)
            throws ReflectiveOperationException {
        Set<String> done = new HashSet<>();
        for (Method m : state.getClass().getMethods()) {
            if (m.isAnnotationPresent(phase) && !Modifier.isStatic(m.getModifiers()) && done.add(m.getName())) {
                invoke(m, state);
            }
        }
    }

    private static Object invoke(Method method, Object target, Object... args) throws IllegalAccessException {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw new AssertionError(method + " threw " + e.getCause(), e.getCause());
        }
    }

    private static String describe(List<Object> states) {
        List<String> parts = new ArrayList<>();
        for (Object state : states) {
            for (Field f : state.getClass().getFields()) {
                if (f.isAnnotationPresent(Param.class)) {
                    try {
                        parts.add(f.getName() + "=" + f.get(state));
                    } catch (IllegalAccessException e) {
                        throw new AssertionError(e);
                    }
                }
            }
        }
        return String.join(", ", parts);
    }
}
