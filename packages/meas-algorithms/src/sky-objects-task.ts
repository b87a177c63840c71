import type { Mask } from '@skystack/afw-image';
import { Footprint, SpanSet, type Schema, type SourceCatalog } from '@skystack/afw-table';
import { Config, Field, ListField } from '@skystack/pex-config';
import { Task, type TaskOptions } from '@skystack/pipe-base';
import { seededUniform } from './least-squares.js';

/**
 * Configuration of {@link SkyObjectsTask}, with LSST's fields and defaults.
 *
 * @see lsst.meas.algorithms.skyObjects.SkyObjectsConfig
 */
export class SkyObjectsConfig extends Config {
  /** Avoid pixels masked with these mask planes. */
  avoidMask = ListField({ dtype: 'str', default: ['DETECTED', 'DETECTED_NEGATIVE', 'BAD', 'NO_DATA'], doc: 'Avoid pixels masked with these mask planes.' });
  /** Number of pixels to grow the masked pixels when adding sky sources. */
  growMask = Field.int({ default: 0, doc: 'Number of pixels to grow the masked pixels when adding sky sources.' });
  /** Radius, in pixels, of sky sources. */
  sourceRadius = Field.float({ default: 8, doc: 'Radius, in pixels, of sky sources.' });
  /** Try to add this many sky sources. */
  nSources = Field.int({ default: 100, doc: 'Try to add this many sky sources.' });
  /** Maximum number of trial positions (default: nSources × nTrialSourcesMultiplier). */
  nTrialSources = Field.int({ default: null, optional: true, doc: 'Maximum number of trial sky object positions (default: nSkySources*nTrialSkySourcesMultiplier).' });
  /** Multiplier giving nTrialSources when it is not set. */
  nTrialSourcesMultiplier = Field.int({ default: 5, doc: 'Set nTrialSkySources to nSkySources*nTrialSkySourcesMultiplier if nTrialSkySources is None.' });
}

/**
 * The pixels of a mask with any of some bits set, as a span set (afw's `SpanSet.fromMask`).
 *
 * @param mask - the mask
 * @param bits - the bit values
 * @returns the span set, in PARENT coordinates
 * @example
 * ```ts
 * const detected = spanSetFromMask(mask, mask.getPlaneBitMask('DETECTED'));
 * ```
 * @see lsst.afw.geom.SpanSet.fromMask
 */
export function spanSetFromMask(mask: Mask, bits: number): SpanSet {
  const { data, width, height, stride } = mask.array;
  const x0 = mask.getX0();
  const y0 = mask.getY0();
  const ys: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    let x = 0;
    while (x < width) {
      if ((data[row + x]! & bits) === 0) {
        x++;
        continue;
      }
      const start = x;
      while (x < width && (data[row + x]! & bits) !== 0) x++;
      ys.push(y + y0);
      a.push(start + x0);
      b.push(x - 1 + x0);
    }
  }
  return SpanSet.fromArrays(Int32Array.from(ys), Int32Array.from(a), Int32Array.from(b), { normalize: false });
}

/** The radical inverse of `i` in a base (the Halton sequence's coordinate). */
function radicalInverse(i: number, base: number): number {
  let f = 1;
  let r = 0;
  while (i > 0) {
    f /= base;
    r += f * (i % base);
    i = Math.floor(i / base);
  }
  return r;
}


/**
 * Footprints of sky objects: circles of radius `sourceRadius` placed at the points of a 2-D
 * Halton sequence (bases 2 and 3, randomly shifted by the seed) over the image shrunk by
 * `sourceRadius + 1`, keeping the first `nSources` that touch no avoided pixel (the `avoidMask`
 * planes, grown by `growMask`) and no earlier sky object grown by its radius. Each footprint
 * has one peak, at its centre, with value 0.
 *
 * @param mask - the mask whose planes say where not to go
 * @param seed - the seed of the shift of the sequence (the same seed gives the same objects)
 * @param config - the configuration
 * @returns the footprints (fewer than `nSources` when there is no room)
 * @example
 * ```ts
 * const sky = generateSkyObjects(exposure.mask, 12345, new SkyObjectsConfig());
 * ```
 * @see lsst.meas.algorithms.skyObjects.generateSkyObjects
 */
export function generateSkyObjects(mask: Mask, seed: number, config: SkyObjectsConfig): Footprint[] {
  if (config.nSources <= 0) return [];
  const radius = Math.trunc(config.sourceRadius);
  const nTrial = config.nTrialSources ?? config.nTrialSourcesMultiplier * config.nSources;
  const box = mask.getBBox().erodedBy(radius + 1);
  if (box.isEmpty()) return [];
  let avoidSpans = spanSetFromMask(mask, mask.getPlaneBitMask(config.avoidMask));
  if (config.growMask > 0) avoidSpans = avoidSpans.dilated(config.growMask);
  // The avoided pixels as a bitmap over the mask's box: each trial looks up its circle's pixels
  // instead of intersecting span sets that grow with every accepted object.
  const region = mask.getBBox();
  const rx0 = region.getMinX();
  const ry0 = region.getMinY();
  const rw = region.getWidth();
  const rh = region.getHeight();
  const avoid = new Uint8Array(rw * rh);
  const mark = (spans: SpanSet): void => {
    for (const sp of spans) {
      const yy = sp.y - ry0;
      if (yy < 0 || yy >= rh) continue;
      const a = Math.max(sp.x0 - rx0, 0);
      const b = Math.min(sp.x1 - rx0, rw - 1);
      if (a <= b) avoid.fill(1, yy * rw + a, yy * rw + b + 1);
    }
  };
  const touches = (spans: SpanSet): boolean => {
    for (const sp of spans) {
      const row = (sp.y - ry0) * rw - rx0;
      for (let x = sp.x0; x <= sp.x1; x++) if (avoid[row + x]) return true;
    }
    return false;
  };
  mark(avoidSpans);
  const rand = seededUniform(seed);
  const shiftX = rand();
  const shiftY = rand();
  const xMin = box.getMinX();
  const yMin = box.getMinY();
  const xSpan = box.getMaxX() - xMin;
  const ySpan = box.getMaxY() - yMin;
  const out: Footprint[] = [];
  for (let i = 1; i <= nTrial && out.length < config.nSources; i++) {
    const u = (radicalInverse(i, 2) + shiftX) % 1;
    const v = (radicalInverse(i, 3) + shiftY) % 1;
    const x = Math.trunc(xMin + u * xSpan);
    const y = Math.trunc(yMin + v * ySpan);
    const spans = SpanSet.fromShape(radius, 'circle', x, y);
    if (touches(spans)) continue;
    const fp = new Footprint(spans, { region });
    fp.addPeak(x, y, 0);
    out.push(fp);
    mark(spans.dilated(radius));
  }
  return out;
}

/**
 * Places sky objects (regions with no detection, for measuring the sky and the noise) on an
 * exposure's mask; see {@link generateSkyObjects}.
 *
 * @example
 * ```ts
 * const schema = SourceCatalog.makeMinimalSchema();
 * const task = new SkyObjectsTask({ schema });
 * const catalog = new SourceCatalog(schema);
 * const footprints = task.run(exposure.mask, 42, catalog); // rows with sky_source = true
 * ```
 * @see lsst.meas.algorithms.skyObjects.SkyObjectsTask
 */
export class SkyObjectsTask extends Task<SkyObjectsConfig> {
  /** {@link SkyObjectsConfig}. */
  static override ConfigClass = SkyObjectsConfig;
  /** `skyObjects`. */
  static override _DefaultName: string | undefined = 'skyObjects';
  /** The `sky_source` flag field name, when a schema was given. */
  readonly skySourceKey: string | undefined;

  /**
   * Makes the task; with a schema, adds the `sky_source` Flag field to it.
   *
   * @param options - Task options and the schema
   */
  constructor(options: TaskOptions<SkyObjectsConfig> & { readonly schema?: Schema } = {}) {
    super(options);
    if (options.schema !== undefined) {
      if (!options.schema.contains('sky_source')) options.schema.addField({ name: 'sky_source', type: 'Flag', doc: 'Region on image with no detections.' });
      this.skySourceKey = 'sky_source';
    }
  }

  /**
   * Generates the sky objects; with a catalog (and a schema given to the constructor), appends
   * one record per object with its footprint and `sky_source` set.
   *
   * @param mask - the mask (typically with DETECTED set)
   * @param seed - the seed
   * @param catalog - where to add records (optional)
   * @returns the footprints
   * @see lsst.meas.algorithms.skyObjects.SkyObjectsTask.run
   */
  run(mask: Mask, seed: number, catalog?: SourceCatalog): Footprint[] {
    return this.timer('run', () => {
      const footprints = generateSkyObjects(mask, seed, this.config);
      this.log.info(`Added ${footprints.length} of ${this.config.nSources} requested sky sources (${((100 * footprints.length) / Math.max(1, this.config.nSources)).toFixed(0)}%)`);
      this.metadata.set('sky_footprint_count', footprints.length);
      if (footprints.length > 0 && this.skySourceKey !== undefined && catalog !== undefined) {
        const ids = catalog.getColumn('id') as BigInt64Array;
        let next = 1n;
        for (let i = 0; i < catalog.length; i++) if (ids[i]! >= next) next = ids[i]! + 1n;
        for (const fp of footprints) {
          const record = catalog.addNew();
          record.set('id', next++);
          record.setFootprint(fp);
          record.set(this.skySourceKey, true);
        }
      }
      return footprints;
    });
  }
}
