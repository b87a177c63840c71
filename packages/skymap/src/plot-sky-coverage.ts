import { SkymapInvalidArgumentError } from './errors.js';
import type { TractInfo } from './tract-info.js';

/** A marker to draw on a {@link plotSkyCoverage} plot (degrees). */
export interface SkyCoveragePoint {
  /** Right ascension (ICRS), degrees. */
  readonly ra: number;
  /** Declination (ICRS), degrees. */
  readonly dec: number;
  /** Optional text drawn beside the marker. */
  readonly label?: string;
}

/** Margins (pixels) between the SVG border and the plot area of a {@link plotSkyCoverage} plot. */
export interface SkyCoverageMargins {
  /** Above the plot area (room for the title). */
  readonly top: number;
  /** Right of the plot area. */
  readonly right: number;
  /** Below the plot area (room for the RA tick labels and axis label). */
  readonly bottom: number;
  /** Left of the plot area (room for the Dec tick labels and axis label). */
  readonly left: number;
}

/** Options of {@link plotSkyCoverage}. */
export interface PlotSkyCoverageOptions {
  /** Also draw the inner outline of every patch, labelled with its sequential index (default false). */
  readonly patches?: boolean;
  /** Title drawn above the plot (default none). */
  readonly title?: string;
  /** SVG width in pixels (default 800). */
  readonly width?: number;
  /** SVG height in pixels (default 600). */
  readonly height?: number;
  /** Draw tract ids (and patch indices when `patches`) and point labels (default true). */
  readonly labels?: boolean;
  /** Marker points (degrees), e.g. targets. */
  readonly points?: readonly SkyCoveragePoint[];
  /**
   * RA axis range `[min, max]` in degrees (min < max; may extend below 0 or above 360 for a set
   * straddling RA 0). Default: the unwrapped RA extent of everything drawn, padded by 5%.
   */
  readonly raRange?: readonly [number, number];
  /** Dec axis range `[min, max]` in degrees (min < max). Default: the Dec extent of everything drawn, padded by 5%. */
  readonly decRange?: readonly [number, number];
  /** Margins around the plot area (default `{ top: 40, right: 20, bottom: 50, left: 70 }`). */
  readonly margins?: Partial<SkyCoverageMargins>;
  /** Points per edge when sampling the great-circle arcs of the outlines (default 8, at least 1). */
  readonly samplesPerEdge?: number;
}

const DEG = 180 / Math.PI;
const DEFAULT_MARGINS: SkyCoverageMargins = { top: 40, right: 20, bottom: 50, left: 70 };

interface Vec {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

/** A polyline in unwrapped (RA, Dec) degrees. */
type RaDecPath = [number, number][];

/** Escapes text for XML content and attribute values. */
function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Wraps an angle difference (degrees) into [-180, 180). */
function wrap180(d: number): number {
  return d - 360 * Math.floor((d + 180) / 360);
}

function raDecOf(v: Vec): [number, number] {
  const ra = Math.atan2(v.y, v.x) * DEG;
  return [ra < 0 ? ra + 360 : ra, Math.atan2(v.z, Math.hypot(v.x, v.y)) * DEG];
}

/**
 * The closed outline of a convex spherical polygon as RA/Dec points: each edge sampled along its
 * great circle, RA unwrapped continuously starting near `ra0`. A polygon around a pole is closed
 * through that pole.
 */
function outlinePath(vertices: readonly Vec[], ra0: number, samples: number): RaDecPath {
  const n = vertices.length;
  const out: RaDecPath = [];
  let prev = ra0;
  for (let i = 0; i < n; i++) {
    const a = vertices[i]!;
    const b = vertices[(i + 1) % n]!;
    for (let k = 0; k < samples; k++) {
      const t = k / samples;
      // Normalised linear interpolation stays on the great circle through a and b.
      const [ra, dec] = raDecOf({ x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y), z: a.z + t * (b.z - a.z) });
      const unwrapped = prev + wrap180(ra - prev);
      out.push([unwrapped, dec]);
      prev = unwrapped;
    }
  }
  if (out.length === 0) return out;
  const closing = prev + wrap180(out[0]![0] - prev);
  const drift = closing - out[0]![0];
  if (Math.abs(drift) > 180) {
    // The outline goes once around the sky: the polygon holds a pole; close it through the pole.
    const pole = drift > 0 ? 90 : -90; // counter-clockwise seen from outside: increasing RA circles the north pole
    out.push([closing, out[0]![1]], [closing, pole], [out[0]![0], pole]);
  }
  return out;
}

/** A "nice" tick step (degrees) giving about `target` ticks over `span`. */
function tickStep(span: number, target: number): number {
  const raw = span / target;
  const nice = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 45, 60, 90];
  for (const s of nice) if (s >= raw) return s;
  return 90;
}

function fmtTick(value: number, step: number): string {
  const decimals = step >= 1 ? 0 : Math.min(4, Math.ceil(-Math.log10(step) - 1e-9));
  const s = value.toFixed(decimals);
  return s === '-0' || /^-0\.0*$/.test(s) ? s.slice(1) : s;
}

const px = (v: number): string => (Math.round(v * 100) / 100).toString();

/**
 * Plots the sky coverage of tracts as an SVG document, like the tract-coverage plots of the LSST
 * tutorials: RA increasing to the left (astronomical convention), Dec up, degree ticks on both
 * axes, each tract's inner polygon (solid, `path.tract-inner`) and outer polygon (dashed,
 * `path.tract-outer`) labelled with the tract id, optionally every patch's inner outline
 * (`path.patch`, labelled with its sequential index) and marker points (`circle.point`).
 *
 * Edges are great-circle arcs sampled at `samplesPerEdge` points. RA is unwrapped around the
 * centre of the set of tracts, so a set straddling RA 0 is drawn as one region (axis labels are
 * shown modulo 360); a polygon around a pole is closed along Dec ±90.
 *
 * The axis mapping is linear in RA and Dec. With the plot area at `(plotX, plotY)` of size
 * `plotWidth × plotHeight` (the SVG size less the margins), a sky position, its RA unwrapped
 * into the axis range by adding a multiple of 360°, lands at
 * `x = plotX + (raMax − ra) / (raMax − raMin) · plotWidth` (RA increases to the left) and
 * `y = plotY + (decMax − dec) / (decMax − decMin) · plotHeight` (Dec increases upwards).
 * The SVG records the mapping on its `<g class="plot-area">` element as `data-ra-min`,
 * `data-ra-max`, `data-dec-min`, `data-dec-max`, `data-x`, `data-y`, `data-width` and `data-height`.
 *
 * @param tracts - the tracts to draw
 * @param options - drawing options
 * @returns the SVG document (UTF-8 text, starting with an XML declaration)
 * @throws {@link SkymapInvalidArgumentError} if a size, range or sample count is invalid
 * @example
 * ```ts
 * const skyMap = makeSkyMap('hsc_rings_v1');
 * const svg = plotSkyCoverage([skyMap.get(9813)], { patches: true, title: 'COSMOS' });
 * // writeFileSync('coverage.svg', svg);
 * ```
 * @see the tract-coverage plots (matplotlib) of the Rubin tutorial notebooks; lsst.skymap has no plotting function
 */
export function plotSkyCoverage(tracts: Iterable<TractInfo>, options: PlotSkyCoverageOptions = {}): string {
  const width = options.width ?? 800;
  const height = options.height ?? 600;
  const samples = options.samplesPerEdge ?? 8;
  const labels = options.labels ?? true;
  const points = options.points ?? [];
  const m = { ...DEFAULT_MARGINS, ...options.margins };
  if (!(Number.isFinite(width) && width > 0 && Number.isFinite(height) && height > 0)) {
    throw new SkymapInvalidArgumentError(`plotSkyCoverage: width and height must be positive numbers, got ${width} x ${height}.`);
  }
  if (!(Number.isInteger(samples) && samples >= 1)) {
    throw new SkymapInvalidArgumentError(`plotSkyCoverage: samplesPerEdge must be an integer >= 1, got ${samples}.`);
  }
  for (const [name, r] of [['raRange', options.raRange], ['decRange', options.decRange]] as const) {
    if (r !== undefined && !(Number.isFinite(r[0]) && Number.isFinite(r[1]) && r[0] < r[1])) {
      throw new SkymapInvalidArgumentError(`plotSkyCoverage: ${name} must be [min, max] with min < max, got [${r.join(', ')}].`);
    }
  }
  const plotX = m.left;
  const plotY = m.top;
  const plotWidth = width - m.left - m.right;
  const plotHeight = height - m.top - m.bottom;
  if (!(plotWidth > 0 && plotHeight > 0)) {
    throw new SkymapInvalidArgumentError(`plotSkyCoverage: the margins leave no plot area in ${width} x ${height}.`);
  }

  const tractList = [...tracts];
  // Centre of the set: mean of the tract centres (RA 180 when they cancel out, e.g. all sky).
  let sx = 0;
  let sy = 0;
  for (const t of tractList) {
    const v = t.getCtrCoord().getVector();
    sx += v.x;
    sy += v.y;
  }
  for (const p of points) {
    sx += Math.cos(p.ra / DEG) * Math.cos(p.dec / DEG);
    sy += Math.sin(p.ra / DEG) * Math.cos(p.dec / DEG);
  }
  const n = tractList.length + points.length;
  const ra0 = n > 0 && Math.hypot(sx, sy) > 1e-9 * n ? (Math.atan2(sy, sx) * DEG + 360) % 360 : 180;
  const unwrap = (ra: number): number => ra0 + wrap180(ra - ra0);

  interface DrawnTract {
    id: number;
    inner: RaDecPath;
    outer: RaDecPath;
    centre: [number, number];
    patches: { index: number; path: RaDecPath; centre: [number, number] }[];
  }
  const drawn: DrawnTract[] = tractList.map((t) => {
    const [cra, cdec] = raDecOf(t.getCtrCoord().getVector());
    const patches: DrawnTract['patches'] = [];
    if (options.patches === true) {
      for (const p of t) {
        const poly = p.getInnerSkyPolygon();
        const [pra, pdec] = raDecOf(poly.getCentroid());
        patches.push({ index: p.getSequentialIndex(), path: outlinePath(poly.getVertices(), unwrap(pra), samples), centre: [unwrap(pra), pdec] });
      }
    }
    return {
      id: t.getId(),
      inner: outlinePath(t.getInnerSkyPolygon().getVertices(), unwrap(cra), samples),
      outer: outlinePath(t.getOuterSkyPolygon().getVertices(), unwrap(cra), samples),
      centre: [unwrap(cra), cdec],
      patches,
    };
  });
  const markers = points.map((p) => ({ ra: unwrap(p.ra), dec: p.dec, label: p.label }));

  // Axis ranges.
  let raMin = Infinity;
  let raMax = -Infinity;
  let decMin = Infinity;
  let decMax = -Infinity;
  const extend = (ra: number, dec: number): void => {
    raMin = Math.min(raMin, ra);
    raMax = Math.max(raMax, ra);
    decMin = Math.min(decMin, dec);
    decMax = Math.max(decMax, dec);
  };
  for (const d of drawn) for (const path of [d.inner, d.outer, ...d.patches.map((p) => p.path)]) for (const [r, dd] of path) extend(r, dd);
  for (const p of markers) extend(p.ra, p.dec);
  if (!Number.isFinite(raMin)) {
    raMin = ra0 - 180;
    raMax = ra0 + 180;
    decMin = -90;
    decMax = 90;
  } else {
    const padRa = Math.max((raMax - raMin) * 0.05, 0.05);
    const padDec = Math.max((decMax - decMin) * 0.05, 0.05);
    raMin -= padRa;
    raMax += padRa;
    decMin = Math.max(-90, decMin - padDec);
    decMax = Math.min(90, decMax + padDec);
  }
  if (options.raRange !== undefined) [raMin, raMax] = options.raRange;
  if (options.decRange !== undefined) [decMin, decMax] = options.decRange;
  // A user-given RA range may sit a multiple of 360 away from the set's centre: shift to match.
  const shift = 360 * Math.round(((raMin + raMax) / 2 - ra0) / 360);
  const toX = (ra: number): number => plotX + ((raMax - (ra + shift)) / (raMax - raMin)) * plotWidth;
  const toY = (dec: number): number => plotY + ((decMax - dec) / (decMax - decMin)) * plotHeight;
  const d = (path: RaDecPath): string =>
    path.map(([r, dd], i) => `${i === 0 ? 'M' : 'L'}${px(toX(r))},${px(toY(dd))}`).join(' ') + ' Z';

  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect class="background" x="0" y="0" width="${px(width)}" height="${px(height)}" fill="white"/>`);
  if (options.title !== undefined) {
    out.push(`<text class="title" x="${px(plotX + plotWidth / 2)}" y="${px(plotY / 2 + 6)}" text-anchor="middle" font-size="16">${escapeXml(options.title)}</text>`);
  }
  out.push('<defs>');
  out.push(`<clipPath id="skystack-plot-area"><rect x="${px(plotX)}" y="${px(plotY)}" width="${px(plotWidth)}" height="${px(plotHeight)}"/></clipPath>`);
  out.push('</defs>');

  // Axes: frame, ticks, grid, labels.
  out.push('<g class="axes" stroke="black" fill="none">');
  out.push(`<rect class="frame" x="${px(plotX)}" y="${px(plotY)}" width="${px(plotWidth)}" height="${px(plotHeight)}"/>`);
  const raStep = tickStep(raMax - raMin, 6);
  const decStep = tickStep(decMax - decMin, 6);
  const tickLabels: string[] = [];
  for (let k = Math.ceil((raMin - 1e-9) / raStep); k * raStep <= raMax + 1e-9; k++) {
    const ra = k * raStep;
    const x = px(plotX + ((raMax - ra) / (raMax - raMin)) * plotWidth);
    out.push(`<line class="grid" x1="${x}" y1="${px(plotY)}" x2="${x}" y2="${px(plotY + plotHeight)}" stroke="#dddddd"/>`);
    out.push(`<line class="tick" x1="${x}" y1="${px(plotY + plotHeight)}" x2="${x}" y2="${px(plotY + plotHeight + 5)}"/>`);
    const label = fmtTick(((ra % 360) + 360) % 360, raStep);
    tickLabels.push(`<text class="ra-tick" x="${x}" y="${px(plotY + plotHeight + 18)}" text-anchor="middle">${label}</text>`);
  }
  for (let k = Math.ceil((decMin - 1e-9) / decStep); k * decStep <= decMax + 1e-9; k++) {
    const dec = k * decStep;
    const y = px(plotY + ((decMax - dec) / (decMax - decMin)) * plotHeight);
    out.push(`<line class="grid" x1="${px(plotX)}" y1="${y}" x2="${px(plotX + plotWidth)}" y2="${y}" stroke="#dddddd"/>`);
    out.push(`<line class="tick" x1="${px(plotX - 5)}" y1="${y}" x2="${px(plotX)}" y2="${y}"/>`);
    tickLabels.push(`<text class="dec-tick" x="${px(plotX - 8)}" y="${y}" dy="4" text-anchor="end">${fmtTick(dec, decStep)}</text>`);
  }
  out.push('</g>');
  out.push(`<g class="tick-labels" fill="black">${tickLabels.join('')}</g>`);
  out.push(
    `<text class="axis-label" x="${px(plotX + plotWidth / 2)}" y="${px(height - 10)}" text-anchor="middle">RA (deg)</text>`,
    `<text class="axis-label" x="${px(16)}" y="${px(plotY + plotHeight / 2)}" text-anchor="middle" transform="rotate(-90 16 ${px(plotY + plotHeight / 2)})">Dec (deg)</text>`,
  );

  // Plot area: patches, tracts, points.
  out.push(
    `<g class="plot-area" clip-path="url(#skystack-plot-area)" data-ra-min="${raMin}" data-ra-max="${raMax}" data-dec-min="${decMin}" data-dec-max="${decMax}" data-x="${plotX}" data-y="${plotY}" data-width="${plotWidth}" data-height="${plotHeight}">`,
  );
  for (const t of drawn) {
    out.push(`<g class="tract" data-tract="${t.id}">`);
    for (const p of t.patches) {
      out.push(`<path class="patch" data-patch="${p.index}" d="${d(p.path)}" fill="none" stroke="#7f9fbf" stroke-width="0.5"/>`);
      if (labels) {
        out.push(`<text class="patch-label" x="${px(toX(p.centre[0]))}" y="${px(toY(p.centre[1]))}" dy="3" text-anchor="middle" font-size="8" fill="#4f6f8f">${p.index}</text>`);
      }
    }
    out.push(`<path class="tract-outer" d="${d(t.outer)}" fill="none" stroke="#1f4f9f" stroke-width="1" stroke-dasharray="4 3"/>`);
    out.push(`<path class="tract-inner" d="${d(t.inner)}" fill="none" stroke="#1f4f9f" stroke-width="1.5"/>`);
    if (labels) {
      out.push(`<text class="tract-label" x="${px(toX(t.centre[0]))}" y="${px(toY(t.centre[1]))}" dy="5" text-anchor="middle" font-size="14" font-weight="bold" fill="#1f4f9f">${t.id}</text>`);
    }
    out.push('</g>');
  }
  for (const p of markers) {
    const x = px(toX(p.ra));
    const y = px(toY(p.dec));
    out.push(`<circle class="point" cx="${x}" cy="${y}" r="3" fill="#d62728"/>`);
    if (labels && p.label !== undefined) {
      out.push(`<text class="point-label" x="${x}" y="${y}" dx="5" dy="-5" fill="#d62728">${escapeXml(p.label)}</text>`);
    }
  }
  out.push('</g>');
  out.push('</svg>');
  return out.join('\n') + '\n';
}
