package io.allot.cli.report;

import io.allot.Range;
import io.allot.cli.run.Outcome;
import io.allot.cli.trace.Quantity;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The comparison as one self-contained HTML page: inline CSS and SVG, no script, no font, image or
 * stylesheet fetched from anywhere, so it can be mailed or archived and opened offline. Per
 * workload: the table (leaders in each column marked), fragmentation over time (a chart per engine,
 * a line per policy), throughput bars, and an address-map strip per engine &times; policy.
 */
public final class HtmlReport {

    private static final int STRIP_WIDTH = 720;

    /**
     * What the page says about the run as a whole.
     *
     * @param version  allot's version
     * @param seed     the bundled workloads' seed
     * @param engines  engines compared
     * @param policies policies compared, in colour order
     * @param plugins  plug-ins that were added ({@code "policy worst-fit" -> jar})
     * @param heap     whether heap was measured
     */
    public record Context(String version, long seed, List<String> engines, List<String> policies,
                          Map<String, String> plugins, boolean heap) {
    }

    private HtmlReport() {
    }

    /** The page. */
    public static String render(List<WorkloadResult> results, Context context) {
        StringBuilder html = new StringBuilder(1 << 16);
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>Allot comparison</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n");
        html.append("<header>\n<h1>Allot: engines &times; policies</h1>\n<p class=\"meta\">")
                .append(escape("allot " + context.version() + " · Java " + Runtime.version() + " · "
                        + Runtime.getRuntime().availableProcessors() + " cores · seed " + context.seed() + " · "
                        + ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z"))))
                .append("</p>\n<p>Engines: <b>").append(escape(String.join(", ", context.engines())))
                .append("</b>. Policies: ").append(legend(context.policies())).append(".");
        if (!context.plugins().isEmpty()) {
            html.append(" Plug-ins: ").append(escape(context.plugins().entrySet().stream()
                    .map(e -> e.getKey() + " (" + e.getValue() + ")").collect(Collectors.joining(", ")))).append('.');
        }
        html.append("</p>\n<nav>");
        for (WorkloadResult result : results) {
            html.append("<a href=\"#").append(anchor(result.name())).append("\">").append(escape(result.name()))
                    .append("</a> ");
        }
        html.append("</nav>\n<details><summary>How to read this</summary><p><b>ops/s</b>: trace operations per "
                + "second of wall-clock time, the median of the timed runs after an untimed warm-up of every "
                + "combination (a combination whose first run takes over 1.5 s runs once). <b>failed</b>: "
                + "allocations (alloc, reserve, realloc) that found no room. <b>fragmentation</b> = 1 &minus; "
                + "largest free range / free space, read after every operation: 0% when all free space is one "
                + "range, near 100% when it is shattered. <b>largest free</b> and <b>live</b>: at the end, in the "
                + "space's own units. <b>heap</b>: bytes the allocator retains at the end (used heap with it "
                + "reachable minus without it, after garbage collection settles). The leader of each column is "
                + "marked. Address maps shade each cell by the share allocated; spans are drawn side by side at "
                + "equal width whatever their size.</p></details>\n</header>\n");
        for (WorkloadResult result : results) {
            section(html, result, context);
        }
        html.append("</body>\n</html>\n");
        return html.toString();
    }

    private static void section(StringBuilder html, WorkloadResult result, Context context) {
        List<Outcome> outcomes = result.outcomes();
        html.append("<section id=\"").append(anchor(result.name())).append("\">\n<h2>").append(escape(result.name()))
                .append("</h2>\n<p>").append(escape(capitalised(result.description()))).append(".</p>\n<p class=\"meta\">")
                .append(escape(String.format("%,d", result.operations()))).append(" operations · spans ")
                .append(escape(result.spans().stream().map(Range::toString).collect(Collectors.joining(" "))));
        if (result.quantum() != 1) {
            html.append(" · quantum ").append(Quantity.size(result.quantum()));
        }
        html.append("</p>\n");
        table(html, outcomes);
        String leaders = ResultTable.leaders(outcomes);
        if (!leaders.isEmpty()) {
            html.append("<p class=\"leaders\">").append(escape(capitalised(leaders))).append(".</p>\n");
        }
        html.append("<div class=\"charts\">\n");
        for (String engine : context.engines()) {
            List<Outcome.Completed> runs = new ArrayList<>();
            List<String> colours = new ArrayList<>();
            for (Outcome o : outcomes) {
                if (o instanceof Outcome.Completed c && c.combination().engine().equals(engine)) {
                    runs.add(c);
                    colours.add(Charts.colour(context.policies().indexOf(c.combination().policy())));
                }
            }
            if (!runs.isEmpty()) {
                html.append("<figure>").append(Charts.fragmentation(engine, runs, colours, result.operations()))
                        .append("<figcaption>Fragmentation over time, engine ").append(escape(engine))
                        .append(": ").append(legend(runs.stream().map(r -> r.combination().policy()).toList(),
                                context.policies())).append("</figcaption></figure>\n");
            }
        }
        html.append("<figure>");
        List<String> labels = new ArrayList<>();
        double[] values = new double[outcomes.size()];
        List<String> colours = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome o = outcomes.get(i);
            labels.add(o.combination().label());
            values[i] = o instanceof Outcome.Completed c ? c.opsPerSecond() : Double.NaN;
            colours.add(Charts.colour(context.policies().indexOf(o.combination().policy())));
            notes.add(o instanceof Outcome.Refused ? "not run: engine refused the space" : "stopped: see the table");
        }
        html.append(Charts.throughput(labels, values, colours, notes))
                .append("<figcaption>Throughput, operations per second (median of the timed runs)</figcaption></figure>\n</div>\n");
        Optional<Outcome.Completed> mapped = outcomes.stream().filter(Outcome.Completed.class::isInstance)
                .map(Outcome.Completed.class::cast).findFirst();
        if (mapped.isPresent()) {
            html.append("<h3>Address map at the end</h3>\n<p class=\"meta\"><span class=\"swatch\" style=\"background:")
                    .append(Charts.FREE).append("\"></span> free <span class=\"swatch\" style=\"background:")
                    .append(Charts.shade(4)).append("\"></span> partly allocated <span class=\"swatch\" style=\"background:")
                    .append(Charts.ALLOCATED).append("\"></span> allocated</p>\n<div class=\"maps\">\n");
            for (Outcome o : outcomes) {
                html.append("<div class=\"map\"><span class=\"label\">").append(escape(o.combination().label()))
                        .append("</span>");
                if (o instanceof Outcome.Completed c) {
                    html.append(Charts.strip(c.map(), STRIP_WIDTH, 18));
                } else {
                    html.append("<span class=\"note\">").append(escape(ResultTable.problem(o))).append("</span>");
                }
                html.append("</div>\n");
            }
            html.append("<div class=\"map\"><span class=\"label\"></span>")
                    .append(Charts.spanAxis(mapped.get().map().spans(), STRIP_WIDTH)).append("</div>\n</div>\n");
        }
        html.append("</section>\n");
    }

    private static void table(StringBuilder html, List<Outcome> outcomes) {
        html.append("<table>\n<thead><tr>");
        for (int i = 0; i < ResultTable.HEADINGS.size(); i++) {
            html.append(i < 2 ? "<th>" : "<th class=\"num\">").append(escape(ResultTable.HEADINGS.get(i))).append("</th>");
        }
        html.append("</tr></thead>\n<tbody>\n");
        for (Outcome o : outcomes) {
            List<String> cells = ResultTable.cells(o);
            html.append("<tr>");
            for (int i = 0; i < cells.size(); i++) {
                boolean problem = cells.size() < ResultTable.HEADINGS.size() && i == cells.size() - 1;
                String cls = problem ? "note" : i < 2 ? "" : "num";
                if (!problem && o instanceof Outcome.Completed c) {
                    for (Best b : Best.values()) {
                        if (b.column() == i && b.leads(c, outcomes)) {
                            cls += " best";
                        }
                    }
                }
                html.append("<td");
                if (problem) {
                    html.append(" colspan=\"").append(ResultTable.HEADINGS.size() - i).append('"');
                }
                if (!cls.isBlank()) {
                    html.append(" class=\"").append(cls.trim()).append('"');
                }
                html.append('>').append(escape(cells.get(i))).append("</td>");
            }
            html.append("</tr>\n");
        }
        html.append("</tbody>\n</table>\n");
    }

    private static String legend(List<String> policies) {
        return legend(policies, policies);
    }

    private static String legend(List<String> shown, List<String> order) {
        return shown.stream().map(p -> "<span class=\"swatch\" style=\"background:"
                + Charts.colour(order.indexOf(p)) + "\"></span>" + escape(p)).collect(Collectors.joining(" "));
    }

    private static String anchor(String name) {
        return "w-" + name.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    private static String capitalised(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    /** {@code text} safe inside HTML and SVG text and attribute values. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static final String STYLE = """
            :root { color-scheme: light; --ink: #1d2733; --muted: #5b6775; --rule: #d5dce4; --best: #e3f1e3; }
            body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
                   color: var(--ink); margin: 24px auto; max-width: 1180px; padding: 0 20px; }
            h1 { font-size: 24px; margin: 0 0 4px; }
            h2 { font-size: 19px; margin: 0 0 4px; }
            h3 { font-size: 15px; margin: 18px 0 4px; }
            section { border-top: 2px solid var(--rule); margin-top: 28px; padding-top: 16px; }
            .meta { color: var(--muted); font-size: 13px; margin: 2px 0 8px; }
            nav a { margin-right: 12px; }
            details { margin: 8px 0; color: var(--muted); font-size: 13px; }
            table { border-collapse: collapse; margin: 10px 0 14px; font-variant-numeric: tabular-nums; }
            th, td { padding: 4px 10px; border-bottom: 1px solid var(--rule); text-align: left; white-space: nowrap; }
            th { font-weight: 600; border-bottom: 2px solid var(--rule); }
            .num { text-align: right; }
            td.best { background: var(--best); font-weight: 600; }
            td.note, .note { color: #9a3b1b; white-space: normal; }
            .charts { display: flex; flex-wrap: wrap; gap: 8px 28px; align-items: flex-start; }
            .leaders { margin: 0 0 10px; }
            figure { margin: 8px 0; width: min-content; }
            figcaption { color: var(--muted); font-size: 12px; }
            .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin: 0 3px 0 6px;
                      vertical-align: baseline; }
            svg text { font-family: inherit; fill: var(--ink); }
            svg .chart-title { font-size: 13px; font-weight: 600; }
            svg .tick { font-size: 11px; fill: var(--muted); }
            svg .label, svg .value { font-size: 12px; }
            svg .note { font-size: 12px; fill: #9a3b1b; }
            svg .grid { stroke: #edf0f4; }
            svg .axis { stroke: #9aa5b1; }
            svg .frame { stroke: #9aa5b1; stroke-width: 0.5; }
            .maps .map { display: flex; align-items: center; gap: 10px; margin: 3px 0; }
            .maps .label { width: 200px; text-align: right; font-size: 12px; flex: none; }
            """;
}
