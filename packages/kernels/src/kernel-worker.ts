// Entry of a worker thread of the parallel backend: runs chunks of rows of the kernel operations
// on SharedArrayBuffer-backed arrays, claiming them from the pool's shared chunk counter, and
// reports through the pool's shared control words.
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { chunkStart, runBand, type BackendOp } from './backend-ops.js';

interface WorkerSetup {
  readonly control: SharedArrayBuffer;
  readonly index: number;
  /** The index of the chunk counter in the control words. */
  readonly next: number;
  readonly errorPort: MessagePort;
}

interface JobMessage {
  readonly op: BackendOp;
  readonly job: never;
  /** The operation's rows. */
  readonly rows: number;
  /** How many chunks they are split into. */
  readonly chunks: number;
  readonly seq: number;
}

const setup = workerData as WorkerSetup;
const control = new Int32Array(setup.control);

parentPort!.on('message', (m: JobMessage) => {
  try {
    for (let c = Atomics.add(control, setup.next, 1); c < m.chunks; c = Atomics.add(control, setup.next, 1)) runBand(m.op, m.job, chunkStart(c, m.rows, m.chunks), chunkStart(c + 1, m.rows, m.chunks));
  } catch (e) {
    setup.errorPort.postMessage({ seq: m.seq, index: setup.index, message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    Atomics.add(control, 1, 1);
    Atomics.store(control, setup.next, m.chunks); // the others stop claiming
  }
  Atomics.add(control, 0, 1);
  Atomics.notify(control, 0);
});

Atomics.store(control, 2 + setup.index, 1);
Atomics.notify(control, 2 + setup.index);
