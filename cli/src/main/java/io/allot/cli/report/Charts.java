package io.allot.cli.report;

import io.allot.Range;
import io.allot.cli.run.Occupancy;
import io.allot.cli.run.Outcome;

import java.util.List;
import java.util.Locale;

/**
 * The report's pictures as inline SVG, drawn by hand so that the page needs nothing from anywhere:
 * a line chart of fragmentation over time, a bar chart of throughput, and an address-map strip.
 * Coordinates are in CSS pixels; text takes its font from the page's stylesheet.
 */
final class Charts {

    /** Policy colours (Tableau 10), assigned in policy order so a policy keeps its colour on every chart. */
    static final List<String> PALETTE = List.of("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
            "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac");
    static final String FREE = "#e6ecf2";
    static final String ALLOCATED = "#1f4e79";
    /** Pixels between the sections of a multi-span address map. */
    private static final int SPAN_GAP = 16;

    private Charts() {
    }

    /** A policy's colour. */
    static String colour(int policyIndex) {
        return PALETTE.get(policyIndex % PALETTE.size());
    }

    /**
     * Fragmentation (0-100%) against operations, one line per run of one engine.
     *
     * @param title      the chart's title
     * @param runs       the completed runs of that engine
     * @param colours    each run's line colour, same order
     * @param operations the trace's length, for the x axis
     */
    static String fragmentation(String title, List<Outcome.Completed> runs, List<String> colours, long operations) {
        int width = 440;
        int height = 220;
        int left = 42;
        int right = 12;
        int top = 26;
        int bottom = 30;
        int plotW = width - left - right;
        int plotH = height - top - bottom;
        StringBuilder svg = new StringBuilder();
        svg.append(open(width, height, title + ": fragmentation over time"));
        svg.append(text(left, 15, "start", "chart-title", title));
        for (int p = 0; p <= 100; p += 25) {
            double y = top + plotH * (1 - p / 100.0);
            svg.append(line(left, y, left + plotW, y, p == 0 ? "axis" : "grid"));
            svg.append(text(left - 6, y + 4, "end", "tick", p + "%"));
        }
        long step = niceStep(operations, 5);
        for (long x = 0; x <= operations; x += step) {
            double px = left + plotW * (double) x / Math.max(1, operations);
            svg.append(line(px, top + plotH, px, top + plotH + 4, "axis"));
            svg.append(text(px, top + plotH + 16, "middle", "tick", shortCount(x)));
        }
        svg.append(text(left + plotW, height - 2, "end", "tick", "operations"));
        for (int r = 0; r < runs.size(); r++) {
            Outcome.Completed run = runs.get(r);
            float[] series = run.fragmentation();
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < series.length; i++) {
                double ops = Math.min(operations, (long) (i + 1) * run.sampleEvery());
                double px = left + plotW * ops / Math.max(1, operations);
                double py = top + plotH * (1 - series[i]);
                points.append(fmt(px)).append(',').append(fmt(py)).append(' ');
            }
            svg.append("<polyline fill=\"none\" stroke=\"").append(colours.get(r))
                    .append("\" stroke-width=\"1.6\" stroke-linejoin=\"round\" points=\"").append(points.toString().trim())
                    .append("\"><title>").append(HtmlReport.escape(run.combination().label())).append("</title></polyline>");
        }
        svg.append("</svg>");
        return svg.toString();
    }

    /**
     * Operations per second as horizontal bars, one per row; a row that did not complete shows why.
     *
     * @param labels  each row's label
     * @param values  ops/s, or NaN for a row that did not complete
     * @param colours each bar's colour
     * @param notes   text for rows that did not complete
     */
    static String throughput(List<String> labels, double[] values, List<String> colours, List<String> notes) {
        int rowH = 22;
        int labelW = 190;
        int width = 600;
        int valueW = 60;
        int top = 8;
        int height = top + rowH * labels.size() + 24;
        double max = 0;
        for (double v : values) {
            if (!Double.isNaN(v)) {
                max = Math.max(max, v);
            }
        }
        double barMax = width - labelW - valueW;
        StringBuilder svg = new StringBuilder(open(width, height, "throughput, operations per second"));
        for (int i = 0; i < labels.size(); i++) {
            double y = top + i * rowH;
            svg.append(text(labelW - 8, y + 15, "end", "label", labels.get(i)));
            if (Double.isNaN(values[i])) {
                svg.append(text(labelW, y + 15, "start", "note", notes.get(i)));
                continue;
            }
            double w = max == 0 ? 0 : barMax * values[i] / max;
            svg.append("<rect x=\"").append(labelW).append("\" y=\"").append(fmt(y + 3)).append("\" width=\"")
                    .append(fmt(Math.max(1, w))).append("\" height=\"").append(rowH - 6).append("\" fill=\"")
                    .append(colours.get(i)).append("\"><title>").append(HtmlReport.escape(labels.get(i))).append(": ")
                    .append(Figures.rate(values[i])).append(" ops/s</title></rect>");
            svg.append(text(labelW + w + 6, y + 15, "start", "value", Figures.rate(values[i])));
        }
        double axisY = top + rowH * labels.size() + 2;
        svg.append(line(labelW, axisY, labelW + barMax, axisY, "axis"));
        svg.append(text(labelW, axisY + 16, "start", "tick", "0"));
        svg.append(text(labelW + barMax, axisY + 16, "end", "tick", Figures.rate(max) + " ops/s"));
        svg.append("</svg>");
        return svg.toString();
    }

    /**
     * An address map: each span a section of equal width, each bucket shaded from free (light) to
     * allocated (dark) by the fraction allocated. Adjacent buckets of the same shade become one rectangle.
     */
    static String strip(Occupancy map, int width, int height) {
        int gap = SPAN_GAP;
        int spans = map.spans().size();
        double sectionW = (width - gap * (spans - 1)) / (double) spans;
        StringBuilder svg = new StringBuilder(open(width, height, "address map at the end"));
        for (int s = 0; s < spans; s++) {
            double x0 = s * (sectionW + gap);
            double[] row = map.allocated()[s];
            double cell = sectionW / row.length;
            svg.append("<rect x=\"").append(fmt(x0)).append("\" y=\"0\" width=\"").append(fmt(sectionW))
                    .append("\" height=\"").append(height).append("\" fill=\"").append(FREE).append("\"/>");
            int i = 0;
            while (i < row.length) {
                int level = level(row[i]);
                int j = i + 1;
                while (j < row.length && level(row[j]) == level) {
                    j++;
                }
                if (level > 0) {
                    svg.append("<rect x=\"").append(fmt(x0 + i * cell)).append("\" y=\"0\" width=\"")
                            .append(fmt((j - i) * cell)).append("\" height=\"").append(height).append("\" fill=\"")
                            .append(shade(level)).append("\"/>");
                }
                i = j;
            }
            Range span = map.spans().get(s);
            svg.append("<rect x=\"").append(fmt(x0)).append("\" y=\"0\" width=\"").append(fmt(sectionW))
                    .append("\" height=\"").append(height).append("\" fill=\"none\" class=\"frame\"><title>")
                    .append(span).append("</title></rect>");
        }
        svg.append("</svg>");
        return svg.toString();
    }

    /** The span labels under a column of strips: each span's start and end under its section. */
    static String spanAxis(List<Range> spans, int width) {
        int gap = SPAN_GAP;
        double sectionW = (width - gap * (spans.size() - 1)) / (double) spans.size();
        StringBuilder svg = new StringBuilder(open(width, 16, "spans"));
        for (int s = 0; s < spans.size(); s++) {
            double x0 = s * (sectionW + gap);
            svg.append(text(x0, 12, "start", "tick", hex(spans.get(s).start())));
            svg.append(text(x0 + sectionW, 12, "end", "tick", hex(spans.get(s).end())));
        }
        svg.append("</svg>");
        return svg.toString();
    }

    /** Eight shades: 0 only when wholly free, 8 only when wholly allocated. */
    private static int level(double fraction) {
        if (fraction <= 0) {
            return 0;
        }
        if (fraction >= 1) {
            return 8;
        }
        return 1 + (int) Math.min(6, fraction * 7);
    }

    /** The colour of a level, mixed from FREE to ALLOCATED. */
    static String shade(int level) {
        double t = level / 8.0;
        int[] from = {0xe6, 0xec, 0xf2};
        int[] to = {0x1f, 0x4e, 0x79};
        StringBuilder c = new StringBuilder("#");
        for (int k = 0; k < 3; k++) {
            c.append(String.format(Locale.ROOT, "%02x", (int) Math.round(from[k] + (to[k] - from[k]) * t)));
        }
        return c.toString();
    }

    private static String open(int width, int height, String label) {
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"" + height
                + "\" viewBox=\"0 0 " + width + " " + height + "\" role=\"img\" aria-label=\""
                + HtmlReport.escape(label) + "\">";
    }

    private static String line(double x1, double y1, double x2, double y2, String cls) {
        return "<line class=\"" + cls + "\" x1=\"" + fmt(x1) + "\" y1=\"" + fmt(y1) + "\" x2=\"" + fmt(x2) + "\" y2=\""
                + fmt(y2) + "\"/>";
    }

    private static String text(double x, double y, String anchor, String cls, String content) {
        return "<text class=\"" + cls + "\" x=\"" + fmt(x) + "\" y=\"" + fmt(y) + "\" text-anchor=\"" + anchor + "\">"
                + HtmlReport.escape(content) + "</text>";
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }

    /** A round tick step giving about {@code ticks} ticks over {@code [0, max]}. */
    static long niceStep(long max, int ticks) {
        double raw = Math.max(1, max) / (double) ticks;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double[] steps = {1, 2, 2.5, 5, 10};
        for (double s : steps) {
            if (s * magnitude >= raw) {
                return Math.max(1, (long) (s * magnitude));
            }
        }
        return Math.max(1, (long) (10 * magnitude));
    }

    /** {@code 25000} &rarr; {@code 25k}. */
    static String shortCount(long value) {
        if (value >= 1_000_000 && value % 100_000 == 0) {
            return (value / 1_000_000.0 + "").replace(".0", "") + "M";
        }
        if (value >= 1000 && value % 100 == 0) {
            return (value / 1000.0 + "").replace(".0", "") + "k";
        }
        return Long.toString(value);
    }
}
