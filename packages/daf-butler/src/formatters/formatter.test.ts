import { readFileSync } from 'node:fs';
import { fixturePath } from '@skystack/test-support';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DatasetType } from '../datasets/dataset-type.js';
import { DimensionUniverse } from '../dimensions/universe.js';
import { ConflictingDefinitionError } from '../errors.js';
import { FormatterConfigError, MissingFormatterError, UnknownComponentError } from '../storage/errors.js';
import { StorageClassFactory, type StorageClass } from '../storage/storage-class.js';
import { FormatterFactory, GenericDelegate, formatterNameFromPath, type Formatter, type StorageClassDelegate } from './formatter.js';
import { ArrowTableDelegate } from './parquet-formatter.js';

const universe = DimensionUniverse.default();

function without<T extends Record<string, unknown>>(obj: T, key: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([k]) => k !== key));
}

/** A formatter that only has a name (lookups never call read/write). */
function stub(name: string): Formatter {
  return {
    name,
    extension: '.stub',
    write: () => Promise.resolve(),
    read: () => Promise.resolve(undefined),
    canReadComponent: () => false,
  };
}

function dt(name: string, dims: string[], sc: string, parentStorageClass?: string): DatasetType {
  return new DatasetType(name, dims, sc, parentStorageClass === undefined ? { universe } : { universe, parentStorageClass });
}

const BASIC = fixturePath('daf_butler', 'tests', 'config', 'basic', 'formatters.yaml');

// Port of daf_butler tests/test_formatter.py FormatterFactoryTestCase.testRegistryConfig, on the
// real tests/config/basic/formatters.yaml (instrument<DummyHSC> overrides, a dimension key, a
// `default` section of write parameters and `{formatter, parameters}` entries).
describe.skipIf(BASIC === undefined)("daf_butler's testRegistryConfig (tests/config/basic/formatters.yaml)", () => {
  const config = parse(readFileSync(BASIC ?? '/dev/null', 'utf8')) as Record<string, unknown>;
  const factory = FormatterFactory.fromConfig(config, ['JsonFormatter', 'PickleFormatter', 'YamlFormatter', 'FormatterTest'].map(stub));
  const storageClasses = StorageClassFactory.fromConfig({ DummySC: { pytype: 'dict' } });
  const sc = storageClasses.getStorageClass('DummySC');
  const dims = ['visit', 'physical_filter', 'instrument'];
  const constant = { physical_filter: 'v', visit: 1 };

  it('uses the instrument<DummyHSC> entry for the dataset type name', () => {
    const m = factory.getFormatterWithMatch(dt('pvi', dims, 'DummySC'), sc, storageClasses, { dataId: { instrument: 'DummyHSC', ...constant } });
    expect(m.formatter.name).toBe('JsonFormatter');
    expect(m.key).toBe('instrument<DummyHSC>/pvi');
  });

  it('uses the general entry for another instrument', () => {
    expect(factory.getFormatter(dt('pvi', dims, 'DummySC'), sc, storageClasses, { dataId: { instrument: 'DummyNotHSC', ...constant } }).name).toBe('PickleFormatter');
  });

  it('falls back to the dimensions', () => {
    const m = factory.findFormatter(dt('pvix', dims, 'DummySC'), sc, storageClasses, { dataId: { instrument: 'DummyHSC', ...constant } });
    expect(m?.formatterName).toBe('PickleFormatter');
    expect(m?.key).toBe('instrument<DummyHSC>/visit+physical_filter+instrument');
  });

  it('falls back to the storage class', () => {
    const m = factory.findFormatter(dt('pvix', ['physical_filter', 'instrument'], 'DummySC'), sc, storageClasses, { dataId: { instrument: 'DummyHSC', physical_filter: 'v' } });
    expect(m?.formatterName).toBe('YamlFormatter');
    expect(m?.key).toBe('instrument<DummyHSC>/DummySC');
  });

  it('merges the default write parameters with the entry parameters', () => {
    const m = factory.getFormatterWithMatch(dt('paramtest', dims, 'DummySC'), sc, storageClasses, { dataId: { instrument: 'DummyNotHSC', ...constant } });
    expect(m.formatter.name).toBe('FormatterTest');
    expect(m.formatterPath).toBe('lsst.daf.butler.tests.testFormatters.FormatterTest');
    expect(m.writeParameters).toEqual({ max: 5, min: 2, comment: 'Additional commentary', recipe: 'recipe1' });
    expect(Object.keys(m.writeRecipes ?? {})).toEqual(['recipe1', 'recipe2']);
  });

  it('finds a dataset type with a component in its name', () => {
    expect(factory.findFormatter(dt('datasetType.component', [], 'DummySC'), sc, storageClasses)?.formatterName).toBe('YamlFormatter');
  });
});

describe('FormatterFactory lookup priority', () => {
  const storageClasses = StorageClassFactory.fromConfig({
    storageClasses: {
      int: {},
      Wcs: {},
      Image: { parameters: ['bbox'] },
      ImageF: { inheritsFrom: 'Image' },
      Exposure: { components: { image: 'Image', wcs: 'Wcs' } },
      ExposureF: { inheritsFrom: 'Exposure', components: { image: 'ImageF' } },
      ExposureU: { inheritsFrom: 'Exposure' },
    },
  });
  const names = ['A', 'B', 'C', 'D', 'E', 'F', 'G'];
  const make = (entries: Record<string, unknown>): FormatterFactory => FormatterFactory.fromConfig(entries, names.map(stub));
  const calexp = dt('calexp', ['instrument', 'visit', 'detector'], 'ExposureF');
  const expF = storageClasses.getStorageClass('ExposureF');
  const get = (f: FormatterFactory, t: DatasetType, sc: StorageClass): string | undefined => f.findFormatter(t, sc, storageClasses)?.key;

  it('prefers the dataset type name, then the dimensions, then the storage class, its ancestors, then default', () => {
    const all = { calexp: 'x.A', 'instrument+visit+detector': 'x.B', ExposureF: 'x.C', Exposure: 'x.D', default: 'x.E' };
    expect(get(make(all), calexp, expF)).toBe('calexp');
    const noName = without(all, 'calexp');
    expect(get(make(noName), calexp, expF)).toBe('instrument+visit+detector');
    const noDims = without(noName, 'instrument+visit+detector');
    expect(get(make(noDims), calexp, expF)).toBe('ExposureF');
    const noSc = without(noDims, 'ExposureF');
    expect(get(make(noSc), calexp, expF)).toBe('Exposure');
    const onlyDefault = without(noSc, 'Exposure');
    expect(get(make(onlyDefault), calexp, expF)).toBe('default');
    expect(make(onlyDefault).getFormatter(calexp, expF, storageClasses).name).toBe('E');
    expect(get(make({}), calexp, expF)).toBeUndefined();
  });

  it('matches dimension keys in any order, completed by the universe', () => {
    expect(get(make({ 'detector+visit+instrument': 'A' }), calexp, expF)).toBe('detector+visit+instrument');
    // physical_filter and band are implied by visit: the key names only the required ones
    expect(get(make({ 'visit+detector+physical_filter+instrument+band+day_obs': 'A' }), calexp, expF)).toBe('visit+detector+physical_filter+instrument+band+day_obs');
    expect(get(make({ 'visit+instrument': 'A' }), calexp, expF)).toBeUndefined();
    expect(get(make({ 'nosuchdim+visit': 'A' }), calexp, expF)).toBeUndefined();
  });

  it('looks components up by full name, parent name, dimensions, their storage class, then the parent storage class', () => {
    const wcsType = calexp.makeComponentDatasetType('wcs', 'Wcs');
    const wcs = storageClasses.getStorageClass('Wcs');
    const all = { 'calexp.wcs': 'A', calexp: 'B', 'instrument+visit+detector': 'C', Wcs: 'D', ExposureF: 'E', Exposure: 'F' };
    const order = ['calexp.wcs', 'calexp', 'instrument+visit+detector', 'Wcs', 'ExposureF', 'Exposure'];
    let entries: Record<string, unknown> = { ...all };
    for (const key of order) {
      expect(get(make(entries), wcsType, wcs)).toBe(key);
      entries = without(entries, key);
    }
    expect(get(make(entries), wcsType, wcs)).toBeUndefined();
  });

  it('walks inheritsFrom for subclasses daf_butler lists one by one', () => {
    const f = make({ Exposure: 'A', Image: 'B' });
    expect(f.getFormatter(dt('raw', ['instrument', 'exposure', 'detector'], 'ExposureU'), storageClasses.getStorageClass('ExposureU'), storageClasses).name).toBe('A');
    expect(f.getFormatter(dt('img', [], 'ImageF'), storageClasses.getStorageClass('ImageF'), storageClasses).name).toBe('B');
  });

  it('setMapping adds and replaces entries, with data ID restrictions', () => {
    const f = make({ ExposureF: 'A' });
    f.setMapping('ExposureF', 'lsst.some.module.B');
    expect(f.getFormatter(calexp, expF, storageClasses).name).toBe('B');
    f.setMapping('calexp', 'C', { dataId: { instrument: 'HSC' }, writeParameters: { level: 3 } });
    expect(f.getFormatter(calexp, expF, storageClasses).name).toBe('B');
    const m = f.getFormatterWithMatch(calexp, expF, storageClasses, { dataId: { instrument: 'HSC' } });
    expect([m.formatter.name, m.key, m.writeParameters]).toEqual(['C', 'instrument<HSC>/calexp', { level: 3 }]);
  });

  it('says when no entry applies, listing the keys it looked up', () => {
    try {
      make({}).getFormatter(calexp, expF, storageClasses);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MissingFormatterError);
      expect((e as MissingFormatterError).code).toBe('BUTLER_MISSING_FORMATTER');
      expect((e as Error).message).toMatch(
        /^No formatter is configured for dataset type 'calexp' \(storage class 'ExposureF'\); looked up: calexp, instrument\+detector\+visit, ExposureF, Exposure, default\./,
      );
    }
  });
});

describe('FormatterFactory registration and configuration', () => {
  const storageClasses = StorageClassFactory.default();
  const expF = storageClasses.getStorageClass('ExposureF');

  it('keeps entries naming unregistered formatters and fails only when they are used', () => {
    const f = FormatterFactory.fromConfig({ ExposureF: 'lsst.obs.base.formatters.fitsExposure.FitsExposureFormatter', int: 'lsst.daf.butler.formatters.json.JsonFormatter' }, [stub('JsonFormatter')]);
    expect(f.getFormatter(dt('n', [], 'int'), storageClasses.getStorageClass('int'), storageClasses).name).toBe('JsonFormatter');
    try {
      f.getFormatter(dt('calexp', ['instrument', 'visit', 'detector'], 'ExposureF'), expF, storageClasses);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MissingFormatterError);
      expect((e as Error).message).toMatch(/^Formatter 'FitsExposureFormatter' \(configured for 'ExposureF' as lsst\.obs\.base\.formatters\.fitsExposure\.FitsExposureFormatter\) is not registered; registered formatters: JsonFormatter\./);
      expect((e as MissingFormatterError).hint).toMatch(/registered by @skystack\/obs-base/);
    }
    const fits = stub('FitsExposureFormatter');
    f.registerFormatter(fits);
    expect(f.getFormatter(dt('calexp', ['instrument', 'visit', 'detector'], 'ExposureF'), expF, storageClasses)).toBe(fits);
  });

  it('gets formatters by name or class path, and rejects a second formatter of the same name', () => {
    const json = stub('JsonFormatter');
    const f = new FormatterFactory();
    f.registerFormatter(json);
    f.registerFormatter(json);
    expect(f.getFormatterByName('JsonFormatter')).toBe(json);
    expect(f.getFormatterByName('lsst.daf.butler.formatters.json.JsonFormatter')).toBe(json);
    expect(f.hasFormatter('JsonFormatter')).toBe(true);
    expect(() => f.getFormatterByName('JsonFormater')).toThrow(/Formatter 'JsonFormater' \(requested by name\) is not registered.*Did you mean 'JsonFormatter'\?/);
    expect(() => f.registerFormatter(stub('JsonFormatter'))).toThrow(ConflictingDefinitionError);
    const other = stub('JsonFormatter');
    f.registerFormatter(other, { overwrite: true });
    expect(f.getFormatterByName('JsonFormatter')).toBe(other);
    expect(f.formatterNames()).toEqual(['JsonFormatter']);
  });

  it('rejects malformed entries', () => {
    expect(() => FormatterFactory.fromConfig({ x: { formatter: 'A', params: {} } }, [])).toThrow(FormatterConfigError);
    expect(() => FormatterFactory.fromConfig({ x: { parameters: {} } }, [])).toThrow(/no 'formatter' class path/);
    expect(() => FormatterFactory.fromConfig({ x: 3 }, [])).toThrow(/must be a class path/);
    expect(() => FormatterFactory.fromConfig({ x: { formatter: 'A', parameters: 3 } }, [])).toThrow(/parameters must be a mapping/);
    expect(() => FormatterFactory.fromConfig({ default: { 'a.B': 3 } }, [])).toThrow(/formatters\.default\.a\.B/);
  });

  it('formatterNameFromPath takes the last dotted segment', () => {
    expect(formatterNameFromPath('lsst.daf.butler.formatters.json.JsonFormatter')).toBe('JsonFormatter');
    expect(formatterNameFromPath('JsonFormatter')).toBe('JsonFormatter');
  });

  const REAL = fixturePath('daf_butler', 'python', 'lsst', 'daf', 'butler', 'configs', 'datastores', 'formatters.yaml');
  it.skipIf(REAL === undefined)("loads daf_butler's own formatters.yaml (write_recipes: !include skipped)", () => {
    const config = parse(readFileSync(REAL ?? '/dev/null', 'utf8'), { logLevel: 'error' }) as Record<string, unknown>;
    const f = FormatterFactory.fromConfig(config, []);
    const m = f.findFormatter(dt('calexp', ['instrument', 'visit', 'detector'], 'ExposureF'), expF, storageClasses);
    expect(m).toMatchObject({ key: 'ExposureF', formatterName: 'FitsExposureFormatter', writeParameters: { recipe: 'default' } });
    expect(f.findFormatter(dt('pl', [], 'PropertyList'), storageClasses.getStorageClass('PropertyList'), storageClasses)?.writeParameters).toEqual({ unsafe_dump: true });
    expect(f.findFormatter(dt('p', [], 'Packages'), storageClasses.getStorageClass('Packages'), storageClasses)?.formatterName).toBe('PackagesFormatter');
  });
});

describe('FormatterFactory.default', () => {
  const f = FormatterFactory.default();
  const storageClasses = StorageClassFactory.default();
  const find = (sc: string, name = 'x', dims: string[] = []) => f.findFormatter(dt(name, dims, sc), storageClasses.getStorageClass(sc), storageClasses);

  it('registers the JSON, YAML and Parquet formatters and maps the plain-data and table classes to them', () => {
    expect(f.formatterNames()).toEqual(['JsonFormatter', 'ParquetFormatter', 'YamlFormatter']);
    for (const sc of ['int', 'StructuredDataDict', 'StructuredDataList', 'TaskMetadata', 'Timespan', 'Packages']) expect(find(sc)?.formatterName, sc).toBe('JsonFormatter');
    for (const sc of ['ExposureSummaryStats', 'Config', 'PropertyList']) expect(find(sc)?.formatterName, sc).toBe('YamlFormatter');
    for (const sc of ['DataFrame', 'ArrowTable', 'ArrowAstropy', 'ArrowNumpy', 'ArrowNumpyDict']) expect(find(sc)?.formatterName, sc).toBe('ParquetFormatter');
    expect(f.getFormatter(dt('sourceTable', ['instrument', 'visit'], 'DataFrame'), storageClasses.getStorageClass('DataFrame'), storageClasses).extension).toBe('.parq');
  });

  it('maps every afw class to its FITS formatter name, which obs-base registers', () => {
    expect(find('ExposureU')?.formatterName).toBe('FitsExposureFormatter');
    expect(find('ExposureF')?.writeParameters).toEqual({ recipe: 'default' });
    expect(find('MaskedImageU')?.formatterName).toBe('FitsMaskedImageFormatter');
    expect(find('SourceCatalog')?.formatterName).toBe('FitsGenericFormatter');
    // every class but those that only exist as derived components (read, never written)
    const derivedOnly = new Set(['ArrowColumnList', 'ArrowSchema', 'ArrowAstropySchema', 'ArrowNumpySchema', 'DataFrameIndex', 'DataFrameSchema', 'Box2I', 'Extent2I', 'Point2I', 'HealSparseCoverage']);
    for (const sc of storageClasses.names()) if (!derivedOnly.has(sc)) expect(find(sc), sc).toBeDefined();
    expect(() => f.getFormatter(dt('calexp', [], 'ExposureF'), storageClasses.getStorageClass('ExposureF'), storageClasses)).toThrow(/obs-base/);
  });

  it('registers the Arrow table delegate and gives composites a generic delegate', () => {
    expect(f.getDelegate(storageClasses.getStorageClass('DataFrame'), storageClasses)).toBeInstanceOf(ArrowTableDelegate);
    expect(f.getDelegate(storageClasses.getStorageClass('ExposureF'), storageClasses)).toBeInstanceOf(GenericDelegate);
    expect(f.getDelegate(storageClasses.getStorageClass('int'), storageClasses)).toBeUndefined();
  });
});

describe('delegates', () => {
  const storageClasses = StorageClassFactory.default();

  it('are found for the storage class, then its nearest ancestor', () => {
    const f = new FormatterFactory();
    const exposure: StorageClassDelegate = { getComponent: () => 'exposure' };
    const exposureF: StorageClassDelegate = { getComponent: () => 'exposureF' };
    f.registerDelegate('Exposure', exposure);
    expect(f.getDelegate(storageClasses.getStorageClass('ExposureU'), storageClasses)).toBe(exposure);
    f.registerDelegate('ExposureF', exposureF);
    expect(f.getDelegate(storageClasses.getStorageClass('ExposureF'), storageClasses)).toBe(exposureF);
    expect(f.getDelegate(storageClasses.getStorageClass('Exposure'), storageClasses)).toBe(exposure);
  });

  it('GenericDelegate reads Map keys, own properties, getX() methods and getters', () => {
    const d = new GenericDelegate();
    class Exp {
      readonly image = 'pixels';
      getWcs(): string {
        return 'wcs';
      }
      get bbox(): string {
        return 'box';
      }
    }
    const e = new Exp();
    expect(d.getComponent(e, 'image')).toBe('pixels');
    expect(d.getComponent(e, 'wcs')).toBe('wcs');
    expect(d.getComponent(e, 'bbox')).toBe('box');
    expect(d.getComponent(new Map([['a', 1]]), 'a')).toBe(1);
    expect(d.getComponent({ summary: { n: 1 } }, 'summary')).toEqual({ n: 1 });
    expect(() => d.getComponent(e, 'psf')).toThrow(UnknownComponentError);
    expect(() => d.getComponent(e, 'psf')).toThrow(/Cannot get component 'psf' from a Exp/);
    expect(() => d.getComponent(3, 'x')).toThrow(/from a number/);
  });
});
