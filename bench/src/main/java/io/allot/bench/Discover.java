package io.allot.bench;

import io.allot.Allocators;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code bench/run} benchmarks: prints, one {@code key=comma,separated,values} line each, the
 * engines and policies found on the class path ({@code META-INF/services}) and the engines that
 * accept V2's quantum caches. Nothing here names an engine or a policy: adding one to the class
 * path adds it to every benchmark.
 */
public final class Discover {

    /**
     * The default of every {@code engine}, {@code policy} and {@code cachingEngine} parameter (JMH
     * insists on one): not a name, so a run without {@code bench/run}'s {@code -p} fails at once
     * with the list of installed names rather than silently measuring one engine.
     */
    public static final String FROM_RUN = "(bench/run passes -p with the discovered names)";

    /** V2's {@code quantumCache(maxSize)}: 16 pages. */
    public static final long CACHE_MAX = 16 * Plan.PAGE;

    private Discover() {
    }

    /** Prints {@code engines=}, {@code policies=} and {@code caching-engines=} lines. */
    public static void main(String[] args) {
        System.out.println("engines=" + String.join(",", Allocators.engines()));
        System.out.println("policies=" + String.join(",", Allocators.policies()));
        System.out.println("caching-engines=" + String.join(",", cachingEngines()));
    }

    /** The installed engines that build V2's allocator; the others are in {@link #cacheRefusals()}. */
    public static List<String> cachingEngines() {
        List<String> accepted = new ArrayList<>();
        for (String engine : Allocators.engines()) {
            if (refusal(engine) == null) {
                accepted.add(engine);
            }
        }
        return accepted;
    }

    /** Each installed engine that refuses V2's allocator, mapped to why. */
    public static Map<String, String> cacheRefusals() {
        Map<String, String> refused = new TreeMap<>();
        for (String engine : Allocators.engines()) {
            String why = refusal(engine);
            if (why != null) {
                refused.put(engine, why);
            }
        }
        return refused;
    }

    /** Engines whose {@code [0, 2^40-1]} page space needs quantum 4 KiB instead of 1. */
    public static List<String> pageQuantumFallbacks() {
        List<String> fallbacks = new ArrayList<>();
        for (String engine : Allocators.engines()) {
            if (PageSpace.build(engine).quantum() != 1) {
                fallbacks.add(engine);
            }
        }
        return fallbacks;
    }

    /** Why {@code engine} refuses an allocator with V2's quantum caches, or null if it accepts one. */
    static String refusal(String engine) {
        try {
            Allocators.builder().engine(engine).span(PageSpace.SPAN).quantum(Plan.PAGE).quantumCache(CACHE_MAX).build();
            return null;
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }
}
