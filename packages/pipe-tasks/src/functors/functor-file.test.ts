import { fixturePath } from '@skystack/test-support';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { readFileSync } from 'node:fs';
import { FunctorFileError } from '../errors.js';
import type { ColumnValues } from '../functors.js';
import { CompositeFunctor } from './composite-functor.js';
import { expandPath, loadFunctorFile, parseFunctorDefinition } from './functor-file.js';

const schemas = fixturePath('pipelines', 'pipe_tasks', 'schemas');

/** Input columns for a functor file: flags as booleans, ids as Int64, the rest as doubles. */
function syntheticColumns(names: readonly string[], rows: number): Map<string, ColumnValues> {
  const out = new Map<string, ColumnValues>();
  for (const name of names) {
    if (name === 'id' || name === 'parent' || name === 'deblend_nChild') out.set(name, BigInt64Array.from({ length: rows }, (_, i) => BigInt(i + 1)));
    else if (/(_flag|^calib_|^deblend_|^sky_source$|^detect_)/.test(name)) out.set(name, Array.from({ length: rows }, (_, i) => i % 2 === 0));
    else out.set(name, Float64Array.from({ length: rows }, (_, i) => 0.001 * (i + 1)));
  }
  return out;
}

describe.skipIf(schemas === undefined)("LSST's functor files (fixtures)", () => {
  it('Source.yaml: every functor is implemented, and every output column evaluates', async () => {
    const path = `${schemas}/Source.yaml`;
    const file = await loadFunctorFile(path);
    expect(file.unsupported).toEqual([]);
    const doc = parseYaml(readFileSync(path, 'utf8')) as { funcs: Record<string, unknown>; flags: string[] };
    // funcs keep their names; flags are renamed by flag_rename_rules.
    expect(file.outputColumns.length).toBe(Object.keys(doc.funcs).length + new Set(doc.flags).size);
    expect(file.outputColumns.slice(0, 3)).toEqual(['sourceId', 'coord_ra', 'coord_dec']);
    for (const renamed of ['localPhotoCalib', 'localPhotoCalibErr', 'pixelFlags_edge', 'apFlux_12_0_flag', 'iDebiasedPSF_flag', 'centroid_flag_edge', 'sky_source', 'detect_isPrimary']) {
      expect(file.outputColumns).toContain(renamed);
    }
    const rows = 4;
    const table = file.funcs.evaluate(syntheticColumns(file.funcs.columns, rows));
    expect(table.numRows).toBe(rows);
    expect(table.schema.fields.map((f) => f.name)).toEqual(file.outputColumns);
    // psfFlux = slot_PsfFlux_instFlux × base_LocalPhotoCalib = (0.001 (i+1))², Float32.
    const psf = table.getChild('psfFlux')!.toArray() as Float32Array;
    expect(psf).toBeInstanceOf(Float32Array);
    expect(psf[2]).toBeCloseTo(0.003 * 0.003, 9);
    expect(table.getChild('ra')!.get(0)).toBeCloseTo((0.001 * 180) / Math.PI, 12);
    expect(table.schema.fields.find((f) => f.name === 'ra')!.metadata.get('units')).toBe('deg');
    expect(table.schema.fields.find((f) => f.name === 'psfFluxErr')!.metadata.get('units')).toBe('nJy');
  });

  it.each(['PreSource.yaml', 'prompt_source.yaml'])('%s loads with every functor implemented', async (name) => {
    const file = await loadFunctorFile(`${schemas}/${name}`);
    expect(file.unsupported).toEqual([]);
    expect(file.funcs.funcDict.size).toBeGreaterThan(50);
  });
});

describe('parseFunctorDefinition', () => {
  it('reports unimplemented functors by output column and keeps the others', () => {
    const file = parseFunctorDefinition({
      funcs: {
        ra: { functor: 'RAColumn' },
        ebv: { functor: 'Ebv' },
        hsmFwhm: { functor: 'HsmFwhm', args: ['a', 'b', 'c'] },
        x: { functor: 'Column', args: 'slot_Centroid_x', dataset: 'meas' },
      },
      refFlags: ['detect_isPrimary'],
    });
    expect(file.unsupported).toEqual([
      { column: 'ebv', functorName: 'Ebv' },
      { column: 'hsmFwhm', functorName: 'HsmFwhm' },
    ]);
    expect([...file.funcs.funcDict.keys()]).toEqual(['ra', 'x', 'detect_isPrimary']);
    expect(file.outputColumns).toEqual(['ra', 'ebv', 'hsmFwhm', 'x', 'detect_isPrimary']);
  });

  it('rejects malformed entries with the entry named', () => {
    expect(() => parseFunctorDefinition({ flags: ['a'] })).toThrow(FunctorFileError);
    expect(() => parseFunctorDefinition({ funcs: { a: { args: 'x' } } })).toThrow(/Entry 'a'/);
    expect(() => parseFunctorDefinition({ funcs: { f: { functor: 'LocalNanojansky', args: ['a', 'b'] } } })).toThrow(/takes 3 to 4 column arguments; 2 given/);
    expect(() => parseFunctorDefinition({ funcs: { f: { functor: 'Column', args: 'a', bogus: 1 } } })).toThrow(/unknown keyword arguments: bogus/);
  });

  it('renames as Python str.replace after a prefix match, rule by rule', () => {
    expect(CompositeFunctor.renameCol('base_PixelFlags_flag_edge', [['base_PixelFlags_flag', 'pixelFlags'], ['base_', '']])).toBe('pixelFlags_edge');
    expect(CompositeFunctor.renameCol('base_Foo_base_Bar', [['base_', '']])).toBe('Foo_Bar');
    expect(CompositeFunctor.renameCol('ext_base_X', [['base_', '']])).toBe('ext_base_X');
  });

  it('expands environment variables in paths like os.path.expandvars', () => {
    expect(expandPath('$A/x/${B}/$C', { A: '/a', B: 'b' })).toBe('/a/x/b/$C');
  });
});

describe("SkyStack's Source.yaml", () => {
  it('loads, with every functor implemented and the optional outputs declared', async () => {
    const file = await loadFunctorFile('$SKYSTACK_PIPE_TASKS_DIR/schemas/Source.yaml');
    expect(file.unsupported).toEqual([]);
    for (const c of ['sourceId', 'coord_ra', 'coord_dec', 'ra', 'dec', 'raErr', 'decErr', 'x', 'y', 'xErr', 'yErr', 'psfFlux', 'psfFluxErr', 'calibFlux', 'calibFluxErr', 'ap03Flux', 'ap50FluxErr', 'ap25Flux_flag', 'sky_source', 'pixelFlags_edge', 'extendedness']) {
      expect(file.outputColumns).toContain(c);
    }
    expect([...file.optional].sort()).toEqual(['decErr', 'extendedness', 'raErr', 'ra_dec_Cov']);
  });
});
