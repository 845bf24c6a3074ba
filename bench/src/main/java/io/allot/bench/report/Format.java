package io.allot.bench.report;

import java.util.Locale;

/** How the report prints times, ratios and byte counts: three significant digits, a unit that fits. */
final class Format {

    private Format() {
    }

    /** {@code 9.71 ns}, {@code 1,059 ns}, {@code 43.5 ms}. */
    static String time(double ns) {
        if (Double.isNaN(ns)) {
            return "—";
        }
        if (ns < 10) {
            return String.format(Locale.ROOT, "%.2f ns", ns);
        }
        if (ns < 100) {
            return String.format(Locale.ROOT, "%.1f ns", ns);
        }
        if (ns < 10_000) {
            return String.format(Locale.ROOT, "%,.0f ns", ns);
        }
        if (ns < 10_000_000) {
            return String.format(Locale.ROOT, "%,.1f µs", ns / 1e3);
        }
        if (ns < 10_000_000_000.0) {
            return String.format(Locale.ROOT, "%,.1f ms", ns / 1e6);
        }
        return String.format(Locale.ROOT, "%,.2f s", ns / 1e9);
    }

    /** {@code 1/8,300×} (below 0.01), {@code 0.044×}, {@code 11.2×}, {@code 1,230×}. */
    static String ratio(double r) {
        if (Double.isNaN(r) || Double.isInfinite(r) || r <= 0) {
            return "—";
        }
        if (r < 0.01) {
            return String.format(Locale.ROOT, "1/%,.0f×", 1 / r);
        }
        if (r < 0.1) {
            return String.format(Locale.ROOT, "%.3f×", r);
        }
        if (r < 10) {
            return String.format(Locale.ROOT, "%.2f×", r);
        }
        if (r < 100) {
            return String.format(Locale.ROOT, "%.1f×", r);
        }
        return String.format(Locale.ROOT, "%,.0f×", r);
    }

    /** Bytes: {@code 0.25}, {@code 24}, {@code 1,234}. */
    static String bytes(double b) {
        if (Double.isNaN(b)) {
            return "—";
        }
        if (Math.abs(b) < 10 && b != Math.rint(b)) {
            return String.format(Locale.ROOT, "%.2f", b);
        }
        return String.format(Locale.ROOT, "%,.0f", b);
    }

    /** {@code 1k}, {@code 100k}, {@code 1M}, or the number. */
    static String size(long n) {
        if (n >= 1_000_000 && n % 1_000_000 == 0) {
            return n / 1_000_000 + "M";
        }
        if (n >= 1_000 && n % 1_000 == 0) {
            return n / 1_000 + "k";
        }
        return Long.toString(n);
    }
}
