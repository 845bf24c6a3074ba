package io.allot.tests;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * How the concurrency suites run their threads: <em>workers</em> that each do a fixed amount of
 * work, and <em>watchers</em> (observers, side threads) that run until the workers are done. All
 * wait on one start latch so they really overlap. A thread that throws fails the test with its
 * exception; a thread still running at the deadline fails it with every thread's stack, since a
 * hang there is a deadlock or livelock to diagnose.
 */
public final class TestThreads {

    private TestThreads() {
    }

    /**
     * Starts every worker and watcher, opens {@code start}, waits for the workers, sets
     * {@code workersDone}, then waits for the watchers, all within {@code timeoutSeconds}.
     *
     * @param context names the run in a failure (engine, threads, seed)
     */
    public static void run(List<? extends Callable<?>> workers, List<? extends Callable<?>> watchers,
                           CountDownLatch start, AtomicBoolean workersDone, long timeoutSeconds, String context)
            throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(workers.size() + watchers.size());
        try {
            List<Future<?>> working = new ArrayList<>();
            for (Callable<?> worker : workers) {
                working.add(pool.submit(worker));
            }
            List<Future<?>> watching = new ArrayList<>();
            for (Callable<?> watcher : watchers) {
                watching.add(pool.submit(watcher));
            }
            start.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            for (Future<?> future : working) {
                await(future, deadline, timeoutSeconds, context);
            }
            workersDone.set(true);
            for (Future<?> future : watching) {
                await(future, deadline, timeoutSeconds, context);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void await(Future<?> future, long deadline, long timeoutSeconds, String context)
            throws InterruptedException {
        try {
            future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            StringBuilder stacks = new StringBuilder();
            Thread.getAllStackTraces().forEach((thread, stack) -> {
                stacks.append('\n').append(thread).append(' ').append(thread.getState());
                for (StackTraceElement frame : stack) {
                    stacks.append("\n    at ").append(frame);
                }
            });
            fail(context + ": not done within " + timeoutSeconds + " s (deadlock or livelock?)" + stacks);
        } catch (ExecutionException e) {
            throw new AssertionError(context + ": a thread failed: " + e.getCause(), e.getCause());
        }
    }
}
