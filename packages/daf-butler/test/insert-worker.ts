// A child process of database.test.ts's multi-process test: opens the registry database
// given by URL and inserts `count` rows into table `concurrent` in transactions of `batch`
// rows, as worker `worker`, starting at time START_AT (epoch ms, so that all workers start
// together whatever their start-up time). Prints "ok <rows>" on success; exits non-zero on
// any error.
//   tsx --conditions=@skystack/source insert-worker.ts URL WORKER COUNT BATCH [START_AT]
import { openDatabase } from '../src/registry/sql/open-database.js';

const [url, worker, count, batch, startAt] = process.argv.slice(2);
if (url === undefined || worker === undefined) throw new Error('usage: insert-worker.ts URL WORKER COUNT BATCH');
const n = Number(count ?? 2000);
const size = Number(batch ?? 10);
const db = await openDatabase(url);
const wait = Number(startAt ?? 0) - Date.now();
if (wait > 0) await new Promise((r) => setTimeout(r, wait));
try {
  let done = 0;
  for (let start = 0; start < n; start += size) {
    await db.transaction(async () => {
      for (let i = start; i < Math.min(n, start + size); i++) {
        await db.run('INSERT INTO concurrent (worker, seq, payload) VALUES (?, ?, ?)', [Number(worker), i, `w${worker}-${i}`]);
        done++;
      }
    });
  }
  process.stdout.write(`ok ${done}\n`);
} finally {
  await db.close();
}
