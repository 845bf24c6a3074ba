package io.allot.internal;

import io.allot.Range;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * An {@link Iterator} of ranges whose engine says only how to take one step: the free segments an
 * engine walks for {@link io.allot.spi.FreeSpace#ascending} and
 * {@link io.allot.spi.FreeSpace#descending}. Each engine walks its own structure (a B-tree path, a
 * bitmap's runs, an augmented index); what every such walk shares lives here once: a range looked
 * up at most one step ahead, so that {@link #hasNext} answers the same however often it is asked,
 * no step taken after the walk has ended, and the {@link NoSuchElementException} past the end.
 *
 * <p>Steps are taken lazily, when {@link #hasNext} or {@link #next} needs one. Like the walks it
 * serves, an iterator is valid only while the allocator does not change; not thread-safe.
 */
public abstract class RangeWalk implements Iterator<Range> {

    /** The range {@link #next} returns next, or null when no step has found it yet. */
    private Range ahead;
    private boolean ended;

    /** For subclasses. */
    protected RangeWalk() {
    }

    /**
     * The walk's next range: the engine's own step. Called once per range, and once more to find
     * that there is none; never again after it has returned null.
     *
     * @return the next range, or null when the walk is over
     */
    protected abstract Range step();

    @Override
    public final boolean hasNext() {
        if (ahead == null && !ended) {
            ahead = step();
            ended = ahead == null;
        }
        return ahead != null;
    }

    /**
     * @throws NoSuchElementException when the walk is over
     */
    @Override
    public final Range next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more free ranges");
        }
        Range current = ahead;
        ahead = null;
        return current;
    }
}
