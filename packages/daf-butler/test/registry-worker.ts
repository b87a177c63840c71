// A child process of registry-concurrency.test.ts: opens the registry at URL (made by the test,
// with dataset type `calexp` and the dimension records registered) and, starting at time
// START_AT (epoch ms, so that all workers start together whatever their start-up time):
//   - registers its own RUN, the shared TAGGED collection `shared/tag` and the shared dataset
//     type `extra` (new dimensions, so a new tags table), all also done by the other workers;
//   - inserts COUNT `calexp` datasets (visit = i / DETECTORS, detector = i % DETECTORS) into its
//     RUN in transactions of BATCH datasets, and one `extra` dataset per detector used.
// Prints one JSON line { run, calexp, extra, registeredRun, registeredTag, registeredType } on
// success; exits non-zero (with the error on stderr) on any error.
//   tsx --conditions=@skystack/source registry-worker.ts URL RUN COUNT BATCH DETECTORS [START_AT]
import { DatasetType } from '../src/datasets/dataset-type.js';
import { CollectionType } from '../src/registry/collection-type.js';
import { openRegistry } from '../src/registry/sql/sql-registry.js';

const [url, run, count, batch, detectors, startAt] = process.argv.slice(2);
if (url === undefined || run === undefined) throw new Error('usage: registry-worker.ts URL RUN COUNT BATCH DETECTORS [START_AT]');
const n = Number(count ?? 2000);
const size = Number(batch ?? 20);
const nDet = Number(detectors ?? 100);
const registry = await openRegistry(url);
const wait = Number(startAt ?? 0) - Date.now();
if (wait > 0) await new Promise((r) => setTimeout(r, wait));
try {
  const extra = new DatasetType('extra', ['instrument', 'detector'], 'StructuredDataDict', { universe: registry.universe });
  // The three registrations race with the other workers' (same names), concurrently here too.
  const [registeredRun, registeredTag, registeredType] = await Promise.all([
    registry.registerRun(run),
    registry.registerCollection('shared/tag', CollectionType.TAGGED),
    registry.registerDatasetType(extra),
  ]);
  let calexp = 0;
  for (let start = 0; start < n; start += size) {
    const dataIds = [];
    for (let i = start; i < Math.min(n, start + size); i++) dataIds.push({ instrument: 'Cam', visit: Math.floor(i / nDet), detector: i % nDet });
    calexp += (await registry.insertDatasets('calexp', dataIds, run)).length;
  }
  const extras = await registry.insertDatasets(
    'extra',
    Array.from({ length: Math.min(n, nDet) }, (_, detector) => ({ instrument: 'Cam', detector })),
    run,
  );
  process.stdout.write(`${JSON.stringify({ run, calexp, extra: extras.length, registeredRun, registeredTag, registeredType })}\n`);
} finally {
  await registry.close();
}
