import { describe, expect, it } from 'vitest';
import { ButlerCliError, loadButlerPlugins, runButler, type ButlerCommand, type ButlerPlugin } from './program.js';

async function run(args: string[], plugins: ButlerPlugin[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runButler(args, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, stdin: { isTTY: false } }, { plugins });
  return { code, out, err };
}

const seen: unknown[] = [];
const hello: ButlerCommand = {
  name: 'say-hello',
  description: 'Greets.',
  arguments: [
    { name: 'repo', description: 'the repository' },
    { name: 'names', description: 'who', variadic: true },
  ],
  options: [
    { flags: '-j, --processes <n>', description: 'how many', parse: 'integer', defaultValue: 1 },
    { flags: '--transfer <mode>', description: 'mode', choices: ['copy', 'move'], defaultValue: 'copy' },
    { flags: '--collections <c>', description: 'list', parse: 'list' },
  ],
  action: async (args, options, ctx) => {
    seen.push({ args, options });
    ctx.print(`hello ${(args[1] as string[]).join(' ')}`);
    return (options['processes'] as number) > 5 ? 3 : 0;
  },
};

describe('butler plugins', () => {
  it('adds plugin commands with their arguments, parsed options and exit status', async () => {
    const r = await run(['say-hello', 'REPO', 'a', 'b', '-j', '2', '--collections', 'x,y', '--collections', 'z'], [{ butlerCommands: [hello] }]);
    expect(r).toMatchObject({ code: 0, out: 'hello a b\n' });
    expect(seen.at(-1)).toEqual({ args: ['REPO', ['a', 'b']], options: { processes: 2, transfer: 'copy', collections: ['x', 'y', 'z'] } });
    expect((await run(['say-hello', 'REPO', 'a', '-j', '9'], [{ butlerCommands: [hello] }])).code).toBe(3);
    expect((await run(['say-hello', 'REPO', 'a', '--transfer', 'bad'], [{ butlerCommands: [hello] }])).code).toBe(2);
    const help = await run(['--help'], [{ butlerCommands: [hello] }]);
    expect(help.out).toMatch(/say-hello/);
  });

  it('reports an error thrown by a plugin command as one Error line', async () => {
    const bad: ButlerCommand = { name: 'fail', description: 'x', action: () => Promise.reject(new ButlerCliError('it broke')) };
    const r = await run(['fail'], [{ butlerCommands: [bad] }]);
    expect(r.code).toBe(1);
    expect(r.err).toBe('Error: it broke\n');
  });

  it('refuses a plugin command that clashes with a built-in one', async () => {
    const r = await run(['create', '/nonexistent'], [{ butlerCommands: [{ ...hello, name: 'create' }] }]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/clashes with an existing command/);
  });

  it('loads plugin modules by specifier and says which one failed', async () => {
    const plugins = await loadButlerPlugins(['p1', ' ', ''], async () => ({ butlerCommands: [hello] }));
    expect(plugins).toHaveLength(1);
    await expect(loadButlerPlugins(['p2'], async () => ({}))).rejects.toThrow(/does not export an array 'butlerCommands'/);
    await expect(loadButlerPlugins(['@skystack/none'])).rejects.toThrow(/Cannot load butler plugin '@skystack\/none'/);
  });
});
