package io.allot.tests.model;

/**
 * A disagreement between an engine and the {@link ReferenceModel}, or a broken invariant.
 *
 * <p>{@link #kind} says what disagreed in a form stable under shrinking (the operation's type and
 * the shapes of the two outcomes, the stats fields that differ, the list that differs, ...): the
 * shrinker keeps a smaller operation list only if its replay fails with the same kind.
 * {@link #index} is the position of the operation after which it was detected, −1 for the check
 * of the fresh allocator.
 */
final class ModelFailure extends AssertionError {

    private static final long serialVersionUID = 1L;

    final String kind;
    final int index;
    /** The message without the list of recent operations. */
    final String detail;

    ModelFailure(String kind, int index, String detail, String history) {
        super(detail + history);
        this.kind = kind;
        this.index = index;
        this.detail = detail;
    }
}
