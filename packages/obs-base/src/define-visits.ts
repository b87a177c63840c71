// lsst.obs.base.DefineVisitsTask (one-to-one visit system): visit, visit_definition,
// visit_system, visit_system_membership and visit_detector_region records, with regions from
// each detector's corners through the raw WCS.
import type { Butler, DimensionRecord } from '@skystack/daf-butler';
import type { Detector } from '@skystack/afw-image';
import { Angle, ConvexPolygon, SpherePoint, UnitVector3d } from '@skystack/geom';
import { Config, Field } from '@skystack/pex-config';
import { Task, type TaskOptions } from '@skystack/pipe-base';
import type { Camera } from './camera.js';
import { ObsBaseIngestError } from './errors.js';
import { createInitialSkyWcsFromBoresight } from './initial-wcs.js';
import { Instrument } from './instrument.js';
import type { ModuleImporter } from './module-loader.js';

/** The one-to-one visit system: each exposure is its own visit (ID 0, as daf_butler's `VisitSystem.ONE_TO_ONE`). */
export const ONE_TO_ONE_VISIT_SYSTEM: Readonly<VisitSystemDefinition> = Object.freeze({ id: 0, name: 'one-to-one' });

/** A visit system's `visit_system` record values. */
export interface VisitSystemDefinition {
  /** The visit system ID. */
  readonly id: number;
  /** Its name. */
  readonly name: string;
}

/**
 * The configuration of {@link DefineVisitsTask}.
 *
 * @see lsst.obs.base.DefineVisitsConfig
 */
export class DefineVisitsConfig extends Config {
  /** Pixels added around each detector's box before its corners are mapped to the sky. */
  padding = Field.int({ doc: 'Pixels to pad each detector box by before computing its sky region (obs_base default 250).', default: 250 });
  /** Exposure observation types that make visits. */
  visitObservationTypes = Field.str({ doc: 'Comma-separated observation types of the exposures that become visits.', default: 'science' });
}

/** Options of {@link DefineVisitsTask.run}. */
export interface DefineVisitsRunOptions {
  /** Collections holding the raws (default `<INSTRUMENT>/raw/all`). */
  readonly collections?: string | readonly string[];
  /** A `where` expression restricting the exposures (`exposure.day_obs = 20250301`). */
  readonly where?: string;
}

/** What {@link DefineVisitsTask.run} did. */
export interface DefineVisitsResult {
  /** The visit IDs defined (or redefined). */
  readonly visits: readonly number[];
  /** The number of visit_detector_region records. */
  readonly detectorRegions: number;
}

/** Options of the {@link DefineVisitsTask} constructor. */
export interface DefineVisitsTaskOptions extends TaskOptions<DefineVisitsConfig> {
  /** The (writeable) Butler. */
  readonly butler: Butler;
  /** How instrument classes are imported. */
  readonly importModule?: ModuleImporter;
  /** The instrument to use instead of importing it by name. */
  readonly instrument?: Instrument;
}

/**
 * The sky region of a detector: the convex polygon of its (padded) pixel box corners through the
 * raw WCS made from a boresight and rotation angle.
 *
 * @param camera - the camera
 * @param detector - the detector
 * @param boresight - the boresight
 * @param rotation - the sky rotation angle
 * @param padding - pixels to grow the box by
 * @returns the corners on the sky, as unit vectors, counter-clockwise order kept by the hull
 * @example
 * ```ts
 * const corners = detectorSkyCorners(camera, camera.get(0), boresight, Angle.fromDegrees(0), 0);
 * const region = ConvexPolygon.convexHull(corners);
 * ```
 */
export function detectorSkyCorners(camera: Camera, detector: Detector, boresight: SpherePoint, rotation: Angle, padding: number): UnitVector3d[] {
  const wcs = createInitialSkyWcsFromBoresight(boresight, rotation, detector, camera);
  const b = detector.bbox;
  const x0 = b.getMinX() - 0.5 - padding;
  const x1 = b.getMaxX() + 0.5 + padding;
  const y0 = b.getMinY() - 0.5 - padding;
  const y1 = b.getMaxY() + 0.5 + padding;
  return [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
  ].map(([x, y]) => {
    const sp = wcs.pixelToSky(x!, y!);
    return UnitVector3d.fromLonLat(sp.getLongitude(), sp.getLatitude());
  });
}

/**
 * Defines visits from exposures with the one-to-one visit system: each exposure of a visit
 * observation type becomes a visit of the same ID, with `visit`, `visit_definition`,
 * `visit_system`, `visit_system_membership` and `visit_detector_region` records. Each detector
 * that has a raw gets the region of its padded box through the raw WCS (from the exposure's
 * boresight and sky angle and the camera geometry); the visit's region is the convex hull of
 * all of them. Running it again for the same exposures changes nothing.
 *
 * @example
 * ```ts
 * const task = new DefineVisitsTask({ butler });
 * const { visits } = await task.run('SimCam', { where: 'exposure.day_obs = 20250301' });
 * ```
 * @see lsst.obs.base.DefineVisitsTask
 */
export class DefineVisitsTask extends Task<DefineVisitsConfig> {
  /** The config class. */
  static override ConfigClass = DefineVisitsConfig;
  /** `defineVisits`. */
  static override _DefaultName = 'defineVisits';
  /** The Butler. */
  readonly butler: Butler;
  readonly #importModule: ModuleImporter | undefined;
  readonly #instrument: Instrument | undefined;

  /**
   * Makes the task.
   *
   * @param options - the Butler, config, importer, instrument
   */
  constructor(options: DefineVisitsTaskOptions) {
    super(options);
    this.butler = options.butler;
    this.#importModule = options.importModule;
    this.#instrument = options.instrument;
  }

  /**
   * Defines the visits of an instrument's exposures.
   *
   * @param instrumentName - the instrument
   * @param options - raw collections; a `where` restriction
   * @returns the visits defined and the number of detector regions
   * @throws ObsBaseIngestError when no exposure matches
   * @see lsst.obs.base.DefineVisitsTask.run
   */
  async run(instrumentName: string, options: DefineVisitsRunOptions = {}): Promise<DefineVisitsResult> {
    await this.butler.ready;
    const registry = this.butler.registry;
    const instrument =
      this.#instrument?.name === instrumentName
        ? this.#instrument
        : await Instrument.fromName(instrumentName, registry, this.#importModule === undefined ? {} : { importModule: this.#importModule });
    const camera = instrument.getCamera();
    const collections = options.collections ?? instrument.makeDefaultRawIngestRunName();
    const types = new Set(this.config.visitObservationTypes.split(',').map((s) => s.trim().toLowerCase()));
    const exposures = (
      await registry.queryDimensionRecords('exposure', { dataId: { instrument: instrumentName }, ...(options.where === undefined ? {} : { where: options.where }) }).toArray()
    ).filter((e) => types.has(String(e.get('observation_type')).toLowerCase()));
    if (exposures.length === 0) {
      throw new ObsBaseIngestError(`No ${[...types].join('/')} exposures of ${instrumentName} to define visits from${options.where === undefined ? '' : ` (where ${options.where})`}.`, {
        hint: 'Ingest raws first (butler ingest-raws), or check --where.',
      });
    }
    await registry.syncDimensionData('visit_system', { instrument: instrumentName, ...ONE_TO_ONE_VISIT_SYSTEM });
    const visits: number[] = [];
    let detectorRegions = 0;
    for (const exposure of exposures) {
      const id = Number(exposure.get('id'));
      const raws = await registry.queryDataIds(['exposure', 'detector'], { dataId: { instrument: instrumentName, exposure: id }, datasets: 'raw', collections }).toArray();
      const detectorIds = [...new Set(raws.map((d) => Number(d.get('detector'))))].sort((a, b) => a - b);
      if (detectorIds.length === 0) {
        this.log.warn(`Exposure ${id} has no raws in ${String(collections)}; no visit defined.`);
        continue;
      }
      const region = this.#regions(exposure, camera, detectorIds);
      await this.#writeVisit(instrumentName, exposure, region?.visit ?? null);
      if (region !== undefined) {
        await registry.insertDimensionData(
          'visit_detector_region',
          [...region.detectors].map(([detector, r]) => ({ instrument: instrumentName, visit: id, detector, region: r })),
          { skipExisting: true },
        );
        detectorRegions += region.detectors.size;
      }
      visits.push(id);
    }
    this.log.info(`Defined ${visits.length} visit(s) of ${instrumentName} (${detectorRegions} detector regions).`);
    return { visits, detectorRegions };
  }

  #regions(exposure: DimensionRecord, camera: Camera, detectorIds: readonly number[]): { visit: ConvexPolygon; detectors: Map<number, ConvexPolygon> } | undefined {
    const ra = exposure.get('tracking_ra');
    const dec = exposure.get('tracking_dec');
    const sky = exposure.get('sky_angle');
    if (typeof ra !== 'number' || typeof dec !== 'number' || typeof sky !== 'number') {
      this.log.warn(`Exposure ${String(exposure.get('id'))} has no boresight or sky angle; its visit has no region.`);
      return undefined;
    }
    const boresight = SpherePoint.fromDegrees(ra, dec);
    const detectors = new Map<number, ConvexPolygon>();
    const all: UnitVector3d[] = [];
    for (const id of detectorIds) {
      const corners = detectorSkyCorners(camera, camera.get(id), boresight, Angle.fromDegrees(sky), this.config.padding);
      detectors.set(id, ConvexPolygon.convexHull(corners));
      all.push(...corners);
    }
    return { visit: ConvexPolygon.convexHull(all), detectors };
  }

  async #writeVisit(instrument: string, e: DimensionRecord, region: ConvexPolygon | null): Promise<void> {
    const registry = this.butler.registry;
    const id = Number(e.get('id'));
    await registry.insertDimensionData(
      'visit',
      [
        {
          instrument,
          id,
          name: e.get('obs_id'),
          physical_filter: e.get('physical_filter'),
          day_obs: e.get('day_obs'),
          seq_num: e.get('seq_num'),
          exposure_time: e.get('exposure_time'),
          target_name: e.get('target_name'),
          observation_reason: e.get('observation_reason'),
          science_program: e.get('science_program'),
          azimuth: e.get('azimuth'),
          zenith_angle: e.get('zenith_angle'),
          region,
          timespan: e.get('timespan'),
        },
      ],
      { skipExisting: true },
    );
    await registry.insertDimensionData('visit_definition', [{ instrument, exposure: id, visit: id }], { skipExisting: true });
    await registry.insertDimensionData('visit_system_membership', [{ instrument, visit: id, visit_system: ONE_TO_ONE_VISIT_SYSTEM.id }], { skipExisting: true });
  }
}
