package io.allot.cli;

import io.allot.cli.run.Catalog;
import io.allot.cli.run.Plugins;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;

/** The {@code --plugins DIR} option, shared by the commands that run engines and policies. */
final class PluginOption {

    @Option(names = "--plugins", paramLabel = "DIR",
            description = "Also load the engines and policies of every jar in DIR (a plain jar is an automatic module).")
    Path dir;

    /** The catalog of what is present, plug-ins included; warnings about skipped plug-ins go to {@code err}. */
    Catalog catalog(PrintWriter err) {
        Catalog catalog = Catalog.of(dir == null ? null : Plugins.load(dir));
        catalog.warnings().forEach(w -> err.println("allot: warning: " + w));
        if (catalog.engines().isEmpty()) {
            throw new CliException("no engine on the module path (put an engine jar, such as allot-engine-interval, on it)");
        }
        if (catalog.policies().isEmpty()) {
            throw new CliException("no policy on the module path (put allot-policies on it)");
        }
        return catalog;
    }
}
