package dev.valley.model.job;

/** One rectangle of a grid, in grid indices: columns [x0, x1) and rows [y0, y1); tiles are numbered row-major. */
public record GridTile(int index, int x0, int x1, int y0, int y1) {

    public int width() {
        return x1 - x0;
    }

    public int height() {
        return y1 - y0;
    }

    public int points() {
        return width() * height();
    }
}
