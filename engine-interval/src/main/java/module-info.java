/**
 * The {@code interval} engine: a B-tree of ranges tiling the 64-bit space (maple-tree style), each
 * node knowing the largest free segment below each child, plus a B+-tree of free segments by
 * (size, start) built on the first best-fit.
 * See {@link io.allot.engine.interval.IntervalEngine}.
 */
module io.allot.engine.interval {
    requires io.allot;

    provides io.allot.spi.EngineProvider with io.allot.engine.interval.IntervalEngine;
}
