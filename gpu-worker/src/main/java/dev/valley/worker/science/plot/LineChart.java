package dev.valley.worker.science.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Line charts drawn with Java2D (headless), side by side in one PNG: the pictures Valley's jobs attach as
 * artifacts. Each panel has its own axes, ticks and legend; a series is solid or dashed, or points alone (a
 * scatter).
 */
public final class LineChart {
    private static final int PANEL_WIDTH = 560;
    private static final int HEIGHT = 420;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 55;
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0x7f7f7f)};
    /** The palette's grey, for data drawn under the series. */
    public static final int GREY = 6;

    /** {@code marker}: a point's diameter in pixels (for {@code points}). */
    public record Series(String label, double[] x, double[] y, int color, boolean dashed, boolean points,
            int marker) {
        public Series(String label, double[] x, double[] y, int color, boolean dashed) {
            this(label, x, y, color, dashed, false, 0);
        }

        /** Points alone, unjoined. */
        public static Series scatter(String label, double[] x, double[] y, int color) {
            return new Series(label, x, y, color, false, true, 8);
        }

        /** Many small points: data under the lines. */
        public static Series dots(String label, double[] x, double[] y, int color) {
            return new Series(label, x, y, color, false, true, 3);
        }
    }

    public record Panel(String title, String xLabel, String yLabel, List<Series> series) {
    }

    private LineChart() {
    }

    public static byte[] png(List<Panel> panels) {
        BufferedImage image = new BufferedImage(PANEL_WIDTH * panels.size(), HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Png.canvas(image);
        for (int i = 0; i < panels.size(); i++) {
            draw(g, panels.get(i), i * PANEL_WIDTH);
        }
        g.dispose();
        return Png.encode(image);
    }

    private static void draw(Graphics2D g, Panel panel, int offset) {
        double[] xr = range(panel.series(), true);
        double[] yr = range(panel.series(), false);
        int x0 = offset + LEFT;
        int x1 = offset + PANEL_WIDTH - RIGHT;
        int y0 = HEIGHT - BOTTOM;
        int y1 = TOP;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(new Color(0xeeeeee));
        List<Double> yTicks = ticks(yr[0], yr[1]);
        List<Double> xTicks = ticks(xr[0], xr[1]);
        for (double t : yTicks) {
            int y = map(t, yr, y0, y1);
            g.drawLine(x0, y, x1, y);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(x0, y1, x1 - x0, y0 - y1);
        for (double t : yTicks) {
            int y = map(t, yr, y0, y1);
            String label = format(t);
            g.drawString(label, x0 - 6 - g.getFontMetrics().stringWidth(label), y + 4);
        }
        for (double t : xTicks) {
            int x = map(t, xr, x0, x1);
            g.drawLine(x, y0, x, y0 + 4);
            String label = format(t);
            g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, y0 + 18);
        }
        g.drawString(panel.xLabel(), (x0 + x1 - g.getFontMetrics().stringWidth(panel.xLabel())) / 2, HEIGHT - 12);
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        rotated.drawString(panel.yLabel(), -(y0 + y1 + g.getFontMetrics().stringWidth(panel.yLabel())) / 2,
                offset + 16);
        rotated.dispose();
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(panel.title(), x0, TOP - 14);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (Series s : panel.series()) {
            Color color = PALETTE[s.color() % PALETTE.length];
            g.setColor(color);
            g.setStroke(stroke(s.dashed()));
            if (s.points()) {
                for (int i = 0; i < s.x().length; i++) {
                    if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
                        g.fillOval(map(s.x()[i], xr, x0, x1) - s.marker() / 2,
                                map(s.y()[i], yr, y0, y1) - s.marker() / 2, s.marker(), s.marker());
                    }
                }
                continue;
            }
            Path2D path = new Path2D.Double();
            for (int i = 0; i < s.x().length; i++) {
                double px = map(s.x()[i], xr, x0, x1);
                double py = map(s.y()[i], yr, y0, y1);
                if (i == 0) {
                    path.moveTo(px, py);
                } else {
                    path.lineTo(px, py);
                }
            }
            g.draw(path);
        }
        // The legend on a translucent box in the right-hand corner (top or bottom) that covers fewer points.
        int labelWidth = panel.series().stream().mapToInt(s -> g.getFontMetrics().stringWidth(s.label())).max()
                .orElse(0);
        int legendX = x1 - labelWidth - 48;
        int boxHeight = 16 * panel.series().size() + 4;
        int top = y1 + 4;
        int bottom = y0 - 4 - boxHeight;
        int boxY = covered(panel, xr, yr, x0, x1, y0, y1, legendX - 4, top, boxHeight)
                <= covered(panel, xr, yr, x0, x1, y0, y1, legendX - 4, bottom, boxHeight) ? top : bottom;
        g.setColor(new Color(255, 255, 255, 210));
        g.fillRect(legendX - 4, boxY, labelWidth + 48, boxHeight);
        int legendY = boxY + 12;
        for (Series s : panel.series()) {
            g.setColor(PALETTE[s.color() % PALETTE.length]);
            g.setStroke(stroke(s.dashed()));
            if (s.points()) {
                g.fillOval(legendX + 11, legendY - 8, 8, 8);
            } else {
                g.drawLine(legendX, legendY - 4, legendX + 30, legendY - 4);
            }
            g.setStroke(new BasicStroke(1));
            g.setColor(Color.DARK_GRAY);
            g.drawString(s.label(), legendX + 36, legendY);
            legendY += 16;
        }
    }

    /** How many data points would lie under a legend box at {@code (left, top)}, reaching the right edge. */
    private static int covered(Panel panel, double[] xr, double[] yr, int x0, int x1, int y0, int y1, int left,
            int top, int height) {
        int count = 0;
        for (Series s : panel.series()) {
            for (int i = 0; i < s.x().length; i++) {
                int px = map(s.x()[i], xr, x0, x1);
                int py = map(s.y()[i], yr, y0, y1);
                if (px >= left && py >= top && py <= top + height) {
                    count++;
                }
            }
        }
        return count;
    }

    private static BasicStroke stroke(boolean dashed) {
        return dashed ? new BasicStroke(2, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1, new float[] {6, 4}, 0)
                : new BasicStroke(2);
    }

    private static double[] range(List<Series> series, boolean x) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (double v : x ? s.x() : s.y()) {
                if (Double.isFinite(v)) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        if (!Double.isFinite(min)) {
            return new double[] {0, 1};
        }
        if (max - min < 1e-12) {
            double pad = Math.max(Math.abs(min) * 0.05, 1e-3);
            return new double[] {min - pad, max + pad};
        }
        double pad = x ? 0 : (max - min) * 0.05;
        return new double[] {min - pad, max + pad};
    }

    private static int map(double v, double[] range, int from, int to) {
        return (int) Math.round(from + (v - range[0]) / (range[1] - range[0]) * (to - from));
    }

    /** About five round ticks inside the range. */
    static List<Double> ticks(double min, double max) {
        double rough = (max - min) / 5;
        double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
        double step = magnitude;
        for (double m : new double[] {1, 2, 5, 10}) {
            step = m * magnitude;
            if (step >= rough) {
                break;
            }
        }
        List<Double> ticks = new ArrayList<>();
        for (double t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) {
            ticks.add(Math.abs(t) < step * 1e-9 ? 0 : t);
        }
        return ticks;
    }

    static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e6) {
            return Long.toString((long) v);
        }
        String s = String.format("%.3g", v);
        return s.contains("e") ? s : s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
