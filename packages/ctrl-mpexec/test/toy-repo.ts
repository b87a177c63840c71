// A temporary repository for the toy add → multiply tasks, and helpers to run pipetask in this
// process and to look at what the repository holds.
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Butler, CollectionType, DatasetType } from '@skystack/daf-butler';
import { runPipetask } from '../src/cli/program.js';

/** The toy tasks' module. */
export const TOY = resolve(import.meta.dirname, 'toy-tasks.ts');
const VD = ['instrument', 'visit', 'detector'];

/** The toy input of a data ID in a given input RUN: `offset + 10 * visit + detector`. */
export function toyInputValue(offset: number, visit: number, detector: number): number {
  return offset + 10 * visit + detector;
}

/**
 * Makes a repository with instrument Cam, visits 1-2, detectors 1-3, and `toyInput` in each of
 * the given RUNs (value {@link toyInputValue} with the RUN's offset); writes `pipeline.yaml`
 * (add with addend 5, then multiply by the default 2) beside it.
 *
 * @param dir - a temporary directory
 * @param inputs - input RUN names and their value offsets
 * @returns the repository path and the pipeline path
 */
export async function makeToyRepo(dir: string, inputs: Readonly<Record<string, number>>): Promise<{ repo: string; pipeline: string }> {
  const repo = join(dir, 'repo');
  await Butler.makeRepo(repo);
  const butler = await Butler.from(repo, { writeable: true, instrument: 'Cam' });
  const r = butler.registry;
  await r.insertDimensionData('instrument', [{ name: 'Cam', visit_max: 1000, exposure_max: 1000, detector_max: 10 }]);
  await r.insertDimensionData('physical_filter', [{ instrument: 'Cam', name: 'Cam-R', band: 'r' }]);
  await r.insertDimensionData('detector', [1, 2, 3].map((id) => ({ instrument: 'Cam', id, full_name: `D${id}` })));
  await r.insertDimensionData('day_obs', [{ instrument: 'Cam', id: 20250301 }]);
  await r.insertDimensionData('visit', [1, 2].map((id) => ({ instrument: 'Cam', id, physical_filter: 'Cam-R', day_obs: 20250301 })));
  await r.registerDatasetType(new DatasetType('toyInput', VD, 'StructuredDataDict', { universe: butler.universe }));
  for (const [run, offset] of Object.entries(inputs)) {
    for (const visit of [1, 2]) {
      for (const detector of [1, 2, 3]) await butler.put({ value: toyInputValue(offset, visit, detector), detector }, 'toyInput', { visit, detector }, { run });
    }
  }
  await butler.close();
  const pipeline = join(dir, 'pipeline.yaml');
  writeFileSync(
    pipeline,
    [
      'description: toy',
      'tasks:',
      '  add:',
      `    class: ${TOY}#ToyAddTask`,
      '    config:',
      '      addend: 5',
      '  multiply:',
      `    class: ${TOY}#ToyMultiplyTask`,
      'subsets:',
      '  step1:',
      '    subset: [add]',
      '    description: Sums only',
      '  everything: [add, multiply]',
    ].join('\n'),
  );
  return { repo, pipeline };
}

/**
 * Runs `pipetask` in this process, capturing what it writes.
 *
 * @param argv - the arguments
 * @returns the exit status, stdout and stderr
 */
export async function pipetask(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await runPipetask(argv, {
    stdout: { write: (s: string) => ((out += s), true) },
    stderr: { write: (s: string) => ((err += s), true) },
  });
  return { status, out, err };
}

/**
 * Runs `f` with a Butler on the repository, closing it after.
 *
 * @param repo - the repository
 * @param f - what to do
 * @returns what `f` returns
 */
export async function withButler<T>(repo: string, f: (butler: Butler) => Promise<T>): Promise<T> {
  const butler = await Butler.from(repo, { writeable: true });
  try {
    return await f(butler);
  } finally {
    await butler.close();
  }
}

/**
 * What the repository holds, for "unchanged" checks: each collection with its type, its chain
 * or the data IDs of its datasets, and the files under the datastore root (registry database
 * files left out).
 *
 * @param repo - the repository
 * @returns a comparable description
 */
export async function snapshot(repo: string): Promise<{ collections: Record<string, string>; files: string[] }> {
  const collections: Record<string, string> = {};
  await withButler(repo, async (butler) => {
    for (const name of await butler.registry.queryCollections('*')) {
      const type = await butler.registry.getCollectionType(name);
      if (type === CollectionType.CHAINED) collections[name] = `CHAINED [${(await butler.registry.getCollectionChain(name)).join(', ')}]`;
      else {
        const refs = await butler.registry.queryDatasets('*', { collections: name }).toArray();
        collections[name] = `${type} ${refs.map((r) => `${r.datasetType.name}@${r.dataId.toString()}`).sort().join(';')}`;
      }
    }
  });
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (!/\.sqlite3?(-wal|-shm|-journal)?$/.test(e)) files.push(relative(repo, p));
    }
  };
  walk(repo);
  return { collections, files: files.sort() };
}

/**
 * The chain of a CHAINED collection.
 *
 * @param repo - the repository
 * @param name - the collection
 * @returns its children
 */
export async function chainOf(repo: string, name: string): Promise<string[]> {
  return withButler(repo, async (b) => [...(await b.registry.getCollectionChain(name))]);
}

/**
 * The `value` of each dataset of a type found first in a collection, by `visit/detector`.
 *
 * @param repo - the repository
 * @param collection - where to search
 * @param type - the dataset type
 * @returns the values
 */
export async function values(repo: string, collection: string, type: string): Promise<Record<string, number>> {
  return withButler(repo, async (butler) => {
    const refs = await butler.registry.queryDatasets(type, { collections: collection, findFirst: true }).toArray();
    const out: Record<string, number> = {};
    for (const ref of refs) out[`${String(ref.dataId.get('visit'))}/${String(ref.dataId.get('detector'))}`] = ((await butler.get(ref)) as { value: number }).value;
    return out;
  });
}
