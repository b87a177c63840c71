import { describe, expect, it } from 'vitest';
import {
  ChoiceField,
  Config,
  ConfigChoiceField,
  ConfigDictField,
  ConfigField,
  ConfigurableField,
  DictField,
  Field,
  FieldValidationError,
  FrozenConfigError,
  ListField,
  RangeField,
  Registry,
  RegistryField,
  UnknownFieldError,
  ConfigDefinitionError,
  describeConfig,
  withHistoryLabel,
} from './index.js';

class BackgroundConfig extends Config {
  binSize = Field.int({ doc: 'Bin size (pixels)', default: 128, check: (v) => v > 0 });
  algorithm = ChoiceField({ doc: 'Interpolation', dtype: 'str', default: 'AKIMA_SPLINE', allowed: { AKIMA_SPLINE: 'Akima', NONE: 'none' } });
}

class IsrConfig extends Config {
  doBias = Field.bool({ doc: 'Apply bias?', default: true });
  gain = RangeField({ doc: 'Gain (e-/ADU)', dtype: 'float', default: 1.5, min: 0, inclusiveMin: false });
  saturation = Field({ doc: 'Saturation (ADU)', dtype: 'float', default: 65535 });
  filterName = Field.str({ doc: 'Filter', optional: true });
  badMaskPlanes = ListField({ doc: 'Planes', dtype: 'str', default: ['BAD', 'SAT'], maxLength: 4 });
  cuts = DictField({ doc: 'Cut per band', keytype: 'str', itemtype: 'float', default: { g: -0.05 } });
  background = ConfigField({ doc: 'Background', dtype: BackgroundConfig });
}

class IsrTask {
  static ConfigClass = IsrConfig;
  constructor(readonly options: { config: IsrConfig; name?: string }) {}
}

class FancyIsrConfig extends IsrConfig {
  fancy = Field.int({ doc: 'How fancy', default: 3 });
}
class FancyIsrTask {
  static ConfigClass = FancyIsrConfig;
  constructor(readonly options: { config: FancyIsrConfig }) {}
}

class PsfexConfig extends Config {
  spatialOrder = Field.int({ doc: 'Spatial order', default: 2 });
}
class PiffConfig extends Config {
  useColor = Field.bool({ doc: 'Use color', default: true });
}
class PsfexTask {
  static ConfigClass = PsfexConfig;
  constructor(readonly options: { config: PsfexConfig }) {}
}
class PiffTask {
  static ConfigClass = PiffConfig;
  constructor(readonly options: { config: PiffConfig }) {}
}

class RingsConfig extends Config {
  numRings = Field.int({ doc: 'Rings', default: 120 });
}
class DiscreteConfig extends Config {
  raList = ListField({ doc: 'RA', dtype: 'float', default: [] });
}
class ChannelConfig extends Config {
  r = Field.float({ doc: 'red', default: 0 });
  g = Field.float({ doc: 'green', default: 0 });
  b = Field.float({ doc: 'blue', default: 0 });
}

function makeRegistry(): Registry {
  const registry = new Registry('PSF determiners');
  registry.register('psfex', PsfexTask);
  registry.register('piff', PiffTask);
  return registry;
}
const psfRegistry = makeRegistry();

class ProcessCcdConfig extends Config {
  isr = ConfigurableField({ doc: 'ISR', target: IsrTask });
  psf = RegistryField({ doc: 'PSF determiner', registry: psfRegistry, default: 'psfex' });
  psfs = RegistryField({ doc: 'Several', registry: psfRegistry, multi: true, default: ['psfex'] });
  skyMap = ConfigChoiceField({ doc: 'Sky map', typemap: { rings: RingsConfig, discrete: DiscreteConfig }, default: 'rings' });
  channels = ConfigDictField({ doc: 'Channels', itemtype: ChannelConfig });
  seed = Field.int({ doc: 'Random seed', default: 1 });

  override setDefaults(): void {
    super.setDefaults();
    this.isr.saturation = 60000;
  }

  override validate(): void {
    super.validate();
    if (this.seed < 0) throw new FieldValidationError('config.seed', this.seed, 'Seed must be non-negative.');
  }
}

describe('Field', () => {
  it('reads defaults with static types and assigns checked values', () => {
    const c = new IsrConfig();
    const b: boolean = c.doBias;
    expect(b).toBe(true);
    expect(c.filterName).toBeNull();
    c.doBias = false;
    expect(c.doBias).toBe(false);
    expect(() => ((c as unknown as { doBias: unknown }).doBias = 'yes')).toThrow(FieldValidationError);
    expect(() => ((c as unknown as { doBias: unknown }).doBias = 'yes')).toThrow(/config\.doBias: Value 'yes' is of type str; expected type bool/);
  });

  it('checks int dtype and check functions', () => {
    const c = new BackgroundConfig();
    expect(() => (c.binSize = 1.5)).toThrow(/expected type int/);
    expect(() => (c.binSize = -1)).toThrow(/check failed/);
    c.binSize = 64;
    expect(c.binSize).toBe(64);
  });

  it('refuses None for required fields in validate()', () => {
    class C extends Config {
      x = Field.int({ doc: 'x' });
    }
    const c = new C();
    expect(() => c.validate()).toThrow(/config\.x: Required value cannot be None/);
    c.x = 3;
    c.validate();
  });

  it('rejects bad declarations', () => {
    expect(() => Field.int({ doc: 'x', default: 1.5 })).toThrow(ConfigDefinitionError);
    expect(() => RangeField({ doc: 'x', dtype: 'int', min: 3, max: 1 })).toThrow(/empty/);
    class Bad extends Config {
      validate2 = 1;
      override names = Field.int({ doc: "clash", default: 1 }) as unknown as () => string[];
    }
    expect(() => new Bad()).toThrow(/may not be named 'names'/);
  });

  it('rejects unknown names with a hint', () => {
    const c = new IsrConfig();
    expect(() => ((c as unknown as Record<string, unknown>)['doBais'] = true)).toThrow(UnknownFieldError);
    expect(() => ((c as unknown as Record<string, unknown>)['doBais'] = true)).toThrow(/Did you mean 'doBias'/);
  });
});

describe('RangeField and ChoiceField', () => {
  it('checks ranges with inclusive/exclusive bounds', () => {
    const c = new IsrConfig();
    expect(() => (c.gain = 0)).toThrow(/outside the range \(0, inf\)/);
    c.gain = 1e-3;
    class R extends Config {
      frac = RangeField({ doc: 'f', dtype: 'float', default: 0.5, min: 0, max: 1, inclusiveMax: true });
    }
    const r = new R();
    r.frac = 1;
    expect(() => (r.frac = 1.01)).toThrow(/\[0, 1\]/);
  });

  it('checks choices and types them as the allowed keys', () => {
    const c = new BackgroundConfig();
    const algo: 'AKIMA_SPLINE' | 'NONE' = c.algorithm;
    expect(algo).toBe('AKIMA_SPLINE');
    expect(() => ((c as unknown as Record<string, unknown>)['algorithm'] = 'CUBIC')).toThrow(/not allowed; allowed values are 'AKIMA_SPLINE', 'NONE'/);
    class I extends Config {
      order = ChoiceField({ doc: 'o', dtype: 'int', default: 1, allowed: { 1: 'one', 3: 'three' } });
    }
    const i = new I();
    i.order = 3;
    expect(() => (i.order = 2)).toThrow(FieldValidationError);
  });
});

describe('ListField and DictField', () => {
  it('checks items on push and lengths in validate', () => {
    const c = new IsrConfig();
    c.badMaskPlanes.push('NO_DATA');
    expect(c.badMaskPlanes).toEqual(['BAD', 'SAT', 'NO_DATA']);
    expect(() => (c.badMaskPlanes as unknown[]).push(3)).toThrow(/Item at position 3/);
    c.badMaskPlanes.push('A', 'B');
    expect(() => c.validate()).toThrow(/Maximum allowed list length=4, got length=5/);
    c.badMaskPlanes = ['BAD'];
    c.validate();
    const d = new IsrConfig();
    expect(d.badMaskPlanes).toEqual(['BAD', 'SAT']);
  });

  it('applies length, minLength, itemCheck and listCheck', () => {
    class L extends Config {
      xy = ListField({ doc: 'pair', dtype: 'int', default: [1, 2], length: 2, itemCheck: (v) => v >= 0, listCheck: (l) => l[0]! <= l[1]! });
    }
    const l = new L();
    expect(() => (l.xy = [-1, 2])).toThrow(/itemCheck failed/);
    l.xy = [3, 2];
    expect(() => l.validate()).toThrow(/listCheck failed/);
    l.xy = [1];
    expect(() => l.validate()).toThrow(/Required list length=2, got length=1/);
  });

  it('checks dict values and keys', () => {
    const c = new IsrConfig();
    c.cuts['r'] = -0.1;
    expect(c.cuts).toEqual({ g: -0.05, r: -0.1 });
    expect(() => ((c.cuts as Record<string, unknown>)['i'] = 'x')).toThrow(/Item 'i'/);
    class D extends Config {
      m = DictField({ doc: 'int keys', keytype: 'int', itemtype: 'str', default: {}, dictCheck: (d) => Object.keys(d).length < 2 });
    }
    const d = new D();
    d.m['1'] = 'a';
    expect(() => (d.m['x'] = 'b')).toThrow(/not an int/);
    d.m['2'] = 'b';
    expect(() => d.validate()).toThrow(/dictCheck failed/);
  });
});

describe('ConfigField, ConfigurableField, RegistryField, ConfigChoiceField, ConfigDictField', () => {
  it('nests configs and names fields by full path', () => {
    const c = new IsrConfig();
    c.background.binSize = 32;
    expect(() => (c.background.binSize = 0)).toThrow(/config\.background\.binSize/);
    c.background = { binSize: 16 } as unknown as BackgroundConfig;
    expect(c.background.binSize).toBe(16);
  });

  it('forwards configurable fields, retargets and applies', () => {
    const c = new ProcessCcdConfig();
    expect(c.isr.saturation).toBe(60000);
    c.isr.doBias = false;
    expect(c.isr.value.doBias).toBe(false);
    const task = c.isr.apply<IsrTask>({ name: 'isr' });
    expect(task).toBeInstanceOf(IsrTask);
    expect(task.options.config).toBe(c.isr.value);
    const fancy = c.isr.retarget(FancyIsrTask);
    expect(fancy.fancy).toBe(3);
    expect(c.isr.target).toBe(FancyIsrTask);
    expect(c.isr.doBias).toBe(true);
    expect(c.history['isr']?.at(-1)?.value).toBe('retarget(target=FancyIsrTask, ConfigClass=FancyIsrConfig)');
  });

  it('selects from a caller-owned registry', () => {
    const c = new ProcessCcdConfig();
    expect(c.psf.name).toBe('psfex');
    expect(c.psf.get('psfex')).toBeInstanceOf(PsfexConfig);
    (c.psf.get('psfex') as PsfexConfig).spatialOrder = 3;
    expect((c.psf.active as PsfexConfig).spatialOrder).toBe(3);
    c.psf.name = 'piff';
    expect(c.psf.apply()).toBeInstanceOf(PiffTask);
    expect(() => (c.psf.name = 'nope')).toThrow(/not a choice; allowed: 'psfex', 'piff'/);
    expect(() => c.psf.names).toThrow(/use name/);
    c.psfs.names = ['psfex', 'piff'];
    expect((c.psfs.active as Config[]).length).toBe(2);
    expect(c.psfs.targets).toEqual([PsfexTask, PiffTask]);
    expect((c.psf as unknown as Record<string, unknown>)['piff']).toBeInstanceOf(PiffConfig);
  });

  it('chooses among typed configs', () => {
    const c = new ProcessCcdConfig();
    c.skyMap.rings.numRings = 100;
    expect(c.skyMap.get('rings').numRings).toBe(100);
    c.skyMap['discrete'].raList = [1, 2];
    c.skyMap.name = 'discrete';
    expect(c.skyMap.active).toBe(c.skyMap.discrete);
    expect(c.toDict()['skyMap']).toEqual({ name: 'discrete', values: { rings: { numRings: 100 }, discrete: { raList: [1, 2] } } });
  });

  it('holds dicts of configs', () => {
    const c = new ProcessCcdConfig();
    const blue = new ChannelConfig();
    blue.b = 1;
    c.channels['g'] = blue;
    expect(c.channels['g']).not.toBe(blue);
    expect(c.channels['g']!.b).toBe(1);
    (c.channels as Record<string, unknown>)['r'] = { r: 1 };
    expect(c.channels['r']!.r).toBe(1);
    expect(() => ((c.channels as Record<string, unknown>)['i'] = 3)).toThrow(/not a ChannelConfig/);
  });
});

describe('freeze, validate, history', () => {
  it('freezes recursively', () => {
    const c = new ProcessCcdConfig();
    c.freeze();
    expect(c.isFrozen()).toBe(true);
    expect(() => (c.seed = 2)).toThrow(FrozenConfigError);
    expect(() => (c.isr.doBias = false)).toThrow(/Cannot modify config\.isr\.doBias: the config is frozen/);
    expect(() => c.isr.badMaskPlanes.push('X')).toThrow(FrozenConfigError);
    expect(() => (c.isr.cuts['x'] = 1)).toThrow(FrozenConfigError);
    expect(() => (c.isr.background.binSize = 1)).toThrow(FrozenConfigError);
    expect(() => (c.psf.name = 'piff')).toThrow(FrozenConfigError);
    expect(() => c.isr.retarget(FancyIsrTask)).toThrow(FrozenConfigError);
    expect(() => (c.skyMap.rings.numRings = 1)).toThrow(FrozenConfigError);
    expect(() => (c.channels['x'] = new ChannelConfig())).toThrow(FrozenConfigError);
    const copy = c.copy();
    copy.seed = 5;
    expect(copy.isFrozen()).toBe(false);
  });

  it('runs whole-config validate overrides', () => {
    const c = new ProcessCcdConfig();
    c.seed = -1;
    expect(() => c.validate()).toThrow(/config\.seed: Seed must be non-negative/);
  });

  it('records the line of each assignment, worked out only when read, as a plain { value, where }', () => {
    const c = new IsrConfig();
    const line = Number(new Error().stack!.split('\n')[1]!.match(/:(\d+):\d+\)?$/)![1]) + 1;
    c.doBias = false;
    c.doBias = true; // a second assignment from the next line, read back after it
    const h = c.history['doBias']!;
    expect(h.at(-2)!.where).toMatch(new RegExp(`config\\.test\\.ts:${line}$`));
    expect(h.at(-1)!.where).toMatch(new RegExp(`config\\.test\\.ts:${line + 1}$`));
    expect(h.at(-1)).toEqual({ value: true, where: h.at(-1)!.where });
    expect(JSON.parse(JSON.stringify(h.at(-2)))).toEqual({ value: false, where: h.at(-2)!.where });
  });

  it('records where each value was set', () => {
    const c = new IsrConfig();
    c.doBias = false;
    withHistoryLabel('pipeline YAML', () => {
      c.doBias = true;
    });
    const h = c.history['doBias']!;
    expect(h.map((e) => e.value)).toEqual([true, false, true]);
    expect(h[0]!.where).toMatch(/config\.test\.ts:\d+$/);
    expect(h[1]!.where).toMatch(/config\.test\.ts:\d+$/);
    expect(h[2]!.where).toBe('pipeline YAML');
    const text = c.formatHistory('doBias');
    expect(text.split('\n')[0]).toBe('config.doBias');
    expect(text).toMatch(/^ {2}False config\.test\.ts|False .*config\.test\.ts:\d+/m);
    expect(text).toContain('True  pipeline YAML');
    const p = new ProcessCcdConfig();
    expect(p.formatHistory('isr.saturation')).toMatch(/^config\.isr\.saturation\n {2}65535\.0 .*\n {2}60000\.0 /);
  });
});

describe('compare, copy, update, toDict, names', () => {
  it('compares with tolerances and lists differences', () => {
    const a = new IsrConfig();
    const b = new IsrConfig();
    expect(a.compare(b).equal).toBe(true);
    b.saturation = 65535 * (1 + 1e-10);
    expect(a.compare(b).equal).toBe(true);
    b.saturation = 65536;
    b.doBias = false;
    expect(a.compare(b).differences.length).toBe(1);
    const full = a.compare(b, { shortcut: false });
    expect(full.equal).toBe(false);
    expect(full.differences.map((d) => d.name)).toEqual(['config.doBias', 'config.saturation']);
    expect(full.differences[0]!.message).toBe('config.doBias: True != False');
    expect(a.compare(b, { shortcut: false, rtol: 1e-3 }).differences.map((d) => d.name)).toEqual(['config.doBias']);
    expect(a.compare(b, { shortcut: false, atol: 2 }).differences.length).toBe(1);
    expect(a.compare(new BackgroundConfig()).equal).toBe(false);
  });

  it('copies deeply and updates', () => {
    const a = new ProcessCcdConfig();
    a.update({ seed: 7, isr: { doBias: false } } as never);
    a.skyMap.name = 'discrete';
    a.psf.get('psfex');
    const b = a.copy();
    expect(b).toBeInstanceOf(ProcessCcdConfig);
    expect(b.compare(a, { shortcut: false }).differences).toEqual([]);
    b.isr.badMaskPlanes.push('X');
    expect(a.isr.badMaskPlanes).toEqual(['BAD', 'SAT']);
    expect(b.history['seed']?.map((e) => e.value)).toEqual([1, 7]);
  });

  it('lists names and dicts', () => {
    const c = new IsrConfig();
    expect(c.keys()).toEqual(['doBias', 'gain', 'saturation', 'filterName', 'badMaskPlanes', 'cuts', 'background']);
    expect(c.names()).toContain('background.binSize');
    expect(c.toDict()).toEqual({
      doBias: true,
      gain: 1.5,
      saturation: 65535,
      filterName: null,
      badMaskPlanes: ['BAD', 'SAT'],
      cuts: { g: -0.05 },
      background: { binSize: 128, algorithm: 'AKIMA_SPLINE' },
    });
  });
});

describe('describeConfig', () => {
  it('gives one entry per field with types, defaults and allowed values', () => {
    const entries = describeConfig(new ProcessCcdConfig());
    const byName = new Map(entries.map((e) => [e.name, e]));
    expect(byName.get('config.isr.gain')).toMatchObject({ kind: 'RangeField', type: 'float', default: 1.5, range: '(0, inf)', doc: 'Gain (e-/ADU)' });
    expect(byName.get('config.isr.background.algorithm')?.allowed).toEqual([
      { value: 'AKIMA_SPLINE', doc: 'Akima' },
      { value: 'NONE', doc: 'none' },
    ]);
    expect(byName.get('config.isr.saturation')).toMatchObject({ default: 65535, value: 60000 });
    expect(byName.get('config.psf')?.allowed?.map((a) => a.value)).toEqual(['psfex', 'piff']);
    expect(byName.has("config.skyMap['discrete'].raList")).toBe(true);
    expect(byName.get('config.isr.badMaskPlanes')?.type).toBe('List[str]');
  });
});
