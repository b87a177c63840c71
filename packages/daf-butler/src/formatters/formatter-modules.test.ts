import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Butler } from '../butler.js';
import { DatasetType } from '../datasets/dataset-type.js';
import { DimensionUniverse } from '../dimensions/universe.js';
import { MissingFormatterError } from '../storage/errors.js';
import { StorageClassFactory } from '../storage/storage-class.js';
import { FormatterFactory, defaultImportModule, formatterNameFromPath, type Formatter, type ModuleImporter } from './formatter.js';

const universe = DimensionUniverse.default();
const storageClasses = StorageClassFactory.default();

class TextFormatter implements Formatter {
  readonly extension = '.txt';
  constructor(readonly name = 'TextFormatter') {}
  async write(obj: unknown, path: string): Promise<void> {
    await writeFile(path, String(obj));
  }
  async read(path: string): Promise<unknown> {
    const { readFile } = await import('node:fs/promises');
    return readFile(path, 'utf8');
  }
  canReadComponent(): boolean {
    return false;
  }
}

/** An importer over in-memory "modules", counting imports. */
function fakeModules(mods: Record<string, Record<string, unknown>>): ModuleImporter & { calls: string[] } {
  const calls: string[] = [];
  const f = (async (spec: string) => {
    calls.push(spec);
    const m = mods[spec];
    if (m === undefined) throw new Error(`Cannot find module '${spec}'`);
    return m;
  }) as ModuleImporter & { calls: string[] };
  f.calls = calls;
  return f;
}

describe('formatterNameFromPath', () => {
  it('keeps module specifiers whole and takes the last segment of class paths', () => {
    expect(formatterNameFromPath('@skystack/obs-sim#SimCamRawFormatter')).toBe('@skystack/obs-sim#SimCamRawFormatter');
    expect(formatterNameFromPath('lsst.obs.base.formatters.fitsExposure.FitsExposureFormatter')).toBe('FitsExposureFormatter');
  });
});

describe('FormatterFactory.loadFormatters', () => {
  it('maps LSST class paths to modules through the modules table (longest prefix)', () => {
    const f = FormatterFactory.fromConfig({ modules: { 'lsst.obs': 'a', 'lsst.obs.base.formatters': '@skystack/obs-base' } }, []);
    expect(f.moduleOf('lsst.obs.base.formatters.fitsExposure.FitsExposureFormatter')).toEqual({ module: '@skystack/obs-base', exportName: 'FitsExposureFormatter' });
    expect(f.moduleOf('lsst.obs.subaru.X')).toEqual({ module: 'a', exportName: 'X' });
    expect(f.moduleOf('pkg/sub#Export')).toEqual({ module: 'pkg/sub', exportName: 'Export' });
    expect(f.moduleOf('lsst.daf.butler.formatters.json.JsonFormatter')).toBeUndefined();
  });

  it("awaits a module's registerFormatters once and finds the formatters it registered", async () => {
    let registered = 0;
    const importer = fakeModules({
      '@skystack/obs-base': {
        registerFormatters: (factory: FormatterFactory) => {
          registered++;
          factory.registerFormatter(new TextFormatter('FitsExposureFormatter'));
        },
      },
    });
    const f = FormatterFactory.default();
    expect(f.hasFormatter('FitsExposureFormatter')).toBe(false);
    const loaded = await f.loadFormatters({ importModule: importer });
    expect(loaded).toContain('FitsExposureFormatter');
    await f.loadFormatters({ importModule: importer });
    // The default config names obs-base (the afw types) and pipe-tasks' SkyMap and HealSparseMap
    // formatters; each is imported once.
    expect(importer.calls).toEqual(['@skystack/pipe-tasks/sky-map-formatter', '@skystack/pipe-tasks/healsparse-map-formatter', '@skystack/obs-base']);
    expect(registered).toBe(1);
    const calexp = new DatasetType('calexp', ['instrument', 'visit', 'detector'], 'ExposureF', { universe });
    expect(f.getFormatter(calexp, storageClasses.getStorageClass('ExposureF'), storageClasses).name).toBe('FitsExposureFormatter');
  });

  it('instantiates a named class export of a pkg#Export entry and finds it under that name', async () => {
    const importer = fakeModules({ 'my-pkg': { TextFormatter } });
    const f = FormatterFactory.fromConfig({ int: 'my-pkg#TextFormatter' }, []);
    expect(await f.loadFormatters({ importModule: importer })).toEqual(['TextFormatter', 'my-pkg#TextFormatter']);
    expect(f.getFormatterByName('my-pkg#TextFormatter').name).toBe('TextFormatter');
  });

  it('loads names recorded by the datastore and modules listed by the repository', async () => {
    let called = false;
    const importer = fakeModules({
      'cam-pkg': { CamRawFormatter: class extends TextFormatter { constructor() { super('cam-pkg#CamRawFormatter'); } } },
      extra: { registerFormatters: () => { called = true; } },
    });
    const f = new FormatterFactory();
    await f.loadFormatters({ importModule: importer, names: ['cam-pkg#CamRawFormatter'], modules: ['extra'] });
    expect(f.hasFormatter('cam-pkg#CamRawFormatter')).toBe(true);
    expect(called).toBe(true);
  });

  it('reports why a module did not load when its formatter is needed, not before', async () => {
    const f = FormatterFactory.default();
    await expect(f.loadFormatters({ importModule: fakeModules({}) })).resolves.toEqual([]);
    const calexp = new DatasetType('calexp', [], 'ExposureF', { universe });
    try {
      f.getFormatter(calexp, storageClasses.getStorageClass('ExposureF'), storageClasses);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MissingFormatterError);
      expect((e as MissingFormatterError).hint).toMatch(/importing module '@skystack\/obs-base' failed: Cannot find module/);
    }
  });

  it('says when a module has no such export', async () => {
    const f = FormatterFactory.fromConfig({ int: 'my-pkg#Nope' }, []);
    await f.loadFormatters({ importModule: fakeModules({ 'my-pkg': {} }) });
    expect(() => f.getFormatterByName('my-pkg#Nope')).toThrow(MissingFormatterError);
    try {
      f.getFormatterByName('my-pkg#Nope');
    } catch (e) {
      expect((e as MissingFormatterError).hint).toMatch(/has no formatter export 'Nope'/);
    }
  });
});

describe('defaultImportModule', () => {
  it('imports a path and a bare specifier, and says what it tried when it fails', async () => {
    const mod = await defaultImportModule(join(import.meta.dirname, 'json-formatter.ts'));
    expect(typeof mod['JsonFormatter']).toBe('function');
    expect(typeof (await defaultImportModule('yaml'))['parse']).toBe('function');
    await expect(defaultImportModule('@skystack/no-such-package-x')).rejects.toThrow(/Cannot import module '@skystack\/no-such-package-x'/);
  });
});

describe('Butler opening a repository', () => {
  let root: string | undefined;
  afterEach(async () => {
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it('loads the formatter modules of butler.yaml and the recorded pkg#Export formatters', async () => {
    root = await mkdtemp(join(tmpdir(), 'fmtmod-'));
    await Butler.makeRepo(root, { config: { datastore: { formatterModules: ['extra-mod'], formatters: { note: 'txt-pkg#TextFormatter' } } } });
    let extraCalls = 0;
    const mods = {
      'txt-pkg': { TextFormatter: class extends TextFormatter { constructor() { super('txt-pkg#TextFormatter'); } } },
      'extra-mod': { registerFormatters: () => { extraCalls++; } },
    };
    const importer = fakeModules(mods);
    const b = await Butler.from(root, { run: 'r', importModule: importer });
    expect(extraCalls).toBe(1);
    await b.registry.registerDatasetType(new DatasetType('note', [], 'StructuredDataDict', { universe: b.universe }));
    await b.put('hello', 'note', {});
    await b.close();
    // A new Butler whose configuration no longer names the formatter finds it from the records.
    await Butler.makeRepo(root, { overwrite: true, config: {} });
    const importer2 = fakeModules(mods);
    const b2 = await Butler.from(root, { collections: 'r', importModule: importer2 });
    expect(await b2.get('note', {})).toBe('hello');
    expect(importer2.calls).toContain('txt-pkg');
    await b2.close();
  });
});
