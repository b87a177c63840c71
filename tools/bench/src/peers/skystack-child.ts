// The process of one SkyStack row (started by startSkyStackProcess in skystack-process.ts). Its
// standard input is lines: first a SkyStackRequest (JSON), then commands, `run` (one run: its
// times come back after RUN_PREFIX) or `finish` (the SkyStackReply comes back after
// REPLY_PREFIX, and the process ends). Each reply is a line of its own on standard output, after
// READY_PREFIX once the modules are loaded and the worker threads started.
import { createInterface } from 'node:readline';
import { packDetections, READY_PREFIX, REPLY_PREFIX, RUN_PREFIX, type SkyStackReply, type SkyStackRequest } from './skystack-process.js';
import { openSkyStack } from './skystack-runner.js';

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })[Symbol.asyncIterator]();
const first = await lines.next();
const request = (first.done === true ? undefined : JSON.parse(first.value)) as SkyStackRequest | undefined;
if (request === undefined || typeof request.imagePath !== 'string' || !(Number.isInteger(request.threads) && request.threads >= 1)) {
  throw new Error(`skystack-child: expected { imagePath, settings, threads ≥ 1 } as the first line of standard input, got ${JSON.stringify(request).slice(0, 200)}.`);
}
const session = openSkyStack(request.imagePath, request.settings, request.threads);
const say = (prefix: string, value: unknown): void => void process.stdout.write(`\n${prefix}${JSON.stringify(value)}\n`);
say(READY_PREFIX, {});
for (let next = await lines.next(); next.done !== true; next = await lines.next()) {
  const command = next.value.trim();
  if (command === 'run') {
    say(RUN_PREFIX, await session.run());
  } else if (command === 'finish') {
    const { detections, ...run } = await session.finish();
    const reply: SkyStackReply = { ...run, detections: packDetections(detections) };
    say(REPLY_PREFIX, reply);
    break;
  } else if (command !== '') {
    throw new Error(`skystack-child: unknown command '${command.slice(0, 50)}' (expected 'run' or 'finish').`);
  }
}
process.stdin.destroy();
