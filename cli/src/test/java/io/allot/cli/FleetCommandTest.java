package io.allot.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code allot fleet} as the cli sees it: listed and documented, usage errors, a one-line error
 * when the allot script did not hand over the simulation's paths, and the simulation's command
 * line. The simulation itself runs in pool-zookeeper's tests and through the script.
 */
class FleetCommandTest {

    @Test
    void listedInTheHelpAndDocumented() {
        Cli top = Cli.run("--help");
        assertEquals(0, top.status(), top.toString());
        assertTrue(top.out().contains("fleet"), top.out());
        Cli help = Cli.run("fleet", "--help");
        assertEquals(0, help.status(), help.toString());
        assertTrue(help.out().startsWith("Usage: allot fleet"), help.out());
        for (String option : new String[] {"--hosts", "--range", "--block", "--ops", "--kill-leader", "--kill-host",
            "--connect", "--durability", "commit-each", "lease-only", "--seed", "Exit status"}) {
            assertTrue(help.out().contains(option), option + " in " + help.out());
        }
    }

    @Test
    void usageErrorsExitWithTwoAndOneLine() {
        for (String[] args : new String[][] {{"fleet", "--nope"}, {"fleet", "--hosts"}, {"fleet", "extra"}}) {
            Cli cli = Cli.run(args);
            assertEquals(2, cli.status(), String.join(" ", args) + ": " + cli);
            assertEquals(1, cli.errLines(), cli.toString());
            assertTrue(cli.err().startsWith("allot fleet: "), cli.err());
            assertEquals("", cli.out());
        }
    }

    @Test
    void withoutTheScriptsPathsItIsAOneLineError() {
        System.clearProperty(FleetCommand.MODULE_PATH);
        System.clearProperty(FleetCommand.CLASS_PATH);
        Cli cli = Cli.run("fleet", "--hosts", "2");
        assertEquals(1, cli.status(), cli.toString());
        assertEquals(1, cli.errLines(), cli.toString());
        assertTrue(cli.err().contains(FleetCommand.MODULE_PATH) && cli.err().contains("./allot fleet"), cli.err());
        assertFalse(cli.err().contains("\tat "), cli.err());
        assertThrows(CliException.class, () -> new FleetCommand().command("a.jar", " "));
    }

    @Test
    void theSimulationGetsThePathsAndExactlyTheOptionsGiven() {
        FleetCommand fleet = new FleetCommand();
        fleet.hosts = "8";
        fleet.range = "0x0-0xffff";
        fleet.killLeader = true;
        fleet.durability = "commit-each";
        List<String> command = fleet.command("api.jar:zk.jar", "lib/curator.jar");
        assertEquals(Path.of(System.getProperty("java.home"), "bin", "java").toString(), command.get(0));
        assertEquals(List.of("--add-modules", "ALL-MODULE-PATH,ALL-DEFAULT", "-p", "api.jar:zk.jar", "-cp", "lib/curator.jar",
                "-m", FleetCommand.MAIN, "--hosts", "8", "--range", "0x0-0xffff", "--kill-leader",
                "--durability", "commit-each"), command.subList(1, command.size()));
    }

    @Test
    void debugGoesOnToTheSimulationWhereverItStands() {
        for (String[] args : new String[][] {{"--debug", "fleet", "--hosts", "2"}, {"fleet", "--hosts", "2", "--debug"}}) {
            picocli.CommandLine cli = new picocli.CommandLine(new AllotCommand());
            picocli.CommandLine.ParseResult parsed = cli.parseArgs(args);
            FleetCommand fleet = (FleetCommand) parsed.subcommand().commandSpec().userObject();
            List<String> command = fleet.command("a.jar", "b.jar");
            assertEquals(List.of("--hosts", "2", "--debug"), command.subList(command.size() - 3, command.size()),
                    String.join(" ", args));
        }
        picocli.CommandLine cli = new picocli.CommandLine(new AllotCommand());
        FleetCommand fleet = (FleetCommand) cli.parseArgs("fleet").subcommand().commandSpec().userObject();
        assertTrue(!fleet.command("a.jar", "b.jar").contains("--debug"), "no --debug unless asked");
    }
}
