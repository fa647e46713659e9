package dev.vboost.tools.demo;

import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * Percentile curves of wake-up lateness, one per mode, as a self-contained SVG: x is the percentile on a
 * "nines" axis ({@code -log10(1 - p)}: 0, 90, 99, 99.9 ... equally spaced), y the lateness in microseconds on
 * a log axis.
 */
final class LatencyPlot {
    private static final int WIDTH = 760;
    private static final int HEIGHT = 460;
    private static final int LEFT = 70;
    private static final int RIGHT = 150;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;
    private static final String[] COLORS = {"#d62728", "#2ca02c", "#1f77b4", "#9467bd", "#ff7f0e"};

    private LatencyPlot() {
    }

    static String svg(String title, List<ModeResult> results) {
        double maxNines = 1;
        double maxMicros = 10;
        for (ModeResult r : results) {
            Histogram h = r.latency;
            if (r.ok() && h != null && h.getTotalCount() > 0) {
                maxNines = Math.max(maxNines, Math.min(5, Math.floor(Math.log10(h.getTotalCount()))));
                maxMicros = Math.max(maxMicros, h.getMaxValue() / 1000.0);
            }
        }
        int decades = (int) Math.ceil(Math.log10(maxMicros));
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\">%s</text>%n", LEFT, escape(title)));
        // y grid: powers of ten from 1 µs
        for (int d = 0; d <= decades; d++) {
            double y = TOP + plotH - plotH * d / decades;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    LEFT, y, LEFT + plotW, y));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT - 6,
                    y + 4, microsLabel(Math.pow(10, d))));
        }
        // x grid: 0, 90, 99, 99.9 ...
        for (int n = 0; n <= maxNines; n++) {
            double x = LEFT + plotW * n / maxNines;
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    x, TOP, x, TOP + plotH));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>%n", x,
                    TOP + plotH + 18, percentileLabel(n)));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n",
                LEFT + plotW / 2, HEIGHT - 8));
        s.append(String.format(Locale.ROOT, "<text transform=\"translate(16,%.1f) rotate(-90)\" text-anchor=\"middle\">"
                + "wake-up lateness (log)</text>%n", TOP + plotH / 2));
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
                + "stroke=\"#444\"/>%n", LEFT, TOP, plotW, plotH));
        int legend = 0;
        for (int i = 0; i < results.size(); i++) {
            ModeResult r = results.get(i);
            Histogram h = r.latency;
            String color = COLORS[i % COLORS.length];
            double ly = TOP + 14 + 20 * legend++;
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    + "stroke-width=\"3\"/>%n", LEFT + plotW + 12, ly - 4, LEFT + plotW + 36, ly - 4, color));
            String label = r.mode.key() + (r.ok() ? "" : " (" + r.status + ")");
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\">%s</text>%n", LEFT + plotW + 42, ly,
                    escape(label)));
            if (!r.ok() || h == null || h.getTotalCount() == 0) {
                continue;
            }
            StringBuilder pts = new StringBuilder();
            int steps = 200;
            for (int k = 0; k <= steps; k++) {
                double nines = maxNines * k / steps;
                double p = 100.0 * (1 - Math.pow(10, -nines));
                double micros = Math.max(1.0, h.getValueAtPercentile(Math.min(100.0, p)) / 1000.0);
                double x = LEFT + plotW * nines / maxNines;
                double y = TOP + plotH - plotH * Math.log10(micros) / decades;
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            s.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
                    color, pts.toString().trim()));
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static String percentileLabel(int nines) {
        if (nines == 0) {
            return "0%";
        }
        if (nines == 1) {
            return "90%";
        }
        return nines == 2 ? "99%" : "99." + "9".repeat(nines - 2) + "%";
    }

    private static String microsLabel(double micros) {
        if (micros >= 1_000_000) {
            return String.format(Locale.ROOT, "%.0f s", micros / 1e6);
        }
        if (micros >= 1000) {
            return String.format(Locale.ROOT, "%.0f ms", micros / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f us", micros);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
