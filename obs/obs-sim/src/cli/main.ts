#!/usr/bin/env node
// The `obs-sim` executable: runs the command line with the process's arguments and streams.
import { runObsSim } from './program.js';

process.exitCode = await runObsSim(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
