#!/usr/bin/env node
// The `butler` executable: runs the command line with the process's arguments and streams,
// with the commands of the plugin modules listed in SKYSTACK_BUTLER_PLUGINS (comma-separated
// module specifiers or paths, as LSST's DAF_BUTLER_PLUGINS). Modules named in repositories
// (formatters, instrument classes) are also resolved from the directories of plugins given as
// paths, and from SKYSTACK_MODULE_PATHS.
import { dirname, resolve } from 'node:path';
import { defaultImportModule, type ModuleImporter } from '../formatters/formatter.js';
import { BUTLER_PLUGINS_ENV, loadButlerPlugins, runButler, type ButlerPlugin } from './program.js';

const specs = (process.env[BUTLER_PLUGINS_ENV] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
const pluginDirs = specs.filter((s) => s.startsWith('.') || s.startsWith('/')).map((s) => dirname(resolve(s)));
const importModule: ModuleImporter = (s) => defaultImportModule(s, pluginDirs);
let plugins: ButlerPlugin[] = [];
try {
  plugins = await loadButlerPlugins(specs, importModule);
} catch (e) {
  process.stderr.write(`Error: ${(e as Error).message}\n`);
  process.exit(1);
}
process.exitCode = await runButler(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }, { plugins, importModule });
