// The `butler` subcommands of pipe-tasks (register-skymap), as data for daf-butler's plugin
// mechanism (SKYSTACK_BUTLER_PLUGINS).
import type { ButlerCommand } from '@skystack/daf-butler';
import { registerSkymap } from './register-skymap.js';

const registerSkymapCommand: ButlerCommand = {
  name: 'register-skymap',
  description: 'Make a SkyMap and add it to a repository.',
  arguments: [{ name: 'repo', description: 'the repository' }],
  options: [
    { flags: '-C, --config-file <file>', description: "a config overrides file: LSST's Python form (config.name = '...', config.skyMap['rings'].numRings = 120) or YAML/JSON" },
    { flags: '-c, --config <name=value>', description: 'a config override, e.g. name=my_rings or skyMap.rings.numRings=120 (repeatable)', parse: 'repeated' },
    { flags: '--skymap <name>', description: 'start from a named sky map: hsc_rings_v1, DC2, DC2_cells_v1, lsst_cells_v1 (sets name)' },
  ],
  action: async (args, options, ctx) => {
    await registerSkymap(args[0] as string, {
      configFile: options['configFile'] as string | undefined,
      config: options['config'] as string[] | undefined,
      skymap: options['skymap'] as string | undefined,
      importModule: ctx.importModule,
      log: (m) => ctx.log.info(m),
    });
  },
};

/**
 * pipe-tasks' `butler` subcommands, for daf-butler's plugin mechanism: `register-skymap`
 * (LSST pipe_tasks'). Run `butler` with `SKYSTACK_BUTLER_PLUGINS=@skystack/pipe-tasks/butler-commands`
 * (the light subpath; `@skystack/pipe-tasks` works too, or a path to either file, comma-separated
 * with other plugins) to have it.
 *
 * @example
 * ```ts
 * await runButler(['register-skymap', repo, '--skymap', 'hsc_rings_v1'], io, { plugins: [{ butlerCommands }] });
 * ```
 * @see lsst.pipe.tasks.cli.cmd.commands.register_skymap
 */
export const butlerCommands: readonly ButlerCommand[] = Object.freeze([registerSkymapCommand]);
