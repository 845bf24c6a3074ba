package io.allot.cli.workload;

import io.allot.cli.trace.Op;
import io.allot.cli.trace.Trace;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkloadTest {

    @ParameterizedTest
    @EnumSource(Workload.class)
    void isDeterministicPerSeedAndHasAtLeastTenToTheFiveOperations(Workload workload) {
        String text = workload.text(1);
        assertEquals(text, workload.text(1), "same seed, same trace");
        assertNotEquals(text, workload.text(2), "another seed, another trace");
        Trace trace = workload.trace(1);
        assertTrue(trace.ops().size() >= 100_000, workload.id() + " has " + trace.ops().size() + " operations");
        assertEquals(workload.id(), trace.source());
        assertTrue(trace.ops().stream().anyMatch(Op.Free.class::isInstance), "frees");
        assertTrue(text.startsWith("# " + workload.id() + ", seed 1: "), "says what it is");
    }

    @ParameterizedTest
    @EnumSource(Workload.class)
    void isFoundByItsName(Workload workload) {
        assertEquals(workload, Workload.named(workload.id()).orElseThrow());
    }
}
