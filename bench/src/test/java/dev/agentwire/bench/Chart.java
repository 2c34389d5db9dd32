package dev.agentwire.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A small SVG bar chart of each target's median relative to the baseline (log scale, 1 = baseline). */
final class Chart {

    static final Map<String, String> COLORS = Map.of("agentwire", "#d9534f", "node", "#5cb85c",
            "baseline-tuned", "#5bc0de", "agentwire-tuned", "#f0ad4e");

    private Chart() {
    }

    static String svg(Map<String, Map<String, Double>> med, List<String> targets) {
        List<Report.Metric> metrics = Report.METRICS.stream().filter(Report.Metric::chart).toList();
        List<String> series = targets.stream().filter(t -> !t.equals("baseline")).toList();
        Map<String, Double> base = med.getOrDefault("baseline", Map.of());
        int labelW = 390;
        int plotW = 520;
        int barH = 12;
        int groupH = series.size() * barH + 14;
        int top = 60;
        int height = top + metrics.size() * groupH + 40;
        double min = Math.log10(0.01);
        double max = Math.log10(100);
        var s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", labelW + plotW + 40, height));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append("<text x=\"10\" y=\"20\" font-size=\"15\" font-weight=\"bold\">agentwire benchmarks: median / baseline "
                + "(bare @ServerEndpoint on the same Payara Micro), log scale</text>\n");
        int legendX = 10;
        for (String t : series) {
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"32\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"43\">%s</text>%n", legendX, COLORS.getOrDefault(t, "#777"), legendX + 16, t));
            legendX += 30 + t.length() * 7;
        }
        for (double tick : new double[] {0.01, 0.1, 0.5, 1, 2, 10, 100}) {
            double x = labelW + (Math.log10(tick) - min) / (max - min) * plotW;
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%s</text>%n",
                    x, top - 6, x, height - 30, tick == 1 ? "#000" : "#ddd", x, height - 16, tick + "×"));
        }
        int y = top;
        for (Report.Metric m : metrics) {
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
                    labelW - 8, y + groupH / 2, esc(m.label())));
            for (String t : series) {
                Double v = med.getOrDefault(t, Map.of()).get(m.key());
                Double b = base.get(m.key());
                if (v != null && b != null && b > 0 && v > 0) {
                    double r = v / b;
                    double x1 = labelW + (0 - min) / (max - min) * plotW;
                    double x2 = labelW + (Math.max(min, Math.min(max, Math.log10(r))) - min) / (max - min) * plotW;
                    s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" font-size=\"10\">%.2f</text>%n",
                            Math.min(x1, x2), y, Math.max(1, Math.abs(x2 - x1)), barH - 2, COLORS.getOrDefault(t, "#777"),
                            Math.max(x1, x2) + 3, y + barH - 3, r));
                }
                y += barH;
            }
            y += 14;
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static String esc(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("`", "");
    }
}
