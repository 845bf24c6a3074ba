package io.allot.cli.trace;

/**
 * The trace format's numbers: unsigned 64-bit, decimal or {@code 0x}-hex, {@code _} allowed between
 * digits, and an optional binary suffix {@code K}, {@code M}, {@code G} or {@code T} (2<sup>10</sup>
 * to 2<sup>40</sup>, either case). Parsing and printing live together so that every number the
 * command prints into a trace reads back as the same value.
 */
public final class Quantity {

    private static final String SUFFIXES = "KMGT";

    private Quantity() {
    }

    /**
     * The value of {@code text}.
     *
     * @throws IllegalArgumentException naming {@code text} and the rule it breaks
     */
    public static long parse(String text) {
        return parse(text, "number");
    }

    /**
     * The value of {@code text}, called {@code what} in messages ({@code bad size "12x" (...)}).
     *
     * @throws IllegalArgumentException naming {@code what}, {@code text} and the rule it breaks
     */
    public static long parse(String text, String what) {
        String digits = text;
        int shift = 0;
        if (!digits.isEmpty()) {
            int suffix = SUFFIXES.indexOf(Character.toUpperCase(digits.charAt(digits.length() - 1)));
            if (suffix >= 0) {
                shift = 10 * (suffix + 1);
                digits = digits.substring(0, digits.length() - 1);
            }
        }
        int radix = 10;
        if (digits.startsWith("0x") || digits.startsWith("0X")) {
            radix = 16;
            digits = digits.substring(2);
        }
        if (digits.isEmpty() || digits.startsWith("_") || digits.endsWith("_") || digits.startsWith("+")
                || digits.contains("__")) {
            throw bad(text, what);
        }
        String plain = digits.replace("_", "");
        int base = radix;
        long value;
        try {
            value = Long.parseUnsignedLong(plain, base);
        } catch (NumberFormatException e) {
            if (plain.chars().allMatch(c -> Character.digit(c, base) >= 0)) {
                throw new IllegalArgumentException(what + " \"" + text + "\" is larger than 2^64-1");
            }
            throw bad(text, what);
        }
        if (shift > 0 && Long.compareUnsigned(value, -1L >>> shift) > 0) {
            throw new IllegalArgumentException(what + " \"" + text + "\" is larger than 2^64-1");
        }
        return value << shift;
    }

    private static IllegalArgumentException bad(String text, String what) {
        return new IllegalArgumentException("bad " + what + " \"" + text
                + "\" (expected decimal or 0x-hex, optionally ending in K, M, G or T)");
    }

    /** {@code value} as the trace format writes a size: the largest exact suffix, else decimal. */
    public static String size(long value) {
        if (value != 0) {
            for (int i = SUFFIXES.length() - 1; i >= 0; i--) {
                int shift = 10 * (i + 1);
                if (Long.numberOfTrailingZeros(value) >= shift) {
                    return Long.toUnsignedString(value >>> shift) + SUFFIXES.charAt(i);
                }
            }
        }
        return Long.toUnsignedString(value);
    }

    /** {@code value} as an address: {@code 0x} and lower-case hex digits. */
    public static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }
}
