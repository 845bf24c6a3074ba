package io.allot.cli;

import io.allot.Allocators;
import picocli.CommandLine.IVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** {@code allot --version}: the release, the Java running it, and the engines and policies it found. */
final class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[] {
            "allot " + version() + " (Java " + Runtime.version() + ")",
            "engines:  " + String.join(", ", Allocators.engines()),
            "policies: " + String.join(", ", Allocators.policies()),
        };
    }

    /** The Maven project version, filtered into {@code version.properties} at build time. */
    static String version() {
        try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
