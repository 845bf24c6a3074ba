package io.allot.cli.report;

import io.allot.Range;
import io.allot.cli.run.Outcome;

import java.util.List;

/**
 * One workload's comparison: what ran and how each engine &times; policy did.
 *
 * @param name        the workload's name ({@code vmm-boot}, or a file name)
 * @param description one sentence on what it models
 * @param operations  operations in the trace
 * @param quantum     the trace's quantum
 * @param spans       the trace's initial spans
 * @param outcomes    one per combination, in table order
 */
public record WorkloadResult(String name, String description, long operations, long quantum, List<Range> spans,
                             List<Outcome> outcomes) {

    /** Copies the lists. */
    public WorkloadResult {
        spans = List.copyOf(spans);
        outcomes = List.copyOf(outcomes);
    }
}
