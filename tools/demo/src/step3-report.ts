// The demo's scoring of coadd processing (step3) against the simulator's truth, shared by
// `pnpm demo` and the end-to-end test: it reads what step3 wrote (deepCoadd_directWarp,
// deepCoadd, deepCoadd_calexp and its background, objectTable_tract), the calexps of step1 and
// the truth files, and reduces them to the figures: astrometry and photometry of coadd
// objects, star/galaxy separation, depth gain, and that the background-subtracted coadd plus its
// background is the coadd.
import { join } from 'node:path';
import type { Exposure } from '@skystack/afw-image';
import { readParquet } from '@skystack/afw-table';
import type { Butler } from '@skystack/daf-butler';
import { ConvexPolygon, HealpixPixelization, Point2D, SpherePoint } from '@skystack/geom';
import type { HealSparseMap } from '@skystack/healsparse';
import type { ExposureTruth } from '@skystack/obs-sim';
import {
  astrometricScatter,
  combinedDepth,
  fiveSigmaDepth,
  matchSkyNearest,
  photometricScatter,
  photonNoiseScatterMmag,
  psfFluxesAtRandomPositions,
  sampleStats,
  skyOffsetsMas,
  starGalaxySeparation,
  sumDiscrepancy,
  type AstrometricScatter,
  type PhotometricScatter,
  type StarGalaxyScores,
  type SumDiscrepancy,
} from './score.js';

/** Match radius between coadd objects and true sources, arcsec (2.5 coadd pixels). */
export const COADD_MATCH_RADIUS_ARCSEC = 0.5;
/** Bright stars for astrometry and photometry: S/N of the PSF flux at least this. */
export const COADD_BRIGHT_SNR = 100;
/** Objects whose star/galaxy classification is scored: S/N of the PSF flux at least this (in the band where it is highest). */
export const STAR_GALAXY_SNR = 50;
/** The faintest objects whose classification is kept (S/N of the PSF flux in the band where it is highest). */
export const STAR_GALAXY_MIN_SNR = 20;
/** Stars of the colour-colour plot: S/N at least this in every band. */
export const COLOUR_SNR = 100;
/** Mask planes a blank-sky stamp may not touch. */
const AVOID_PLANES = ['DETECTED', 'NO_DATA', 'BAD', 'SAT', 'EDGE', 'SUSPECT', 'INTRP', 'CR'];
/** Random positions tried per image for its depth. */
const DEPTH_TRIES = 50000;
/** How far from an input's edges (pixels) a blank-sky stamp must be to count as covered by it, or not, for sure. */
const EDGE_MARGIN = 40;
/** Fewest blank-sky positions a depth is computed from (σ_MAD to ~5 %, 0.05 mag). */
const MIN_DEPTH_POSITIONS = 200;

/** A minimal view of an Arrow table (objectTable_tract, the truth catalog). */
export interface ColumnTable {
  /** The number of rows. */
  readonly numRows: number;
  /**
   * A column by name.
   *
   * @param name - the column name
   * @returns the column (its `get(i)` gives row i), or null when there is none
   */
  getChild(name: string): { get(i: number): unknown } | null;
  /** The columns' names. */
  readonly schema: { readonly fields: readonly { readonly name: string }[] };
}

/** A numeric column of a table as a Float64Array (booleans as 0/1, null as NaN). */
function numbers(t: ColumnTable, name: string): Float64Array {
  const c = t.getChild(name);
  const out = new Float64Array(t.numRows).fill(NaN);
  if (c === null) return out;
  for (let i = 0; i < t.numRows; i++) {
    const v = c.get(i);
    out[i] = v === null || v === undefined ? NaN : Number(v);
  }
  return out;
}

/** The depth of one set of inputs of a coadd: the positions covered by exactly these calexps. */
export interface DepthRow {
  /** The band. */
  readonly band: string;
  /** The number of inputs. */
  readonly n: number;
  /** The inputs, `visit/detector`. */
  readonly inputs: readonly string[];
  /** Blank-sky positions measured. */
  readonly positions: number;
  /** The coadd's 5σ point-source depth there, AB mag. */
  readonly coaddDepth: number;
  /** The inputs' own depths at the same positions, AB mag. */
  readonly inputDepths: readonly number[];
  /** The coadd depth minus the mean of the inputs' depths. */
  readonly gain: number;
  /** 2.5 log10 √N: the gain of N equal inputs. */
  readonly idealGain: number;
  /** The gain of an inverse-variance weighted sum of these inputs ({@link combinedDepth} minus their mean). */
  readonly expectedGain: number;
}

/** One band of the chosen patch's coadd. */
export interface CoaddBandCheck {
  /** The band. */
  readonly band: string;
  /** The number of warps (visits) coadded. */
  readonly warps: number;
  /** deepCoadd_calexp + deepCoadd_calexp_background against deepCoadd, or why it is not available. */
  readonly backgroundSum: SumDiscrepancy | string;
  /** The depth by input set, or why it is not available. */
  readonly depth: readonly DepthRow[] | string;
  /** `deepCoadd_inputMap` against the warps' pixels, or why it is not available. */
  readonly inputMap: InputMapCheck | string;
}

/**
 * The coadd input map checked against the warps themselves: for each map pixel whose centre is
 * at least {@link INPUT_MAP_MARGIN} coadd pixels inside the patch, each visit's bits must be set
 * where that visit's warp has good data (none of the coadd's bad planes) in the whole
 * neighbourhood, and unset where it has none there.
 */
export interface InputMapCheck {
  /** Map pixels with data (any bit). */
  readonly validPixels: number;
  /** Input detectors (bits) in the map, from its metadata (`B0000CCD`, ...). */
  readonly bits: number;
  /** (map pixel, visit) pairs where the warp had good data all around, checked to have a bit. */
  readonly covered: number;
  /** (map pixel, visit) pairs where the warp had none, checked to have no bit. */
  readonly uncovered: number;
  /** Pairs that disagreed. */
  readonly mismatches: number;
}

/** Half-size (coadd pixels) of the neighbourhood of a map pixel's centre: 0.2″ pixels, nside 32768 pixels ≤ 9.2″ corner to corner. */
export const INPUT_MAP_MARGIN = 24;

/**
 * Checks a coadd input map against the warps (see {@link InputMapCheck}).
 *
 * @param map - `deepCoadd_inputMap`
 * @param coadd - `deepCoadd` (its WCS and bounding box)
 * @param warps - each visit's `deepCoadd_directWarp`
 * @param badPlanes - the mask planes that reject a warp pixel (AssembleCoadd's `badMaskPlanes`)
 * @returns the counts
 */
export function checkInputMap(map: HealSparseMap, coadd: Exposure, warps: readonly { visit: number; warp: Exposure }[], badPlanes: readonly string[] = ['NO_DATA', 'BAD', 'SAT', 'EDGE']): InputMapCheck {
  const wcs = coadd.getWcs()!;
  const bbox = coadd.getBBox();
  const hp = new HealpixPixelization(HealpixPixelization.nsideToLevel(map.nsideSparse));
  const bitsOfVisit = new Map<number, number[]>();
  for (const [k, v] of Object.entries(map.metadata)) {
    const m = /^B(\d{4})VIS$/.exec(k);
    if (m !== null) bitsOfVisit.set(Number(v), [...(bitsOfVisit.get(Number(v)) ?? []), Number(m[1])]);
  }
  const valid = new Set(Array.from(map.validPixels()));
  // The map pixels whose centres fall in the patch, from the patch's corners on the sky.
  const corners = [
    [bbox.getMinX(), bbox.getMinY()],
    [bbox.getMaxX(), bbox.getMinY()],
    [bbox.getMaxX(), bbox.getMaxY()],
    [bbox.getMinX(), bbox.getMaxY()],
  ].map(([x, y]) => wcs.pixelToSky(new Point2D(x!, y!)).getVector());
  let covered = 0;
  let uncovered = 0;
  let mismatches = 0;
  const m = INPUT_MAP_MARGIN;
  for (const [a, b] of hp.queryPolygon(ConvexPolygon.convexHull(corners)).ranges()) {
    for (let p = a; p < b; p++) {
      const [ra, dec] = hp.centerRaDecDeg(p);
      const c = wcs.skyToPixel(SpherePoint.fromDegrees(ra, dec));
      const x = Math.round(c.getX());
      const y = Math.round(c.getY());
      if (x - m < bbox.getMinX() || x + m > bbox.getMaxX() || y - m < bbox.getMinY() || y + m > bbox.getMaxY()) continue;
      const bits = valid.has(p) ? map.getBitsPix(p) : [];
      for (const { visit, warp } of warps) {
        const bad = warp.mask.getPlaneBitMask(badPlanes.filter((n) => warp.mask.planeDict.hasPlane(n)));
        const { data, stride } = warp.mask.array;
        const x0 = warp.getXY0().getX();
        const y0 = warp.getXY0().getY();
        let good = 0;
        let total = 0;
        for (let yy = y - m; yy <= y + m; yy++) {
          for (let xx = x - m; xx <= x + m; xx++) {
            const lx = xx - x0;
            const ly = yy - y0;
            total++;
            if (lx >= 0 && ly >= 0 && lx < warp.getWidth() && ly < warp.getHeight() && (data[ly * stride + lx]! & bad) === 0) good++;
          }
        }
        const has = (bitsOfVisit.get(visit) ?? []).some((bit) => bits.includes(bit));
        if (good === total) {
          covered++;
          if (!has) mismatches++;
        } else if (good === 0) {
          uncovered++;
          if (has) mismatches++;
        }
      }
    }
  }
  const bits = Object.keys(map.metadata).filter((k) => /^B\d{4}CCD$/.test(k)).length;
  return { validPixels: valid.size, bits, covered, uncovered, mismatches };
}

/** What {@link collectStep3Samples} gathers. */
export interface Step3Samples {
  /** The sky map name. */
  readonly skymap: string;
  /** The tract. */
  readonly tract: number;
  /** The bands of the object table. */
  readonly bands: readonly string[];
  /** The number of datasets written, per dataset type. */
  readonly counts: Readonly<Record<string, number>>;
  /** Warps per patch (all bands). */
  readonly warpsPerPatch: ReadonlyMap<number, number>;
  /** The patch of the coadd checks: the one asked for, else the one with the most warps (undefined when none). */
  readonly patch: number | undefined;
  /** Per band of that patch: the background sum check and the depths. */
  readonly coaddChecks: readonly CoaddBandCheck[];
  /** Why the object-table figures are not available (undefined when they are). */
  readonly objectTableMissing: string | undefined;
  /** Primary objects (not sky objects) in objectTable_tract. */
  readonly nObjects: number;
  /** Of them, how many matched a true source. */
  readonly nMatched: number;
  /** Bright matched true stars: sky offsets of their coadd positions. */
  readonly astrometry: { readonly eastMas: Float64Array; readonly northMas: Float64Array };
  /** Per band: the PSF fluxes (nJy) of bright matched true stars, their true fluxes and their S/N. */
  readonly photometry: Readonly<Record<string, { readonly measured: number[]; readonly truth: number[]; readonly snr: number[] }>>;
  /** Matched objects with S/N ≥ {@link STAR_GALAXY_MIN_SNR}: truly a star, refExtendedness, and the S/N. */
  readonly classification: { readonly isStar: boolean[]; readonly extendedness: number[]; readonly snr: number[] };
  /** Colours (g−r, r−i) of objects with refExtendedness 0 and S/N ≥ {@link COLOUR_SNR} in g, r and i (empty without those bands). */
  readonly starColours: { readonly gr: number[]; readonly ri: number[] };
  /** True colours of the truth stars brighter than r = 23 in the tract. */
  readonly trueStarColours: { readonly gr: number[]; readonly ri: number[] };
  /** The chosen patch's coadd of one band (for the PNG) with its objects, tract pixels. */
  readonly coaddImage: { readonly band: string; readonly exposure: Exposure; readonly x: number[]; readonly y: number[]; readonly extended: boolean[] } | undefined;
}

/** Options of {@link collectStep3Samples}. */
export interface CollectStep3Options {
  /** A Butler of the repository. */
  readonly butler: Butler;
  /** The simulation directory (truth files). */
  readonly simDir: string;
  /** The per-exposure truth. */
  readonly truth: readonly ExposureTruth[];
  /** The collection with step1's calexps (searched after `output`). */
  readonly step1Output: string;
  /** The collection step3 wrote. */
  readonly output: string;
  /** The sky map name. */
  readonly skymap: string;
  /** The tract (0 by default). */
  readonly tract?: number;
  /** The band of the coadd image (the first of `r`, `i`, `g` present by default). */
  readonly imageBand?: string;
  /** The patch of the coadd checks and the image (default: the one with the most warps). */
  readonly patch?: number;
  /** Skip the depths (they read every input calexp of the patch). */
  readonly skipDepth?: boolean;
}

/**
 * Reads what step3 wrote and pairs it with the truth.
 *
 * @param options - the Butler, the truth, the collections, the sky map
 * @returns the samples
 */
export async function collectStep3Samples(options: CollectStep3Options): Promise<Step3Samples> {
  const { butler, simDir, truth, output, skymap } = options;
  const tract = options.tract ?? 0;
  const collections = [output, options.step1Output];
  const query = async (type: string): Promise<{ dataId: { get(k: string): unknown } }[]> => {
    try {
      return (await butler.registry.queryDatasets(type, { collections: output, findFirst: true }).toArray()) as { dataId: { get(k: string): unknown } }[];
    } catch {
      return [];
    }
  };
  const counts: Record<string, number> = {};
  for (const type of ['deepCoadd_directWarp', 'deepCoadd', 'deepCoadd_calexp', 'deepCoadd_det', 'deepCoadd_mergeDet', 'deepCoadd_meas', 'deepCoadd_ref', 'deepCoadd_forced_src', 'objectTable', 'objectTable_tract']) {
    counts[type] = (await query(type)).length;
  }
  const warps = await query('deepCoadd_directWarp');
  const warpsPerPatch = new Map<number, number>();
  for (const r of warps) {
    if (Number(r.dataId.get('tract')) !== tract) continue;
    const p = Number(r.dataId.get('patch'));
    warpsPerPatch.set(p, (warpsPerPatch.get(p) ?? 0) + 1);
  }
  let patch: number | undefined = options.patch !== undefined && warpsPerPatch.has(options.patch) ? options.patch : undefined;
  if (patch === undefined) for (const [p, n] of warpsPerPatch) if (patch === undefined || n > warpsPerPatch.get(patch)! || (n === warpsPerPatch.get(patch)! && p < patch)) patch = p;

  // The chosen patch, band by band: the background sum and the depths.
  const coaddChecks: CoaddBandCheck[] = [];
  const coaddRefs = await query('deepCoadd');
  const patchBands = [...new Set(coaddRefs.filter((r) => Number(r.dataId.get('tract')) === tract && Number(r.dataId.get('patch')) === patch).map((r) => String(r.dataId.get('band'))))].sort();
  const calexpCache = new Map<string, Exposure>();
  for (const band of patchBands) {
    const id = { skymap, tract, patch: patch!, band };
    const visits = warps.filter((r) => Number(r.dataId.get('tract')) === tract && Number(r.dataId.get('patch')) === patch && String(r.dataId.get('band')) === band).map((r) => Number(r.dataId.get('visit')));
    let backgroundSum: SumDiscrepancy | string;
    let calexp: Exposure | undefined;
    try {
      const coadd = (await butler.get('deepCoadd', id, { collections })) as Exposure;
      calexp = (await butler.get('deepCoadd_calexp', id, { collections })) as Exposure;
      const bg = (await butler.get('deepCoadd_calexp_background', id, { collections })) as { getImage(): { array: { data: ArrayLike<number> } } };
      backgroundSum = sumDiscrepancy(calexp.image.array.data, bg.getImage().array.data, coadd.image.array.data);
    } catch (e) {
      backgroundSum = `not available: ${(e as Error).message}`;
    }
    let depth: DepthRow[] | string = 'not available: no deepCoadd_calexp';
    if (options.skipDepth) depth = 'not computed';
    else if (calexp !== undefined) {
      try {
        const inputs = truth.filter((t) => t.band === band && visits.includes(t.exposureId));
        const exps: { key: string; exp: Exposure }[] = [];
        for (const t of inputs) {
          const key = `${t.exposureId}/${t.detector}`;
          let exp = calexpCache.get(key);
          if (exp === undefined) {
            try {
              exp = (await butler.get('calexp', { instrument: 'SimCam', visit: t.exposureId, detector: t.detector }, { collections })) as Exposure;
            } catch {
              continue;
            }
            calexpCache.set(key, exp);
          }
          exps.push({ key, exp });
        }
        depth = depthByInputs(band, calexp, exps);
      } catch (e) {
        depth = `not available: ${(e as Error).message}`;
      }
    }
    let inputMap: InputMapCheck | string;
    try {
      const map = (await butler.get('deepCoadd_inputMap', id, { collections })) as HealSparseMap;
      const coadd = (await butler.get('deepCoadd', id, { collections })) as Exposure;
      const warpList: { visit: number; warp: Exposure }[] = [];
      for (const visit of visits) warpList.push({ visit, warp: (await butler.get('deepCoadd_directWarp', { ...id, visit, instrument: 'SimCam' }, { collections })) as Exposure });
      inputMap = checkInputMap(map, coadd, warpList);
    } catch (e) {
      inputMap = `not available: ${(e as Error).message.split('\n')[0]}`;
    }
    coaddChecks.push({ band, warps: visits.length, backgroundSum, depth, inputMap });
  }

  // The object table against the truth.
  const truthCat = (await readParquet(join(simDir, 'truth/truth_catalog.parquet'))) as unknown as ColumnTable;
  let objectTableMissing: string | undefined;
  let objects: ColumnTable | undefined;
  try {
    objects = (await butler.get('objectTable_tract', { skymap, tract }, { collections })) as ColumnTable;
  } catch (e) {
    objectTableMissing = `not available: no objectTable_tract (${(e as Error).message.split('\n')[0]})`;
  }
  const scored = objects === undefined ? undefined : matchObjectTable(objects, truthCat);

  // The coadd image of the chosen patch, with the objects on it.
  let coaddImage: Step3Samples['coaddImage'];
  const imageBand = options.imageBand ?? ['r', 'i', 'g'].find((b) => patchBands.includes(b)) ?? patchBands[0];
  if (patch !== undefined && imageBand !== undefined) {
    const id = { skymap, tract, patch, band: imageBand };
    let exposure: Exposure | undefined;
    for (const type of ['deepCoadd_calexp', 'deepCoadd']) {
      try {
        exposure = (await butler.get(type, id, { collections })) as Exposure;
        break;
      } catch {
        // try the next
      }
    }
    if (exposure !== undefined) {
      const x: number[] = [];
      const y: number[] = [];
      const extended: boolean[] = [];
      if (objects !== undefined) {
        const ox = numbers(objects, 'x');
        const oy = numbers(objects, 'y');
        const op = numbers(objects, 'patch');
        const primary = numbers(objects, 'detect_isPrimary');
        const sky = numbers(objects, 'merge_peak_sky');
        const ext = numbers(objects, 'refExtendedness');
        const bbox = exposure.getBBox();
        const inside = (x: number, y: number): boolean => x >= bbox.getMinX() - 0.5 && x <= bbox.getMaxX() + 0.5 && y >= bbox.getMinY() - 0.5 && y <= bbox.getMaxY() + 0.5;
        for (let i = 0; i < objects.numRows; i++) {
          if (op[i] !== patch || sky[i] === 1 || primary[i] !== 1 || !inside(ox[i]!, oy[i]!)) continue;
          x.push(ox[i]!);
          y.push(oy[i]!);
          extended.push(ext[i] === 1);
        }
      }
      coaddImage = { band: imageBand, exposure, x, y, extended };
    }
  }

  const empty: ObjectTableSamples = {
    bands: [],
    nObjects: 0,
    nMatched: 0,
    astrometry: { eastMas: new Float64Array(0), northMas: new Float64Array(0) },
    photometry: {},
    classification: { isStar: [], extendedness: [], snr: [] },
    starColours: { gr: [], ri: [] },
    trueStarColours: { gr: [], ri: [] },
  };
  return { skymap, tract, counts, warpsPerPatch, patch, coaddChecks, objectTableMissing, ...(scored ?? empty), coaddImage };
}

/** The object-table part of {@link Step3Samples}. */
export type ObjectTableSamples = Pick<Step3Samples, 'bands' | 'nObjects' | 'nMatched' | 'astrometry' | 'photometry' | 'classification' | 'starColours' | 'trueStarColours'>;

/**
 * Pairs an object table (objectTable_tract's columns: `coord_ra`, `coord_dec` in degrees,
 * `detect_isPrimary`, `merge_peak_sky`, `refExtendedness`, `{band}_psfFlux`,
 * `{band}_psfFluxErr` in nJy) with the truth catalog (`ra`, `dec`, `is_star`, `{band}_flux`):
 * primary objects that are not sky objects are matched to the nearest true source within
 * {@link COADD_MATCH_RADIUS_ARCSEC}, and sorted into the samples of the figures.
 *
 * @param objects - the object table (an Arrow table, or anything with `numRows`, `getChild(name).get(i)` and `schema.fields`)
 * @param truthCat - the truth catalog, likewise
 * @returns the samples
 */
export function matchObjectTable(objects: ColumnTable, truthCat: ColumnTable): ObjectTableSamples {
  const bands = objects.schema.fields.map((f) => /^([a-z])_psfFlux$/.exec(f.name)?.[1]).filter((b): b is string => b !== undefined);
  const tRa = numbers(truthCat, 'ra');
  const tDec = numbers(truthCat, 'dec');
  const tStar = numbers(truthCat, 'is_star');
  const tFlux: Record<string, Float64Array> = {};
  for (const b of ['g', 'r', 'i']) if (truthCat.getChild(`${b}_flux`) !== null) tFlux[b] = numbers(truthCat, `${b}_flux`);
  const trueStarColours = { gr: [] as number[], ri: [] as number[] };
  const photometry: Record<string, { measured: number[]; truth: number[]; snr: number[] }> = {};
  const classification = { isStar: [] as boolean[], extendedness: [] as number[], snr: [] as number[] };
  const starColours = { gr: [] as number[], ri: [] as number[] };
  const bra: number[] = [];
  const bdec: number[] = [];
  const tra: number[] = [];
  const tdec: number[] = [];
  let nObjects = 0;
  let nMatched = 0;
  {
    const ra = numbers(objects, 'coord_ra');
    const dec = numbers(objects, 'coord_dec');
    const primary = numbers(objects, 'detect_isPrimary');
    const sky = numbers(objects, 'merge_peak_sky');
    const ext = numbers(objects, 'refExtendedness');
    const flux: Record<string, Float64Array> = {};
    const err: Record<string, Float64Array> = {};
    const sat: Record<string, Float64Array> = {};
    for (const b of bands) {
      flux[b] = numbers(objects, `${b}_psfFlux`);
      err[b] = numbers(objects, `${b}_psfFluxErr`);
      sat[b] = numbers(objects, `${b}_base_PixelFlags_flag_saturatedCenter`);
      photometry[b] = { measured: [], truth: [], snr: [] };
    }
    const use = Array.from({ length: objects.numRows }, (_, i) => primary[i] === 1 && sky[i] !== 1);
    nObjects = use.filter(Boolean).length;
    const match = matchSkyNearest(
      ra.map((v, i) => (use[i] ? v : NaN)),
      dec.map((v, i) => (use[i] ? v : NaN)),
      tRa,
      tDec,
      COADD_MATCH_RADIUS_ARCSEC,
    );
    for (let i = 0; i < objects.numRows; i++) {
      const j = match[i]!;
      if (!use[i] || j < 0) continue;
      nMatched++;
      const snrOf = (b: string): number => flux[b]![i]! / err[b]![i]!;
      const best = Math.max(...bands.map((b) => (Number.isFinite(snrOf(b)) ? snrOf(b) : -Infinity)));
      const star = tStar[j] === 1;
      if (best >= STAR_GALAXY_MIN_SNR) {
        classification.isStar.push(star);
        classification.extendedness.push(ext[i]!);
        classification.snr.push(best);
      }
      if (!star) continue;
      if (best >= COADD_BRIGHT_SNR) {
        bra.push(ra[i]!);
        bdec.push(dec[i]!);
        tra.push(tRa[j]!);
        tdec.push(tDec[j]!);
      }
      for (const b of bands) {
        const trueFlux = tFlux[b]?.[j];
        if (trueFlux === undefined) continue;
        // S/N from the true flux: selecting on the measured flux would favour upward noise.
        const snr = trueFlux / err[b]![i]!;
        if (snr >= COADD_BRIGHT_SNR && sat[b]![i] !== 1) {
          photometry[b]!.measured.push(flux[b]![i]!);
          photometry[b]!.truth.push(trueFlux);
          photometry[b]!.snr.push(snr);
        }
      }
    }
    if (bands.includes('g') && bands.includes('r') && bands.includes('i')) {
      for (let i = 0; i < objects.numRows; i++) {
        if (!use[i] || ext[i] !== 0) continue;
        if (!['g', 'r', 'i'].every((b) => flux[b]![i]! / err[b]![i]! >= COLOUR_SNR)) continue;
        const m = (b: string): number => -2.5 * Math.log10(flux[b]![i]!);
        starColours.gr.push(m('g') - m('r'));
        starColours.ri.push(m('r') - m('i'));
      }
    }
    // The truth stars of the tract's area (within the objects' extent).
    const box = { ra: [Infinity, -Infinity], dec: [Infinity, -Infinity] };
    for (let i = 0; i < objects.numRows; i++) {
      if (!use[i]) continue;
      box.ra = [Math.min(box.ra[0]!, ra[i]!), Math.max(box.ra[1]!, ra[i]!)];
      box.dec = [Math.min(box.dec[0]!, dec[i]!), Math.max(box.dec[1]!, dec[i]!)];
    }
    if (tFlux['g'] !== undefined && tFlux['r'] !== undefined && tFlux['i'] !== undefined) {
      for (let j = 0; j < truthCat.numRows; j++) {
        if (tStar[j] !== 1 || tRa[j]! < box.ra[0]! || tRa[j]! > box.ra[1]! || tDec[j]! < box.dec[0]! || tDec[j]! > box.dec[1]!) continue;
        if (31.4 - 2.5 * Math.log10(tFlux['r'][j]!) > 23) continue;
        trueStarColours.gr.push(-2.5 * Math.log10(tFlux['g'][j]! / tFlux['r'][j]!));
        trueStarColours.ri.push(-2.5 * Math.log10(tFlux['r'][j]! / tFlux['i'][j]!));
      }
    }
  }

  return { bands, nObjects, nMatched, astrometry: skyOffsetsMas(bra, bdec, tra, tdec), photometry, classification, starColours, trueStarColours };
}

/** Blank-sky PSF fluxes of an exposure, in nJy, at random positions. */
function blankSky(
  exp: Exposure,
  seed: number,
  nJyPerUnit: number,
  at?: { readonly x: ArrayLike<number>; readonly y: ArrayLike<number>; readonly psfAt: Point2D },
): { x: Float64Array; y: Float64Array; flux: Float64Array; psfFound: boolean } {
  const psf = exp.getPsf();
  const bbox = exp.getBBox();
  if (psf === null) return { x: new Float64Array(0), y: new Float64Array(0), flux: new Float64Array(0), psfFound: false };
  // (the average position of a CoaddPsf lies inside its inputs, the centre of a patch may not)
  const k = at === undefined ? psf.computeKernelImage() : psf.computeKernelImage(at.psfAt);
  const kd = Float64Array.from(k.array.data as ArrayLike<number>);
  const mask = exp.mask;
  const avoid = AVOID_PLANES.reduce((bits, p) => {
    try {
      return bits | mask.getPlaneBitMask(p);
    } catch {
      return bits;
    }
  }, 0);
  const r = psfFluxesAtRandomPositions({
    image: exp.image.array.data,
    mask: mask.array.data,
    width: exp.getWidth(),
    height: exp.getHeight(),
    x0: bbox.getMinX(),
    y0: bbox.getMinY(),
    kernel: kd,
    kernelWidth: k.getWidth(),
    kernelHeight: k.getHeight(),
    avoidBits: avoid,
    tries: DEPTH_TRIES,
    seed,
    ...(at !== undefined && { positions: at }),
  });
  return { x: r.x, y: r.y, flux: r.flux.map((f) => f * nJyPerUnit), psfFound: true };
}

/**
 * The coadd's depth by the set of calexps that cover each blank-sky position, against the depths
 * of those calexps at the same positions (all measured the same way: the σ_MAD of PSF fluxes at
 * blank-sky positions, each image with its own PSF there). Comparing at the same places keeps
 * what varies over a detector (its response, the sky) out of the gain.
 */
function depthByInputs(band: string, coadd: Exposure, inputs: readonly { key: string; exp: Exposure }[]): DepthRow[] | string {
  const cWcs = coadd.getWcs();
  if (cWcs === null) return 'not available: the coadd has no WCS';
  const c = blankSky(coadd, 1, coadd.getPhotoCalib()?.getCalibrationMean() ?? 1);
  if (!c.psfFound) return 'not available: the coadd has no PSF';
  const inputWcs: { key: string; exp: Exposure; calib: number; wcs: NonNullable<ReturnType<Exposure['getWcs']>>; w: number; h: number; x0: number; y0: number }[] = [];
  for (const { key, exp } of inputs) {
    const calib = exp.getPhotoCalib()?.getCalibrationMean();
    const wcs = exp.getWcs();
    if (calib === undefined || wcs === null || exp.getPsf() === null) continue;
    const b = exp.getBBox();
    inputWcs.push({ key, exp, calib, wcs, w: b.getWidth(), h: b.getHeight(), x0: b.getMinX(), y0: b.getMinY() });
  }
  // Each coadd position's set of inputs: the stamp's centre and corners must agree (no edge inside).
  const k = coadd.getPsf()!.computeKernelImage(new Point2D(c.x[0] ?? 0, c.y[0] ?? 0));
  const hx = (k.getWidth() - 1) / 2;
  const hy = (k.getHeight() - 1) / 2;
  const n = c.flux.length;
  const offsets = [
    [0, 0],
    [-hx, -hy],
    [hx, -hy],
    [-hx, hy],
    [hx, hy],
  ] as const;
  const px = new Float64Array(5 * n);
  const py = new Float64Array(5 * n);
  offsets.forEach(([dx, dy], o) => {
    for (let i = 0; i < n; i++) {
      px[o * n + i] = c.x[i]! + dx;
      py[o * n + i] = c.y[i]! + dy;
    }
  });
  const sky = cWcs.pixelToSkyArray(px, py);
  // Inside an input when EDGE_MARGIN pixels from its edges (its EDGE-masked border, which the
  // coadd leaves out, and the warping kernel's reach); positions nearer an edge than that are
  // left out, as is any stamp that straddles an edge.
  const strict: string[][] = Array.from({ length: 5 * n }, () => []);
  const loose: string[][] = Array.from({ length: 5 * n }, () => []);
  const inputPixels = new Map<string, { x: Float64Array; y: Float64Array }>();
  for (const inp of inputWcs) {
    const p = inp.wcs.skyToPixelArray(sky.ra, sky.dec);
    inputPixels.set(inp.key, { x: p.x.subarray(0, n), y: p.y.subarray(0, n) });
    const inside = (x: number, y: number, margin: number): boolean => x >= inp.x0 - 0.5 + margin && x <= inp.x0 + inp.w - 0.5 - margin && y >= inp.y0 - 0.5 + margin && y <= inp.y0 + inp.h - 0.5 - margin;
    for (let m = 0; m < 5 * n; m++) {
      if (inside(p.x[m]!, p.y[m]!, EDGE_MARGIN)) strict[m]!.push(inp.key);
      if (inside(p.x[m]!, p.y[m]!, -EDGE_MARGIN)) loose[m]!.push(inp.key);
    }
  }
  const groups = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const key = strict[i]!.sort().join(',');
    if (key === '' || offsets.some((_, o) => strict[o * n + i]!.sort().join(',') !== key || loose[o * n + i]!.sort().join(',') !== key)) continue;
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [i]);
    else list.push(i);
  }
  const rows: DepthRow[] = [];
  for (const [key, members] of groups) {
    if (members.length < MIN_DEPTH_POSITIONS) continue;
    // The coadd's PSF differs between input sets: measure each set's positions with its own PSF
    // (at the set's median position), as a point source there is seen.
    const gx = members.map((i) => c.x[i]!);
    const gy = members.map((i) => c.y[i]!);
    const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1]!;
    const fluxes = blankSky(coadd, 1, coadd.getPhotoCalib()?.getCalibrationMean() ?? 1, { x: gx, y: gy, psfAt: new Point2D(median(gx), median(gy)) }).flux;
    const keys = key.split(',');
    const depths: number[] = [];
    for (const kk of keys) {
      const inp = inputWcs.find((x) => x.key === kk)!;
      const pix = inputPixels.get(kk)!;
      const ix = members.map((i) => pix.x[i]!);
      const iy = members.map((i) => pix.y[i]!);
      const f = blankSky(inp.exp, 0, inp.calib, { x: ix, y: iy, psfAt: new Point2D(median(ix), median(iy)) }).flux;
      depths.push(f.length >= MIN_DEPTH_POSITIONS ? fiveSigmaDepth(sampleStats(f).sigmaMad) : NaN);
    }
    if (depths.some((d) => !Number.isFinite(d))) continue;
    const mean = depths.reduce((a, v) => a + v, 0) / depths.length;
    const coaddDepth = fiveSigmaDepth(sampleStats(fluxes).sigmaMad);
    rows.push({
      band,
      n: keys.length,
      inputs: keys,
      positions: fluxes.length,
      coaddDepth,
      inputDepths: depths,
      gain: coaddDepth - mean,
      idealGain: 2.5 * Math.log10(Math.sqrt(keys.length)),
      expectedGain: combinedDepth(depths) - mean,
    });
  }
  return rows.sort((a, b) => a.n - b.n || b.positions - a.positions);
}

/** The figures of {@link scoreStep3}. */
export interface Step3Scores {
  /** Bright-star astrometry of coadd objects against the truth. */
  readonly astrometry: AstrometricScatter;
  /** Per band: bright-star PSF-flux photometry against the truth, and the σ_MAD photon noise alone gives. */
  readonly photometry: Readonly<Record<string, { readonly scatter: PhotometricScatter; readonly photonNoiseMmag: number }>>;
  /** Star/galaxy separation at S/N ≥ {@link STAR_GALAXY_MIN_SNR}. */
  readonly starGalaxyFaint: StarGalaxyScores;
  /** Star/galaxy separation at S/N ≥ {@link STAR_GALAXY_SNR}. */
  readonly starGalaxy: StarGalaxyScores;
  /** Star/galaxy separation at S/N ≥ {@link COADD_BRIGHT_SNR}. */
  readonly starGalaxyBright: StarGalaxyScores;
}

/**
 * Reduces the samples to the figures.
 *
 * @param s - the samples
 * @returns the scores
 */
export function scoreStep3(s: Step3Samples): Step3Scores {
  const photometry: Record<string, { scatter: PhotometricScatter; photonNoiseMmag: number }> = {};
  for (const [b, p] of Object.entries(s.photometry)) photometry[b] = { scatter: photometricScatter(p.measured, p.truth), photonNoiseMmag: photonNoiseScatterMmag(p.snr) };
  const c = s.classification;
  const above = (snr: number): StarGalaxyScores => {
    const k = c.snr.map((v, i) => (v >= snr ? i : -1)).filter((i) => i >= 0);
    return starGalaxySeparation(
      k.map((i) => c.isStar[i]!),
      k.map((i) => c.extendedness[i]!),
    );
  };
  return {
    astrometry: astrometricScatter(s.astrometry),
    photometry,
    starGalaxyFaint: above(STAR_GALAXY_MIN_SNR),
    starGalaxy: above(STAR_GALAXY_SNR),
    starGalaxyBright: above(COADD_BRIGHT_SNR),
  };
}

/** A patch and the calexps that overlap it, per band. */
export interface PatchChoice {
  /** The tract. */
  readonly tract: number;
  /** The patch. */
  readonly patch: number;
  /** The number of (visit, detector) calexps whose region overlaps the patch, per band. */
  readonly inputs: Readonly<Record<string, number>>;
}

/**
 * The patches step3 should process when only a few can be: those covered in every band, ranked by
 * their fewest inputs in any band, then by their inputs in all bands (the registry's
 * visit-detector ↔ patch region overlaps, as the quantum graph builder finds them).
 *
 * @param butler - a Butler of the repository
 * @param options - the sky map, the bands and how many patches
 * @param options.skymap - the sky map name
 * @param options.bands - the bands every chosen patch must have inputs in
 * @param options.count - how many patches
 * @param options.near - among patches of equal inputs, prefer the one holding this position
 *   (the overlaps say which calexps touch a patch, not how much of it they cover)
 * @returns up to `count` patches, best first
 */
export async function choosePatches(
  butler: Butler,
  options: { readonly skymap: string; readonly bands: readonly string[]; readonly count: number; readonly near?: SpherePoint },
): Promise<PatchChoice[]> {
  let nearKey = '';
  if (options.near !== undefined) {
    const skyMap = (await butler.get('skyMap', { skymap: options.skymap }, { collections: 'skymaps' })) as { findTract(c: SpherePoint): { getId(): number; findPatch(c: SpherePoint): { getSequentialIndex(): number } } };
    const tract = skyMap.findTract(options.near);
    nearKey = `${tract.getId()}/${tract.findPatch(options.near).getSequentialIndex()}`;
  }
  const ids = await butler.registry.queryDataIds(['visit', 'detector', 'patch'], { where: `skymap='${options.skymap}'` }).toArray();
  const byPatch = new Map<string, { tract: number; patch: number; inputs: Record<string, number> }>();
  for (const d of ids) {
    const tract = Number(d.get('tract'));
    const patch = Number(d.get('patch'));
    const band = String(d.get('band'));
    const key = `${tract}/${patch}`;
    let e = byPatch.get(key);
    if (e === undefined) byPatch.set(key, (e = { tract, patch, inputs: {} }));
    e.inputs[band] = (e.inputs[band] ?? 0) + 1;
  }
  const min = (e: { inputs: Record<string, number> }): number => Math.min(...options.bands.map((b) => e.inputs[b] ?? 0));
  const total = (e: { inputs: Record<string, number> }): number => options.bands.reduce((a, b) => a + (e.inputs[b] ?? 0), 0);
  const isNear = (e: { tract: number; patch: number }): number => (`${e.tract}/${e.patch}` === nearKey ? 0 : 1);
  const ranked = [...byPatch.values()].filter((e) => min(e) > 0).sort((a, b) => min(b) - min(a) || isNear(a) - isNear(b) || total(b) - total(a) || a.tract - b.tract || a.patch - b.patch);
  // One tract: the data query names one.
  const tract = ranked[0]?.tract;
  return ranked.filter((e) => e.tract === tract).slice(0, options.count);
}

/** The depth rows of one number of inputs, pooled. */
export interface DepthSummary {
  /** The number of inputs. */
  readonly n: number;
  /** How many input sets (regions) have that many. */
  readonly regions: number;
  /** Their blank-sky positions. */
  readonly positions: number;
  /** The position-weighted mean gain, mag. */
  readonly gain: number;
  /** 2.5 log10 √N. */
  readonly idealGain: number;
  /** The position-weighted mean gain of an inverse-variance sum of the inputs, mag. */
  readonly expectedGain: number;
}

/**
 * Pools depth rows by their number of inputs (weights: blank-sky positions).
 *
 * @param rows - the rows of one band
 * @returns one summary per number of inputs, ascending
 * @example
 * ```ts
 * summarizeDepth(rows).map((s) => `${s.n}: ${s.gain.toFixed(2)} vs ${s.idealGain.toFixed(2)}`);
 * ```
 */
export function summarizeDepth(rows: readonly DepthRow[]): DepthSummary[] {
  const byN = new Map<number, DepthRow[]>();
  for (const r of rows) byN.set(r.n, [...(byN.get(r.n) ?? []), r]);
  return [...byN.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([n, rs]) => {
      const w = rs.reduce((a, r) => a + r.positions, 0);
      const mean = (f: (r: DepthRow) => number): number => rs.reduce((a, r) => a + f(r) * r.positions, 0) / w;
      return { n, regions: rs.length, positions: w, gain: mean((r) => r.gain), idealGain: 2.5 * Math.log10(Math.sqrt(n)), expectedGain: mean((r) => r.expectedGain) };
    });
}
