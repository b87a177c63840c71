// The published package works on its own: build and `pnpm pack` @skystack/geom (and the
// @skystack/base it depends on), install the tarballs into an empty project with npm, then
// run and type-check a consumer there, outside the workspace.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const localPnpm = join(root, '.tools/node_modules/.bin/pnpm');
const pnpm = existsSync(localPnpm) ? localPnpm : 'pnpm';
const tsc = join(root, 'node_modules/.bin/tsc');
const work = mkdtempSync(join(tmpdir(), 'skystack-pack-'));

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('pnpm pack of @skystack/geom', () => {
  it('installs into an empty project and works there', () => {
    const tarballs = join(work, 'tarballs');
    for (const pkg of ['base', 'geom']) {
      const dir = join(root, 'packages', pkg);
      run(tsc, ['-p', 'tsconfig.build.json'], dir);
      run(pnpm, ['pack', '--pack-destination', tarballs], dir);
    }
    const files = readdirSync(tarballs).map((f) => join(tarballs, f));
    expect(files.some((f) => f.includes('skystack-geom'))).toBe(true);

    const app = join(work, 'app');
    run('mkdir', ['-p', app], work);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', ...files], app);
    expect(readdirSync(join(app, 'node_modules/@skystack')).sort()).toEqual(['base', 'geom']);
    // The tarball ships built JS and declarations, not sources or tests.
    const shipped = readdirSync(join(app, 'node_modules/@skystack/geom/dist'));
    expect(shipped).toContain('index.js');
    expect(shipped).toContain('index.d.ts');
    expect(shipped.some((f) => f.includes('.test.'))).toBe(false);

    const consumer = [
      "import { Angle, Box2I, Point2I, Extent2I, SpherePoint, HtmPixelization } from '@skystack/geom';",
      'const a: SpherePoint = SpherePoint.fromDegrees(0, 0);',
      'const b = SpherePoint.fromDegrees(90, 0);',
      'const box = Box2I.fromCorner(new Point2I(0, 0), new Extent2I(10, 20));',
      'const htm = new HtmPixelization(3);',
      'const sep: Angle = a.separation(b);',
      'console.log(JSON.stringify({ sep: sep.asDegrees(), area: box.getArea(), level: HtmPixelization.level(htm.index(a.toUnitVector())) }));',
    ].join('\n');
    writeFileSync(join(app, 'main.ts'), consumer);
    writeFileSync(join(app, 'main.mjs'), consumer.replace(': SpherePoint', '').replace(': Angle', ''));
    const out = JSON.parse(run(process.execPath, ['main.mjs'], app)) as { sep: number; area: number; level: number };
    expect(out.sep).toBeCloseTo(90, 12);
    expect(out.area).toBe(200);
    expect(out.level).toBe(3);
    // The published declarations type-check a strict NodeNext consumer.
    run(tsc, ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2023', '--types', 'node', '--typeRoots', join(root, 'node_modules/@types'), 'main.ts'], app);
  }, 180_000);
});
