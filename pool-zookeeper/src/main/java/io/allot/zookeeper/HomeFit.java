package io.allot.zookeeper;

import io.allot.Range;
import io.allot.Request;
import io.allot.spi.AllocationPolicy;
import io.allot.spi.FreeSpace;

import java.util.Optional;

/**
 * A fleet-wide pool's default placement: the lowest free placement at or after this host's
 * <em>home</em>, else the lowest anywhere. Each host starts at a random home, moves it past every
 * lease it takes (so it does not rescan its own blocks) and jumps to a random home after losing a
 * race for a block. Hosts thus lease from different parts of the range and rarely contend for one
 * block, where first-match would send every host after the same lowest free block (Calico gives
 * hosts affinity to blocks for the same reason). Not installed through {@code ServiceLoader}: a
 * home belongs to one host's view of one pool.
 */
final class HomeFit implements AllocationPolicy {

    static final String NAME = "home-fit";

    private volatile long home;

    HomeFit(long home) {
        this.home = home;
    }

    void moveHome(long home) {
        this.home = home;
    }

    long home() {
        return home;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Range> place(Request request, FreeSpace free) {
        Optional<Range> above = free.firstFit(request, home);
        return above.isPresent() ? above : free.firstFit(request, 0);
    }
}
