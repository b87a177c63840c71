import type { Exposure, PcaPsf, PixelArray } from '@skystack/afw-image';
import type { Schema, SourceCatalog } from '@skystack/afw-table';
import { Config, ConfigurableField, RegistryField, type RegistryInstance } from '@skystack/pex-config';
import { Task, type TaskOptions } from '@skystack/pipe-base';
import type { SourceSelector } from './object-size-star-selector.js';
import type { PsfDeterminer } from './pca-psf-determiner.js';
import { MakePsfCandidatesTask, type PsfCandidate } from './psf-candidate.js';
import { psfDeterminerRegistry, sourceSelectorRegistry } from './registries.js';
import { ReserveSourcesTask } from './reserve-sources-task.js';

/**
 * Configuration of {@link MeasurePsfTask}, with LSST's fields.
 *
 * @see lsst.pipe.tasks.measurePsf.MeasurePsfConfig
 */
export class MeasurePsfConfig extends Config {
  /** Star selection algorithm (from {@link sourceSelectorRegistry}; default `objectSize`). */
  starSelector: RegistryInstance = RegistryField({ doc: 'Star selection algorithm', registry: sourceSelectorRegistry, default: 'objectSize' });
  /** Task to make PSF candidates from selected stars. */
  makePsfCandidates = ConfigurableField({ doc: 'Task to make psf candidates from selected stars.', target: MakePsfCandidatesTask });
  /** PSF determination algorithm (from {@link psfDeterminerRegistry}; default `pca`). */
  psfDeterminer: RegistryInstance = RegistryField({ doc: 'PSF Determination algorithm', registry: psfDeterminerRegistry, default: 'pca' });
  /** Reserve sources from fitting. */
  reserve = ConfigurableField({ doc: 'Reserve sources from fitting', target: ReserveSourcesTask });
}

/** What {@link MeasurePsfTask.run} returns. */
export interface MeasurePsfResult {
  /** The measured PSF (also set on the exposure). */
  readonly psf: PcaPsf;
  /** The PSF candidates with their final status (LSST's `cellSet`). */
  readonly candidates: readonly PsfCandidate[];
  /** The number of candidates used. */
  readonly numGoodStars: number;
  /** The number of candidates available to the determiner. */
  readonly numAvailStars: number;
}

/**
 * Measures the PSF of an exposure from its sources: selects stars (`starSelector`), makes PSF
 * candidates of them (`makePsfCandidates`), reserves a random fraction (`reserve`), determines
 * the PSF from the rest (`psfDeterminer`) and sets it on the exposure. With a schema, the task
 * adds and sets `calib_psf_candidate`, `calib_psf_used` and `calib_psf_reserved`.
 *
 * @example
 * ```ts
 * const schema = measurement.schema;                  // before the catalog is made
 * const measurePsf = new MeasurePsfTask({ schema });
 * const sources = new SourceCatalog(schema);         // ... detect and measure
 * const { psf } = measurePsf.run(exposure, sources); // exposure.getPsf() === psf
 * ```
 * @see lsst.pipe.tasks.measurePsf.MeasurePsfTask
 */
export class MeasurePsfTask extends Task<MeasurePsfConfig> {
  /** {@link MeasurePsfConfig}. */
  static override ConfigClass = MeasurePsfConfig;
  /** `measurePsf`. */
  static override _DefaultName: string | undefined = 'measurePsf';
  /** The star selector. */
  readonly starSelector: SourceSelector;
  /** The candidate maker. */
  readonly makePsfCandidates: MakePsfCandidatesTask;
  /** The PSF determiner. */
  readonly psfDeterminer: PsfDeterminer;
  /** The reserve subtask. */
  readonly reserve: ReserveSourcesTask;
  /** `calib_psf_candidate`, when a schema was given. */
  readonly candidateKey: string | undefined;
  /** `calib_psf_used`, when a schema was given. */
  readonly usedKey: string | undefined;

  /**
   * Makes the task and its subtasks; with a schema, adds the `calib_psf_candidate`,
   * `calib_psf_used` and `calib_psf_reserved` Flag fields.
   *
   * @param options - Task options and the schema
   */
  constructor(options: TaskOptions<MeasurePsfConfig> & { readonly schema?: Schema } = {}) {
    super(options);
    const schema = options.schema;
    if (schema !== undefined) {
      const add = (name: string, doc: string): string => {
        if (!schema.contains(name)) schema.addField({ name, type: 'Flag', doc });
        return name;
      };
      this.candidateKey = add('calib_psf_candidate', 'Flag set if the source was a candidate for PSF determination, as determined by the star selector.');
      this.usedKey = add('calib_psf_used', `Flag set if the source was actually used for PSF determination, as determined by the '${String(this.config.psfDeterminer.name)}' PSF determiner.`);
    }
    this.starSelector = this.makeSubtask('starSelector') as unknown as SourceSelector;
    this.makePsfCandidates = this.makeSubtask<MakePsfCandidatesTask>('makePsfCandidates');
    this.psfDeterminer = this.makeSubtask('psfDeterminer') as unknown as PsfDeterminer;
    this.reserve = this.makeSubtask<ReserveSourcesTask>('reserve', { columnName: 'calib_psf', schema, doc: 'set if source was reserved from PSF determination' });
  }

  /**
   * Measures the PSF and sets it on the exposure.
   *
   * @param exposure - the exposure (background subtracted); its PSF is replaced
   * @param sources - the measured sources (slot centroid and shape, the selector's flux); the
   *   flag fields are set when the task was given the schema
   * @param expId - the exposure ID (seeds the reserve selection)
   * @returns the PSF and the candidates
   * @throws {@link MeasAlgorithmsNoDataError} when no stars or no usable candidates are found
   * @see lsst.pipe.tasks.measurePsf.MeasurePsfTask.run
   */
  run(exposure: Exposure<PixelArray>, sources: SourceCatalog, expId = 0): MeasurePsfResult {
    return this.timer('run', () => {
      this.log.info('Measuring PSF');
      const stars = this.starSelector.run(sources, { exposure });
      const selection = this.makePsfCandidates.run(sources, stars.indices, exposure);
      const reserved = this.reserve.run(sources, selection.goodStarIndices, expId);
      const candidates = selection.psfCandidates.filter((_, k) => reserved.use[k] === 1);
      if (this.candidateKey !== undefined) {
        const flag = sources.getColumn(this.candidateKey) as Uint8Array;
        for (const cand of candidates) flag[cand.index] = 1;
      }
      this.log.info(`PSF star selector found ${candidates.length} candidates`);
      const result = this.psfDeterminer.determinePsf(exposure, sources, candidates, { flagKey: this.usedKey });
      this.metadata.set('numGoodStars', result.numGoodStars);
      this.metadata.set('numAvailStars', result.numAvailStars);
      this.log.info(`PSF determination using ${result.numGoodStars}/${result.numAvailStars} stars.`);
      exposure.setPsf(result.psf);
      return { psf: result.psf, candidates: result.candidates, numGoodStars: result.numGoodStars, numAvailStars: result.numAvailStars };
    });
  }
}
