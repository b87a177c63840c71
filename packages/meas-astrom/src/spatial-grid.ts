// Internal: a uniform grid over 2-d points for radius and nearest-neighbour queries.

/** A uniform grid index of 2-d points (compressed rows: one sorted item list per cell). */
export class SpatialGrid {
  readonly #x: Float64Array;
  readonly #y: Float64Array;
  readonly #x0: number;
  readonly #y0: number;
  readonly #cell: number;
  readonly #nx: number;
  readonly #ny: number;
  readonly #start: Int32Array;
  readonly #items: Int32Array;

  /**
   * Indexes the finite points.
   *
   * @param x - x coordinates
   * @param y - y coordinates
   * @param cellSize - the cell size (same unit as x, y)
   */
  constructor(x: Float64Array, y: Float64Array, cellSize: number) {
    this.#x = x;
    this.#y = y;
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    const n = x.length;
    for (let i = 0; i < n; i++) {
      const xi = x[i]!;
      const yi = y[i]!;
      if (!Number.isFinite(xi) || !Number.isFinite(yi)) continue;
      if (xi < x0) x0 = xi;
      if (xi > x1) x1 = xi;
      if (yi < y0) y0 = yi;
      if (yi > y1) y1 = yi;
    }
    if (x0 > x1) {
      x0 = x1 = y0 = y1 = 0;
    }
    // Keep the grid at most ~4 cells per point.
    const span = Math.max(x1 - x0, y1 - y0, 1e-9);
    const cell = Math.max(cellSize, span / Math.max(1, Math.ceil(Math.sqrt(4 * Math.max(n, 1)))));
    this.#x0 = x0;
    this.#y0 = y0;
    this.#cell = cell;
    this.#nx = Math.floor((x1 - x0) / cell) + 1;
    this.#ny = Math.floor((y1 - y0) / cell) + 1;
    const cells = this.#nx * this.#ny;
    const counts = new Int32Array(cells + 1);
    const which = new Int32Array(n).fill(-1);
    for (let i = 0; i < n; i++) {
      const xi = x[i]!;
      const yi = y[i]!;
      if (!Number.isFinite(xi) || !Number.isFinite(yi)) continue;
      const c = Math.floor((yi - y0) / cell) * this.#nx + Math.floor((xi - x0) / cell);
      which[i] = c;
      counts[c + 1]!++;
    }
    for (let c = 0; c < cells; c++) counts[c + 1]! += counts[c]!;
    this.#start = counts;
    const fill = Int32Array.from(counts.subarray(0, cells));
    this.#items = new Int32Array(counts[cells]!);
    for (let i = 0; i < n; i++) if (which[i]! >= 0) this.#items[fill[which[i]!]!++] = i;
  }

  /**
   * Calls `fn` for each point within `r` of (x, y), with its squared distance.
   *
   * @param x - query x
   * @param y - query y
   * @param r - radius
   * @param fn - callback (index, squared distance)
   */
  forEachWithin(x: number, y: number, r: number, fn: (i: number, d2: number) => void): void {
    const cell = this.#cell;
    const cx0 = Math.max(0, Math.floor((x - r - this.#x0) / cell));
    const cx1 = Math.min(this.#nx - 1, Math.floor((x + r - this.#x0) / cell));
    const cy0 = Math.max(0, Math.floor((y - r - this.#y0) / cell));
    const cy1 = Math.min(this.#ny - 1, Math.floor((y + r - this.#y0) / cell));
    const r2 = r * r;
    for (let cy = cy0; cy <= cy1; cy++) {
      for (let cx = cx0; cx <= cx1; cx++) {
        const c = cy * this.#nx + cx;
        for (let k = this.#start[c]!; k < this.#start[c + 1]!; k++) {
          const i = this.#items[k]!;
          const dx = this.#x[i]! - x;
          const dy = this.#y[i]! - y;
          const d2 = dx * dx + dy * dy;
          if (d2 <= r2) fn(i, d2);
        }
      }
    }
  }

  /**
   * The nearest point within `r` of (x, y).
   *
   * @param x - query x
   * @param y - query y
   * @param r - radius
   * @returns the index, or -1 when none is within `r`
   */
  nearest(x: number, y: number, r: number): number {
    let best = -1;
    let bestD2 = Infinity;
    this.forEachWithin(x, y, r, (i, d2) => {
      if (d2 < bestD2) {
        bestD2 = d2;
        best = i;
      }
    });
    return best;
  }
}
