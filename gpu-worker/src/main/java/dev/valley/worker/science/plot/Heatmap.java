package dev.valley.worker.science.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * A heatmap of values on a grid (bilinear between grid points, viridis colours), contour lines by marching squares
 * (log-spaced levels for a loss, linear ones otherwise), a colour bar, and points and a path drawn over it.
 */
public final class Heatmap {
    private static final int PLOT = 520;
    private static final int LEFT = 70;
    private static final int TOP = 40;
    private static final int BAR = 18;
    private static final int WIDTH = LEFT + PLOT + 30 + BAR + 70;
    private static final int HEIGHT = TOP + PLOT + 55;
    private static final int LEVELS = 12;
    /** Viridis at eight stops. */
    private static final int[] VIRIDIS = {0x440154, 0x46327e, 0x365c8d, 0x277f8e, 0x1fa187, 0x4ac16d, 0xa0da39,
        0xfde725};

    /** A labelled point in plot coordinates. */
    public record Marker(String label, double x, double y) {
    }

    /** {@code values[j][i]} is the value at (xs[i], ys[j]); {@code path} may be null. */
    public record Chart(String title, double[] xs, double[] ys, double[][] values, boolean logScale,
            List<Marker> markers, double[] pathX, double[] pathY) {
    }

    private Heatmap() {
    }

    public static byte[] png(Chart chart) {
        return Png.encode(image(chart, null));
    }

    /**
     * The colour range that covers every one of {@code frames} (each {@code [ny][nx]}), in the chart's scale: for
     * charts meant to be compared frame by frame.
     */
    public static double[] commonRange(List<double[][]> frames, boolean logScale) {
        double[][] all = frames.stream().map(f -> scaled(f, logScale)).flatMap(java.util.Arrays::stream)
                .toArray(double[][]::new);
        return finiteRange(all);
    }

    /** The chart as an image; {@code range}: the colour scale's ends in the chart's scale (null: the values'). */
    public static BufferedImage image(Chart chart, double[] range) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Png.canvas(image);
        double[] xs = chart.xs();
        double[] ys = chart.ys();
        double[][] scaled = scaled(chart.values(), chart.logScale());
        range = range != null ? range : finiteRange(scaled);
        double x0 = xs[0];
        double x1 = xs[xs.length - 1];
        double y0 = ys[0];
        double y1 = ys[ys.length - 1];
        for (int py = 0; py < PLOT; py++) {
            double fy = ys.length == 1 ? 0 : (1 - (py + 0.5) / PLOT) * (ys.length - 1);
            for (int px = 0; px < PLOT; px++) {
                double fx = xs.length == 1 ? 0 : (px + 0.5) / PLOT * (xs.length - 1);
                double v = bilinear(scaled, fx, fy);
                image.setRGB(LEFT + px, TOP + py, Double.isFinite(v) ? colour(v, range) : 0xd0d0d0);
            }
        }
        g.setClip(LEFT, TOP, PLOT, PLOT);
        g.setStroke(new BasicStroke(0.8f));
        g.setColor(new Color(255, 255, 255, 170));
        for (double level : levels(range)) {
            contour(g, scaled, level, xs.length, ys.length);
        }
        if (chart.pathX() != null) {
            Path2D path = new Path2D.Double();
            for (int i = 0; i < chart.pathX().length; i++) {
                double px = sx(chart.pathX()[i], x0, x1);
                double py = sy(chart.pathY()[i], y0, y1);
                if (i == 0) {
                    path.moveTo(px, py);
                } else {
                    path.lineTo(px, py);
                }
            }
            g.setColor(Color.WHITE);
            g.setStroke(new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1, new float[] {7, 5}, 0));
            g.draw(path);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        for (Marker m : chart.markers()) {
            double px = sx(m.x(), x0, x1);
            double py = sy(m.y(), y0, y1);
            g.setColor(Color.WHITE);
            g.fillOval((int) px - 6, (int) py - 6, 12, 12);
            g.setColor(Color.BLACK);
            g.setStroke(new BasicStroke(1.5f));
            g.drawOval((int) px - 6, (int) py - 6, 12, 12);
            g.setColor(Color.WHITE);
            // Right of the marker, or left of it where the label would run past the plot's edge.
            int width = g.getFontMetrics().stringWidth(m.label());
            int lx = px + 9 + width > LEFT + PLOT ? (int) px - 9 - width : (int) px + 9;
            g.drawString(m.label(), lx, (int) py - 8);
        }
        g.setClip(null);
        axes(g, chart.title(), x0, x1, y0, y1);
        colourBar(g, range, chart.logScale());
        g.dispose();
        return image;
    }

    private static double[][] scaled(double[][] values, boolean log) {
        double[][] result = new double[values.length][];
        for (int j = 0; j < values.length; j++) {
            result[j] = new double[values[j].length];
            for (int i = 0; i < values[j].length; i++) {
                double v = values[j][i];
                result[j][i] = log ? (v > 0 ? Math.log10(v) : Double.NaN) : v;
            }
        }
        return result;
    }

    private static double[] finiteRange(double[][] values) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double[] row : values) {
            for (double v : row) {
                if (Double.isFinite(v)) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        if (!(min <= max)) {
            return new double[] {0, 1};
        }
        return max > min ? new double[] {min, max} : new double[] {min - 0.5, max + 0.5};
    }

    /** Evenly spaced levels strictly inside the range (log-spaced in value when the values are logarithms). */
    static double[] levels(double[] range) {
        double[] levels = new double[LEVELS];
        for (int k = 0; k < LEVELS; k++) {
            levels[k] = range[0] + (range[1] - range[0]) * (k + 1) / (LEVELS + 1);
        }
        return levels;
    }

    private static double bilinear(double[][] v, double fx, double fy) {
        int i = Math.min((int) Math.floor(fx), v[0].length - 1);
        int j = Math.min((int) Math.floor(fy), v.length - 1);
        int i1 = Math.min(i + 1, v[0].length - 1);
        int j1 = Math.min(j + 1, v.length - 1);
        double a = fx - i;
        double b = fy - j;
        return (1 - a) * (1 - b) * v[j][i] + a * (1 - b) * v[j][i1] + (1 - a) * b * v[j1][i] + a * b * v[j1][i1];
    }

    private static int colour(double v, double[] range) {
        return viridis((v - range[0]) / (range[1] - range[0]));
    }

    /** Viridis at {@code f} in [0, 1] (clamped), as 0xRRGGBB. */
    static int viridis(double fraction) {
        double f = Math.max(0, Math.min(1, fraction)) * (VIRIDIS.length - 1);
        int k = Math.min((int) f, VIRIDIS.length - 2);
        double t = f - k;
        int a = VIRIDIS[k];
        int b = VIRIDIS[k + 1];
        int r = (int) Math.round(((a >> 16) & 255) * (1 - t) + ((b >> 16) & 255) * t);
        int gr = (int) Math.round(((a >> 8) & 255) * (1 - t) + ((b >> 8) & 255) * t);
        int bl = (int) Math.round((a & 255) * (1 - t) + (b & 255) * t);
        return (r << 16) | (gr << 8) | bl;
    }

    /**
     * Marching squares: in each grid cell, the level crosses the edges whose corners lie on either side of it, at
     * the linearly interpolated place; the crossings are joined in pairs (a saddle is split by the cell's mean).
     */
    private static void contour(Graphics2D g, double[][] v, double level, int nx, int ny) {
        if (nx < 2 || ny < 2) {
            return;
        }
        double cw = (double) PLOT / (nx - 1);
        double ch = (double) PLOT / (ny - 1);
        for (int j = 0; j + 1 < ny; j++) {
            for (int i = 0; i + 1 < nx; i++) {
                double a = v[j][i];
                double b = v[j][i + 1];
                double c = v[j + 1][i + 1];
                double d = v[j + 1][i];
                if (!(Double.isFinite(a) && Double.isFinite(b) && Double.isFinite(c) && Double.isFinite(d))) {
                    continue;
                }
                List<double[]> crossings = new ArrayList<>(4);
                edge(crossings, a, b, level, i, j, i + 1, j);
                edge(crossings, b, c, level, i + 1, j, i + 1, j + 1);
                edge(crossings, c, d, level, i + 1, j + 1, i, j + 1);
                edge(crossings, d, a, level, i, j + 1, i, j);
                if (crossings.size() == 4 && (a + b + c + d) / 4 > level == a > level) {
                    crossings.add(crossings.remove(0));
                }
                for (int k = 0; k + 1 < crossings.size(); k += 2) {
                    double[] p = crossings.get(k);
                    double[] q = crossings.get(k + 1);
                    g.draw(new Line2D.Double(LEFT + p[0] * cw, TOP + PLOT - p[1] * ch, LEFT + q[0] * cw,
                            TOP + PLOT - q[1] * ch));
                }
            }
        }
    }

    private static void edge(List<double[]> crossings, double p, double q, double level, int pi, int pj, int qi,
            int qj) {
        if ((p > level) != (q > level)) {
            double t = (level - p) / (q - p);
            crossings.add(new double[] {pi + t * (qi - pi), pj + t * (qj - pj)});
        }
    }

    private static double sx(double x, double x0, double x1) {
        return LEFT + (x1 > x0 ? (x - x0) / (x1 - x0) : 0.5) * PLOT;
    }

    private static double sy(double y, double y0, double y1) {
        return TOP + PLOT - (y1 > y0 ? (y - y0) / (y1 - y0) : 0.5) * PLOT;
    }

    private static void axes(Graphics2D g, String title, double x0, double x1, double y0, double y1) {
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1));
        g.drawRect(LEFT, TOP, PLOT, PLOT);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        if (x1 > x0) {
            for (double t : LineChart.ticks(x0, x1)) {
                int px = (int) sx(t, x0, x1);
                g.drawLine(px, TOP + PLOT, px, TOP + PLOT + 5);
                String s = LineChart.format(t);
                g.drawString(s, px - g.getFontMetrics().stringWidth(s) / 2, TOP + PLOT + 19);
            }
        }
        if (y1 > y0) {
            for (double t : LineChart.ticks(y0, y1)) {
                int py = (int) sy(t, y0, y1);
                g.drawLine(LEFT - 5, py, LEFT, py);
                String s = LineChart.format(t);
                g.drawString(s, LEFT - 8 - g.getFontMetrics().stringWidth(s), py + 4);
            }
        }
        g.drawString("x", LEFT + PLOT / 2, TOP + PLOT + 40);
        g.drawString("y", 20, TOP + PLOT / 2);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, LEFT, TOP - 14);
    }

    private static void colourBar(Graphics2D g, double[] range, boolean log) {
        int left = LEFT + PLOT + 30;
        for (int py = 0; py < PLOT; py++) {
            double v = range[1] - (range[1] - range[0]) * (py + 0.5) / PLOT;
            g.setColor(new Color(colour(v, range)));
            g.fillRect(left, TOP + py, BAR, 1);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, TOP, BAR, PLOT);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (double t : LineChart.ticks(range[0], range[1])) {
            int py = (int) (TOP + PLOT - (t - range[0]) / (range[1] - range[0]) * PLOT);
            g.drawLine(left + BAR, py, left + BAR + 4, py);
            g.drawString(LineChart.format(log ? Math.pow(10, t) : t), left + BAR + 7, py + 4);
        }
    }
}
