package io.allot.tests.model;

import io.allot.Allocators;
import io.allot.Range;
import io.allot.ResourceAllocator;

import java.util.List;

/**
 * One space the model-based tests run operations in: its name, quantum, initial spans, and the
 * spans that {@code addSpan} operations add later (in order; some are meant to be refused).
 */
record Space(String name, long quantum, List<Range> spans, List<Range> growth) {

    Space {
        spans = List.copyOf(spans);
        growth = List.copyOf(growth);
    }

    /** A fresh allocator over this space on {@code engine} with default policy {@code policy}. */
    ResourceAllocator build(String engine, String policy) {
        Allocators.Builder builder = Allocators.builder().engine(engine).policy(policy).quantum(quantum);
        spans.forEach(builder::span);
        return builder.build();
    }

    /** A fresh reference model of {@link #build}. */
    ReferenceModel model(String policy) {
        return new ReferenceModel(spans, quantum, policy);
    }

    /** {@link #build} as a line of Java, for a reproduction. */
    String java(String engine, String policy) {
        StringBuilder sb = new StringBuilder("ResourceAllocator a = Allocators.builder().engine(\"").append(engine)
                .append("\").policy(\"").append(policy).append("\").quantum(").append(Java.hex(quantum)).append(')');
        for (Range span : spans) {
            sb.append(".span(").append(Java.range(span)).append(')');
        }
        return sb.append(".build();").toString();
    }
}
