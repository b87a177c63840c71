// Registry throughput and latency on a file SQLite database (in a temporary directory) and, when
// SKYSTACK_PG_URL is set, on PostgreSQL (a throwaway schema, dropped afterwards; skipped
// otherwise):
//   - insertDatasets: 1,000,000 datasets (instrument+visit+detector; 5,000 visits x 200
//     detectors) into one RUN in batches of 10,000: total time and datasets/s;
//   - queryDatasets and findDataset for one fully specified data ID on that registry: median and
//     p95 of many single queries;
//   - queryDataIds(visit, detector) with a `where` over 500 visits x 200 detectors (100,000
//     visit_detector_region records);
//   - a spatial join: the visits (10,000 3.5-degree circles) that overlap one tract, whose count
//     is checked against a brute-force overlap count computed here with @skystack/geom.
// Each case prints its own line (median, p95, result count); the table's mean is the mean of
// the same samples. `pnpm bench --smoke` runs each case once at tiny sizes (1,000 datasets).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Angle, Circle, ConvexPolygon, Relationship, UnitVector3d, type Region } from '@skystack/geom';
import { DatasetType } from '../datasets/dataset-type.js';
import { createRegistry, type SqlRegistry } from './sql/sql-registry.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  setup?: () => void | Promise<void>;
  fn?: () => unknown;
  measure?: () => Promise<ExternalMeasurement>;
}

interface ExternalMeasurement {
  meanMs: number;
  samples: number;
  rmePercent?: number;
}

const REL = 'packages/daf-butler/src/registry/registry.bench.ts';
const { values: args } = parseArgs({ options: { filter: { type: 'string' }, smoke: { type: 'boolean' } }, strict: false });
const SMOKE = args.smoke === true;
const FILTER = typeof args.filter === 'string' ? args.filter : undefined;

// Sizes (smoke in brackets).
const VISITS = SMOKE ? 10 : 5_000; // datasets registry [10 x 100 = 1,000 datasets]
const DETECTORS = SMOKE ? 100 : 200;
const BATCH = SMOKE ? 250 : 10_000;
const QUERY_VISITS = SMOKE ? 20 : 500; // where-query registry: 500 x 200 = 100,000 visit_detector_region records
const SPATIAL_VISITS = SMOKE ? 200 : 10_000;
const SINGLE_QUERIES = SMOKE ? 1 : 2_000;
const MIN_REPEATS = SMOKE ? 1 : 5;
const REPEAT_MS = SMOKE ? 0 : 3_000;
const INSTRUMENT = 'BenchCam';
const RUN = 'bench/run';
const BANDS = ['u', 'g', 'r', 'i', 'z', 'y'] as const;
const SKYMAP = 'bench_rings';
const TRACT_HALF_DEG = 1.75;
const VISIT_RADIUS_DEG = 1.75;
const WHERE = "visit.exposure_time > 20 AND detector IN (10..50) AND band = 'r'";

const PG_URL = process.env['SKYSTACK_PG_URL'] || undefined;

/** Deterministic uniform [0, 1). */
function makeRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
}

function stats(samples: number[]): { mean: number; median: number; p95: number; rme: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  const sd = samples.length > 1 ? Math.sqrt(samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (samples.length - 1)) : 0;
  const rme = samples.length > 1 ? ((1.96 * sd) / Math.sqrt(samples.length) / mean) * 100 : 0;
  return { mean, median: pick(0.5), p95: pick(0.95), rme };
}

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(3) : ms.toFixed(1));

/** Runs `one` at least MIN_REPEATS times and until REPEAT_MS have passed; prints median/p95. */
async function repeat(label: string, one: () => Promise<number>, extra = ''): Promise<ExternalMeasurement> {
  await one(); // warm-up: caches, prepared statements
  const samples: number[] = [];
  const t0 = performance.now();
  let count = 0;
  while (samples.length < MIN_REPEATS || performance.now() - t0 < REPEAT_MS) {
    const t = performance.now();
    count = await one();
    samples.push(performance.now() - t);
  }
  const s = stats(samples);
  console.log(`  ${label}: median ${fmt(s.median)} ms, p95 ${fmt(s.p95)} ms, ${samples.length} runs, ${count} results${extra}`);
  return { meanMs: s.mean, samples: samples.length, rmePercent: s.rme };
}

// ------------------------------------------------------------------ fixtures

let tmp: string | undefined;
process.on('exit', () => {
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

interface Backend {
  readonly name: string;
  url(fixture: string): string;
  /** Removes what `url(fixture)` made (PostgreSQL: drops the schema). */
  drop(registry: SqlRegistry, fixture: string): Promise<void>;
}

const schemaOf = (fixture: string) => `bench_registry_${process.pid}_${fixture}`;
const BACKENDS: Backend[] = [
  {
    name: 'sqlite',
    url: (fixture) => {
      tmp ??= mkdtempSync(join(tmpdir(), 'skystack-registry-bench-'));
      return `sqlite://${join(tmp, `${fixture}.sqlite3`)}`;
    },
    drop: async () => undefined,
  },
  ...(PG_URL === undefined
    ? []
    : [
        {
          name: 'postgresql',
          url: (fixture: string) => `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schemaOf(fixture)}`,
          // Without statistics of the freshly loaded tables the planner takes every table for
          // one row and picks nested loops (the 200-visit smoke spatial join took 24 s).
          drop: (registry: SqlRegistry, fixture: string) => registry.db.exec(`DROP SCHEMA IF EXISTS "${schemaOf(fixture)}" CASCADE`),
        },
      ]),
];

/** A registry built once on first use and closed (and dropped) after the last case that uses it. */
class Fixture<T> {
  #value: Promise<{ registry: SqlRegistry; data: T }> | undefined;
  #users = 0;
  constructor(
    readonly backend: Backend,
    readonly id: string,
    readonly build: (registry: SqlRegistry) => Promise<T>,
  ) {}

  /** Declares a case that will run (the bench runner's own filter rule). */
  use(caseName: string): void {
    if (FILTER === undefined || `${REL} ${caseName}`.includes(FILTER)) this.#users++;
  }

  get(): Promise<{ registry: SqlRegistry; data: T }> {
    this.#value ??= (async () => {
      const registry = await createRegistry(this.backend.url(this.id));
      const data = await this.build(registry);
      return { registry, data };
    })();
    return this.#value;
  }

  async done(): Promise<void> {
    if (--this.#users > 0 || this.#value === undefined) return;
    const { registry } = await this.#value;
    await this.backend.drop(registry, this.id);
    await registry.close();
    this.#value = undefined;
  }
}

async function insertInstrument(registry: SqlRegistry, visits: number, detectors: number): Promise<void> {
  await registry.insertDimensionData('instrument', [
    { name: INSTRUMENT, visit_max: 10_000_000, exposure_max: 10_000_000, detector_max: 1000, class_name: 'bench.BenchCam' },
  ]);
  await registry.insertDimensionData('physical_filter', BANDS.map((b) => ({ instrument: INSTRUMENT, name: `${INSTRUMENT}-${b}`, band: b })));
  const days = Math.ceil(visits / 100);
  await registry.insertDimensionData('day_obs', Array.from({ length: days }, (_, i) => ({ instrument: INSTRUMENT, id: 20240000 + i })));
  if (detectors > 0) {
    await registry.insertDimensionData('detector', Array.from({ length: detectors }, (_, id) => ({ instrument: INSTRUMENT, id, full_name: `D${id}` })));
  }
}

/** Visit records: 1/6 per band, 30% with exposure_time 30 s (the rest 15 s); optional regions. */
async function insertVisits(registry: SqlRegistry, n: number, region?: (i: number) => Region): Promise<void> {
  const rand = makeRandom(7);
  for (let start = 0; start < n; start += 10_000) {
    const recs = [];
    for (let i = start; i < Math.min(n, start + 10_000); i++) {
      recs.push({
        instrument: INSTRUMENT,
        id: i,
        name: `v${i}`,
        physical_filter: `${INSTRUMENT}-${BANDS[i % BANDS.length]!}`,
        day_obs: 20240000 + Math.floor(i / 100),
        seq_num: i % 100,
        exposure_time: rand() < 0.3 ? 30 : 15,
        ...(region === undefined ? {} : { region: region(i) }),
      });
    }
    await registry.insertDimensionData('visit', recs);
  }
}

/**
 * One visit_detector_region record (without a region) per visit and detector, as define-visits
 * makes them: queries over visit+detector join that table.
 */
async function insertVisitDetectorRegions(registry: SqlRegistry, visits: number, detectors: number): Promise<void> {
  let recs: { instrument: string; visit: number; detector: number }[] = [];
  for (let visit = 0; visit < visits; visit++) {
    for (let detector = 0; detector < detectors; detector++) {
      recs.push({ instrument: INSTRUMENT, visit, detector });
      if (recs.length === 50_000) {
        await registry.insertDimensionData('visit_detector_region', recs);
        recs = [];
      }
    }
  }
  if (recs.length > 0) await registry.insertDimensionData('visit_detector_region', recs);
}

interface DatasetsData {
  readonly datasetType: DatasetType;
  inserted: boolean;
}

async function insertAllDatasets(registry: SqlRegistry, d: DatasetsData): Promise<number> {
  let n = 0;
  let batch: { instrument: string; visit: number; detector: number }[] = [];
  for (let visit = 0; visit < VISITS; visit++) {
    for (let detector = 0; detector < DETECTORS; detector++) {
      batch.push({ instrument: INSTRUMENT, visit, detector });
      if (batch.length === BATCH) {
        n += (await registry.insertDatasets(d.datasetType, batch, RUN)).length;
        batch = [];
      }
    }
  }
  if (batch.length > 0) n += (await registry.insertDatasets(d.datasetType, batch, RUN)).length;
  d.inserted = true;
  return n;
}

interface SpatialData {
  readonly visitRegions: Region[];
  readonly tract: number;
  readonly tractRegion: ConvexPolygon;
}

const deg = (x: number) => (x * Math.PI) / 180;

/** A tract: the convex hull of a lon/lat box of half-size TRACT_HALF_DEG around a centre. */
function tractPolygon(raDeg: number, decDeg: number): ConvexPolygon {
  const h = TRACT_HALF_DEG;
  const dRa = h / Math.cos(deg(decDeg));
  const corners = [
    [raDeg - dRa, decDeg - h],
    [raDeg + dRa, decDeg - h],
    [raDeg + dRa, decDeg + h],
    [raDeg - dRa, decDeg + h],
  ];
  return ConvexPolygon.convexHull(corners.map(([ra, dec]) => UnitVector3d.fromLonLatRadians(deg(ra!), deg(dec!))));
}

function overlaps(a: Region, b: Region): boolean {
  const o = a.overlaps(b);
  return o !== undefined ? o : (a.relate(b) & Relationship.DISJOINT) === 0;
}

/**
 * Tracts on rings 3 degrees apart in Dec (-30..+30), 3/cos(dec) degrees apart in RA, each a
 * 3.5-degree box (overlapping neighbours, as rings tracts do). Visits: 80% uniform over the
 * band (a wide survey), 20% dithered within 2 degrees of (150.1, +2.2) (a deep field); each a
 * 3.5-degree circle. The queried tract is the one whose centre is nearest the deep field.
 */
async function buildSpatial(registry: SqlRegistry): Promise<SpatialData> {
  await insertInstrument(registry, SPATIAL_VISITS, 0);
  const rand = makeRandom(11);
  const visitRegions: Region[] = [];
  for (let i = 0; i < SPATIAL_VISITS; i++) {
    let ra: number;
    let dec: number;
    if (i % 5 === 4) {
      ra = 150.1 + (2 * rand() - 1) * 2;
      dec = 2.2 + (2 * rand() - 1) * 2;
    } else {
      ra = 360 * rand();
      dec = (Math.asin((2 * rand() - 1) * Math.sin(deg(30))) * 180) / Math.PI;
    }
    visitRegions.push(new Circle(UnitVector3d.fromLonLatRadians(deg(ra), deg(dec)), Angle.fromDegrees(VISIT_RADIUS_DEG)));
  }
  await insertVisits(registry, SPATIAL_VISITS, (i) => visitRegions[i]!);
  await registry.insertDimensionData('skymap', [
    { name: SKYMAP, hash: new Uint8Array(40).fill(7), tract_max: 100_000, patch_nx_max: 10, patch_ny_max: 10 },
  ]);
  const tracts: { skymap: string; id: number; region: ConvexPolygon }[] = [];
  let best = { tract: -1, d: Infinity, region: undefined as ConvexPolygon | undefined };
  const decs = SMOKE ? [0, 3] : Array.from({ length: 21 }, (_, k) => -30 + 3 * k);
  for (const dec of decs) {
    const n = Math.floor(360 / (3 / Math.cos(deg(dec))));
    for (let k = 0; k < n; k++) {
      const ra = (360 * k) / n;
      const region = tractPolygon(ra, dec);
      const id = tracts.length;
      tracts.push({ skymap: SKYMAP, id, region });
      const d = Math.hypot((ra - 150.1) * Math.cos(deg(dec)), dec - 2.2);
      if (d < best.d) best = { tract: id, d, region };
    }
  }
  for (let start = 0; start < tracts.length; start += 10_000) await registry.insertDimensionData('tract', tracts.slice(start, start + 10_000));
  return { visitRegions, tract: best.tract, tractRegion: best.region! };
}

// ------------------------------------------------------------------ cases

function casesFor(backend: Backend): BenchCase[] {
  const b = backend.name;
  const datasets = new Fixture<DatasetsData>(backend, 'datasets', async (registry) => {
    await insertInstrument(registry, VISITS, DETECTORS);
    await insertVisits(registry, VISITS);
    await insertVisitDetectorRegions(registry, VISITS, DETECTORS);
    const datasetType = new DatasetType('calexp', ['instrument', 'visit', 'detector'], 'ExposureF', { universe: registry.universe });
    await registry.registerDatasetType(datasetType);
    await registry.registerRun(RUN);
    return { datasetType, inserted: false };
  });
  const where = new Fixture<null>(backend, 'where', async (registry) => {
    await insertInstrument(registry, QUERY_VISITS, DETECTORS);
    await insertVisits(registry, QUERY_VISITS);
    await insertVisitDetectorRegions(registry, QUERY_VISITS, DETECTORS);
    return null;
  });
  const spatial = new Fixture<SpatialData>(backend, 'spatial', buildSpatial);
  const n = VISITS * DETECTORS;

  const insertName = `${b}: insertDatasets, ${n.toLocaleString('en-US')} datasets (visit x detector) in batches of ${BATCH.toLocaleString('en-US')}`;
  const queryName = `${b}: queryDatasets, one fully specified data ID (${n.toLocaleString('en-US')} datasets)`;
  const findName = `${b}: findDataset, one fully specified data ID (${n.toLocaleString('en-US')} datasets)`;
  const whereName = `${b}: queryDataIds visit,detector where "${WHERE}" (${(QUERY_VISITS * DETECTORS).toLocaleString('en-US')} visit x detector records)`;
  const spatialName = `${b}: queryDataIds visit overlapping one tract (${SPATIAL_VISITS.toLocaleString('en-US')} visit regions)`;
  datasets.use(insertName);
  datasets.use(queryName);
  datasets.use(findName);
  where.use(whereName);
  spatial.use(spatialName);

  const insert = async (): Promise<ExternalMeasurement> => {
    try {
      const { registry, data } = await datasets.get();
      if (data.inserted) throw new Error(`${insertName}: the datasets are already inserted.`);
      const t = performance.now();
      const count = await insertAllDatasets(registry, data);
      const ms = performance.now() - t;
      if (count !== n) throw new Error(`${insertName}: inserted ${count}, expected ${n}.`);
      console.log(`  ${b} insertDatasets: ${count} datasets in ${(ms / 1000).toFixed(2)} s, ${Math.round(count / (ms / 1000)).toLocaleString('en-US')} datasets/s`);
      return { meanMs: ms, samples: 1 };
    } finally {
      await datasets.done();
    }
  };

  /** Median/p95 over many single-data-ID lookups, each checked to find exactly one dataset. */
  const lookups = async (label: string, one: (registry: SqlRegistry, dataId: Record<string, string | number>) => Promise<number>) => {
    try {
      const { registry, data } = await datasets.get();
      if (!data.inserted) await insertAllDatasets(registry, data);
      const rand = makeRandom(3);
      const pick = () => ({ instrument: INSTRUMENT, visit: Math.floor(rand() * VISITS), detector: Math.floor(rand() * DETECTORS) });
      await one(registry, pick()); // warm-up
      const samples: number[] = [];
      for (let i = 0; i < SINGLE_QUERIES; i++) {
        const dataId = pick();
        const t = performance.now();
        const found = await one(registry, dataId);
        samples.push(performance.now() - t);
        if (found !== 1) throw new Error(`${label}: ${found} datasets for ${JSON.stringify(dataId)}, expected 1.`);
      }
      const s = stats(samples);
      console.log(`  ${b} ${label}: median ${fmt(s.median)} ms, p95 ${fmt(s.p95)} ms over ${samples.length} single queries`);
      return { meanMs: s.mean, samples: samples.length, rmePercent: s.rme };
    } finally {
      await datasets.done();
    }
  };
  const queryOne = async (registry: SqlRegistry, dataId: Record<string, string | number>) =>
    (await registry.queryDatasets('calexp', { collections: RUN, dataId }).toArray()).length;
  const findOne = async (registry: SqlRegistry, dataId: Record<string, string | number>) =>
    (await registry.findDataset('calexp', dataId, { collections: RUN })) === null ? 0 : 1;

  const whereQuery = async () => {
    try {
      const { registry } = await where.get();
      const one = async () =>
        (await registry.queryDataIds(['visit', 'detector'], { where: WHERE, dataId: { instrument: INSTRUMENT } }).toArray()).length;
      return await repeat(`${b} queryDataIds where`, one);
    } finally {
      await where.done();
    }
  };

  const spatialQuery = async () => {
    try {
      const { registry, data } = await spatial.get();
      const expected = data.visitRegions.filter((r) => overlaps(data.tractRegion, r)).length;
      const one = async () => {
        const found = (await registry.queryDataIds(['visit'], { dataId: { instrument: INSTRUMENT, skymap: SKYMAP, tract: data.tract } }).toArray()).length;
        if (found !== expected) throw new Error(`${spatialName}: ${found} visits overlap tract ${data.tract}; brute force with geom says ${expected}.`);
        return found;
      };
      return await repeat(`${b} spatial visit x tract`, one, ` (brute force: ${expected})`);
    } finally {
      await spatial.done();
    }
  };

  // Smoke: `fn` (run once); full size: `measure` (timed here, median and p95 printed).
  const one = (name: string, m: () => Promise<ExternalMeasurement>, extra: Partial<BenchCase> = {}): BenchCase =>
    SMOKE ? { name, ...extra, fn: m } : { name, ...extra, measure: m };
  return [
    one(insertName, insert, { itemsPerIteration: n, itemUnit: 'datasets' }),
    one(queryName, () => lookups('queryDatasets', queryOne)),
    one(findName, () => lookups('findDataset', findOne)),
    one(whereName, whereQuery),
    one(spatialName, spatialQuery),
  ];
}

/** Registry benchmarks on SQLite, and PostgreSQL when SKYSTACK_PG_URL is set. */
export const benchmarks: BenchCase[] = BACKENDS.flatMap(casesFor);
