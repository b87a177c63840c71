// SetPrimaryFlagsTask: which coadd sources are the primary measurement of an object
// (lsst.pipe.tasks.setPrimaryFlags.SetPrimaryFlagsTask, coadd branch).
import type { Schema, SourceCatalog } from '@skystack/afw-table';
import type { SpherePoint } from '@skystack/geom';
import { Box2D } from '@skystack/geom';
import { Config, Field, ListField } from '@skystack/pex-config';
import { Task, type TaskOptions } from '@skystack/pipe-base';
import type { BaseSkyMap, PatchInfo, TractInfo } from '@skystack/skymap';
import { PipeTasksInvalidArgumentError } from '../errors.js';

/**
 * The config of {@link SetPrimaryFlagsTask}, with LSST's fields and defaults.
 *
 * @see lsst.pipe.tasks.setPrimaryFlags.SetPrimaryFlagsConfig
 */
export class SetPrimaryFlagsConfig extends Config {
  /** The field with the number of deblended children. */
  nChildKeyName = Field.str({ doc: 'Name of field in schema with number of deblended children', default: 'deblend_nChild' });
  /** Names of pseudo-bands whose sources are never primary (`merge_peak_<name>`). */
  pseudoFilterList = ListField({ doc: 'Names of filters which should never be primary', dtype: 'str', default: ['sky'] });
}

/**
 * Sets `detect_isPatchInner` (the centroid lies in the patch's inner box),
 * `detect_isTractInner` (the sky map puts the position in this tract), `detect_isDeblendedSource`
 * (a leaf of the deblend tree: no children) and `detect_isPrimary` (all three, and not a sky
 * object: no `sky_source`, no `merge_peak_<pseudo-band>` on the source's peak).
 *
 * @example
 * ```ts
 * const task = new SetPrimaryFlagsTask({ schema });
 * task.run(sources, { skyMap, tractInfo, patchInfo });
 * ```
 * @see lsst.pipe.tasks.setPrimaryFlags.SetPrimaryFlagsTask
 */
export class SetPrimaryFlagsTask extends Task<SetPrimaryFlagsConfig> {
  /** {@link SetPrimaryFlagsConfig}. */
  static override ConfigClass = SetPrimaryFlagsConfig;
  /** `setPrimaryFlags`. */
  static override _DefaultName: string | undefined = 'setPrimaryFlags';

  /**
   * Makes the task and adds its flag fields to the schema.
   *
   * @param options - config, and the schema (required)
   * @throws {@link PipeTasksInvalidArgumentError} without a schema
   */
  constructor(options: TaskOptions<SetPrimaryFlagsConfig> & { readonly schema?: Schema } = {}) {
    super(options);
    const schema = options.schema;
    if (schema === undefined) throw new PipeTasksInvalidArgumentError('SetPrimaryFlagsTask needs the schema ({ schema }) to add its detect_* flags to.');
    const add = (name: string, doc: string): void => {
      if (!schema.contains(name)) schema.addField({ name, type: 'Flag', doc });
    };
    add('detect_isPatchInner', 'True if source is in the inner region of a coadd patch');
    add('detect_isTractInner', 'True if source is in the inner region of a coadd tract');
    add('detect_isPrimary', 'True if source has no children and is in the inner region of a coadd patch and is in the inner region of a coadd tract and is not a sky source');
    add('detect_isDeblendedSource', 'True if source has no children (a leaf of the deblend tree)');
  }

  /**
   * Sets the flags (see the class description).
   *
   * @param sources - the catalog (made with the schema given to the constructor; modified)
   * @param where - the sky map, tract and patch the sources were measured on
   * @param where.skyMap - the sky map
   * @param where.tractInfo - the tract
   * @param where.patchInfo - the patch
   * @throws {@link PipeTasksInvalidArgumentError} when the catalog lacks the flag fields
   * @see lsst.pipe.tasks.setPrimaryFlags.SetPrimaryFlagsTask.run
   */
  run(sources: SourceCatalog, where: { readonly skyMap: BaseSkyMap; readonly tractInfo: TractInfo; readonly patchInfo: PatchInfo }): void {
    this.timer('run', () => {
      if (!sources.schema.contains('detect_isPrimary')) throw new PipeTasksInvalidArgumentError('The catalog has no detect_isPrimary field: make it with the schema given to SetPrimaryFlagsTask.');
      const n = sources.length;
      const inner = Box2D.fromBox2I(where.patchInfo.getInnerBBox());
      const tractId = where.tractInfo.getId();
      const wcs = where.tractInfo.getWcs();
      const patchInner = sources.getColumn('detect_isPatchInner') as Uint8Array;
      const tractInner = sources.getColumn('detect_isTractInner') as Uint8Array;
      const primary = sources.getColumn('detect_isPrimary') as Uint8Array;
      const leaf = sources.getColumn('detect_isDeblendedSource') as Uint8Array;
      const nChild = sources.schema.contains(this.config.nChildKeyName) ? (sources.getColumn(this.config.nChildKeyName) as Int32Array) : undefined;
      const sky = sources.schema.contains('sky_source') ? (sources.getColumn('sky_source') as Uint8Array) : undefined;
      const pseudo = this.config.pseudoFilterList.map((b) => `merge_peak_${b}`);
      for (let i = 0; i < n; i++) {
        const r = sources.get(i);
        const x = r.getX();
        const y = r.getY();
        const ok = Number.isFinite(x) && Number.isFinite(y);
        patchInner[i] = ok && inner.contains(x, y) ? 1 : 0;
        let inTract = false;
        if (ok) {
          const coord: SpherePoint = wcs.pixelToSky(x, y);
          inTract = where.skyMap.findTract(coord).getId() === tractId;
        }
        tractInner[i] = inTract ? 1 : 0;
        leaf[i] = nChild === undefined || nChild[i] === 0 ? 1 : 0;
        let isSky = sky !== undefined && sky[i] === 1;
        const fp = sources.getFootprint(i);
        if (!isSky && fp !== null && fp.getPeaks().length > 0) {
          const peak = fp.getPeaks().get(0);
          for (const f of pseudo) if (peak.schema.contains(f) && peak.get(f) === true) isSky = true;
        }
        primary[i] = patchInner[i] === 1 && tractInner[i] === 1 && leaf[i] === 1 && !isSky ? 1 : 0;
      }
    });
  }
}
