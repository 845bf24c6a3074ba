package io.allot.cli.workload;

import io.allot.Range;
import io.allot.Request;
import io.allot.cli.trace.TraceWriter;

import java.util.SplittableRandom;

/**
 * {@code pid-churn}: Linux's default PID space, {@code [0, 32767]}, with PID 0 reserved for the idle
 * task. Processes fork and exit; 3% of forks are daemons that live long (an exit picks one only 2%
 * of the time), the rest are short-lived. Quiet phases (a few hundred to two thousand processes,
 * steady churn) alternate with parallel builds that fork up to a target and then drain: the first
 * aims at 33,000 processes, more than the space holds, so its last forks fail as {@code fork()}
 * does with {@code EAGAIN}; later ones at 4,000 to 20,000. Daemons forked during a build outlive it
 * and stay scattered across the space.
 */
final class PidChurn {

    static final Range PIDS = Range.of(0, 32767);
    private static final int OPERATIONS = 120_000;

    private PidChurn() {
    }

    static void write(TraceWriter out, SplittableRandom random) {
        out.span(PIDS);
        out.reserve("idle", Range.of(0, 0), "idle");
        out.alloc("init", Request.of(1).tagged("init"));
        LiveSet<String> daemons = new LiveSet<>();
        LiveSet<String> shortLived = new LiveSet<>();
        int serial = 0;
        int builds = 0;
        boolean building = false;
        int target = 1_000;
        int quietLeft = 3_000;
        while (out.operations() < OPERATIONS) {
            int live = daemons.size() + shortLived.size();
            if (building && live >= target) {
                building = false;
                target = 200 + random.nextInt(1_801);
                quietLeft = 2_000 + random.nextInt(4_001);
            } else if (!building && live <= target && quietLeft-- <= 0) {
                building = true;
                double u = random.nextDouble();
                target = builds++ == 0 ? 33_000 : 4_000 + (int) (16_000 * u * u);
            }
            boolean fork = building ? random.nextDouble() < 0.95
                    : live > target ? random.nextDouble() < 0.05 : random.nextDouble() < 0.6;
            if (fork || live == 0) {
                String name = "p" + serial++;
                out.alloc(name, Request.of(1));
                (random.nextDouble() < 0.03 ? daemons : shortLived).add(name);
            } else if (!daemons.isEmpty() && (shortLived.isEmpty() || random.nextDouble() < 0.02)) {
                out.free(daemons.removeRandom(random));
            } else {
                out.free(shortLived.removeRandom(random));
            }
        }
    }
}
