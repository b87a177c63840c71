import { HtmPixelization } from '@skystack/geom';
import { tableFromArrays } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { Column, CoordColumn, DecErrColumn, HtmIndex20, RAColumn, RADecCovColumn, SinglePrecisionFloatColumn } from './column.js';
import { ComputePixelScale, ConvertPixelToArcseconds, ConvertDetectorAngleToPositionAngle } from './local-wcs.js';

describe('coordinate columns', () => {
  it('convert radians to degrees', () => {
    const data = { coord_ra: Float64Array.of(Math.PI, Math.PI / 2), coord_dec: Float64Array.of(-Math.PI / 4, 0), coord_decErr: Float64Array.of(Math.PI / 180 / 3600, 0) };
    expect(Array.from(new RAColumn().evaluate(data) as Float64Array)).toEqual([180, 90]);
    const dec = new CoordColumn('coord_dec').evaluate(data) as Float64Array;
    expect(dec[0]).toBeCloseTo(-45, 13);
    expect((new DecErrColumn().evaluate(data) as Float64Array)[0]! * 3600).toBeCloseTo(1, 12);
  });

  it('converts the RA/Dec covariance from rad² to deg²', () => {
    const k = (Math.PI / 180) ** 2;
    expect((new RADecCovColumn().evaluate({ coord_ra_dec_Cov: Float64Array.of(2 * k) }) as Float64Array)[0]).toBeCloseTo(2, 13);
  });
});

describe('Column', () => {
  it('passes values, types and units through, resolving afw aliases', () => {
    const table = tableFromArrays({ base_SdssCentroid_x: Float64Array.of(1.5, 2.5), flag: [true, false] });
    const withAlias = table.schema.metadata.set('skystack:aliases', JSON.stringify([['slot_Centroid', 'base_SdssCentroid']]));
    expect(withAlias.get('skystack:aliases')).toBeDefined();
    expect(Array.from(new Column('slot_Centroid_x').evaluate(table) as Float64Array)).toEqual([1.5, 2.5]);
    expect(new Column('flag').evaluate(table)).toEqual([true, false]);
  });

  it('SinglePrecisionFloatColumn makes Float32', () => {
    const out = new SinglePrecisionFloatColumn('a').evaluate({ a: Float64Array.of(0.1) });
    expect(out).toBeInstanceOf(Float32Array);
    expect(out[0]).toBe(Math.fround(0.1));
  });
});

describe('HtmIndex20', () => {
  it('gives level-20 HTM indexes of the positions', () => {
    const out = new HtmIndex20('ra', 'dec').evaluate({ ra: Float64Array.of(0.3, NaN), dec: Float64Array.of(-0.5, 0) }) as BigInt64Array;
    expect(HtmPixelization.level(Number(out[0]))).toBe(20);
    expect(out[1]).toBe(-1n);
  });
});

describe('local WCS functors', () => {
  // 0.2 arcsec pixels, rotated by 30°: |det CD| = scale².
  const s = (0.2 / 3600) * (Math.PI / 180);
  const t = Math.PI / 6;
  const cd = { cd11: Float64Array.of(-s * Math.cos(t)), cd12: Float64Array.of(s * Math.sin(t)), cd21: Float64Array.of(s * Math.sin(t)), cd22: Float64Array.of(s * Math.cos(t)) };

  it('the pixel scale is sqrt|det CD| in arcseconds', () => {
    expect(new ComputePixelScale('cd11', 'cd12', 'cd21', 'cd22').evaluate(cd)[0]).toBeCloseTo(0.2, 12);
    expect(new ConvertPixelToArcseconds('r', 'cd11', 'cd12', 'cd21', 'cd22').evaluate({ ...cd, r: Float64Array.of(5) })[0]).toBeCloseTo(1, 12);
  });

  it('a detector angle along +y maps to a position angle east of north', () => {
    // Unrotated, north up (+y → +Dec), east left (+x → -RA): +y is PA 0, -x is PA 90.
    const plain = { cd11: Float64Array.of(-s, -s), cd12: Float64Array.of(0, 0), cd21: Float64Array.of(0, 0), cd22: Float64Array.of(s, s), th: Float64Array.of(Math.PI / 2, Math.PI) };
    const pa = new ConvertDetectorAngleToPositionAngle('th', 'cd11', 'cd12', 'cd21', 'cd22').evaluate(plain);
    expect(pa[0]).toBeCloseTo(0, 6);
    expect(pa[1]).toBeCloseTo(90, 6);
  });
});
