package io.allot.internal;

/**
 * How a hot method keeps its uncommon cases out of its compiled code: it sends them through a
 * method that calls itself {@link #HOPS} times before it does the work ({@code if (hops > 0)
 * return rarely(..., hops - 1);}).
 *
 * <p>HotSpot's C2 inlines any method of up to 325 bytecodes ({@code FreqInlineSize}) behind a call
 * that the profile says ran often, and a benchmark's or an application's set-up (random frees,
 * growth, index syncs) runs the uncommon cases often enough. Inlined, they make the hot method's
 * own compiled code pass {@code InlineSmallCode} (2,500 bytes), and from then on C2 refuses to
 * inline the hot method into its callers ("already compiled into a big method"): each call then
 * pays a frame and reloads every field. C2 inlines a method into itself at most once
 * ({@code MaxRecursiveInlineLevel}, 1), so the second of two self-calls is always a real call,
 * whatever the profile; in the inlined copies {@code hops} is a constant and everything but the
 * next call is pruned, so the hot method carries one call instruction for all its uncommon cases.
 *
 * <p>The technique was first used in {@code engine-bitmap}'s {@code BitTree} (its id claim and
 * free); W1 went from 13.2 to 8.55 ns per id pair.
 */
public final class Outlined {

    /** The self-calls between a hot path and its uncommon cases: two, one past the inlining limit. */
    public static final int HOPS = 2;

    private Outlined() {
    }
}
