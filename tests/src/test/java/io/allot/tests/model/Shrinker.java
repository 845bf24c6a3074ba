package io.allot.tests.model;

import io.allot.Range;

import java.util.ArrayList;
import java.util.List;

/**
 * Shrinks a failing operation list to a small one that still fails the same way, by replaying
 * candidates against a fresh engine and model ({@link Harness#replay}, full checks after every
 * operation).
 *
 * <p><b>Algorithm</b> (delta debugging, Zeller &amp; Hildebrandt, "Simplifying and Isolating
 * Failure-Inducing Input", TSE 2002, in its simple complement-removal form):
 * <ol>
 *   <li>Replay the recorded list. Its failure, with full checks after every operation, may be
 *       found at an earlier operation and described differently than in the original run (which
 *       checks lists only now and then); that replay's {@link ModelFailure#kind} is the target.
 *       If the replay passes, the failure does not reproduce and nothing is shrunk.</li>
 *   <li>Try to drop chunks of {@code n/2}, {@code n/4}, ..., 1 operations; keep a smaller list
 *       whenever its replay fails with the target kind, then cut it after the operation at which
 *       that replay failed (later operations never ran).</li>
 *   <li>Replace single operations by simpler versions of themselves ({@link Op#simpler}: the
 *       default policy, no tag, fewer constraints, one quantum instead of many), keeping each
 *       that still fails the same way.</li>
 *   <li>Repeat 2 and 3 until neither changes anything, or the time budget is spent; the result
 *       is then the smallest list found so far, and says so.</li>
 * </ol>
 */
final class Shrinker {

    /** At most this many operations are printed (the last ones) if shrinking stopped early. */
    private static final int MAX_LINES = 200;

    private final String engine;
    private final String policy;
    private final Space space;
    private final long deadline;
    private int replays;

    private Shrinker(String engine, String policy, Space space, long budgetNanos) {
        this.engine = engine;
        this.policy = policy;
        this.space = space;
        this.deadline = System.nanoTime() + budgetNanos;
    }

    /**
     * The result of shrinking: the smallest failing list found, the failure its replay gives and
     * the engine's outcome of each of its operations before that; {@code reproduced} is false if
     * the recorded list did not fail on replay (then {@code ops} is the recorded list).
     */
    record Result(List<Op> ops, ModelFailure failure, List<Outcome> outcomes, boolean reproduced, boolean complete,
                  int originalSize, int replays, long millis) {

        /** One line on how the shrinking went. */
        String summary() {
            if (!reproduced) {
                return complete ? "the recorded " + originalSize + " operations did NOT fail on replay (nondeterminism?)"
                        : "the replay of the recorded " + originalSize + " operations did not finish within the budget";
            }
            return "shrunk from " + originalSize + " to " + ops.size() + " operations in " + millis + " ms, " + replays
                    + " replays" + (complete ? "" : ", stopped by the time budget (smallest so far)");
        }
    }

    /** Shrinks {@code ops} (which failed in a run of {@code engine} x {@code policy} in {@code space}) within {@code budgetNanos}. */
    static Result shrink(String engine, String policy, Space space, List<Op> ops, long budgetNanos) {
        return new Shrinker(engine, policy, space, budgetNanos).run(ops);
    }

    private Result run(List<Op> recorded) {
        long started = System.nanoTime();
        Harness.Replayed first = Harness.replay(engine, policy, space, recorded, deadline);
        replays++;
        if (first.failure() == null) {
            return new Result(recorded, null, first.outcomes(), false, !first.timedOut(), recorded.size(), replays,
                    millisSince(started));
        }
        String target = first.failure().kind;
        List<Op> best = upTo(recorded, first.failure());
        Harness.Replayed bestReplay = first;
        boolean changed = true;
        while (changed && !expired()) {
            changed = false;
            // 2. drop chunks, halving their size
            for (int chunk = Integer.highestOneBit(Math.max(1, best.size() / 2)); chunk >= 1 && !expired(); chunk /= 2) {
                int start = 0;
                while (start < best.size() && !expired()) {
                    List<Op> candidate = new ArrayList<>(best.subList(0, start));
                    candidate.addAll(best.subList(Math.min(best.size(), start + chunk), best.size()));
                    Harness.Replayed replay = sameFailure(candidate, target);
                    if (replay != null) {
                        best = upTo(candidate, replay.failure());
                        bestReplay = replay;
                        changed = true;
                    } else {
                        start += chunk;
                    }
                }
            }
            // 3. simplify single operations
            for (int i = 0; i < best.size() && !expired(); i++) {
                boolean simplified = true;
                while (simplified && i < best.size() && !expired()) {
                    simplified = false;
                    for (Op simpler : simpler(best.get(i), i < bestReplay.outcomes().size()
                            ? bestReplay.outcomes().get(i) : null)) {
                        List<Op> candidate = new ArrayList<>(best);
                        candidate.set(i, simpler);
                        Harness.Replayed replay = sameFailure(candidate, target);
                        if (replay != null) {
                            best = upTo(candidate, replay.failure());
                            bestReplay = replay;
                            changed = simplified = true;
                            break;
                        }
                        if (expired()) {
                            break;
                        }
                    }
                }
            }
        }
        return new Result(best, bestReplay.failure(), bestReplay.outcomes(), true, !expired(), recorded.size(), replays,
                millisSince(started));
    }

    /**
     * Simpler versions of {@code op}: first, for an allocate or tryAllocate that placed something,
     * a {@code reserve} of exactly that placement (the same state, no policy or constraints, so the
     * operations that only steered the placement may then go), then {@link Op#simpler}.
     */
    private List<Op> simpler(Op op, Outcome outcome) {
        List<Op> out = new ArrayList<>();
        Range placed = outcome == null ? null : outcome.placement();
        if (placed != null && (op instanceof Op.Allocate || op instanceof Op.TryAllocate)) {
            out.add(new Op.Reserve(placed, ((Op.Placing) op).request().tag()));
        }
        out.addAll(op.simpler(space, engine));
        return out;
    }

    /** The replay of {@code candidate} if it fails with {@code target}'s kind, else null. */
    private Harness.Replayed sameFailure(List<Op> candidate, String target) {
        replays++;
        Harness.Replayed replay = Harness.replay(engine, policy, space, candidate, deadline);
        return replay.failure() != null && replay.failure().kind.equals(target) ? replay : null;
    }

    private boolean expired() {
        return System.nanoTime() - deadline > 0;
    }

    /** {@code ops} up to and including the one after which {@code failure} was detected. */
    private static List<Op> upTo(List<Op> ops, ModelFailure failure) {
        return List.copyOf(ops.subList(0, Math.min(ops.size(), failure.index + 1)));
    }

    private static long millisSince(long started) {
        return (System.nanoTime() - started) / 1_000_000;
    }

    /** {@link #java(List, List, ModelFailure, String, String, Space)} of a shrinking result. */
    static String java(Result r, String engine, String policy, Space space) {
        return java(r.ops(), r.outcomes(), r.failure(), engine, policy, space);
    }

    /**
     * An operation list as Java: the builder line, then one statement per operation with the
     * engine's outcome as a comment ({@code outcomes} holds those of the operations that passed),
     * the one after which {@code failure} showed marked as such.
     */
    static String java(List<Op> ops, List<Outcome> outcomes, ModelFailure failure, String engine, String policy,
                       Space space) {
        StringBuilder sb = new StringBuilder();
        sb.append("    ").append(space.java(engine, policy));
        if (failure != null && failure.index < 0) {
            sb.append("\n    // <- fails on the fresh allocator: ").append(failure.kind);
        }
        int from = Math.max(0, ops.size() - MAX_LINES);
        if (from > 0) {
            sb.append("\n    // ... ").append(from).append(" earlier operations not shown");
        }
        for (int i = from; i < ops.size(); i++) {
            String line = ops.get(i).java();
            String comment = i < outcomes.size() ? "// -> " + outcomes.get(i)
                    : failure != null && i == failure.index ? "// <- fails: " + failure.kind : "//";
            sb.append("\n    ").append(line).append(" ".repeat(Math.max(1, 90 - line.length()))).append(comment);
        }
        return sb.toString();
    }
}
