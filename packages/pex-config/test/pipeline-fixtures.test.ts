// Real LSST override forms: the `config:` blocks of the drp_pipe / ap_pipe / analysis_tools
// pipelines in the shared fixtures, read at test time.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixturePath } from '@skystack/test-support';
import {
  Config,
  ConfigChoiceField,
  ConfigField,
  Field,
  ListField,
  OverrideSyntaxError,
  UnsupportedOverrideError,
  applyOverrideMapping,
} from '../src/index.js';

const root = fixturePath('pipelines');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? yamlFiles(p) : p.endsWith('.yaml') ? [p] : [];
  });
}

interface Block {
  readonly file: string;
  readonly label: string;
  readonly config: Record<string, unknown>;
}

function configBlocks(file: string): Block[] {
  const doc = parse(readFileSync(file, 'utf8')) as { tasks?: Record<string, unknown> } | null;
  const out: Block[] = [];
  for (const [label, task] of Object.entries(doc?.tasks ?? {})) {
    const configs = (task as { config?: unknown } | null)?.config;
    for (const c of Array.isArray(configs) ? configs : configs === undefined ? [] : [configs]) {
      if (c !== null && typeof c === 'object') out.push({ file, label, config: c as Record<string, unknown> });
    }
  }
  return out;
}

class KernelConfig extends Config {
  kernelSize = Field.int({ doc: 'Kernel size', default: 21 });
  alardSigGauss = ListField({ doc: 'Sigmas', dtype: 'float', default: [0.7, 1.5, 3.0] });
}
class PsfMatchConfig extends Config {
  kernel = ConfigChoiceField({ doc: 'Kernel', typemap: { AL: KernelConfig }, default: 'AL' });
}
class SubtractConfig extends Config {
  psfMatch = ConfigField({ doc: 'PSF matching', dtype: PsfMatchConfig });
}

describe.skipIf(root === undefined)('pipeline YAML config blocks', () => {
  const blocks = root === undefined ? [] : yamlFiles(root).flatMap(configBlocks);

  it('finds config blocks with python overrides', () => {
    expect(blocks.length).toBeGreaterThan(50);
    expect(blocks.some((b) => typeof b.config['python'] === 'string')).toBe(true);
  });

  it('applies the DECam DRP psfMatch overrides', () => {
    const block = blocks.find((b) => typeof b.config['python'] === 'string' && (b.config['python'] as string).includes("kernel['AL'].kernelSize"));
    expect(block).toBeDefined();
    const config = new SubtractConfig();
    config.loadFromString(block!.config['python'] as string, { filename: `${block!.file}#${block!.label}` });
    expect(config.psfMatch.kernel.AL.kernelSize).toBe(29);
    expect(config.psfMatch.kernel.AL.alardSigGauss).toEqual([1.0, 2.0, 4.5]);
  });

  it('parses every python block or refuses it with a line and column inside the block', () => {
    let parsed = 0;
    let refused = 0;
    for (const b of blocks) {
      const text = b.config['python'];
      if (typeof text !== 'string') continue;
      const config = new Config();
      try {
        config.loadFromString(text, { filename: b.file });
        parsed++;
      } catch (e) {
        if (e instanceof OverrideSyntaxError) {
          expect(e.line).toBeGreaterThanOrEqual(1);
          expect(e.line).toBeLessThanOrEqual(text.split('\n').length);
          expect(e.column).toBeGreaterThanOrEqual(1);
          refused++;
        } else if (e instanceof UnsupportedOverrideError || (e as { code?: string }).code === 'PEX_CONFIG_UNKNOWN_FIELD') {
          parsed++;
        } else {
          throw e;
        }
      }
    }
    expect(parsed + refused).toBeGreaterThan(10);
    expect(refused).toBeGreaterThan(0);
  });

  it('reads the key: value overrides as nested or dotted mappings', () => {
    class CoaddConfig extends Config {
      doNImage = Field.bool({ doc: 'N image', default: false });
      subregionSize = ListField({ doc: 'Subregion', dtype: 'int', default: [2000, 2000], length: 2 });
    }
    const block = blocks.find((b) => 'subregionSize' in b.config && 'doNImage' in b.config);
    expect(block).toBeDefined();
    const config = new CoaddConfig();
    applyOverrideMapping(config, { subregionSize: block!.config['subregionSize'], doNImage: block!.config['doNImage'] }, { label: 'pipeline YAML' });
    expect(config.subregionSize).toEqual([10000, 200]);
    expect(config.doNImage).toBe(true);
    config.validate();
  });
});
