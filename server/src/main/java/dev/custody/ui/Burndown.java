package dev.custody.ui;

import dev.custody.store.Incidents;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An incident's burn-down, drawn on the server as SVG: running pods over time, a step line (the count holds until the
 * tracker sees another), with the axes labelled. No chart library and no script: the image is the data.
 */
final class Burndown {

    static final int WIDTH = 640;
    static final int HEIGHT = 220;
    private static final int LEFT = 48;
    private static final int RIGHT = 16;
    private static final int TOP = 16;
    private static final int BOTTOM = 36;
    private static final DateTimeFormatter HHMMSS = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

    private Burndown() {}

    static String svg(List<Incidents.Point> points, int running, long now) {
        List<Incidents.Point> ps = new ArrayList<>(points);
        if (ps.isEmpty()) {
            ps.add(new Incidents.Point(now, running));
        }
        long t0 = ps.getFirst().at();
        long t1 = Math.max(now, ps.getLast().at());
        if (t1 <= t0) {
            t1 = t0 + 1000;
        }
        int max = Math.max(1, ps.stream().mapToInt(Incidents.Point::running).max().orElse(1));
        double w = WIDTH - LEFT - RIGHT;
        double h = HEIGHT - TOP - BOTTOM;
        StringBuilder path = new StringBuilder();
        double lastY = 0;
        for (int i = 0; i < ps.size(); i++) {
            Incidents.Point p = ps.get(i);
            double x = LEFT + w * (p.at() - t0) / (t1 - t0);
            double y = TOP + h - h * p.running() / max;
            if (i == 0) {
                path.append(String.format(Locale.ROOT, "M%.1f %.1f", x, y));
            } else {
                path.append(String.format(Locale.ROOT, " H%.1f V%.1f", x, y));
            }
            lastY = y;
        }
        path.append(String.format(Locale.ROOT, " H%.1f", LEFT + w));
        int last = ps.getLast().running();
        StringBuilder s = new StringBuilder(2048);
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT).append("\" role=\"img\" aria-labelledby=\"t\">")
                .append("<title id=\"t\">Running pods: ").append(ps.getFirst().running()).append(" at ").append(Instant.ofEpochMilli(t0))
                .append(", ").append(last).append(" now (").append(ps.size()).append(" points)</title>")
                .append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>");
        // axes and gridlines: 0, half and the peak
        for (int v : new int[] {0, max / 2, max}) {
            double y = TOP + h - h * v / max;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#c8ccd2\"/>", LEFT, WIDTH - RIGHT, y, y))
                    .append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" font-size=\"12\" text-anchor=\"end\" fill=\"#1f2328\">%d</text>",
                            LEFT - 6, y + 4, v));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#1f2328\">%s</text>", LEFT, HEIGHT - 12,
                HHMMSS.format(Instant.ofEpochMilli(t0))));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"end\" fill=\"#1f2328\">%s UTC</text>",
                WIDTH - RIGHT, HEIGHT - 12, HHMMSS.format(Instant.ofEpochMilli(t1))));
        s.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"#b3261e\" stroke-width=\"2.5\"/>");
        s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#b3261e\"/>", LEFT + w, lastY));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"13\" font-weight=\"bold\" text-anchor=\"end\" fill=\"#1f2328\">%d running</text>",
                WIDTH - RIGHT, TOP + 12, last));
        return s.append("</svg>").toString();
    }
}
