#!/usr/bin/env node
// The `butler` executable: runs the command line with the process's arguments and streams.
import { runButler } from './program.js';

process.exitCode = await runButler(process.argv.slice(2));
