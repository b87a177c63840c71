#!/usr/bin/env node
// The `pipetask` executable: runs the command line with the process's arguments and streams.
import { runPipetask } from './program.js';

process.exitCode = await runPipetask(process.argv.slice(2));
