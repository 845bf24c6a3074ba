/**
 * The {@code allot} command: compares every engine &times; policy present at run time on bundled or
 * user-written workloads and writes a report; replays a trace; prints a bundled workload; inspects a
 * snapshot.
 *
 * <p>It imports no engine and no policy: both are found with {@link java.util.ServiceLoader}, in the
 * boot layer through {@link io.allot.Allocators} and in a plug-in folder through a
 * {@link java.lang.ModuleLayer} of its own, which is why this module says {@code uses} for both.
 * picocli reads the command classes reflectively, so their package is opened to it.
 */
module io.allot.cli {
    requires io.allot;
    requires info.picocli;
    requires java.management;    // the heap meter reads each pool's usage after a collection

    opens io.allot.cli to info.picocli;

    uses io.allot.spi.EngineProvider;
    uses io.allot.spi.AllocationPolicy;
}
