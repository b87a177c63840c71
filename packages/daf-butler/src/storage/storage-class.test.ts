import { readFileSync } from 'node:fs';
import { fixturePath } from '@skystack/test-support';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConflictingDefinitionError } from '../errors.js';
import { InvalidParameterError, MissingStorageClassError, StorageClassConfigError } from './errors.js';
import { StorageClass, StorageClassFactory } from './storage-class.js';

type RawClass = {
  pytype?: string;
  inheritsFrom?: string;
  components?: Record<string, string>;
  derivedComponents?: Record<string, string>;
  parameters?: string[];
  delegate?: string;
};

const REAL = fixturePath('daf_butler', 'python', 'lsst', 'daf', 'butler', 'configs', 'storageClasses.yaml');

/** What daf_butler's makeNewStorageClass gives: the parent's dicts/sets merged with the child's. */
function expectedFromYaml(raw: Record<string, RawClass>, name: string): Required<Pick<RawClass, 'components' | 'derivedComponents'>> & { parameters: string[]; ancestors: string[] } {
  const entry = raw[name]!;
  const parent = entry.inheritsFrom === undefined ? undefined : expectedFromYaml(raw, entry.inheritsFrom);
  return {
    components: { ...(parent?.components ?? {}), ...(entry.components ?? {}) },
    derivedComponents: { ...(parent?.derivedComponents ?? {}), ...(entry.derivedComponents ?? {}) },
    parameters: [...new Set([...(parent?.parameters ?? []), ...(entry.parameters ?? [])])].sort(),
    ancestors: entry.inheritsFrom === undefined ? [] : [entry.inheritsFrom, ...parent!.ancestors],
  };
}

describe.skipIf(REAL === undefined)("daf_butler's real storageClasses.yaml", () => {
  const text = readFileSync(REAL ?? '/dev/null', 'utf8');
  const parsed = parse(text, { merge: true }) as { storageClasses: Record<string, RawClass> };
  const raw = parsed.storageClasses;
  const factory = StorageClassFactory.fromConfig(parsed);

  it('loads every class of the file', () => {
    expect(factory.names()).toEqual(Object.keys(raw).sort());
    expect(factory.size).toBeGreaterThan(100);
  });

  it('resolves inheritance and components of every class as daf_butler merges them', () => {
    for (const name of Object.keys(raw)) {
      const sc = factory.getStorageClass(name);
      const want = expectedFromYaml(raw, name);
      expect(Object.fromEntries(sc.components), name).toEqual(want.components);
      expect(Object.fromEntries(sc.derivedComponents), name).toEqual(want.derivedComponents);
      expect([...sc.parameters].sort(), name).toEqual(want.parameters);
      expect(sc.inheritsFrom, name).toEqual(want.ancestors);
    }
  });

  it('has Exposure and ExposureF as in the YAML', () => {
    const exp = factory.getStorageClass('Exposure');
    expect(exp.pytype).toBe('lsst.afw.image.Exposure');
    expect(exp.delegate).toBe('lsst.obs.base.exposureAssembler.ExposureAssembler');
    expect(exp.inheritsFrom).toEqual([]);
    expect(exp.components.get('image')).toBe('Image');
    expect(exp.components.get('mask')).toBe('Mask');
    expect(exp.components.get('validPolygon')).toBe('Polygon');
    expect(exp.components.get('id')).toBe('int');
    expect(exp.components.size).toBe(16);
    expect(Object.fromEntries(exp.derivedComponents)).toEqual({ bbox: 'Box2I', dimensions: 'Extent2I', xy0: 'Point2I' });
    expect([...exp.parameters].sort()).toEqual(['amp', 'bbox', 'detector', 'origin', 'preserve_quantization']);
    expect(exp.isComposite()).toBe(true);
    expect(exp.allComponents().size).toBe(19);

    const f = factory.getStorageClass('ExposureF');
    expect(f.pytype).toBe('lsst.afw.image.ExposureF');
    expect(f.inheritsFrom).toEqual(['Exposure']);
    expect(f.delegate).toBe('lsst.obs.base.exposureAssembler.ExposureAssembler'); // inherited
    expect(f.components.get('image')).toBe('ImageF');
    expect(f.components.get('mask')).toBe('MaskX');
    expect(f.components.get('variance')).toBe('ImageF');
    expect(f.components.get('wcs')).toBe('Wcs'); // inherited
    expect(f.components.size).toBe(16);
    expect(f.derivedComponents.get('xy0')).toBe('Point2I');
    expect(f.isSubclassOf('Exposure', factory)).toBe(true);
    expect(exp.isSubclassOf('ExposureF', factory)).toBe(false);
    expect(factory.getStorageClass('ExposureU').components.get('variance')).toBe('ImageF');
  });

  it('has MaskedImage, DataFrame and ArrowAstropy as in the YAML', () => {
    const mi = factory.getStorageClass('MaskedImage');
    expect(Object.fromEntries(mi.components)).toEqual({ image: 'Image', mask: 'Mask', variance: 'Image' });
    expect([...mi.parameters].sort()).toEqual(['bbox', 'origin']);
    expect(factory.getStorageClass('MaskedImageF').inheritsFrom).toEqual(['MaskedImage']);
    expect(factory.getStorageClass('MaskedImageF').components.get('image')).toBe('Image');

    const df = factory.getStorageClass('DataFrame');
    expect(df.pytype).toBe('pandas.core.frame.DataFrame');
    expect(df.isComposite()).toBe(false);
    expect(Object.fromEntries(df.derivedComponents)).toEqual({ columns: 'DataFrameIndex', rowcount: 'int', schema: 'DataFrameSchema' });
    expect([...df.parameters].sort()).toEqual(['columns', 'filters', 'strip_astropy_meta_yaml']);
    expect(df.delegate).toBe('lsst.daf.butler.delegates.arrowtable.ArrowTableDelegate');
    expect(df.converters.get('pyarrow.Table')).toBe('lsst.daf.butler.formatters.parquet.arrow_to_pandas');

    const aa = factory.getStorageClass('ArrowAstropy');
    expect(aa.pytype).toBe('astropy.table.Table');
    expect(Object.fromEntries(aa.derivedComponents)).toEqual({ columns: 'ArrowColumnList', rowcount: 'int', schema: 'ArrowAstropySchema' });
    expect([...aa.parameters].sort()).toEqual(['columns', 'filters', 'strip_astropy_meta_yaml']);
  });

  it('follows multi-level inheritance (DifferenceImage -> VisitImage -> MaskedImageV2)', () => {
    const d = factory.getStorageClass('DifferenceImage');
    expect(d.inheritsFrom).toEqual(['VisitImage', 'MaskedImageV2']);
    expect(d.derivedComponents.get('kernel')).toBe('ConvolutionKernel');
    expect(d.derivedComponents.get('psf')).toBe('PointSpreadFunction'); // from VisitImage
    expect(d.derivedComponents.get('image')).toBe('ImageV2'); // from MaskedImageV2
    expect(d.isSubclassOf('MaskedImageV2', factory)).toBe(true);
  });

  it('works when the YAML was parsed without merge keys applied', () => {
    const plain = parse(text) as Record<string, unknown>;
    expect(StorageClassFactory.fromConfig(plain).names()).toEqual(factory.names());
  });
});

describe('StorageClassFactory.fromConfig', () => {
  it('applies YAML merge keys (<<: *Image), whether or not the parser merged them', () => {
    const text = `
storageClasses:
  Box2I: { pytype: lsst.geom.Box2I }
  Image: &Image
    pytype: lsst.afw.image.Image
    delegate: lsst.obs.base.exposureAssembler.ExposureAssembler
    parameters: [bbox, origin]
  Mask:
    <<: *Image
    pytype: lsst.afw.image.Mask
  MaskedImage:
    <<: *Image
    pytype: lsst.afw.image.MaskedImage
    components: { image: Image, mask: Mask, variance: Image }
`;
    for (const parsed of [parse(text, { merge: true }), parse(text)]) {
      const f = StorageClassFactory.fromConfig(parsed as Record<string, unknown>);
      const mask = f.getStorageClass('Mask');
      expect(mask.pytype).toBe('lsst.afw.image.Mask');
      expect([...mask.parameters]).toEqual(['bbox', 'origin']);
      expect(mask.delegate).toBe('lsst.obs.base.exposureAssembler.ExposureAssembler');
      expect(f.getStorageClass('MaskedImage').components.get('mask')).toBe('Mask');
      expect(f.has('<<')).toBe(false);
    }
    expect(StorageClassFactory.fromYaml(text).getStorageClass('Mask').parameters.has('bbox')).toBe(true);
  });

  it('accepts the mapping under storageClasses directly, and classes defined before their parents', () => {
    const f = StorageClassFactory.fromConfig({
      Child: { inheritsFrom: 'Parent', parameters: ['b'] },
      Parent: { pytype: 'dict', parameters: ['a'] },
      Bare: null,
    });
    expect([...f.getStorageClass('Child').parameters].sort()).toEqual(['a', 'b']);
    expect(f.getStorageClass('Child').pytype).toBe('dict');
    expect(f.getStorageClass('Bare').pytype).toBeUndefined();
  });

  it('adds classes inheriting from already-known ones', () => {
    const f = StorageClassFactory.fromConfig({ storageClasses: { Base: { parameters: ['x'], derivedComponents: { n: 'int' } }, int: {} } });
    f.addFromConfig({ storageClasses: { Sub: { inheritsFrom: 'Base' } } });
    const sub = f.getStorageClass('Sub');
    expect([...sub.parameters]).toEqual(['x']);
    expect(sub.derivedComponents.get('n')).toBe('int');
    expect(sub.isSubclassOf('Base', f)).toBe(true);
  });

  it('rejects cycles, unknown parents, unknown component classes, single-component composites', () => {
    expect(() => StorageClassFactory.fromConfig({ A: { inheritsFrom: 'B' }, B: { inheritsFrom: 'A' } })).toThrow(/cycle: A -> B -> A/);
    const e1 = (() => {
      try {
        StorageClassFactory.fromConfig({ Exposure: {}, ExposureF: { inheritsFrom: 'Exposur' } });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(e1).toBeInstanceOf(StorageClassConfigError);
    expect((e1 as StorageClassConfigError).code).toBe('BUTLER_STORAGE_CLASS_CONFIG');
    expect((e1 as StorageClassConfigError).hint).toBe("Did you mean 'Exposure'?");
    expect(() => StorageClassFactory.fromConfig({ A: { components: { x: 'Nope', y: 'Nope' } } })).toThrow(/component 'x' has storage class 'Nope'/);
    expect(() => StorageClassFactory.fromConfig({ int: {}, A: { components: { x: 'int' } } })).toThrow(/only one component/);
    expect(() => StorageClassFactory.fromConfig({ A: 'dict' })).toThrow(StorageClassConfigError);
    expect(() => StorageClassFactory.fromConfig({ A: { parameters: 3 } })).toThrow(/'parameters' must be a list/);
  });
});

describe('StorageClassFactory', () => {
  it('says which storage class is unknown and suggests close names', () => {
    const f = StorageClassFactory.default();
    try {
      f.getStorageClass('ExposureFF');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MissingStorageClassError);
      expect((e as MissingStorageClassError).code).toBe('BUTLER_MISSING_STORAGE_CLASS');
      expect((e as MissingStorageClassError).message).toMatch(/Unknown storage class 'ExposureFF'/);
      expect((e as MissingStorageClassError).hint).toMatch(/Did you mean 'ExposureF'/);
    }
  });

  it('registers new classes, accepts identical redefinitions and rejects different ones', () => {
    const f = StorageClassFactory.default();
    const mine = new StorageClass('MyThing', { pytype: 'my.Thing', inheritsFrom: 'ExposureF', parameters: ['x'] });
    f.register(mine);
    f.register(new StorageClass('MyThing', { pytype: 'my.Thing', inheritsFrom: 'ExposureF', parameters: ['x'] }));
    expect(f.getStorageClass('MyThing')).toBe(mine);
    expect(mine.isSubclassOf('Exposure', f)).toBe(true); // through ExposureF registered in f
    expect(f.ancestorsOf(mine)).toEqual(['ExposureF', 'Exposure']);
    expect(() => f.register(new StorageClass('MyThing', { pytype: 'other.Thing' }))).toThrow(ConflictingDefinitionError);
    expect(f.has('MyThing')).toBe(true);
    expect(f.names()).toContain('MyThing');
  });
});

describe('StorageClass', () => {
  it('validates read parameters and names the allowed ones', () => {
    const df = StorageClassFactory.default().getStorageClass('DataFrame');
    df.validateParameters();
    df.validateParameters({});
    df.validateParameters({ columns: ['a'] });
    try {
      df.validateParameters({ column: ['a'] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidParameterError);
      expect((e as InvalidParameterError).code).toBe('BUTLER_INVALID_PARAMETER');
      expect((e as Error).message).toMatch(/Parameter 'column' not understood by storage class 'DataFrame'; allowed: columns, filters, strip_astropy_meta_yaml\./);
      expect((e as InvalidParameterError).hint).toBe("Did you mean 'columns'?");
    }
    expect(() => new StorageClass('int').validateParameters({ a: 1, b: 2 })).toThrow(/Parameters 'a', 'b' not understood by storage class 'int'; it takes no parameters/);
  });

  it('is immutable, and lists all components with read/write ones first', () => {
    const sc = new StorageClass('C', { components: { a: 'int', b: 'int' }, derivedComponents: { n: 'int' } });
    expect([...sc.allComponents().keys()]).toEqual(['a', 'b', 'n']);
    expect(Object.isFrozen(sc)).toBe(true);
    expect(String(sc)).toBe('C');
    expect(sc.equals(new StorageClass('C', { components: new Map([['b', 'int'], ['a', 'int']]), derivedComponents: { n: 'int' } }))).toBe(true);
    expect(sc.equals(new StorageClass('C', { components: { a: 'int', b: 'float' }, derivedComponents: { n: 'int' } }))).toBe(false);
  });
});

describe("SkyStack's default storageClasses.yaml", () => {
  const f = StorageClassFactory.default();
  const needed = [
    'int', 'StructuredDataDict', 'StructuredDataList', 'Config', 'Packages', 'TaskMetadata', 'ButlerLogRecords', 'PropertyList',
    'Timespan', 'SkyMap', 'NumpyArray', 'ArrowTable', 'ArrowAstropy', 'ArrowNumpy', 'ArrowNumpyDict', 'DataFrame', 'AstropyTable',
    'Image', 'ImageF', 'ImageI', 'ImageU', 'Mask', 'MaskX', 'MaskedImage', 'MaskedImageF', 'MaskedImageI', 'MaskedImageU',
    'Exposure', 'ExposureF', 'ExposureI', 'ExposureU', 'SourceCatalog', 'Catalog', 'Wcs', 'Psf', 'PhotoCalib', 'VisitInfo', 'ApCorr',
    'FilterLabel', 'Detector', 'Camera', 'Box2I', 'Extent2I', 'Point2I', 'Plot', 'Defects', 'IsrCalib', 'ExposureSummaryStats',
  ];

  it('has the classes SkyStack needs', () => {
    for (const n of needed) expect(f.has(n), n).toBe(true);
  });

  it('has the Arrow classes with their parameters and derived components', () => {
    const df = f.getStorageClass('DataFrame');
    expect([...df.parameters].sort()).toEqual(['columns', 'filters', 'strip_astropy_meta_yaml']);
    expect([...df.derivedComponents.keys()]).toEqual(['columns', 'rowcount', 'schema']);
    expect([...f.getStorageClass('ArrowNumpy').parameters].sort()).toEqual(['columns', 'filters']);
  });

  it.skipIf(REAL === undefined)('agrees with daf_butler on every class both define', () => {
    const real = StorageClassFactory.fromConfig(parse(readFileSync(REAL ?? '/dev/null', 'utf8'), { merge: true }) as Record<string, unknown>);
    for (const name of f.names()) {
      expect(real.has(name), name).toBe(true);
      const a = f.getStorageClass(name);
      const b = real.getStorageClass(name);
      expect(a.pytype, name).toBe(b.pytype);
      expect(a.inheritsFrom, name).toEqual(b.inheritsFrom);
      expect(Object.fromEntries(a.components), name).toEqual(Object.fromEntries(b.components));
      expect(Object.fromEntries(a.derivedComponents), name).toEqual(Object.fromEntries(b.derivedComponents));
      expect([...a.parameters].sort(), name).toEqual([...b.parameters].sort());
      expect(a.delegate, name).toBe(b.delegate);
    }
  });
});
