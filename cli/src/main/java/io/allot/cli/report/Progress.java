package io.allot.cli.report;

import java.io.PrintWriter;

/**
 * A one-line progress bar on stderr, redrawn in place with {@code \r}, at most ten times a second;
 * silent unless stderr is a terminal (the {@code allot} script tells the JVM, which cannot see it
 * for itself), so logs and pipes stay clean.
 */
public final class Progress {

    private static final int BAR = 24;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final boolean enabled;
    private final int runs;
    private int run;
    private String label = "";
    private long lastDraw;
    private int drawnWidth;

    /**
     * @param err     where to draw
     * @param enabled whether stderr is a terminal
     * @param runs    how many runs the bar spans
     */
    public Progress(PrintWriter err, boolean enabled, int runs) {
        this.err = err;
        this.enabled = enabled;
        this.runs = Math.max(1, runs);
    }

    /** Whether the {@code allot} script said stderr is a terminal. */
    public static boolean stderrIsTerminal() {
        return "1".equals(System.getProperty("allot.tty"));
    }

    /** A new run starts; {@code label} names it. */
    public void start(String label) {
        this.label = label;
        draw(0, 1, true);
    }

    /** The current run has done {@code done} of {@code total} operations. */
    public void update(long done, long total) {
        draw(done, total, false);
    }

    /** The current run finished. */
    public void finishRun() {
        run++;
    }

    /** Erases the bar. */
    public void clear() {
        if (enabled && drawnWidth > 0) {
            err.print("\r" + " ".repeat(drawnWidth) + "\r");
            err.flush();
            drawnWidth = 0;
        }
    }

    private void draw(long done, long total, boolean force) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (!force && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        double fraction = (run + (double) done / Math.max(1, total)) / runs;
        int filled = (int) Math.round(fraction * BAR);
        String line = "[" + "#".repeat(filled) + "-".repeat(BAR - filled) + "] " + (run + 1) + "/" + runs + "  " + label;
        int pad = Math.max(0, drawnWidth - line.length());
        err.print("\r" + line + " ".repeat(pad));
        err.flush();
        drawnWidth = line.length();
    }
}
