package io.allot.cli;

/**
 * A failure the user can act on (a missing file, a malformed trace, a plug-in folder that does not
 * load). {@link Main} prints its message as one line on stderr and exits with status 1; no stack
 * trace unless {@code --debug}.
 */
public final class CliException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param message the whole line the user sees, naming the file or value at fault */
    public CliException(String message) {
        super(message);
    }

    /** @param message as {@link #CliException(String)}; {@code cause} is shown only with {@code --debug} */
    public CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
