package io.allot.internal;

/**
 * The one rule for tags: well-formed Unicode, so that every tag can be written to a snapshot as
 * UTF-8 and read back equal. (Java strings may hold unpaired surrogates, which UTF-8 cannot encode;
 * {@code String.getBytes} would silently turn them into {@code '?'}.)
 */
public final class Tags {

    private Tags() {
    }

    /**
     * Returns {@code tag} if it is {@code null} or well-formed.
     *
     * @throws IllegalArgumentException naming the index of the first unpaired surrogate
     */
    public static String checked(String tag) {
        if (tag == null) {
            return null;
        }
        for (int i = 0; i < tag.length(); i++) {
            char c = tag.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < tag.length() && Character.isLowSurrogate(tag.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("tag has an unpaired surrogate 0x" + Integer.toHexString(c)
                        + " at index " + i + "; tags must be well-formed Unicode");
            }
        }
        return tag;
    }
}
