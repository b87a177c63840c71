import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  ListField,
  OverrideSyntaxError,
  RangeField,
  UnknownFieldError,
  UnsupportedOverrideError,
  applyOverrideMapping,
  applyOverrides,
  loadOverrideFile,
  parseConfigOverrideOption,
} from './index.js';

class KernelConfig extends Config {
  kernelSize = Field.int({ doc: 'Kernel size', default: 21 });
  alardSigGauss = ListField({ doc: 'Gaussian sigmas', dtype: 'float', default: [0.7, 1.5, 3.0] });
}
class OtherKernelConfig extends Config {
  order = Field.int({ doc: 'Order', default: 2 });
}
class PsfMatchConfig extends Config {
  kernel = ConfigChoiceField({ doc: 'Kernel basis', typemap: { AL: KernelConfig, DF: OtherKernelConfig }, default: 'AL' });
}
class ChannelRGBConfig extends Config {
  r = Field.float({ doc: 'red', default: 0 });
  g = Field.float({ doc: 'green', default: 0 });
  b = Field.float({ doc: 'blue', default: 0 });
}
class SubConfig extends Config {
  transpose = Field.bool({ doc: 'Transpose?', default: false });
  name = Field.str({ doc: 'A name', default: 'x' });
}
class SubTask {
  static ConfigClass = SubConfig;
}
class OtherTask {
  static ConfigClass = SubConfig;
}
class TaskConfig extends Config {
  doBias = Field.bool({ doc: 'Apply bias?', default: true });
  randomSeed = Field.int({ doc: 'Seed', default: 1 });
  threshold = RangeField({ doc: 'Threshold', dtype: 'float', default: 5, min: 0 });
  fwhm = Field.float({ doc: 'FWHM', default: NaN });
  label = Field.str({ doc: 'Label', optional: true });
  mode = ChoiceField({ doc: 'Mode', dtype: 'str', default: 'a', allowed: { a: 'A', b: 'B' } });
  bands = ListField({ doc: 'Bands', dtype: 'str', default: ['g', 'r'] });
  subregionSize = ListField({ doc: 'Subregion', dtype: 'int', default: [2000, 2000], length: 2 });
  cuts = DictField({ doc: 'Cuts', itemtype: 'float', default: {} });
  psfMatch = ConfigField({ doc: 'PSF matching', dtype: PsfMatchConfig });
  interp = ConfigurableField({ doc: 'Interpolation', target: SubTask });
  channelConfig = ConfigDictField({ doc: 'Channels', itemtype: ChannelRGBConfig });
}

describe('loadFromString (safe Python subset)', () => {
  it('applies LSST override syntax', () => {
    const c = new TaskConfig();
    const result = c.loadFromString(
      [
        'import lsst.pipe.tasks',
        'from lsst.foo import Bar  # ignored',
        '# a comment',
        '',
        'config.doBias = False',
        'config.randomSeed=23456',
        'config.threshold = 1e-3',
        "config.label = 'it\\'s'",
        'config.mode = "b"',
        "config.bands = ['i', 'z',",
        "    'y']  # continuation inside brackets",
        "config.bands.append('N921')",
        "config.bands.extend(['u'])",
        "config.bands += ['N540']",
        'config.subregionSize = (10000, 200)',
        "config.cuts['g'] = -0.05",
        "config.cuts = {'r': -0.1, 'i': 1.5e+2}",
        "config.psfMatch.kernel['AL'].kernelSize = 29",
        "config.psfMatch.kernel['AL'].alardSigGauss = [1.0, 2.0, 4.5]",
        "config.psfMatch.kernel.name = 'AL'",
        'config.interp.transpose = True',
        "config.channelConfig['g'] = ChannelRGBConfig(r=1, g=1, b=1)",
        "config.channelConfig['u'] = lsst.pipe.tasks.ChannelRGBConfig()",
        "config.fwhm = float('nan'); config.randomSeed = -3",
        'config.label = None',
      ].join('\n'),
      { filename: 'overrides.py' },
    );
    expect(result.warnings).toEqual([
      'overrides.py:1: import line ignored: import lsst . pipe . tasks',
      'overrides.py:2: import line ignored: from lsst . foo import Bar',
    ]);
    expect(c.doBias).toBe(false);
    expect(c.randomSeed).toBe(-3);
    expect(c.threshold).toBe(0.001);
    expect(c.label).toBeNull();
    expect(c.mode).toBe('b');
    expect(c.bands).toEqual(['i', 'z', 'y', 'N921', 'u', 'N540']);
    expect(c.subregionSize).toEqual([10000, 200]);
    expect(c.cuts).toEqual({ r: -0.1, i: 150 });
    expect(c.psfMatch.kernel.AL.kernelSize).toBe(29);
    expect(c.psfMatch.kernel.AL.alardSigGauss).toEqual([1, 2, 4.5]);
    expect(c.interp.transpose).toBe(true);
    expect(c.channelConfig['g']!.toDict()).toEqual({ r: 1, g: 1, b: 1 });
    expect(c.channelConfig['u']!.r).toBe(0);
    expect(Number.isNaN(c.fwhm)).toBe(true);
    expect(c.history['doBias']?.at(-1)?.where).toBe('overrides.py:5');
    expect(c.formatHistory('bands')).toMatch(/\['i', 'z', 'y'\] +overrides\.py:10/);
    expect(c.psfMatch.kernel.AL.history['kernelSize']?.at(-1)?.where).toBe('overrides.py:18');
  });

  const bad: [string, number, number, RegExp][] = [
    ['config.doBias = 0.065*parameters.abs_max', 1, 22, /Operator '\*'/],
    ['config.label = parameters.base_uri', 1, 16, /Names such as 'parameters.base_uri'/],
    ['\nconfig.a = [1, 2', 2, 17, /Expected '\]' but found the end of/],
    ["config.s = 'abc", 1, 12, /Unterminated string/],
    ['for band in bands:\n  pass', 1, 1, /'for' statements are not supported/],
    ['del config.actions.extendedness', 1, 1, /'del' statements/],
    ['configureIsrTaskLSSTForCalibrations(config)', 1, 1, /Calling 'configureIsrTaskLSSTForCalibrations'/],
    ['config.doBias == True', 1, 15, /Expected '=' or a method call/],
    ['  config.doBias = $', 1, 19, /Unexpected character/],
    ['config.x = f"{a}"', 1, 12, /f-strings/],
    ['config.x = {1, 2}', 1, 14, /Sets are not supported/],
    ['config.a = b = 1', 1, 14, /Chained assignments/],
  ];
  it.each(bad)('refuses %j at line %i column %i', (text, line, column, message) => {
    const c = new TaskConfig();
    let error: unknown;
    try {
      c.loadFromString(text, { filename: 'bad.py' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OverrideSyntaxError);
    const e = error as OverrideSyntaxError;
    expect(e.message).toMatch(message);
    expect([e.line, e.column]).toEqual([line, column]);
    expect(e.message.startsWith(`bad.py:${line}:${column}: `)).toBe(true);
  });

  it('reports unknown fields, bad values and unsupported retargets', () => {
    const c = new TaskConfig();
    expect(() => c.loadFromString('config.doBais = False')).toThrow(UnknownFieldError);
    expect(() => c.loadFromString('config.doBias = 3')).toThrow(/config\.doBias: Value 3 is of type int; expected type bool/);
    expect(() => c.loadFromString('root.doBias = False')).toThrow(/Unknown name 'root'/);
    c.loadFromString('root.doBias = False', { root: 'root' });
    expect(c.doBias).toBe(false);
    expect(() => c.loadFromString('config.interp.retarget(OtherTask)')).toThrow(UnsupportedOverrideError);
    expect(() => c.loadFromString('config.interp.retarget(OtherTask)')).toThrow(/retarget\(OtherTask\) is not supported/);
    c.loadFromString('config.interp.retarget(target=lsst.foo.SubTask, ConfigClass=lsst.foo.SubConfig)');
    expect(() => c.loadFromString("config.channelConfig['x'] = Other(r=1)")).toThrow(/expected ChannelRGBConfig/);
    expect(() => c.loadFromString('config.subregionSize.pop()')).toThrow(/not supported in config overrides/);
  });
});

describe('saveToString and loadFromString round trip', () => {
  it('gives an equal config', async () => {
    const a = new TaskConfig();
    a.doBias = false;
    a.label = "quote's \"both\"\n";
    a.bands.push('N921');
    a.cuts['g'] = -0.05;
    a.threshold = 1e-7;
    a.psfMatch.kernel.AL.kernelSize = 29;
    a.psfMatch.kernel.DF.order = 3;
    a.psfMatch.kernel.name = 'DF';
    a.interp.name = 'y';
    const ch = new ChannelRGBConfig();
    ch.update({ r: 0.5, g: 1 });
    a.channelConfig['g'] = ch;
    const text = a.saveToString();
    expect(text).not.toMatch(/^import/m);
    expect(text).toContain('config.doBias=False');
    expect(text).toContain('# Apply bias?');
    expect(text).toContain("config.bands=['g', 'r', 'N921']");
    expect(text).toContain("config.psfMatch.kernel['AL'].kernelSize=29");
    expect(text).toContain("config.psfMatch.kernel.name='DF'");
    expect(text).toContain("config.channelConfig['g']=ChannelRGBConfig()");
    expect(text).toContain('config.fwhm=float(\'nan\')');
    expect(text).toContain('config.threshold=1e-07');
    const b = new TaskConfig();
    b.loadFromString(text);
    expect(a.compare(b, { shortcut: false, rtol: 0, atol: 0 }).differences).toEqual([]);
    expect(b.toDict()).toEqual(a.toDict());

    const dir = await mkdtemp(join(tmpdir(), 'pex-config-'));
    const path = join(dir, 'task.py');
    await a.save(path);
    const c = new TaskConfig();
    await c.load(path);
    expect(c.compare(a).equal).toBe(true);
    expect(c.history['doBias']?.at(-1)?.where).toMatch(/task\.py:\d+$/);
    expect(await readFile(path, 'utf8')).toBe(`${text}\n`);
  });

  it('leaves out deprecated fields at their default, as pex_config does, so loading does not warn', () => {
    class WithDeprecated extends Config {
      saveMetadata = Field.bool({ doc: 'Save metadata', default: true, deprecated: 'removed after v26' });
      level = Field.int({ doc: 'Level', default: 1 });
    }
    const a = new WithDeprecated();
    expect(a.saveToString()).not.toContain('saveMetadata');
    expect(a.saveToString()).toContain('config.level=1');
    a.saveMetadata = false;
    expect(a.saveToString()).toContain('config.saveMetadata=False');
  });

  it('writes retarget lines that load back onto a config retargeted in code', () => {
    const a = new TaskConfig();
    a.interp.retarget(OtherTask);
    const text = a.saveToString();
    expect(text).toContain('config.interp.retarget(target=OtherTask, ConfigClass=SubConfig)');
    expect(() => new TaskConfig().loadFromString(text)).toThrow(UnsupportedOverrideError);
    const b = new TaskConfig();
    b.interp.retarget(OtherTask);
    b.loadFromString(text);
    expect(b.compare(a).equal).toBe(true);
  });
});

describe('applyOverrides (-c) and mappings', () => {
  it('parses values by the field type', () => {
    const c = new TaskConfig();
    const opt = parseConfigOverrideOption('isr:doBias=False');
    expect(opt).toEqual({ label: 'isr', field: 'doBias', value: 'False' });
    applyOverrides(c, [
      { field: opt.field, value: opt.value },
      { field: 'randomSeed', value: '42' },
      { field: 'threshold', value: '2.5e-1' },
      { field: 'label', value: 'plain text' },
      { field: 'mode', value: "'b'" },
      { field: 'bands', value: "['u','g']" },
      { field: 'subregionSize', value: '[1,2]' },
      { field: 'cuts', value: "{'g': 1}" },
      { field: "psfMatch.kernel['AL'].kernelSize", value: '31' },
      { field: 'psfMatch.kernel.name', value: 'DF' },
      { field: 'interp.transpose', value: 'true' },
    ]);
    expect(c.toDict()).toMatchObject({
      doBias: false,
      randomSeed: 42,
      threshold: 0.25,
      label: 'plain text',
      mode: 'b',
      bands: ['u', 'g'],
      subregionSize: [1, 2],
      cuts: { g: 1 },
    });
    expect(c.psfMatch.kernel.AL.kernelSize).toBe(31);
    expect(c.psfMatch.kernel.name).toBe('DF');
    expect(c.interp.transpose).toBe(true);
    expect(c.history['doBias']?.at(-1)?.where).toBe('-c override');
    applyOverrides(c, [{ field: 'bands', value: 'i,z' }], { label: 'cli' });
    expect(c.bands).toEqual(['i', 'z']);
    expect(() => applyOverrides(c, [{ field: 'randomSeed', value: 'many' }])).toThrow(/Cannot parse "many" as int/);
    expect(() => applyOverrides(c, [{ field: 'threshold', value: '-1' }])).toThrow(FieldValidationError);
    expect(() => applyOverrides(c, [{ field: 'nope', value: '1' }])).toThrow(UnknownFieldError);
    expect(() => parseConfigOverrideOption('doBias=False')).toThrow(OverrideSyntaxError);
  });

  it('applies nested and dotted mappings from YAML and JSON files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pex-config-'));
    const yamlPath = join(dir, 'o.yaml');
    await writeFile(
      yamlPath,
      [
        'doBias: false',
        'psfMatch.kernel.AL.kernelSize: 29',
        'interp:',
        '  transpose: true',
        'subregionSize: (10000, 200)',
        'cuts:',
        '  g: -0.05',
        'bands: ["g", "r", "i"]',
        "channelConfig: {r: {r: 1}}",
      ].join('\n'),
    );
    const c = new TaskConfig();
    await loadOverrideFile(c, yamlPath);
    expect(c.doBias).toBe(false);
    expect(c.psfMatch.kernel.AL.kernelSize).toBe(29);
    expect(c.interp.transpose).toBe(true);
    expect(c.subregionSize).toEqual([10000, 200]);
    expect(c.cuts).toEqual({ g: -0.05 });
    expect(c.bands).toEqual(['g', 'r', 'i']);
    expect(c.channelConfig['r']!.r).toBe(1);
    expect(c.history['doBias']?.at(-1)?.where).toBe(yamlPath);

    const jsonPath = join(dir, 'o.json');
    await writeFile(jsonPath, JSON.stringify({ psfMatch: { kernel: { name: 'DF', DF: { order: 5 } } }, randomSeed: 9 }));
    await loadOverrideFile(c, jsonPath);
    expect(c.psfMatch.kernel.name).toBe('DF');
    expect(c.psfMatch.kernel.DF.order).toBe(5);
    applyOverrideMapping(c, { 'interp.name': 'z' }, { label: 'pipeline YAML' });
    expect(c.interp.history['name']?.at(-1)).toEqual({ value: 'z', where: 'pipeline YAML' });
  });
});
