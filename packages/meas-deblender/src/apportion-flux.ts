import type { MaskedImage, PixelArray } from '@skystack/afw-image';
import { SpanSet } from '@skystack/afw-table';

import type { FootprintPixels } from './footprint-pixels.js';
import type { TemplateImage } from './symmetric-template.js';

/** How stray flux (footprint pixels no template covers) is split: LSST's `strayFluxRule`. */
export type StrayFluxRule = 'r-to-peak' | 'r-to-footprint' | 'nearest-footprint' | 'trim';

/** When stray flux may go to peaks deblended as PSFs: LSST's `strayFluxToPointSources`. */
export type StrayFluxToPointSources = 'necessary' | 'always' | 'never';

/** Options of {@link apportionFlux}. */
export interface ApportionFluxOptions {
  /** Assign stray flux at all (default true; `'trim'` assigns none). */
  readonly assignStrayFlux?: boolean;
  /** The rule (default `'trim'`, LSST's task default). */
  readonly strayFluxRule?: StrayFluxRule;
  /** When point sources get stray flux (default `'necessary'`: only when no peak is extended). */
  readonly strayFluxToPointSources?: StrayFluxToPointSources;
  /** Stray-flux fractions below this are set to zero and the others renormalised (default 0.001). */
  readonly clipStrayFluxFraction?: number;
}

/** One child's share of the parent's pixels (PARENT coordinates). */
export interface FluxPortion {
  /** The child's pixels: its template's footprint plus any stray pixels it received. */
  readonly spans: SpanSet;
  /** The child's flux in each pixel, in span order. */
  readonly image: Float32Array;
  /** Whether it received stray flux. */
  readonly hasStrayFlux: boolean;
}

/** A template with the peak it belongs to and whether that peak is a point source. */
export interface ApportionTemplate {
  /** The template. */
  readonly template: TemplateImage;
  /** The peak's column (integer, PARENT). */
  readonly peakX: number;
  /** The peak's row (integer, PARENT). */
  readonly peakY: number;
  /** Whether the peak was deblended as a PSF. */
  readonly deblendedAsPsf: boolean;
}

/**
 * Splits the parent's flux among the templates, as meas_deblender's `apportionFlux`: each pixel's
 * value goes to the children in proportion to their templates there (`I × Tᵢ / ΣT`), so the
 * children's pixels add up to the parent's pixels wherever a template covers them. Footprint
 * pixels that no template covers are stray flux: with `'r-to-peak'` they are split in
 * proportion to `1/(1 + r²)` (r the distance to each peak), with `'r-to-footprint'` to the
 * distance to each template's nearest pixel, with `'nearest-footprint'` wholly to the template
 * nearest in Manhattan distance, and with `'trim'` they go to no child. Fractions under
 * `clipStrayFluxFraction` are dropped and the rest renormalised.
 *
 * @param parent - the parent's pixels
 * @param maskedImage - the image (for template pixels outside the parent footprint)
 * @param templates - the templates and their peaks
 * @param options - the stray-flux options
 * @returns one portion per template, in order
 * @example
 * ```ts
 * const portions = apportionFlux(pixels, exposure.maskedImage, templates, { strayFluxRule: 'r-to-peak' });
 * portions[0].image.reduce((a, b) => a + b, 0); // the first child's flux
 * ```
 * @see lsst.meas.deblender.BaselineUtils.apportionFlux
 */
export function apportionFlux(parent: FootprintPixels, maskedImage: MaskedImage<PixelArray>, templates: readonly ApportionTemplate[], options: ApportionFluxOptions = {}): FluxPortion[] {
  const rule = options.strayFluxRule ?? 'trim';
  const doStray = (options.assignStrayFlux ?? true) && rule !== 'trim';
  const toPsf = options.strayFluxToPointSources ?? 'necessary';
  const clip = options.clipStrayFluxFraction ?? 0.001;
  const nT = templates.length;
  // the working box: the parent's box and every template's
  let ux0 = parent.bbox.getMinX();
  let uy0 = parent.bbox.getMinY();
  let ux1 = parent.bbox.getMaxX();
  let uy1 = parent.bbox.getMaxY();
  for (const { template: t } of templates) {
    ux0 = Math.min(ux0, t.bbox.getMinX());
    uy0 = Math.min(uy0, t.bbox.getMinY());
    ux1 = Math.max(ux1, t.bbox.getMaxX());
    uy1 = Math.max(uy1, t.bbox.getMaxY());
  }
  const UW = ux1 - ux0 + 1;
  const UH = uy1 - uy0 + 1;
  const N = UW * UH;
  // image over the working box: the parent's footprint pixels, and the image elsewhere
  const img = new Float32Array(N);
  const inParent = new Uint8Array(N);
  {
    const { data, stride } = maskedImage.image.array;
    const ib = maskedImage.getBBox();
    const ix0 = ib.getMinX();
    const iy0 = ib.getMinY();
    for (let y = uy0; y <= uy1; y++) {
      if (y < iy0 || y > ib.getMaxY()) continue;
      for (let x = Math.max(ux0, ix0); x <= Math.min(ux1, ib.getMaxX()); x++) {
        const v = Number(data[(y - iy0) * stride + (x - ix0)]);
        img[(y - uy0) * UW + (x - ux0)] = Number.isFinite(v) ? v : 0;
      }
    }
    const PW = parent.bbox.getWidth();
    const px0 = parent.bbox.getMinX() - ux0;
    const py0 = parent.bbox.getMinY() - uy0;
    for (let y = 0; y < parent.bbox.getHeight(); y++) {
      for (let x = 0; x < PW; x++) if (parent.inFootprint[y * PW + x] === 1) inParent[(y + py0) * UW + x + px0] = 1;
    }
  }
  // the sum of the templates
  const sum = new Float64Array(N);
  for (const { template: t } of templates) {
    forEachTemplatePixel(t, ux0, uy0, UW, (u, v) => {
      sum[u] = sum[u]! + v;
    });
  }
  // which peaks may receive stray flux
  const eligible = new Uint8Array(nT);
  if (doStray) {
    const anyExtended = templates.some((t) => !t.deblendedAsPsf);
    for (let i = 0; i < nT; i++) {
      const psf = templates[i]!.deblendedAsPsf;
      eligible[i] = !psf || toPsf === 'always' || (toPsf === 'necessary' && !anyExtended) ? 1 : 0;
    }
  }
  const anyEligible = eligible.some((e) => e === 1);
  // stray weights: per stray pixel, per template (only when needed)
  let strayIndex: Int32Array | undefined;
  let strayWeights: Float32Array | undefined;
  if (doStray && anyEligible) {
    strayIndex = new Int32Array(N).fill(-1);
    let nStray = 0;
    for (let u = 0; u < N; u++) if (inParent[u] === 1 && sum[u] === 0 && img[u] !== 0) strayIndex[u] = nStray++;
    strayWeights = new Float32Array(nStray * nT);
    if (nStray > 0) computeStrayWeights(rule, templates, eligible, strayIndex, strayWeights, ux0, uy0, UW, UH, clip);
  }

  const member = new Uint8Array(N);
  const value = new Float32Array(N);
  const out: FluxPortion[] = [];
  for (let i = 0; i < nT; i++) {
    member.fill(0);
    let hasStray = false;
    forEachTemplatePixel(templates[i]!.template, ux0, uy0, UW, (u, v) => {
      member[u] = 1;
      value[u] = (img[u]! * v) / sum[u]!;
    });
    if (strayIndex !== undefined && strayWeights !== undefined && eligible[i] === 1) {
      for (let u = 0; u < N; u++) {
        const s = strayIndex[u]!;
        if (s < 0) continue;
        const w = strayWeights[s * nT + i]!;
        if (w > 0) {
          member[u] = 1;
          value[u] = img[u]! * w;
          hasStray = true;
        }
      }
    }
    out.push(portionFromMembers(member, value, ux0, uy0, UW, UH, hasStray));
  }
  return out;
}

/** Calls fn(index in the working box, value) for each positive template pixel. */
function forEachTemplatePixel(t: TemplateImage, ux0: number, uy0: number, UW: number, fn: (u: number, v: number) => void): void {
  const W = t.bbox.getWidth();
  const H = t.bbox.getHeight();
  const ox = t.bbox.getMinX() - ux0;
  const oy = t.bbox.getMinY() - uy0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const v = t.data[y * W + x]!;
      if (v > 0) fn((y + oy) * UW + x + ox, v);
    }
  }
}

/** Fills the stray weights (rows: stray pixels; columns: templates), clipped and normalised. */
function computeStrayWeights(
  rule: StrayFluxRule,
  templates: readonly ApportionTemplate[],
  eligible: Uint8Array,
  strayIndex: Int32Array,
  weights: Float32Array,
  ux0: number,
  uy0: number,
  UW: number,
  UH: number,
  clip: number,
): void {
  const nT = templates.length;
  const N = UW * UH;
  if (rule === 'nearest-footprint') {
    // multi-source breadth-first search (4-connected: Manhattan distance) from every eligible template's pixels
    const label = new Int32Array(N).fill(-1);
    const queue = new Int32Array(N);
    let head = 0;
    let tail = 0;
    for (let i = 0; i < nT; i++) {
      if (eligible[i] === 0) continue;
      forEachTemplatePixel(templates[i]!.template, ux0, uy0, UW, (u) => {
        if (label[u] === -1) {
          label[u] = i;
          queue[tail++] = u;
        }
      });
    }
    while (head < tail) {
      const u = queue[head++]!;
      const x = u % UW;
      const l = label[u]!;
      for (let k = 0; k < 4; k++) {
        const v = k === 0 ? (x > 0 ? u - 1 : -1) : k === 1 ? (x < UW - 1 ? u + 1 : -1) : k === 2 ? u - UW : u + UW;
        if (v >= 0 && v < N && label[v] === -1) {
          label[v] = l;
          queue[tail++] = v;
        }
      }
    }
    for (let u = 0; u < N; u++) {
      const s = strayIndex[u]!;
      if (s >= 0 && label[u]! >= 0) weights[s * nT + label[u]!] = 1;
    }
    return;
  }
  if (rule === 'r-to-footprint') {
    const dist = new Float32Array(N);
    for (let i = 0; i < nT; i++) {
      if (eligible[i] === 0) continue;
      chamferDistance(templates[i]!.template, ux0, uy0, UW, UH, dist);
      for (let u = 0; u < N; u++) {
        const s = strayIndex[u]!;
        if (s >= 0) weights[s * nT + i] = 1 / (1 + dist[u]! * dist[u]!);
      }
    }
  } else {
    for (let u = 0; u < N; u++) {
      const s = strayIndex[u]!;
      if (s < 0) continue;
      const x = (u % UW) + ux0;
      const y = Math.floor(u / UW) + uy0;
      for (let i = 0; i < nT; i++) {
        if (eligible[i] === 0) continue;
        const t = templates[i]!;
        weights[s * nT + i] = 1 / (1 + (x - t.peakX) ** 2 + (y - t.peakY) ** 2);
      }
    }
  }
  // normalise, clip small fractions, renormalise
  const nStray = weights.length / nT;
  for (let s = 0; s < nStray; s++) {
    const row = s * nT;
    let total = 0;
    for (let i = 0; i < nT; i++) total += weights[row + i]!;
    if (!(total > 0)) continue;
    let kept = 0;
    for (let i = 0; i < nT; i++) {
      const f = weights[row + i]! / total;
      const c = f < clip ? 0 : f;
      weights[row + i] = c;
      kept += c;
    }
    if (kept > 0) for (let i = 0; i < nT; i++) weights[row + i] = weights[row + i]! / kept;
  }
}

/** Two-pass chamfer distance (1, √2) from a template's positive pixels, over the working box. */
function chamferDistance(t: TemplateImage, ux0: number, uy0: number, UW: number, UH: number, dist: Float32Array): void {
  dist.fill(Infinity);
  forEachTemplatePixel(t, ux0, uy0, UW, (u) => {
    dist[u] = 0;
  });
  const D = Math.SQRT2;
  for (let y = 0; y < UH; y++) {
    for (let x = 0; x < UW; x++) {
      const u = y * UW + x;
      let d = dist[u]!;
      if (x > 0) d = Math.min(d, dist[u - 1]! + 1);
      if (y > 0) {
        d = Math.min(d, dist[u - UW]! + 1);
        if (x > 0) d = Math.min(d, dist[u - UW - 1]! + D);
        if (x < UW - 1) d = Math.min(d, dist[u - UW + 1]! + D);
      }
      dist[u] = d;
    }
  }
  for (let y = UH - 1; y >= 0; y--) {
    for (let x = UW - 1; x >= 0; x--) {
      const u = y * UW + x;
      let d = dist[u]!;
      if (x < UW - 1) d = Math.min(d, dist[u + 1]! + 1);
      if (y < UH - 1) {
        d = Math.min(d, dist[u + UW]! + 1);
        if (x < UW - 1) d = Math.min(d, dist[u + UW + 1]! + D);
        if (x > 0) d = Math.min(d, dist[u + UW - 1]! + D);
      }
      dist[u] = d;
    }
  }
}

/** The spans and span-ordered values of the member pixels of the working box. */
function portionFromMembers(member: Uint8Array, value: Float32Array, ux0: number, uy0: number, UW: number, UH: number, hasStrayFlux: boolean): FluxPortion {
  let nSpans = 0;
  let nPix = 0;
  for (let y = 0; y < UH; y++) {
    let prev = 0;
    for (let x = 0; x < UW; x++) {
      const m = member[y * UW + x]!;
      if (m === 1) {
        nPix++;
        if (prev === 0) nSpans++;
      }
      prev = m;
    }
  }
  const ys = new Int32Array(nSpans);
  const x0s = new Int32Array(nSpans);
  const x1s = new Int32Array(nSpans);
  const image = new Float32Array(nPix);
  let s = -1;
  let p = 0;
  for (let y = 0; y < UH; y++) {
    let prev = 0;
    for (let x = 0; x < UW; x++) {
      const u = y * UW + x;
      const m = member[u]!;
      if (m === 1) {
        if (prev === 0) {
          s++;
          ys[s] = y + uy0;
          x0s[s] = x + ux0;
        }
        x1s[s] = x + ux0;
        image[p++] = value[u]!;
      }
      prev = m;
    }
  }
  return { spans: SpanSet.fromArrays(ys, x0s, x1s, { normalize: false }), image, hasStrayFlux };
}


