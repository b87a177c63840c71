// The process of one SkyStack row (started by runSkyStackInProcess in skystack-process.ts): reads
// a SkyStackRequest (JSON) from standard input, runs runSkyStack, writes a SkyStackReply (JSON)
// to standard output on a line of its own after REPLY_PREFIX.
import { text } from 'node:stream/consumers';
import { packDetections, REPLY_PREFIX, type SkyStackReply, type SkyStackRequest } from './skystack-process.js';
import { runSkyStack } from './skystack-runner.js';

const request = JSON.parse(await text(process.stdin)) as SkyStackRequest;
if (typeof request.imagePath !== 'string' || !(Number.isInteger(request.runs) && request.runs >= 1) || !(Number.isInteger(request.threads) && request.threads >= 1)) {
  throw new Error(`skystack-child: expected { imagePath, settings, runs ≥ 1, threads ≥ 1 } on standard input, got ${JSON.stringify(request).slice(0, 200)}.`);
}
const { detections, ...run } = await runSkyStack(request.imagePath, request.settings, request.runs, request.threads);
const reply: SkyStackReply = { ...run, detections: packDetections(detections) };
process.stdout.write(`\n${REPLY_PREFIX}${JSON.stringify(reply)}\n`);
