// A child process of butler-crash.test.ts: opens the repository at ROOT and puts `blob`
// datasets, one per RUN `crash/<i>` for i = START, START+1, ..., printing `ready` once open and
// `put <i>` after each put returns, until it is killed.
//   tsx --conditions=@skystack/source put-worker.ts ROOT START
import { Butler } from '../src/butler.js';

const [root, start] = process.argv.slice(2);
if (root === undefined) throw new Error('usage: put-worker.ts ROOT START');
const butler = await Butler.from(root, { writeable: true, instrument: 'Cam' });
process.stdout.write('ready\n');
for (let i = Number(start ?? 0); ; i++) {
  await butler.put(blob(i), 'blob', {}, { run: `crash/${i}` });
  process.stdout.write(`put ${i}\n`);
}

/** The content written for index i (the test recomputes it to check what it reads). */
function blob(i: number): { i: number; payload: string } {
  return { i, payload: String(i).repeat(500 + (i % 97)) };
}
