package io.allot.cli.report;

import java.util.Locale;

/**
 * Numbers as a person reads them in a table: rates with k/M/G, counts with thousands separators,
 * unit counts exact up to 99,999 then with binary prefixes (the unit is whatever the space counts:
 * bytes, ids, vectors), heap sizes in bytes with binary prefixes, fractions as percentages. Unsigned
 * where the value is a unit count.
 */
public final class Figures {

    private static final String[] PREFIXES = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

    private Figures() {
    }

    /** {@code 1234567.0} &rarr; {@code 1.23M}. */
    public static String rate(double perSecond) {
        if (perSecond >= 1e9) {
            return String.format(Locale.ROOT, "%.2fG", perSecond / 1e9);
        }
        if (perSecond >= 1e6) {
            return String.format(Locale.ROOT, "%.2fM", perSecond / 1e6);
        }
        if (perSecond >= 1e3) {
            return String.format(Locale.ROOT, "%.0fk", perSecond / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", perSecond);
    }

    /** {@code 1234567} &rarr; {@code 1,234,567}. */
    public static String count(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    /** An unsigned count of units: exact below 100,000, else {@code 1.50 Gi}. */
    public static String units(long value) {
        if (Long.compareUnsigned(value, 100_000) < 0) {
            return count(value);
        }
        return binary(unsigned(value), "");
    }

    /** Bytes: {@code 812 B}, {@code 1.21 MiB}. */
    public static String bytes(long value) {
        if (value < 1024) {
            return value + " B";
        }
        return binary(value, "B");
    }

    /** {@code 0.1234} &rarr; {@code 12.3%}. */
    public static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", fraction * 100);
    }

    /** Seconds with two decimals: {@code 0.41 s}. */
    public static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    private static String binary(double value, String unit) {
        int prefix = -1;
        while (value >= 1024 && prefix < PREFIXES.length - 1) {
            value /= 1024;
            prefix++;
        }
        String digits = value >= 100 ? String.format(Locale.ROOT, "%.0f", value)
                : value >= 10 ? String.format(Locale.ROOT, "%.1f", value) : String.format(Locale.ROOT, "%.2f", value);
        return digits + " " + PREFIXES[prefix] + unit;
    }

    static double unsigned(long value) {
        return (double) (value >>> 1) * 2.0 + (value & 1);
    }
}
