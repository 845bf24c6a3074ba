/**
 * The {@code bitmap} engine: one bit per quantum with 64-ary summaries, lock-free single quanta
 * when built thread-safe; the default behind {@link io.allot.IdAllocator}. See
 * {@link io.allot.engine.bitmap.BitmapEngine}.
 */
module io.allot.engine.bitmap {
    requires io.allot;

    provides io.allot.spi.EngineProvider with io.allot.engine.bitmap.BitmapEngine;
}
