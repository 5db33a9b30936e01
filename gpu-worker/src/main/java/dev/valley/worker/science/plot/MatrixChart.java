package dev.valley.worker.science.plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Square matrices as coloured cells (viridis from 0 to the panel's largest value), side by side in one PNG, each
 * with its members along both axes and, while they fit, its values written in the cells.
 */
public final class MatrixChart {
    private static final int PLOT = 420;
    private static final int LEFT = 110;
    private static final int TOP = 40;
    private static final int BAR = 16;
    private static final int PANEL_WIDTH = LEFT + PLOT + 20 + BAR + 60;
    private static final int HEIGHT = TOP + PLOT + 110;

    /** {@code values[a][b]} for members a (row) and b (column). */
    public record Panel(String title, List<String> members, double[][] values) {
    }

    private MatrixChart() {
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
        int k = panel.members().size();
        double max = 0;
        for (double[] row : panel.values()) {
            for (double v : row) {
                max = Double.isFinite(v) ? Math.max(max, v) : max;
            }
        }
        double top = max > 0 ? max : 1;
        int cell = PLOT / k;
        int x0 = offset + LEFT;
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.setColor(Color.DARK_GRAY);
        g.drawString(panel.title(), x0, TOP - 14);
        Font small = new Font(Font.SANS_SERIF, Font.PLAIN, k <= 12 ? 11 : 9);
        g.setFont(small);
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                double v = panel.values()[a][b];
                int rgb = Double.isFinite(v) ? Heatmap.viridis(v / top) : 0xd0d0d0;
                g.setColor(new Color(rgb));
                g.fillRect(x0 + b * cell, TOP + a * cell, cell, cell);
                if (k <= 10) {
                    String text = String.format("%.3f", v);
                    g.setColor(v / top > 0.6 ? Color.DARK_GRAY : Color.WHITE);
                    g.drawString(text, x0 + b * cell + (cell - g.getFontMetrics().stringWidth(text)) / 2,
                            TOP + a * cell + cell / 2 + 4);
                }
            }
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(x0, TOP, cell * k, cell * k);
        int step = Math.max(1, (int) Math.ceil(k / 25.0));
        for (int a = 0; a < k; a += step) {
            String label = label(panel.members().get(a), a, k);
            g.drawString(label, x0 - 6 - g.getFontMetrics().stringWidth(label), TOP + a * cell + cell / 2 + 4);
            Graphics2D rotated = (Graphics2D) g.create();
            rotated.translate(x0 + a * cell + cell / 2 + 4, TOP + k * cell + 6);
            rotated.rotate(Math.PI / 2);
            rotated.drawString(label, 0, 0);
            rotated.dispose();
        }
        // The colour bar: 0 at the bottom, the largest value at the top.
        int barX = x0 + k * cell + 20;
        for (int py = 0; py < k * cell; py++) {
            g.setColor(new Color(Heatmap.viridis(1 - (double) py / (k * cell))));
            g.drawLine(barX, TOP + py, barX + BAR, TOP + py);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawString(LineChart.format(top), barX + BAR + 4, TOP + 10);
        g.drawString("0", barX + BAR + 4, TOP + k * cell);
    }

    /** The member's name while there are few, else its index. */
    private static String label(String name, int index, int k) {
        if (k > 12) {
            return Integer.toString(index);
        }
        return name.length() > 14 ? name.substring(0, 13) + "…" : name;
    }
}
