import { describe, expect, it } from 'vitest';
import { Angle } from '../angle.js';
import { GeomInvalidArgumentError } from '../errors.js';
import { LonLat } from './lon-lat.js';
import { UnitVector3d } from './unit-vector3d.js';
import { Vector3d } from './vector3d.js';

describe('LonLat', () => {
  it('normalises longitude to [0, 2π)', () => {
    expect(LonLat.fromDegrees(-10, 45).getLon().asDegrees()).toBeCloseTo(350, 12);
    expect(LonLat.fromDegrees(370, 0).getLon().asDegrees()).toBeCloseTo(10, 12);
    expect(LonLat.fromRadians(2 * Math.PI, 0).getLon().asRadians()).toBe(0);
    const p = LonLat.fromRadians(-1e-300, 0).getLon().asRadians();
    expect(p >= 0 && p < 2 * Math.PI).toBe(true);
  });

  it('accepts latitudes in [-90°, 90°] and rejects others', () => {
    expect(LonLat.fromDegrees(0, 90).getLat().asRadians()).toBe(Math.PI / 2);
    expect(LonLat.fromDegrees(0, -90).getLat().asRadians()).toBe(-Math.PI / 2);
    expect(() => LonLat.fromDegrees(0, 90.000001)).toThrow(GeomInvalidArgumentError);
    expect(() => LonLat.fromDegrees(0, -91)).toThrow(GeomInvalidArgumentError);
    expect(() => LonLat.fromDegrees(NaN, 0)).toThrow(GeomInvalidArgumentError);
    expect(() => new LonLat(Angle.fromRadians(0), Angle.fromRadians(Infinity))).toThrow(GeomInvalidArgumentError);
  });

  it('converts vectors: axes, poles (longitude 0) and non-unit vectors', () => {
    expect(LonLat.fromVector(UnitVector3d.Y()).getLon().asDegrees()).toBeCloseTo(90, 12);
    expect(LonLat.fromVector(UnitVector3d.Z()).getLat().asDegrees()).toBe(90);
    expect(LonLat.fromVector(UnitVector3d.Z()).getLon().asRadians()).toBe(0);
    const p = LonLat.fromVector(new Vector3d(-2, 0, -2));
    expect(p.getLon().asDegrees()).toBeCloseTo(180, 12);
    expect(p.getLat().asDegrees()).toBeCloseTo(-45, 12);
    expect(LonLat.latitudeOf(new Vector3d(1, 0, 1)).asDegrees()).toBeCloseTo(45, 12);
    expect(LonLat.longitudeOf(new Vector3d(0, -1, 0)).asDegrees()).toBeCloseTo(270, 12);
    expect(() => LonLat.fromVector(new Vector3d(0, 0, 0))).toThrow(GeomInvalidArgumentError);
  });

  it('compares and prints', () => {
    expect(LonLat.fromRadians(1, 0.5).equals(LonLat.fromRadians(1, 0.5))).toBe(true);
    expect(LonLat.fromRadians(1, 0.5).equals(LonLat.fromRadians(1, 0.4))).toBe(false);
    expect(LonLat.fromRadians(1, 0.5).toString()).toBe('LonLat(1, 0.5)');
  });
});
