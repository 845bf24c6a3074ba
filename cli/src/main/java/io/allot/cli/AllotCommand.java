package io.allot.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** The top-level {@code allot} command: holds the subcommands and the options they all share. */
@Command(name = "allot", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        subcommands = {CompareCommand.class, ReplayCommand.class, WorkloadCommand.class, InspectCommand.class,
            FleetCommand.class},
        description = {"Compares Allot's engines and policies on workloads, replays allocation traces and "
                + "inspects snapshots; simulates a fleet of hosts sharing a pool in ZooKeeper. Engines and policies are those on the module path, plus any "
                + "in a --plugins folder."},
        footer = {"", "Exit status: 0 success, 2 usage error, 1 any other failure (one line on stderr)."})
final class AllotCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print the stack trace of an error.")
    boolean debug;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command: compare, replay, workload, inspect or fleet");
    }
}
