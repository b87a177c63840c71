import { RuleTester } from 'eslint';
import { resolve } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { createLayerBoundariesRule, layerBoundaries } from './layer-boundaries.js';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.afterAll = afterAll;

const root = resolve(import.meta.dirname, '../..');
const geomFile = resolve(root, 'packages/geom/src/x.ts');
const baseFile = resolve(root, 'packages/base/src/x.ts');
const demoFile = resolve(root, 'tools/demo/src/x.ts');

new RuleTester({ languageOptions: { ecmaVersion: 2023, sourceType: 'module' } }).run('layer-boundaries', layerBoundaries, {
  valid: [
    { filename: geomFile, code: "import { SkyStackError } from '@skystack/base';" },
    { filename: geomFile, code: "import { Angle } from './angle.js';" },
    { filename: demoFile, code: "import { SpherePoint } from '@skystack/geom';" },
    { filename: geomFile, code: "import fc from 'fast-check';" },
    { filename: resolve(root, 'packages/geom/src/x.test.ts'), code: "import { CI } from '@skystack/test-support';" },
    { filename: resolve(root, 'packages/geom/test/support.ts'), code: "import { CI } from '@skystack/test-support';" },
    // A subpath the target declares in its package.json "exports" is public.
    { filename: resolve(root, 'packages/geom/src/x.test.ts'), code: "import { DuckDbOracle } from '@skystack/test-support/duckdb';" },
  ],
  invalid: [
    { filename: geomFile, code: "import { x } from '@skystack/base/src/errors.js';", errors: [{ message: /Deep import/ }] },
    { filename: resolve(root, 'packages/geom/src/x.test.ts'), code: "import { x } from '@skystack/test-support/src/index.ts';", errors: [{ message: /Deep import/ }] },
    { filename: baseFile, code: "import { Angle } from '@skystack/tools-demo';", errors: [{ message: /must not import @skystack\/tools-demo/ }] },
    { filename: baseFile, code: "export { y } from '@skystack/nonexistent';", errors: [{ message: /Unknown workspace package/ }] },
    { filename: baseFile, code: "const m = import('@skystack/tools-bench');", errors: [{ message: /layer tooling/ }] },
  ],
});

const fake = new Map([
  ['@skystack/geom', { root: '/ws/packages/geom', layer: 'foundation' }],
  ['@skystack/afw-image', { root: '/ws/packages/afw-image', layer: 'data' }],
  ['@skystack/daf-butler', { root: '/ws/packages/daf-butler', layer: 'framework' }],
  ['@skystack/untagged', { root: '/ws/packages/untagged', layer: undefined }],
]);
new RuleTester({ languageOptions: { ecmaVersion: 2023, sourceType: 'module' } }).run('layer-boundaries (layers)', createLayerBoundariesRule(fake), {
  valid: [
    { filename: '/ws/packages/afw-image/src/a.ts', code: "import { Box2I } from '@skystack/geom';" },
    { filename: '/ws/packages/daf-butler/src/a.ts', code: "import { Image } from '@skystack/afw-image';" },
  ],
  invalid: [
    { filename: '/ws/packages/geom/src/a.ts', code: "import { Image } from '@skystack/afw-image';", errors: [{ message: /\(layer foundation\) must not import @skystack\/afw-image \(layer data\)/ }] },
    { filename: '/ws/packages/afw-image/src/a.ts', code: "export * from '@skystack/daf-butler';", errors: [{ message: /layer framework/ }] },
    { filename: '/ws/packages/geom/src/a.ts', code: "import '@skystack/untagged';", errors: [{ message: /has no "layer:<name>" tag/ }] },
  ],
});
