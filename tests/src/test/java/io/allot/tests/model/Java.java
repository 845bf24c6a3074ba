package io.allot.tests.model;

import io.allot.Range;
import io.allot.Request;

/**
 * Values written as Java source, so that a shrunk failing operation list reads as a reproduction
 * that can be pasted into a test. Every {@code long} is written in hex, with an {@code L} suffix
 * when it does not fit a non-negative {@code int}.
 */
final class Java {

    private static final long MAX = -1L;

    private Java() {
    }

    /** {@code value} as a Java literal: {@code 0x1000}, {@code 0xffffffffffffffffL}. */
    static String hex(long value) {
        return "0x" + Long.toHexString(value) + (value >= 0 && value <= Integer.MAX_VALUE ? "" : "L");
    }

    /** {@code Range.of(start, end)}. */
    static String range(Range r) {
        return "Range.of(" + hex(r.start()) + ", " + hex(r.end()) + ")";
    }

    /** A string literal (tags are generated as plain ASCII). */
    static String string(String s) {
        return s == null ? "null" : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** {@code Request.of(size)} followed by only the withers whose value is not the default. */
    static String request(Request r) {
        StringBuilder sb = new StringBuilder("Request.of(").append(hex(r.size())).append(')');
        if (r.alignment() != 1) {
            sb.append(".aligned(").append(hex(r.alignment())).append(')');
        }
        if (r.phase() != 0) {
            sb.append(".phase(").append(hex(r.phase())).append(')');
        }
        if (r.noCross() != 0) {
            sb.append(".noCross(").append(hex(r.noCross())).append(')');
        }
        if (r.min() != 0 || r.max() != MAX) {
            sb.append(".within(").append(hex(r.min())).append(", ").append(hex(r.max())).append(')');
        }
        if (r.tag() != null) {
            sb.append(".tagged(").append(string(r.tag())).append(')');
        }
        return sb.toString();
    }
}
