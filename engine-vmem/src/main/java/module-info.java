/**
 * The {@code vmem} engine: a Bonwick–Adams arena — segments with boundary tags in one
 * address-ordered list, power-of-two free lists with a bitmap of the non-empty ones, and a resizing
 * open-addressing hash of allocated segments. See {@link io.allot.engine.vmem.VmemEngine}.
 */
module io.allot.engine.vmem {
    requires io.allot;

    provides io.allot.spi.EngineProvider with io.allot.engine.vmem.VmemEngine;
}
