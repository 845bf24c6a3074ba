package io.allot.zookeeper;

/**
 * A ZooKeeper path that should hold a fleet-wide pool holds something else: foreign data, a
 * corrupt or future-version record, or a pool with other parameters than asked for. The message
 * names the node and what is wrong with it. Nothing was written: the path is left as it was.
 */
public final class PoolFormatException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    PoolFormatException(String message) {
        super(message);
    }
}
