// characterizeImage → calibrate as PipelineTasks: the pipeline graph of their connections, then a
// pipetask-like run of both quanta in graph order through runQuantum, every dataset written to
// and read back from FITS files (postISRCCD, the reference catalog shards, icExp,
// icExpBackground, icSrc, icSrc_schema, calexp, calexpBackground, src, srcMatch, srcMatchFull),
// as a file datastore would. The Butler itself (registry, formatters) lives in higher layers;
// this test keeps to pipe-base's QuantumContext contract.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Exposure } from '@skystack/afw-image';
import { BaseCatalog, SimpleCatalog, SourceCatalog } from '@skystack/afw-table';
import { Point2D } from '@skystack/geom';
import { BackgroundList } from '@skystack/meas-algorithms';
import { DeferredDatasetRef, PipelineGraph, type PipelineTask, type PipelineTaskConnections, type QuantumContext } from '@skystack/pipe-base';
import { CalibrateConfig, CalibrateTask } from '../src/calibrate-task.js';
import { CharacterizeImageConfig, CharacterizeImageTask } from '../src/characterize-image-task.js';
import { TRUTH_CALIBRATION, TRUTH_PSF, makeScene, maxWcsDifferenceMas, type Scene } from './single-frame-scene.js';

const DATA_ID: Record<string, number> = { visit: 12, exposure: 12, detector: 3 };

/** A file datastore of one data ID: one FITS file per dataset (shards: one per htm7). */
class FileStore {
  readonly dir: string;
  readonly storageClass = new Map<string, string>();
  readonly shards = new Map<string, number[]>();

  constructor(dir: string) {
    this.dir = dir;
  }

  path(name: string, htm7?: number): string {
    return join(this.dir, htm7 === undefined ? `${name}.fits` : `${name}_${htm7}.fits`);
  }

  async put(name: string, storageClass: string, value: unknown, htm7?: number): Promise<void> {
    this.storageClass.set(name, storageClass);
    if (htm7 !== undefined) this.shards.set(name, [...(this.shards.get(name) ?? []), htm7]);
    await (value as { writeFits(p: string): Promise<void> }).writeFits(this.path(name, htm7));
  }

  async get(name: string, htm7?: number): Promise<unknown> {
    const p = this.path(name, htm7);
    switch (this.storageClass.get(name)) {
      case 'Exposure':
      case 'ExposureF':
        return Exposure.readFits(p);
      case 'SourceCatalog':
        return SourceCatalog.readFits(p);
      case 'SimpleCatalog':
        return SimpleCatalog.readFits(p);
      case 'Background':
        return BackgroundList.readFits(p);
      case 'Catalog':
        return BaseCatalog.readFits(p);
      default:
        throw new Error(`No dataset ${name} in the store.`);
    }
  }
}

interface Conn {
  name: string;
  storageClass: string;
  deferLoad?: boolean;
  multiple?: boolean;
}

/** Runs one quantum of a task through runQuantum over the store (pipetask's SingleQuantumExecutor, in small). */
async function runQuantum(task: PipelineTask, connections: PipelineTaskConnections, store: FileStore): Promise<void> {
  const dataIdOf = (extra: Record<string, number> = {}): { get(k: string): number } => ({ get: (k: string) => ({ ...DATA_ID, ...extra })[k]! });
  const refOf = (c: Conn, htm7?: number): object => ({ datasetType: { name: c.name }, dataId: dataIdOf(htm7 === undefined ? {} : { htm7 }), name: c.name, htm7 });
  const inputRefs: Record<string, unknown> = {};
  for (const name of [...connections.inputs, ...connections.prerequisiteInputs]) {
    const c = connections.get(name) as unknown as Conn;
    if (c.multiple === true) {
      const refs = (store.shards.get(c.name) ?? []).map((h) => refOf(c, h));
      inputRefs[name] = c.deferLoad === true ? refs.map((r) => new DeferredDatasetRef(r as never)) : refs;
    } else {
      inputRefs[name] = c.deferLoad === true ? new DeferredDatasetRef(refOf(c) as never) : refOf(c);
    }
  }
  const outputRefs: Record<string, object> = {};
  for (const name of connections.outputs) outputRefs[name] = refOf(connections.get(name) as unknown as Conn);
  const load = (ref: unknown): Promise<unknown> | { get(): Promise<unknown> } => {
    if (ref instanceof DeferredDatasetRef) {
      const r = ref.datasetRef as unknown as { name: string; htm7?: number };
      return { get: () => store.get(r.name, r.htm7) };
    }
    const r = ref as { name: string; htm7?: number };
    return store.get(r.name, r.htm7);
  };
  const butlerQC = {
    quantum: { dataId: dataIdOf(), inputs: new Map(), outputs: new Map() },
    async get(refs: Record<string, unknown>): Promise<Record<string, unknown>> {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(refs)) out[k] = Array.isArray(v) ? await Promise.all(v.map(load)) : await load(v);
      return out;
    },
    async put(values: object, refs: Record<string, { name: string }>): Promise<void> {
      const items = (typeof (values as { getDict?: unknown }).getDict === 'function' ? (values as { getDict(): object }).getDict() : values) as Record<string, unknown>;
      for (const [k, ref] of Object.entries(refs)) {
        if (!(k in items)) throw new Error(`The result has no item '${k}'.`);
        await store.put(ref.name, (connections.get(k) as unknown as Conn).storageClass, items[k]);
      }
    },
  } as unknown as QuantumContext;
  await task.runQuantum(butlerQC, inputRefs as never, outputRefs as never);
}

let dir: string;
let store: FileStore;
let scene: Scene;
let graph: PipelineGraph;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pipe-tasks-single-frame-'));
  store = new FileStore(dir);
  scene = makeScene({ seed: 23, nCosmicRays: 10 });
  const calibrateConfig = new CalibrateConfig();
  calibrateConfig.connections.astromRefCat = 'sim_refcat';
  calibrateConfig.connections.photoRefCat = 'sim_refcat';
  calibrateConfig.astromRefObjLoader.anyFilterMapsToThis = null;
  graph = PipelineGraph.build([
    { label: 'calibrate', taskClass: CalibrateTask, config: calibrateConfig },
    { label: 'characterizeImage', taskClass: CharacterizeImageTask, config: new CharacterizeImageConfig() },
  ] as never);
  // The repository's inputs: the post-ISR exposure and the reference catalog shards.
  await store.put('postISRCCD', 'Exposure', scene.exposure);
  for (const shard of scene.shards) await store.put('sim_refcat', 'SimpleCatalog', await shard.load(), shard.htm7Id);
  // Execute in graph order; calibrate is made with icSrc_schema (characterize's init-output).
  for (const label of graph.sortedLabels) {
    const node = graph.tasks.find((t) => t.label === label)!;
    let task: PipelineTask;
    if (label === 'characterizeImage') {
      const t = new CharacterizeImageTask({ config: node.config as CharacterizeImageConfig });
      await store.put('icSrc_schema', 'SourceCatalog', t.outputSchema);
      task = t;
    } else {
      const icSrcSchema = (await store.get('icSrc_schema')) as SourceCatalog;
      task = new CalibrateTask({ config: node.config as CalibrateConfig, initInputs: { icSourceSchema: icSrcSchema } });
    }
    await runQuantum(task, node.connections, store);
  }
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('characterizeImage → calibrate as PipelineTasks', () => {
  it('connects through icExp, icExpBackground and icSrc', () => {
    expect(graph.sortedLabels).toEqual(['characterizeImage', 'calibrate']);
    expect(graph.overallInputs().sort()).toEqual(['postISRCCD', 'sim_refcat']);
    expect(graph.intermediates().sort()).toEqual(['icExp', 'icExpBackground', 'icSrc', 'icSrc_schema']);
    expect(graph.overallOutputs().sort()).toEqual(['calexp', 'calexpBackground', 'src', 'srcMatch', 'srcMatchFull', 'src_schema']);
  });

  it('writes a calexp with the measured PSF, the fitted WCS and the PhotoCalib', async () => {
    const calexp = (await store.get('calexp')) as Exposure;
    const q = calexp.getPsf()!.computeShape(new Point2D(512, 512));
    expect(Math.abs(q.getIxx() / TRUTH_PSF.ixx - 1)).toBeLessThan(0.02);
    expect(Math.abs(q.getIyy() / TRUTH_PSF.iyy - 1)).toBeLessThan(0.02);
    expect(maxWcsDifferenceMas(calexp.getWcs()!, scene.truthWcs, calexp.getWidth(), calexp.getHeight())).toBeLessThan(10);
    expect(Math.abs(calexp.getPhotoCalib()!.getCalibrationMean() / TRUTH_CALIBRATION - 1)).toBeLessThan(0.01);
    expect(calexp.getApCorrMap()).not.toBeNull();
    const background = (await store.get('calexpBackground')) as BackgroundList;
    expect(background.length).toBeGreaterThanOrEqual(3);
  });

  it('writes src with coordinates, sky sources, local calibrations and the icSrc flags, and the matches', async () => {
    const src = (await store.get('src')) as SourceCatalog;
    const sky = src.getColumn('sky_source') as Uint8Array;
    expect(sky.reduce((a, b) => a + b, 0)).toBeGreaterThan(50);
    expect((src.getColumn('calib_psf_used') as Uint8Array).reduce((a, b) => a + b, 0)).toBeGreaterThan(10);
    const ra = src.getColumn('coord_ra') as Float64Array;
    const local = src.getColumn('base_LocalPhotoCalib') as Float64Array;
    for (let i = 0; i < src.length; i++) {
      expect(Number.isFinite(ra[i]!)).toBe(true);
      expect(Math.abs(local[i]! / TRUTH_CALIBRATION - 1)).toBeLessThan(0.01);
    }
    const matches = (await store.get('srcMatch')) as BaseCatalog;
    expect(matches.length).toBeGreaterThan(50);
    const full = (await store.get('srcMatchFull')) as BaseCatalog;
    expect(full.length).toBe(matches.length);
  });
});
