// Runs the one conformance suite against every backend of this package.
import { cpuBackend, makeParallelBackend } from '../src/index.js';
import { describeKernelBackend } from './backend-conformance.js';

describeKernelBackend('cpu', () => cpuBackend);
describeKernelBackend('parallel(2), every job on the workers', () => makeParallelBackend({ workers: 2, minPixelsPerWorker: 1 }));
describeKernelBackend('parallel(3), uneven bands', () => makeParallelBackend({ workers: 3, minPixelsPerWorker: 1 }));
describeKernelBackend('parallel(1) and the calling thread', () => makeParallelBackend({ workers: 1, minPixelsPerWorker: 1, useCallingThread: true }));
describeKernelBackend('parallel(2) and the calling thread', () => makeParallelBackend({ workers: 2, minPixelsPerWorker: 1, useCallingThread: true }));
