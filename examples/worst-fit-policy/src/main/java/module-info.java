/**
 * A third-party policy for Allot: worst fit. It needs nothing of Allot but the SPI, and is found
 * by {@link java.util.ServiceLoader} on the module path, or in a folder given to
 * {@code allot compare --plugins}.
 */
module com.example.worstfit {
    requires io.allot;

    provides io.allot.spi.AllocationPolicy with com.example.worstfit.WorstFit;
}
