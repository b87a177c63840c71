// The reference catalog, as LSST refcats are: afw SimpleCatalog FITS shards by HTM depth-7 trixel.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Schema} from '@skystack/afw-table';
import { type FieldInput, SimpleCatalog, writeCatalogFits } from '@skystack/afw-table';
import { Header } from '@skystack/fits';
import { HtmPixelization } from '@skystack/geom';
import { SIMCAM_BANDS } from './camera.js';
import { ObsSimIoError } from './errors.js';
import { Random } from '@skystack/base';
import type { TruthCatalog } from './truth-catalog.js';
import { AB_NJY_ZERO_POINT } from './visits.js';

/** The refcat on-disk format version written (LSST's latest: 2, with position covariances). */
export const REFCAT_FORMAT_VERSION = 2;
/** The HTM depth of the shards (LSST's Gen3 refcats are all depth 7). */
export const REFCAT_HTM_DEPTH = 7;

const MAS = Math.PI / (180 * 3600 * 1000);

/**
 * The schema of LSST reference catalogs with full position information (meas_algorithms'
 * `ConvertReferenceCatalogTask` with `full_position_information`): `id`, `coord_ra`, `coord_dec`;
 * `<band>_flux` then `<band>_fluxErr` (nJy); `coord_raErr`, `coord_decErr` (float, rad); `epoch`
 * (MJD TAI, days); `pm_ra`, `pm_dec` (Angle per year), `pm_raErr`, `pm_decErr`, `pm_flag`;
 * `parallax`, `parallaxErr` (Angle), `parallax_flag`; and the ten off-diagonal covariances
 * `<a>_<b>_Cov` among coord_ra, coord_dec, pm_ra, pm_dec, parallax.
 *
 * @param bands - the bands (g, r, i by default)
 * @returns the schema
 * @see lsst.meas.algorithms.convertReferenceCatalog._makeSchema
 */
export function makeRefcatSchema(bands: readonly string[] = SIMCAM_BANDS): Schema {
  const fields: FieldInput[] = [
    ...bands.map((b) => ({ name: `${b}_flux`, type: 'D' as const, doc: `flux in filter ${b}`, units: 'nJy' })),
    ...bands.map((b) => ({ name: `${b}_fluxErr`, type: 'D' as const, doc: `flux uncertainty in filter ${b}`, units: 'nJy' })),
    { name: 'coord_raErr', type: 'F', doc: '1-sigma uncertainty on ra', units: 'rad' },
    { name: 'coord_decErr', type: 'F', doc: '1-sigma uncertainty on dec', units: 'rad' },
    { name: 'epoch', type: 'D', doc: 'date of observation (TAI, MJD)', units: 'day' },
    { name: 'pm_ra', type: 'Angle', doc: 'proper motion in the right ascension direction = dra/dt * cos(dec)' },
    { name: 'pm_dec', type: 'Angle', doc: 'proper motion in the declination direction' },
    { name: 'pm_raErr', type: 'F', doc: '1-sigma uncertainty on pm_ra', units: 'rad/year' },
    { name: 'pm_decErr', type: 'F', doc: '1-sigma uncertainty on pm_dec', units: 'rad/year' },
    { name: 'pm_flag', type: 'Flag', doc: 'Set if proper motion or proper motion error is bad' },
    { name: 'parallax', type: 'Angle', doc: 'parallax' },
    { name: 'parallaxErr', type: 'Angle', doc: 'uncertainty in parallax' },
    { name: 'parallax_flag', type: 'Flag', doc: 'Set if parallax or parallax error is bad' },
  ];
  const cov = ['coord_ra', 'coord_dec', 'pm_ra', 'pm_dec', 'parallax'];
  for (let i = 0; i < cov.length; i++) {
    for (let j = i + 1; j < cov.length; j++) {
      const yi = cov[i]!.startsWith('pm');
      const yj = cov[j]!.startsWith('pm');
      const units = yi && yj ? 'rad^2/year^2' : yi || yj ? 'rad^2/year' : 'rad^2';
      fields.push({ name: `${cov[i]}_${cov[j]}_Cov`, type: 'F', doc: `Covariance between ${cov[i]} and ${cov[j]}`, units });
    }
  }
  const schema = SimpleCatalog.makeMinimalSchema();
  for (const f of fields) schema.addField(f);
  return schema;
}

/** Options of {@link makeRefcat}. */
export interface RefcatOptions {
  /** The seed of the measurement noise. */
  readonly seed: number;
  /** Keep stars brighter than this r magnitude (22 by default). */
  readonly magLimit?: number;
  /** The epoch of the positions, MJD TAI (the first visit's date by default: 60735). */
  readonly epochMjd?: number;
}

/**
 * The reference catalog made from the truth: stars brighter than the limit in r, with positions
 * perturbed by their errors (2 mas + 8 mas·10^(0.4(r − 22)) per axis) and fluxes by theirs
 * (0.3% + 1%·10^(0.4(r − 22))), zero proper motion and parallax (with flags false).
 *
 * @param truth - the truth catalog
 * @param options - seed, limit, epoch
 * @returns the catalog (one, not yet sharded) with `REFCAT_FORMAT_VERSION` in its metadata
 */
export function makeRefcat(truth: TruthCatalog, options: RefcatOptions): SimpleCatalog {
  const rng = Random.fromKey(options.seed, 'refcat');
  const limit = options.magLimit ?? 22;
  const rows: number[] = [];
  const rFlux = truth.flux['r']!;
  for (let k = 0; k < truth.id.length; k++) {
    if (truth.type[k] === 'star' && AB_NJY_ZERO_POINT - 2.5 * Math.log10(rFlux[k]!) < limit) rows.push(k);
  }
  const schema = makeRefcatSchema();
  const md = new Header();
  md.set('REFCAT_FORMAT_VERSION', REFCAT_FORMAT_VERSION);
  const cat = new SimpleCatalog(schema, { length: rows.length, metadata: md });
  const n = rows.length;
  const id: bigint[] = [];
  const ra = new Float64Array(n);
  const dec = new Float64Array(n);
  const raErr = new Float64Array(n);
  const decErr = new Float64Array(n);
  const fluxes: Record<string, Float64Array> = {};
  const fluxErrs: Record<string, Float64Array> = {};
  for (const b of SIMCAM_BANDS) {
    fluxes[b] = new Float64Array(n);
    fluxErrs[b] = new Float64Array(n);
  }
  rows.forEach((k, i) => {
    const r = AB_NJY_ZERO_POINT - 2.5 * Math.log10(rFlux[k]!);
    const faint = 10 ** (0.4 * (r - 22));
    const sigma = (2 + 8 * faint) * MAS;
    const d = (truth.decDeg[k]! * Math.PI) / 180;
    id.push(BigInt(truth.id[k]!));
    ra[i] = (truth.raDeg[k]! * Math.PI) / 180 + rng.normal(0, sigma) / Math.cos(d);
    dec[i] = d + rng.normal(0, sigma);
    raErr[i] = sigma;
    decErr[i] = sigma;
    for (const b of SIMCAM_BANDS) {
      const f = truth.flux[b]![k]!;
      const e = f * (0.003 + 0.01 * faint);
      fluxes[b]![i] = f + rng.normal(0, e);
      fluxErrs[b]![i] = e;
    }
  });
  cat.setColumn('id', id);
  cat.setColumn('coord_ra', ra);
  cat.setColumn('coord_dec', dec);
  cat.setColumn('coord_raErr', raErr);
  cat.setColumn('coord_decErr', decErr);
  for (const b of SIMCAM_BANDS) {
    cat.setColumn(`${b}_flux`, fluxes[b]!);
    cat.setColumn(`${b}_fluxErr`, fluxErrs[b]!);
  }
  cat.setColumn('epoch', new Float64Array(n).fill(options.epochMjd ?? 60735));
  return cat;
}

/** What {@link writeShardedRefcat} wrote. */
export interface ShardedRefcat {
  /** The directory of the shards (`<dir>/<name>`). */
  readonly directory: string;
  /** The HTM7 ids of the shards written, ascending. */
  readonly shards: readonly number[];
  /** Number of reference objects. */
  readonly count: number;
}

/**
 * Writes a reference catalog as LSST does: one afw SimpleCatalog FITS file per HTM depth-7 trixel
 * (`<dir>/<name>/<htm7 id>.fits`, each with `REFCAT_FORMAT_VERSION` in its header),
 * `master_schema.fits` (the schema, no rows) and `config.py` (the `DatasetConfig`:
 * `format_version`, `ref_dataset_name`, `indexer.name = 'HTM'`, depth 7) beside them, and
 * `<dir>/filename_to_htm.ecsv` (file → htm7, paths relative to `<dir>`: what `butler ingest-files
 * --prefix <dir>` takes).
 *
 * @param dir - the output directory
 * @param name - the reference dataset name (e.g. `'sim_refcat'`)
 * @param catalog - the catalog (see {@link makeRefcat})
 * @returns the shards written
 * @throws {@link ObsSimIoError} when a file cannot be written
 * @example
 * ```ts
 * await writeShardedRefcat('out/refcats', 'sim_refcat', makeRefcat(truth, { seed: 1 }));
 * ```
 * @see lsst.meas.algorithms.ConvertReferenceCatalogTask
 */
export async function writeShardedRefcat(dir: string, name: string, catalog: SimpleCatalog): Promise<ShardedRefcat> {
  const directory = join(dir, name);
  try {
    await mkdir(directory, { recursive: true });
  } catch (cause) {
    throw new ObsSimIoError(`Could not create the refcat directory '${directory}'.`, { cause });
  }
  const htm = new HtmPixelization(REFCAT_HTM_DEPTH);
  const ids = htm.indexLonLatArrays(Float64Array.from(catalog.getColumn('coord_ra') as Float64Array), Float64Array.from(catalog.getColumn('coord_dec') as Float64Array));
  const groups = new Map<number, number[]>();
  ids.forEach((h, i) => {
    const g = groups.get(h);
    if (g === undefined) groups.set(h, [i]);
    else g.push(i);
  });
  const shards = [...groups.keys()].sort((a, b) => a - b);
  for (const h of shards) {
    const rows = groups.get(h)!;
    const md = new Header();
    md.set('REFCAT_FORMAT_VERSION', REFCAT_FORMAT_VERSION);
    const shard = new SimpleCatalog(catalog.schema, { length: rows.length, metadata: md });
    for (const field of catalog.schema) {
      const col = catalog.getColumn(field.name);
      const values = rows.map((r) => (col as ArrayLike<number | bigint | boolean>)[r]!);
      shard.setColumn(field.name, values as number[]);
    }
    await writeCatalogFits(join(directory, `${h}.fits`), shard);
  }
  const mdSchema = new Header();
  mdSchema.set('REFCAT_FORMAT_VERSION', REFCAT_FORMAT_VERSION);
  await writeCatalogFits(join(directory, 'master_schema.fits'), new SimpleCatalog(catalog.schema, { length: 0, metadata: mdSchema }));
  const config = [
    'import lsst.meas.algorithms.convertReferenceCatalog',
    "assert type(config) == lsst.meas.algorithms.convertReferenceCatalog.DatasetConfig, 'config is of type %s.%s instead of lsst.meas.algorithms.convertReferenceCatalog.DatasetConfig' % (type(config).__module__, type(config).__name__)",
    'import lsst.meas.algorithms.indexerRegistry',
    '# Written by SkyStack obs-sim (SimCam): on-disk format version 2 (nJy fluxes, position covariances).',
    `config.format_version = ${REFCAT_FORMAT_VERSION}`,
    '# Reference dataset name, as registered in the Butler.',
    `config.ref_dataset_name = '${name}'`,
    '# HTM depth of the shards.',
    `config.indexer['HTM'].depth = ${REFCAT_HTM_DEPTH}`,
    "config.indexer.name = 'HTM'",
    '',
  ].join('\n');
  const ecsv = [
    '# %ECSV 1.0',
    '# ---',
    '# datatype:',
    '# - {name: filename, datatype: string}',
    `# - {name: htm${REFCAT_HTM_DEPTH}, datatype: int64}`,
    '# schema: astropy-2.0',
    `filename htm${REFCAT_HTM_DEPTH}`,
    ...shards.map((h) => `${name}/${h}.fits ${h}`),
    '',
  ].join('\n');
  try {
    await writeFile(join(directory, 'config.py'), config);
    await writeFile(join(dir, 'filename_to_htm.ecsv'), ecsv);
  } catch (cause) {
    throw new ObsSimIoError(`Could not write the refcat config in '${directory}'.`, { cause });
  }
  return { directory, shards, count: catalog.length };
}
