package io.allot.cli;

import io.allot.cli.workload.Workload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code allot workload NAME}: a bundled workload as a trace file, to read, edit and replay. */
@Command(name = "workload", mixinStandardHelpOptions = true,
        description = {"Prints a bundled workload as a trace file.", "",
            "Prints a bundled workload as a trace (format: docs/trace-format.md), so that it can be "
                + "edited and run with 'allot replay' or 'allot compare -w FILE'.",
            "Workloads: vmm-boot, pid-churn, dma, fragmenter."})
final class WorkloadCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "vmm-boot, pid-churn, dma or fragmenter.")
    String name;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Generator seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        Workload workload = Workload.named(name).orElseThrow(() -> new ParameterException(spec.commandLine(),
                "unknown workload \"" + name + "\"; bundled: " + String.join(", ", Workload.ids())));
        spec.commandLine().getOut().print(workload.text(seed));
        spec.commandLine().getOut().flush();
        return Main.OK;
    }
}
