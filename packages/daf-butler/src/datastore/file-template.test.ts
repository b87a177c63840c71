// Tests of FileTemplate / FileTemplates. The cases marked "test_templates.py: <name>" are
// ported from daf_butler's tests/test_templates.py (TestFileTemplates.<name>) with the same
// templates and expected paths; the config files are daf_butler's tests/config/templates/*.yaml
// from the shared fixtures.
import { readFileSync } from 'node:fs';
import { LogManager, MemorySink } from '@skystack/base';
import { fixturePath } from '@skystack/test-support';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DatasetRef } from '../datasets/dataset-ref.js';
import { DatasetType } from '../datasets/dataset-type.js';
import { DataCoordinate, type DataIdValue } from '../dimensions/data-coordinate.js';
import { DimensionRecord, type RecordValue } from '../dimensions/record.js';
import { DimensionUniverse } from '../dimensions/universe.js';
import { ButlerError } from '../errors.js';
import {
  DEFAULT_FILE_TEMPLATES,
  FileTemplate,
  FileTemplateError,
  FileTemplates,
  FileTemplateValidationError,
  type FileTemplatesConfig,
} from './file-template.js';

const universe = DimensionUniverse.default();
const REFUUID = '5d6e0b3c-1f2a-4c3d-9e8f-0a1b2c3d4e5f';
const DATA_ID = { instrument: 'dummy', visit: 52, physical_filter: 'Most Amazing U Filter Ever', day_obs: 20200101 };
const TEMPLATE_DIR = ['daf_butler', 'tests', 'config', 'templates'];
const templatesFile = (name: string): string | undefined => fixturePath(...TEMPLATE_DIR, name);

/** As test_templates.py's makeDatasetRef: dimensions from the data ID's keys, a fake band. */
function makeDatasetRef(
  datasetTypeName: string,
  dataId: Record<string, DataIdValue> = DATA_ID,
  storageClassName = 'DefaultStorageClass',
  run = 'run2',
): DatasetRef {
  const values: Record<string, DataIdValue> = { ...dataId };
  if ('physical_filter' in values && !('band' in values)) values['band'] = 'b';
  const dimensions = universe.conform(Object.keys(values));
  const coordinate = DataCoordinate.standardize(values, { universe, dimensions });
  const [, component] = DatasetType.splitDatasetTypeName(datasetTypeName);
  const datasetType = new DatasetType(datasetTypeName, dimensions, storageClassName, component ? { parentStorageClass: 'PlaceHolder' } : {});
  return new DatasetRef(datasetType, coordinate, run, REFUUID);
}

function assertTemplate(template: string, answer: string, ref: DatasetRef): void {
  expect(new FileTemplate(template).format(ref)).toBe(answer);
}

function errorOf(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

/** An expanded ref: records for some elements (others null) and the implied values. */
function expandedRef(
  datasetTypeName: string,
  dimensionNames: string[],
  required: Record<string, DataIdValue>,
  implied: Record<string, DataIdValue>,
  records: Record<string, Record<string, RecordValue>>,
  run: string,
  storageClass = 'ExposureF',
): DatasetRef {
  const dimensions = universe.conform(dimensionNames);
  const id = DataCoordinate.standardize(required, { universe, dimensions });
  const recs = new Map<string, DimensionRecord | null>();
  for (const e of dimensions.elements) recs.set(e, records[e] ? new DimensionRecord(universe.getElement(e), records[e]) : null);
  const expanded = id.expanded(recs, new Map(Object.entries(implied)));
  const [parent, component] = DatasetType.splitDatasetTypeName(datasetTypeName);
  let datasetType = new DatasetType(parent, dimensions, storageClass);
  if (component !== undefined) datasetType = datasetType.makeComponentDatasetType(component, 'ImageF');
  return new DatasetRef(datasetType, expanded, run, REFUUID);
}

/** HSC visit 903342, detector 10 (full name 1_36), r band, as in the demo repository. */
function hscCalexp(name = 'calexp', run = 'demo_collection'): DatasetRef {
  return expandedRef(
    name,
    ['instrument', 'visit', 'detector'],
    { instrument: 'HSC', visit: 903342, detector: 10 },
    { band: 'r', physical_filter: 'HSC-R', day_obs: 20130617 },
    {
      visit: { instrument: 'HSC', id: 903342, name: 'HSCA90334200', physical_filter: 'HSC-R', day_obs: 20130617, exposure_time: 30 },
      detector: { instrument: 'HSC', id: 10, full_name: '1_36', name_in_raft: '36', raft: '1' },
    },
    run,
  );
}

function hscRaw(run = 'HSC/raw/all'): DatasetRef {
  return expandedRef(
    'raw',
    ['instrument', 'exposure', 'detector'],
    { instrument: 'HSC', exposure: 903342, detector: 10 },
    { band: 'r', physical_filter: 'HSC-R', day_obs: 20130617, group: '903342' },
    {
      exposure: { instrument: 'HSC', id: 903342, obs_id: 'HSCA90334200', physical_filter: 'HSC-R', day_obs: 20130617, group: '903342' },
      detector: { instrument: 'HSC', id: 10, full_name: '1_36' },
    },
    run,
  );
}

describe('FileTemplate.format', () => {
  // test_templates.py: testBasic
  it('expands fields, format specs, "/" in values and "." in the file name (testBasic)', () => {
    let tmplstr = '{run}/{datasetType}/{visit:05d}/{physical_filter}';
    assertTemplate(tmplstr, 'run2/calexp/00052/Most_Amazing_U_Filter_Ever', makeDatasetRef('calexp'));
    tmplstr = '{run}/{datasetType}/{visit:05d}/{physical_filter}-trail';
    assertTemplate(tmplstr, 'run2/calexp/00052/Most_Amazing_U_Filter_Ever-trail', makeDatasetRef('calexp'));
    tmplstr = '{run}/{datasetType}/{visit:05d}/{physical_filter}-trail-{run}';
    assertTemplate(tmplstr, 'run2/calexp/00052/Most_Amazing_U_Filter_Ever-trail-run2', makeDatasetRef('calexp'));
    assertTemplate(tmplstr, 'run_2/calexp/00052/Most_Amazing_U_Filter_Ever-trail-run_2', makeDatasetRef('calexp', DATA_ID, undefined, 'run/2'));

    // The id is sufficient without any other information.
    assertTemplate('{id}', REFUUID, makeDatasetRef('calexp'));
    assertTemplate('{run}/{id}', `run2/${REFUUID}`, makeDatasetRef('calexp'));
    assertTemplate('fixed/{id}', `fixed/${REFUUID}`, makeDatasetRef('calexp'));
    assertTemplate('fixed/{id}_{physical_filter}', `fixed/${REFUUID}_Most_Amazing_U_Filter_Ever`, makeDatasetRef('calexp'));

    // Retain any "/" in run.
    tmplstr = '{run:/}/{datasetType}/{visit:05d}/{physical_filter}-trail-{run}';
    assertTemplate(tmplstr, 'run/2/calexp/00052/Most_Amazing_U_Filter_Ever-trail-run_2', makeDatasetRef('calexp', DATA_ID, undefined, 'run/2'));

    // "." is replaced in the file basename, but not the directory.
    const dataId = { instrument: 'dummy', visit: 52, physical_filter: 'g.10', day_obs: 20250101 };
    assertTemplate(tmplstr, 'run.2/calexp/00052/g_10-trail-run_2', makeDatasetRef('calexp', dataId, undefined, 'run.2'));
  });

  // test_templates.py: testAlternates
  it('uses the first alternative the data ID has (testAlternates)', () => {
    assertTemplate(
      '{run}/{datasetType}/{visit:05d}/{physical_filter|day_obs}_{day_obs|physical_filter}',
      'run2/calexp/00052/Most_Amazing_U_Filter_Ever_20200101',
      makeDatasetRef('calexp'),
    );
    assertTemplate(
      '{run}/{datasetType}/{exposure|visit:05d}/{physical_filter|day_obs}_{group|exposure:?}',
      'run2/calexp/00052/Most_Amazing_U_Filter_Ever',
      makeDatasetRef('calexp'),
    );
  });

  it('falls back along alternatives with element.metadata fields, first present wins', () => {
    const t = '{run}/{day_obs|visit.day_obs|exposure.day_obs:?}/{exposure.obs_id|visit.name|group:?}/{datasetType}_{detector}';
    expect(new FileTemplate(t).format(hscCalexp())).toBe('demo_collection/20130617/HSCA90334200/calexp_10');
    expect(new FileTemplate(t).format(hscRaw())).toBe('HSC_raw_all/20130617/HSCA90334200/raw_10');
    // No alternative present and not optional: the first one is named in the error.
    const e = errorOf(() => new FileTemplate('{run}/{tract|patch}_{visit}').format(makeDatasetRef('calexp')));
    expect(e).toBeInstanceOf(FileTemplateError);
    expect(e.message).toContain("'tract'");
  });

  // test_templates.py: testNoRecord
  it('rejects a metadata field when the data ID has no records (testNoRecord)', () => {
    const e = errorOf(() => new FileTemplate('{run}/{datasetType}/{visit.name}/{physical_filter}').format(makeDatasetRef('calexp')));
    expect(e).toBeInstanceOf(FileTemplateError);
    expect(e.message).toContain('No metadata');
  });

  // test_templates.py: testOptional
  it('drops optional fields with the text before them unless it has a "/" (testOptional)', () => {
    const ref = makeDatasetRef('calexp');
    let tmplstr = '{run}/{datasetType}/v{visit:05d}_f{physical_filter:?}_{skypix:?}';
    assertTemplate(tmplstr, 'run2/calexp/v00052_fMost_Amazing_U_Filter_Ever', ref);

    const du = { visit: 48, tract: 265, skymap: 'big', instrument: 'dummy', htm7: 12345 };
    assertTemplate(tmplstr, 'run2/calexpT/v00048_12345', makeDatasetRef('calexpT', du));

    // A relative path even if the first field is optional.
    tmplstr = '{run}/{tract:?}/{visit:?}/f{physical_filter}';
    assertTemplate(tmplstr, 'run2/52/fMost_Amazing_U_Filter_Ever', ref);

    // "//" from optionals become single.
    tmplstr = '{run}/{datasetType}/{patch:?}/{tract:?}/f{physical_filter}';
    assertTemplate(tmplstr, 'run2/calexp/fMost_Amazing_U_Filter_Ever', ref);

    // Optionals with some text between fields.
    tmplstr = '{run}/{datasetType}/p{patch:?}_t{tract:?}/f{physical_filter}';
    assertTemplate(tmplstr, 'run2/calexp/p/fMost_Amazing_U_Filter_Ever', ref);
    tmplstr = '{run}/{datasetType}/p{patch:?}_t{visit:04d?}/f{physical_filter}';
    assertTemplate(tmplstr, 'run2/calexp/p_t0052/fMost_Amazing_U_Filter_Ever', ref);
  });

  it('makes an absolute result relative and keeps a leading optional directory out', () => {
    assertTemplate('{tract:?}/{run}/{visit}', 'run2/52', makeDatasetRef('calexp'));
    assertTemplate('/{run}/{visit}', 'run2/52', makeDatasetRef('calexp'));
  });

  // test_templates.py: testComponent
  it('uses the parent name as datasetType and the component (testComponent)', () => {
    const refMetricOutput = makeDatasetRef('metric.output');
    const refMetric = makeDatasetRef('metric');
    const refMaskedImage = makeDatasetRef('calexp.maskedimage.variance');
    const refWcs = makeDatasetRef('calexp.wcs');

    assertTemplate('{run}_c_{component}_v{visit}', 'run2_c_output_v52', refMetricOutput);

    const tmplstr = '{component:?}/{run}_{component:?}_{visit}';
    assertTemplate(tmplstr, 'run2_52', refMetric);
    assertTemplate(tmplstr, 'output/run2_output_52', refMetricOutput);
    assertTemplate(tmplstr, 'maskedimage.variance/run2_maskedimage_variance_52', refMaskedImage);

    // Providing a component but not using it.
    const e = errorOf(() => new FileTemplate('{run}/{datasetType}/v{visit:05d}').format(refWcs));
    expect(e).toBeInstanceOf(FileTemplateError);
    expect(e.message).toContain("Component 'wcs'");
  });

  it('throws a FileTemplateError naming the missing field and the template', () => {
    const template = '{run}/{datasetType}/{tract}_{visit}';
    const e = errorOf(() => new FileTemplate(template).format(makeDatasetRef('calexp')));
    expect(e).toBeInstanceOf(FileTemplateError);
    expect(e).toBeInstanceOf(ButlerError);
    expect(e).not.toBeInstanceOf(FileTemplateValidationError);
    expect((e as FileTemplateError).code).toBe('BUTLER_FILE_TEMPLATE');
    expect(e.message).toContain("'tract'");
    expect(e.message).toContain(template);
  });

  it('throws for a metadata field that the record does not have, unless optional', () => {
    const ref = hscCalexp();
    expect(new FileTemplate('{run}/{visit}_{visit.no_such_field:?}').format(ref)).toBe('demo_collection/903342');
    const e = errorOf(() => new FileTemplate('{run}/{visit}_{visit.no_such_field}').format(ref));
    expect(e).toBeInstanceOf(FileTemplateError);
    expect(e.message).toContain("'visit.no_such_field'");
  });

  it('reads element.metadata from the expanded records, typed as the record fields', () => {
    const ref = hscCalexp();
    assertTemplate('{run}/{visit.day_obs}/{visit.name}_{detector.full_name}_{visit.exposure_time}', 'demo_collection/20130617/HSCA90334200_1_36_30_0', ref);
    assertTemplate('{run}/{visit:08d}_{visit.exposure_time:.1f}_{detector:>4}', 'demo_collection/00903342_30_0_  10', ref);
  });

  it('sanitises awkward characters in values to "_" (not in the template text)', () => {
    const ref = makeDatasetRef('calexp', { instrument: 'dummy', visit: 52, physical_filter: 'a<b>c:d"e\\f|g?h*i j' });
    assertTemplate('{run}/{physical_filter}', 'run2/a_b_c_d_e_f_g_h_i_j', ref);
    // "/" in a value becomes "_" unless ':/' is given; "#" in the file name becomes "HASH".
    const slashy = makeDatasetRef('calexp', { instrument: 'dummy', visit: 52, physical_filter: 'HSC/R#2' }, undefined, 'u/me/run');
    assertTemplate('{run:/}/{physical_filter}', 'u/me/run/HSC_RHASH2', slashy);
    assertTemplate('{run}/{physical_filter:/}', 'u_me_run/HSC/RHASH2', slashy);
  });

  it('applies Python format specs', () => {
    const ref = makeDatasetRef('calexp', { instrument: 'dummy', visit: 903342, physical_filter: 'HSC-R' });
    assertTemplate('{run}/{visit:08d}', 'run2/00903342', ref);
    assertTemplate('{run}/{visit:x}_{visit:#X}_{visit:,}_{visit:_}', 'run2/dc8ae_0XDC8AE_903,342_903_342', ref);
    assertTemplate('{run}/{visit:+d}_{visit:>10}_{visit:<9}x', 'run2/+903342_    903342_903342   x', ref);
    assertTemplate('{run}/{visit:e}_{visit:.2f}', 'run2/9_033420e+05_903342_00', ref);
    // Fill characters come from the spec, after the value was sanitised (as daf_butler).
    assertTemplate('{run:.3}/{physical_filter:*^9}', 'run/**HSC-R**', ref);
    const e = errorOf(() => new FileTemplate('{run:05d}/{visit}').format(ref));
    expect(e).toBeInstanceOf(FileTemplateError);
    expect(e.message).toMatch(/format code 'd'.*'str'/);
  });

  it('formats floats and grouped integers exactly as Python (ties to even, exact decimals)', () => {
    const withTime = (t: number): DatasetRef =>
      expandedRef('calexp', ['instrument', 'visit'], { instrument: 'HSC', visit: 903342 }, {}, { visit: { instrument: 'HSC', id: 903342, exposure_time: t } }, 'r');
    // Python: format(2.5, '.0f') == '2', format(0.125, '.2f') == '0.12', format(100.0, '.3') == '1e+02'.
    assertTemplate('{run}/{visit.exposure_time:.0f}_{visit:010,}', 'r/2_00,903,342', withTime(2.5));
    assertTemplate('{run}/{visit.exposure_time:.2f}_{visit.exposure_time:.2e}', 'r/0_12_1_25e-01', withTime(0.125));
    assertTemplate('{run}/{visit.exposure_time:.3}_{visit.exposure_time:g}_{visit.exposure_time:%}', 'r/1e+02_100_10000_000000%', withTime(100));
    assertTemplate('{run}/{visit.exposure_time:f}', 'r/10000000000000000000000_000000', withTime(1e22));
  });

  it("gives the default template's real example path for an HSC calexp image", () => {
    // lsst-middleware reference §1.1: the path in the demo repository's zip_index.json (without '.fits').
    const templates = new FileTemplates(DEFAULT_FILE_TEMPLATES, { universe });
    const ref = hscCalexp('calexp.image');
    expect(templates.getTemplate(ref).format(ref)).toBe(
      'demo_collection/calexp.image/20130617/r/HSC-R/903342/calexp_image_HSC_r_HSC-R_903342_1_36_demo_collection',
    );
    const parent = hscCalexp();
    expect(templates.getTemplate(parent).format(parent)).toBe('demo_collection/calexp/20130617/r/HSC-R/903342/calexp_HSC_r_HSC-R_903342_1_36_demo_collection');
  });

  it('gives raws the physical_filter+detector+exposure template', () => {
    const templates = new FileTemplates(DEFAULT_FILE_TEMPLATES, { universe });
    const raw = hscRaw();
    const [key, template] = templates.getTemplateWithMatch(raw);
    expect(template.template).toBe(DEFAULT_FILE_TEMPLATES['physical_filter+detector+exposure']);
    expect(key).toBe(universe.conform(['instrument', 'exposure', 'detector']).names.join('+'));
    expect(template.format(raw)).toBe('HSC/raw/all/raw/20130617/HSCA90334200/raw_HSC_HSC-R_HSCA90334200_1_36_HSC_raw_all');
  });

  it('uses skypix for the single skypix dimension, through records too', () => {
    const ref = expandedRef('skyCube', ['htm7'], { htm7: 12345 }, {}, { htm7: { id: 12345 } }, 'r');
    assertTemplate('{run}/{datasetType}_{skypix}_{htm7}_{skypix.id}', 'r/skyCube_12345_12345_12345', ref);
  });
});

describe('FileTemplate construction and fields', () => {
  // test_templates.py: testBasic (the rejected templates)
  it.each([
    ['no fields at all', 'mandatory field'],
    ['{visit}', 'mandatory field'],
    ['{run}_{datasetType}', 'any fields corresponding to dimensions'],
    ['{id}/fixed', 'not part of the file name'],
    ['{run}/../{datasetType}_{visit}', 'parent directory'],
    ['{collection}/{visit}', "'collection' is no longer supported"],
  ])('rejects %j (testBasic)', (template, why) => {
    const e = errorOf(() => new FileTemplate(template));
    expect(e).toBeInstanceOf(FileTemplateValidationError);
    expect((e as FileTemplateValidationError).code).toBe('BUTLER_FILE_TEMPLATE_VALIDATION');
    expect(e.message).toContain(why);
  });

  // test_templates.py: testRunOrCollectionNeeded
  it('needs run or id (testRunOrCollectionNeeded)', () => {
    expect(() => new FileTemplate('{datasetType}/{visit:05d}/{physical_filter}')).toThrow(FileTemplateValidationError);
  });

  it.each(['{run}/{visit', '{run}}/{visit}', '{run}/{0}_{visit}', '{run}/{}_{visit}', '{run}/{visit:{w}}', '{run!x}/{visit}'])(
    'rejects the malformed or positional format string %j',
    (template) => {
      expect(() => new FileTemplate(template)).toThrow(FileTemplateValidationError);
    },
  );

  it('keeps escaped braces and ignores conversions, as Python', () => {
    assertTemplate('{run!s}/{{x}}_{visit}', 'run2/{x}_52', makeDatasetRef('calexp'));
  });

  // test_templates.py: testFields
  it.each<[string, string[], string[], string[], string[]]>([
    ['{run}/{datasetType}/{visit:05d}/{physical_filter}-trail', ['visit', 'physical_filter'], [], ['run', 'datasetType'], []],
    ['{run}/{component:?}_{visit}', ['visit'], [], ['run'], ['component']],
    ['{run}/{component:?}_{visit:?}_{physical_filter}_{instrument}_{datasetType}', ['physical_filter', 'instrument'], ['visit'], ['run', 'datasetType'], ['component']],
  ])('lists the fields of %j (testFields)', (template, mandatory, optional, special, optionalSpecial) => {
    const tmpl = new FileTemplate(template);
    expect(tmpl.fields()).toEqual(new Set(mandatory));
    expect(tmpl.fields({ optionals: true })).toEqual(new Set([...mandatory, ...optional]));
    expect(tmpl.fields({ specials: true })).toEqual(new Set([...mandatory, ...special]));
    expect(tmpl.fields({ specials: true, optionals: true })).toEqual(new Set([...mandatory, ...special, ...optional, ...optionalSpecial]));
  });

  it('lists alternatives and element.metadata fields (subfields)', () => {
    const t = new FileTemplate('{run}/{day_obs|visit.day_obs}/{exposure.obs_id|group:?}_{detector.full_name}');
    expect(t.fields()).toEqual(new Set(['day_obs', 'visit', 'detector']));
    expect(t.fields({ subfields: true })).toEqual(new Set(['day_obs', 'visit.day_obs', 'detector.full_name']));
    expect(t.fields({ optionals: true, subfields: true })).toEqual(new Set(['day_obs', 'visit.day_obs', 'detector.full_name', 'exposure.obs_id', 'group']));
    const [grouped, optional] = t.groupedFields();
    expect(grouped.parent).toEqual(new Set(['visit', 'detector']));
    expect(optional.subfield).toEqual(new Set(['exposure.obs_id']));
    expect(t.equals(new FileTemplate(t.template))).toBe(true);
    expect(String(t)).toBe(t.template);
  });
});

describe('FileTemplate.validateTemplate', () => {
  const calexp = new DatasetType('calexp', ['instrument', 'visit', 'detector'], 'ExposureF', { universe });
  const raw = new DatasetType('raw', ['instrument', 'exposure', 'detector'], 'Exposure', { universe });
  const deepCoadd = new DatasetType('deepCoadd', ['tract', 'patch', 'band', 'skymap'], 'ExposureF', { universe });

  it('accepts the default templates for calexps, raws, coadds and components', () => {
    const def = new FileTemplate(DEFAULT_FILE_TEMPLATES.default);
    for (const dt of [calexp, raw, deepCoadd, calexp.makeComponentDatasetType('wcs', 'Wcs')]) expect(() => def.validateTemplate(dt)).not.toThrow();
    expect(() => new FileTemplate(DEFAULT_FILE_TEMPLATES['physical_filter+detector+exposure']).validateTemplate(raw)).not.toThrow();
  });

  it('names the required dimensions a template leaves out', () => {
    const e = errorOf(() => new FileTemplate('{run}/{datasetType}_{visit}').validateTemplate(calexp));
    expect(e).toBeInstanceOf(FileTemplateValidationError);
    expect(e.message).toContain('missing dimensions: detector, instrument');
    expect(e.message).toContain('not a superset');
  });

  it('counts a dimension through an alternative or an element.metadata field, optional or not', () => {
    expect(() => new FileTemplate('{run}/{instrument:?}_{visit|exposure:?}_{detector.full_name}').validateTemplate(calexp)).not.toThrow();
    expect(() => new FileTemplate('{run}/{instrument}_{exposure.obs_id}_{detector}').validateTemplate(raw)).not.toThrow();
    // The raw template with a visit-based dataset type: exposure.obs_id is not a visit's field.
    const e = errorOf(() => new FileTemplate(DEFAULT_FILE_TEMPLATES['physical_filter+detector+exposure']).validateTemplate(calexp));
    expect(e.message).toContain('not a subset');
    expect(e.message).toContain('exposure');
  });

  it('rejects required fields that are not dimensions of the dataset type, and accepts implied ones', () => {
    expect(() => new FileTemplate('{run}/{instrument}_{visit}_{detector}_{physical_filter}_{band}').validateTemplate(calexp)).not.toThrow();
    const e = errorOf(() => new FileTemplate('{run}/{instrument}_{visit}_{detector}_{tract}').validateTemplate(calexp));
    expect(e).toBeInstanceOf(FileTemplateValidationError);
    expect(e.message).toContain('not dimensions of the dataset type: tract');
  });

  it('checks component use against the dataset type, also through a ref', () => {
    const wcs = calexp.makeComponentDatasetType('wcs', 'Wcs');
    expect(() => new FileTemplate('{run}/{instrument}_{visit}_{detector}').validateTemplate(wcs)).toThrow(/has no component/);
    expect(() => new FileTemplate('{run}/{component}_{instrument}_{visit}_{detector}').validateTemplate(calexp)).toThrow(/mandatory component/);
    expect(() => new FileTemplate('{run}/{datasetType}_{visit}').validateTemplate(hscCalexp())).toThrow(/missing dimensions: detector, instrument/);
    // A storage class name gets only the basic checks.
    expect(() => new FileTemplate('{run}/{datasetType}_{visit}').validateTemplate('ExposureF')).not.toThrow();
  });

  it('treats the single skypix dimension as skypix', () => {
    const sky = new DatasetType('skyCube', ['htm7'], 'NumpyArray', { universe });
    expect(() => new FileTemplate('{run}/{datasetType}_{skypix}').validateTemplate(sky)).not.toThrow();
    expect(() => new FileTemplate('{run}/{datasetType}_{htm7}').validateTemplate(sky)).toThrow(FileTemplateValidationError);
  });
});

describe('FileTemplates lookup', () => {
  const pviTemplates: FileTemplatesConfig = {
    default: '{run}/default/{datasetType}_{visit:?}',
    calexp: '{run}/by-name/{datasetType}.{component:?}_{visit}',
    'calexp.wcs': '{run}/by-component/{datasetType}.{component}_{visit}',
    'detector+visit': '{run}/by-dimensions/{datasetType}.{component:?}_{visit}_{detector}',
    ExposureF: '{run}/by-storage-class/{datasetType}.{component:?}_{visit}_{detector}',
    'instrument<HSC>': { calexp: '{run}/hsc/{datasetType}.{component:?}_{visit}', ExposureF: '{run}/hsc-sc/{datasetType}.{component:?}_{visit}_{detector}' },
  };
  const templates = new FileTemplates(pviTemplates, { universe });
  const ref = (name: string, instrument = 'LSSTCam', storageClass = 'ExposureF', dims = ['instrument', 'visit', 'detector']): DatasetRef => {
    const dimensions = universe.conform(dims);
    const values: Record<string, DataIdValue> = { instrument, visit: 1, detector: 2, tract: 3, skymap: 's' };
    const id = DataCoordinate.standardize(Object.fromEntries(dimensions.required.map((d) => [d, values[d]!])), { universe, dimensions });
    const [parent, component] = DatasetType.splitDatasetTypeName(name);
    let dt = new DatasetType(parent, dimensions, 'ExposureF');
    if (component !== undefined) dt = dt.makeComponentDatasetType(component, storageClass);
    else if (storageClass !== 'ExposureF') dt = new DatasetType(parent, dimensions, storageClass);
    return new DatasetRef(dt, id, 'r', REFUUID);
  };
  const dir = (r: DatasetRef, sc?: string): string => templates.getTemplate(r, sc).template.split('/')[1]!;

  it('follows instrument → dataset type → parent → dimensions → storage class → default', () => {
    expect(dir(ref('calexp', 'HSC'))).toBe('hsc');
    expect(dir(ref('calexp'))).toBe('by-name');
    expect(dir(ref('calexp.wcs'))).toBe('by-component');
    expect(dir(ref('calexp.image', 'LSSTCam', 'ImageF'))).toBe('by-name'); // parent composite name
    expect(dir(ref('calexp.image', 'HSC', 'ImageF'))).toBe('hsc'); // instrument section first
    expect(dir(ref('calexp.wcs', 'HSC'))).toBe('hsc'); // instrument parent before top-level component
    expect(dir(ref('postISRCCD', 'LSSTCam', 'Exposure'))).toBe('by-dimensions');
    expect(dir(ref('postISRCCD', 'HSC', 'Exposure'))).toBe('by-dimensions'); // no HSC dims key
    expect(dir(ref('icExp', 'LSSTCam', 'ExposureF', ['instrument', 'visit']))).toBe('by-storage-class');
    expect(dir(ref('icExp', 'HSC', 'ExposureF', ['instrument', 'visit']))).toBe('hsc-sc');
    expect(dir(ref('icExp.wcs', 'LSSTCam', 'Wcs', ['instrument', 'visit']))).toBe('by-storage-class'); // parent's storage class
    expect(dir(ref('src', 'LSSTCam', 'SourceCatalog', ['instrument', 'visit']))).toBe('default');
    expect(dir(ref('src', 'LSSTCam', 'SourceCatalog', ['instrument', 'visit']), 'ExposureF')).toBe('by-storage-class'); // explicit storage class
  });

  it('matches dimension keys in any order, completed as a dimension group', () => {
    const t = new FileTemplates({ 'exposure+detector+physical_filter': '{run}/{exposure}_{detector}', 'visit+': '{run}/{visit}' }, { universe });
    expect(t.getTemplate(hscRaw()).template).toBe('{run}/{exposure}_{detector}');
    expect(t.getTemplate(ref('x', 'HSC', 'X', ['visit'])).template).toBe('{run}/{visit}'); // single dimension with a trailing '+'
    expect(t.getLookupKeys()).toEqual(new Set([universe.conform(['exposure', 'detector']).names.join('+'), universe.conform(['visit']).names.join('+')]));
  });

  it('looks up dataset types and storage class names without instrument overrides', () => {
    expect(templates.getTemplate(new DatasetType('calexp', ['instrument', 'visit', 'detector'], 'ExposureF', { universe })).template).toContain('by-name');
    expect(templates.getTemplate('ExposureF').template).toContain('by-storage-class');
    expect(templates.getTemplateWithMatch('Unknown')[0]).toBe('default');
  });

  it('rejects bad configurations', () => {
    expect(() => new FileTemplates({ calexp: false }, { universe })).toThrow(FileTemplateError);
    expect(() => new FileTemplates({ default: 5 as unknown as string }, { universe })).toThrow(/Default template value/);
    expect(() => new FileTemplates({ section: { calexp: '{run}/{visit}' } }, { universe })).toThrow(/not in form 'key<value>'/);
    expect(() => new FileTemplates({ calexp: '{visit}' }, { universe })).toThrow(FileTemplateValidationError);
  });

  it('has no default with default: false, null, or none given', () => {
    for (const d of [false, null, ''] as const) {
      const t = new FileTemplates({ default: d, calexp: '{run}/{visit}' }, { universe, default: '{run}/{datasetType}_{visit}' });
      expect(t.default).toBeUndefined();
      const e = errorOf(() => t.getTemplate(ref('src')));
      expect(e).toBeInstanceOf(FileTemplateError);
      expect(e.message).toContain('Unable to determine file template');
    }
    expect(new FileTemplates({}, { universe, default: '{run}/{datasetType}_{visit}' }).getTemplate(ref('src')).template).toBe('{run}/{datasetType}_{visit}');
  });
});

describe('daf_butler template configuration files', () => {
  const nodefault = templatesFile('templates-nodefault.yaml');
  const load = (path: string, defaultTemplate?: string): FileTemplates =>
    FileTemplates.fromYaml(readFileSync(path, 'utf8'), defaultTemplate === undefined ? { universe } : { universe, default: defaultTemplate });

  // test_templates.py: testSimpleConfig
  it.skipIf(nodefault === undefined)('loads and looks up as daf_butler does (testSimpleConfig)', () => {
    const templates = load(nodefault!);
    const ref = makeDatasetRef('calexp');
    const tmpl = templates.getTemplate(ref);
    expect(tmpl).toBeInstanceOf(FileTemplate);

    // This config file should not allow defaulting.
    const ref2 = makeDatasetRef('unknown');
    expect(() => templates.getTemplate(ref2)).toThrow(FileTemplateError);

    // Falls through the dataset type name check and uses the storage class instead.
    const ref3 = makeDatasetRef('unknown2', DATA_ID, 'StorageClassX');
    const tmplSc = templates.getTemplate(ref3);
    expect(tmplSc.template).toBe('StorageClass/{run:/}_{datasetType}_{instrument}_{visit}');

    // Components: one with its own template and one without.
    const tmplCalexp = templates.getTemplate(ref);
    const tmplWcs = templates.getTemplate(makeDatasetRef('calexp.wcs'));
    const tmplImage = templates.getTemplate(makeDatasetRef('calexp.image'));
    expect(tmplCalexp.equals(tmplImage)).toBe(true);
    expect(tmplCalexp.equals(tmplWcs)).toBe(false);

    // Dimensions come before the storage class.
    const refDims = makeDatasetRef('nomatch', { instrument: 'LSST', physical_filter: 'z' }, 'StorageClassX');
    const tmplDims = templates.getTemplate(refDims);
    expect(tmplDims.equals(tmplSc)).toBe(false);
    expect(tmplDims.template).toBe('{run:/}_{datasetType}_{physical_filter}_{instrument}');

    // Instrument overrides retrieve specialist templates.
    const tmplPvi = templates.getTemplate(makeDatasetRef('pvi'));
    const tmplPviHsc = templates.getTemplate(makeDatasetRef('pvi', { instrument: 'HSC', physical_filter: 'z' }));
    const tmplPviLsst = templates.getTemplate(makeDatasetRef('pvi', { instrument: 'LSST', physical_filter: 'z' }));
    expect(tmplPvi.equals(tmplPviLsst)).toBe(true);
    expect(tmplPvi.equals(tmplPviHsc)).toBe(false);

    // Instrument match and dimensions lookup with no name match.
    const tmplNoPviHsc = templates.getTemplate(makeDatasetRef('pvix', { instrument: 'HSC', physical_filter: 'z' }, 'StorageClassX'));
    expect(tmplNoPviHsc.equals(tmplDims)).toBe(false);
    expect(tmplNoPviHsc.equals(tmplPviHsc)).toBe(false);
    expect(tmplNoPviHsc.template).toBe('hsc/{run:/}_{datasetType}_{physical_filter}_{instrument}');
  });

  it.skipIf(templatesFile('templates-withdefault.yaml') === undefined)('uses the default of templates-withdefault.yaml (testSimpleConfig)', () => {
    const templates = load(templatesFile('templates-withdefault.yaml')!);
    const ref2 = makeDatasetRef('unknown');
    expect(templates.getTemplate(ref2).template).toBe('{run:/}/{datasetType}.{component:?}/{datasetType}_v{visit}_f{physical_filter:?}_{component:?}');
    expect(templates.getTemplate(ref2).format(ref2)).toBe('run2/unknown/unknown_v52_fMost_Amazing_U_Filter_Ever');
  });

  it.skipIf(templatesFile('templates-bad.yaml') === undefined)('rejects templates-bad.yaml with a FileTemplateValidationError (testSimpleConfig)', () => {
    const e = errorOf(() => load(templatesFile('templates-bad.yaml')!));
    expect(e).toBeInstanceOf(FileTemplateValidationError);
    expect(e.message).toContain("'NoFormatSpecifier' is missing a mandatory field");
  });

  it.skipIf(templatesFile('templates-nodefault2.yaml') === undefined)('has no default in templates-nodefault2.yaml unless given one (testSimpleConfig)', () => {
    const path = templatesFile('templates-nodefault2.yaml')!;
    expect(() => load(path).getTemplate(makeDatasetRef('unknown'))).toThrow(FileTemplateError);
    const def = '{run}/{datasetType}/{physical_filter}';
    expect(load(path, def).getTemplate(makeDatasetRef('unknown')).template).toBe(def);
  });

  // test_templates.py: testValidation
  it.skipIf(nodefault === undefined)('validates dataset types against their templates (testValidation)', () => {
    const templates = load(nodefault!);
    const manager = new LogManager();
    const sink = new MemorySink();
    manager.addSink(sink);
    const logger = manager.getLogger('test');

    const entities = new Map<string, DatasetRef>();
    entities.set('calexp', makeDatasetRef('calexp', { instrument: 'dummy', physical_filter: 'i', visit: 52 }, 'StorageClassX'));
    templates.validateTemplates(entities.values(), { logFailures: true, logger });
    expect(sink.messages()[0]).toContain('Unchecked keys');
    expect(sink.messages()[0]).toContain('StorageClassX');

    entities.set('pvi', makeDatasetRef('pvi', { instrument: 'dummy', physical_filter: 'i' }, 'StorageClassX'));
    entities.set('StorageClassX', makeDatasetRef('storageClass', { instrument: 'dummy', visit: 2 }, 'StorageClassX'));
    entities.set('calexp.wcs', makeDatasetRef('calexp.wcs', { instrument: 'dummy', physical_filter: 'i', visit: 23 }, 'StorageClassX'));
    entities.set('instrument+physical_filter', makeDatasetRef('filter_inst', { physical_filter: 'i', instrument: 'SCUBA' }, 'StorageClassX'));
    entities.set('hsc+pvi', makeDatasetRef('pvi', { physical_filter: 'i', instrument: 'HSC' }, 'StorageClassX'));
    entities.set('hsc+instrument+physical_filter', makeDatasetRef('filter_inst', { physical_filter: 'i', instrument: 'HSC' }, 'StorageClassX'));
    entities.set('metric6', makeDatasetRef('filter_inst', { physical_filter: 'i', instrument: 'HSC' }, 'Integer'));
    sink.records.length = 0;
    templates.validateTemplates(entities.values(), { logFailures: true, logger });
    expect(sink.records.filter((r) => r.levelName === 'FATAL')).toEqual([]);

    // Rerun but with a failure.
    entities.set('pvi', makeDatasetRef('pvi', { band: 'i' }, 'StorageClassX'));
    const e = errorOf(() => templates.validateTemplates(entities.values(), { logFailures: true, logger }));
    expect(e).toBeInstanceOf(FileTemplateValidationError);
    expect(e.message).toContain("(via key 'pvi')");
    expect(sink.records.some((r) => r.levelName === 'FATAL' && r.message.includes("Template failure with key 'pvi'"))).toBe(true);
  });

  it('collects several failures and entities without a template', () => {
    const templates = new FileTemplates({ default: false, calexp: '{run}/{visit}' }, { universe });
    const calexp = new DatasetType('calexp', ['instrument', 'visit', 'detector'], 'ExposureF', { universe });
    const src = new DatasetType('src', ['instrument', 'visit', 'detector'], 'SourceCatalog', { universe });
    const e = errorOf(() => templates.validateTemplates([calexp, src]));
    expect(e).toBeInstanceOf(FileTemplateValidationError);
    expect(e.message).toMatch(/^2 template validation failures: /);
    expect(e.message).toContain('missing dimensions: detector, instrument');
    expect(e.message).toContain('Unable to determine file template');
  });

  const datastoreYaml = fixturePath('daf_butler', 'python', 'lsst', 'daf', 'butler', 'configs', 'datastores', 'fileDatastore.yaml');
  it.skipIf(datastoreYaml === undefined)("DEFAULT_FILE_TEMPLATES equals fileDatastore.yaml's templates", () => {
    const doc = parseYaml(readFileSync(datastoreYaml!, 'utf8'), { customTags: [{ tag: '!include', resolve: (s: string) => s }] }) as {
      datastore: { templates: Record<string, string> };
    };
    expect({ ...DEFAULT_FILE_TEMPLATES }).toEqual(doc.datastore.templates);
    const templates = new FileTemplates(doc.datastore.templates, { universe });
    expect(templates.default?.template).toBe(DEFAULT_FILE_TEMPLATES.default);
  });
});
