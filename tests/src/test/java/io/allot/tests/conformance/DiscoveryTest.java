package io.allot.tests.conformance;

import io.allot.AddressAllocator;
import io.allot.Allocators;
import io.allot.IdAllocator;
import io.allot.Range;
import io.allot.ResourceAllocator;
import io.allot.spi.AllocationPolicy;
import io.allot.tests.Matrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Engines and policies are found by name through {@link Allocators}; the builder's defaults are
 * the documented ones; and every provider module is findable on the class path as well as on the
 * module path.
 */
class DiscoveryTest {

    private static final String ENGINES_AND_POLICIES = "io.allot.tests.Matrix#enginesAndPolicies";

    private static final Map<String, String> STANDARD_POLICIES = Map.of(
            "best-fit", "io.allot.policies.BestFit",
            "first-match", "io.allot.policies.FirstMatch",
            "instant-fit", "io.allot.policies.InstantFit",
            "last-match", "io.allot.policies.LastMatch",
            "next-fit", "io.allot.policies.NextFit");

    @Test
    void enginesIncludeInterval() {
        assertTrue(Allocators.engines().contains("interval"), Allocators.engines()::toString);
    }

    @Test
    void policiesIncludeTheFiveStandardOnes() {
        assertTrue(Allocators.policies().containsAll(STANDARD_POLICIES.keySet()), Allocators.policies()::toString);
    }

    @Test
    void namesAreListedOnceInAlphabeticalOrder() {
        for (List<String> names : List.of(Allocators.engines(), Allocators.policies())) {
            List<String> sorted = new ArrayList<>(names);
            sorted.sort(null);
            assertEquals(sorted, names);
            assertEquals(Set.copyOf(names).size(), names.size(), names::toString);
        }
    }

    @Test
    void everyListedPolicyIsFoundByItsName() {
        for (String name : Allocators.policies()) {
            AllocationPolicy policy = Allocators.policy(name);
            assertEquals(name, policy.name());
            assertSame(policy, Allocators.policy(name), "one cached instance per policy");
        }
    }

    @Test
    void standardPoliciesAreTheNamedClasses() {
        STANDARD_POLICIES.forEach((name, type) -> assertEquals(type, Allocators.policy(name).getClass().getName()));
    }

    @Test
    void builderDefaultsToIntervalFirstMatchAndQuantumOne() {
        ResourceAllocator pool = Allocators.builder().span(Range.of(0x1000, 0x1fff)).build();
        assertEquals("interval", pool.engine());
        assertEquals("first-match", pool.defaultPolicy().name());
        assertEquals(1, pool.quantum());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void builtAllocatorReportsItsEngineAndPolicy(String engine, String policy) {
        ResourceAllocator pool = Matrix.build(engine, policy, Range.of(0x1000, 0x1fff));
        assertEquals(engine, pool.engine());
        assertEquals(policy, pool.defaultPolicy().name());
        assertSame(Allocators.policy(policy), pool.defaultPolicy());
    }

    @Test
    void convenienceAllocatorsPickTheDocumentedEngines() {
        assertEquals("interval", AddressAllocator.of(0x1000, 0x1000).allocator().engine());
        assertEquals("first-match", AddressAllocator.of(0x1000, 0x1000).allocator().defaultPolicy().name());
        String ids = IdAllocator.of(0, 100).allocator().engine();
        assertEquals(Allocators.engines().contains("bitmap") ? "bitmap" : "interval", ids);
        assertEquals("first-match", IdAllocator.of(0, 100).allocator().defaultPolicy().name());
        assertEquals("next-fit", IdAllocator.cyclic(0, 100).allocator().defaultPolicy().name());
        assertEquals("interval", IdAllocator.of(0, 100, "interval").allocator().engine());
    }

    /**
     * DESIGN.md: each provider module says {@code provides} in module-info <em>and</em> lists the
     * same classes under {@code META-INF/services/}, so that class-path users (shaded jars, JMH)
     * find them too.
     */
    @Test
    void everyProviderModuleAlsoListsItsProvidersUnderMetaInfServices() throws IOException {
        int checked = 0;
        for (Module module : ModuleLayer.boot().modules()) {
            for (ModuleDescriptor.Provides provides : module.getDescriptor().provides()) {
                if (!provides.service().startsWith("io.allot.spi.")) {
                    continue;
                }
                String file = "META-INF/services/" + provides.service();
                try (InputStream in = module.getResourceAsStream(file)) {
                    assertNotNull(in, module.getName() + " provides " + provides.service() + " but has no " + file);
                    List<String> listed = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                            .map(line -> line.replaceFirst("#.*", "").strip())
                            .filter(line -> !line.isEmpty())
                            .toList();
                    assertEquals(Set.copyOf(provides.providers()), Set.copyOf(listed), module.getName() + " " + file);
                }
                checked++;
            }
        }
        assertTrue(checked >= 2, "expected at least the policies and the interval engine, found " + checked);
    }

    @Test
    void apiModuleUsesBothServices() {
        ModuleDescriptor api = Allocators.class.getModule().getDescriptor();
        assertEquals("io.allot", api.name());
        assertTrue(api.uses().containsAll(Set.of("io.allot.spi.EngineProvider", "io.allot.spi.AllocationPolicy")),
                api.uses()::toString);
        assertFalse(api.exports().stream().anyMatch(e -> e.source().equals("io.allot.internal") && !e.isQualified()),
                "io.allot.internal is not exported to everyone");
    }
}
