package io.allot.zookeeper;

import org.apache.zookeeper.KeeperException;

/**
 * One of a transaction's own operations failed (a node to create existed, one to delete or check
 * did not, a version moved): somebody else changed the pool since this host last read it. The
 * transaction changed nothing. Checked, so that every caller decides what a conflict means.
 */
final class TxnConflict extends Exception {

    private static final long serialVersionUID = 1L;

    /** Index of the failing operation among those the caller passed. */
    final int index;
    final KeeperException.Code code;

    TxnConflict(int index, KeeperException.Code code) {
        super("operation " + index + " failed: " + code, null, false, false);
        this.index = index;
        this.code = code;
    }
}
