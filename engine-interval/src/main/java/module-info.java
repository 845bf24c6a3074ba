/**
 * The {@code interval} engine: an AVL tree of the segments that tile each span, each node caching
 * the largest free run in its subtree, plus a second AVL index of free segments by (size, start).
 * See {@link io.allot.engine.interval.IntervalEngine}.
 */
module io.allot.engine.interval {
    requires io.allot;

    provides io.allot.spi.EngineProvider with io.allot.engine.interval.IntervalEngine;
}
