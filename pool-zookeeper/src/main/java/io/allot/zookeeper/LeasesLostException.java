package io.allot.zookeeper;

/**
 * A host came back under a new session and found that leases it held had been returned to the
 * pool while it was away (its quarantine's grace period ran out): ids it handed out from them may
 * now be someone else's. The host stays fenced for good; restart it.
 */
final class LeasesLostException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    LeasesLostException(String message) {
        super(message);
    }
}
