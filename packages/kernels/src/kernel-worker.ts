// Entry of a worker thread of the parallel backend: runs bands of the kernel operations on
// SharedArrayBuffer-backed arrays and reports through the pool's shared control words.
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { runBand, type BackendOp } from './backend-ops.js';

interface WorkerSetup {
  readonly control: SharedArrayBuffer;
  readonly index: number;
  readonly errorPort: MessagePort;
}

interface BandMessage {
  readonly op: BackendOp;
  readonly job: never;
  readonly start: number;
  readonly end: number;
  readonly seq: number;
}

const setup = workerData as WorkerSetup;
const control = new Int32Array(setup.control);

parentPort!.on('message', (m: BandMessage) => {
  try {
    runBand(m.op, m.job, m.start, m.end);
  } catch (e) {
    setup.errorPort.postMessage({ seq: m.seq, index: setup.index, message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    Atomics.add(control, 1, 1);
  }
  Atomics.add(control, 0, 1);
  Atomics.notify(control, 0);
});

Atomics.store(control, 2 + setup.index, 1);
Atomics.notify(control, 2 + setup.index);
