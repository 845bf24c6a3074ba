/**
 * Allot's user API ({@link io.allot}) and plug-in SPI ({@link io.allot.spi}).
 *
 * <p>Engines and policies are found with {@link java.util.ServiceLoader}; this module says
 * {@code uses} for both so that {@link io.allot.Allocators} can look them up on the module path
 * and the class path alike. The placement math and the contract-checking allocator shared by
 * every engine live in {@code io.allot.internal}, exported only to Allot's own engines: it is not
 * API and may change in any release.
 */
module io.allot {
    exports io.allot;
    exports io.allot.spi;
    exports io.allot.internal to
            io.allot.engine.interval,
            io.allot.engine.bitmap,
            io.allot.engine.vmem,
            io.allot.zookeeper;

    uses io.allot.spi.EngineProvider;
    uses io.allot.spi.AllocationPolicy;
}
