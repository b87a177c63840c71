// ESLint rule: a package may import only packages of its own layer or a lower one
// (the layers of ../../DESIGN.md, written as `nx.tags: ["layer:<name>"]` in each
// package.json), and never another package's src/ or dist/ (deep imports).
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Layer names from lowest to highest, as in DESIGN.md. */
export const LAYERS = ['foundation', 'compute', 'data', 'framework', 'science', 'instrument'];
/** Dev-only packages (tools/*) may import anything; only tests and benchmarks may import them. */
const TOOLING = 'tooling';
const TEST_FILE = /(\.test\.ts|\.bench\.ts)$|\/test\//;

const workspaceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function readPackages() {
  const byName = new Map();
  for (const group of ['packages', 'obs', 'tools']) {
    const dir = join(workspaceRoot, group);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir)) {
      const file = join(dir, entry, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8'));
      const tag = (pkg.nx?.tags ?? []).find((t) => t.startsWith('layer:'));
      const subpaths = new Set(Object.keys(typeof pkg.exports === 'object' && pkg.exports !== null ? pkg.exports : {}));
      byName.set(pkg.name, { root: join(dir, entry), layer: tag?.slice('layer:'.length), subpaths });
    }
  }
  return byName;
}

function packageOfFile(packages, file) {
  for (const [name, info] of packages) {
    if (file.startsWith(info.root + '/')) return { name, ...info };
  }
  return undefined;
}

function rank(layer) {
  return layer === TOOLING ? Number.POSITIVE_INFINITY : LAYERS.indexOf(layer);
}

/**
 * Makes the rule for a set of packages.
 * @param {Map<string, { root: string, layer: string | undefined }>} packages - package name -> folder and layer
 * @returns {import('eslint').Rule.RuleModule}
 */
export function createLayerBoundariesRule(packages) {
  return {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the SkyStack package layers and forbid deep imports across packages.' },
    schema: [],
  },
  create(context) {
    const self = packageOfFile(packages, context.filename);
    function check(node, source) {
      if (typeof source !== 'string' || !source.startsWith('@skystack/')) return;
      const [scope, bare, ...rest] = source.split('/');
      const target = `${scope}/${bare}`;
      if (rest.length > 0 && !packages.get(target)?.subpaths?.has(`./${rest.join('/')}`)) {
        context.report({ node, message: `Deep import '${source}': import '${target}' (its public barrel) instead, or add an "exports" subpath to ${target}.` });
        return;
      }
      if (!self || target === self.name) return;
      const info = packages.get(target);
      if (!info) {
        context.report({ node, message: `Unknown workspace package '${target}'.` });
        return;
      }
      if (info.layer === undefined || self.layer === undefined) {
        context.report({ node, message: `Package ${info.layer === undefined ? target : self.name} has no "layer:<name>" tag in package.json nx.tags (layers: ${LAYERS.join(', ')}).` });
        return;
      }
      if (info.layer === TOOLING && TEST_FILE.test(context.filename)) return;
      if (info.layer === TOOLING || rank(info.layer) > rank(self.layer)) {
        context.report({ node, message: `${self.name} (layer ${self.layer}) must not import ${target} (layer ${info.layer}): a package depends only on packages of its own or a lower layer.` });
      }
    }
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
  };
}

/** The rule over this workspace's packages. */
export const layerBoundaries = createLayerBoundariesRule(readPackages());

export default { rules: { 'layer-boundaries': layerBoundaries } };
