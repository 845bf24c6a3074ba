package io.allot.tests.model;

import io.allot.Range;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/** What a call did: returned {@code value}, or threw {@code thrown}. */
record Outcome(Object value, Throwable thrown) {

    static Outcome of(Supplier<Object> call) {
        try {
            return new Outcome(call.get(), null);
        } catch (Throwable t) { // anything an engine throws is an outcome to compare, even an Error
            return new Outcome(null, t);
        }
    }

    /** Same value, or exceptions of exactly the same class. */
    boolean matches(Outcome other) {
        if (thrown != null || other.thrown != null) {
            return thrown != null && other.thrown != null && thrown.getClass() == other.thrown.getClass();
        }
        return Objects.equals(value, other.value);
    }

    /** "value" or the simple name of the exception: what a failure's kind records of an outcome. */
    String shape() {
        return thrown == null ? "value" : thrown.getClass().getSimpleName();
    }

    /** The placement in this outcome, or null. */
    Range placement() {
        if (value instanceof Range r) {
            return r;
        }
        if (value instanceof Optional<?> o && o.isPresent() && o.get() instanceof Range r) {
            return r;
        }
        return null;
    }

    @Override
    public String toString() {
        return thrown == null ? String.valueOf(value)
                : thrown.getClass().getSimpleName() + "(" + thrown.getMessage() + ")";
    }
}
