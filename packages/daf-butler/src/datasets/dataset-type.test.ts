import { describe, expect, it } from 'vitest';
import { DimensionUniverse } from '../dimensions/universe.js';
import { ConflictingDefinitionError, InvalidQueryError } from '../errors.js';
import { DatasetType } from './dataset-type.js';

const universe = DimensionUniverse.default();
const calexp = new DatasetType('calexp', ['instrument', 'visit', 'detector'], 'ExposureF', { universe });

describe('DatasetType names', () => {
  it.each(['calexp', 'deepCoadd_calexp', 'src', '_private', 'calexp.wcs', 'a.b.c', 'raw2', 'Raw_2.x_y'])('accepts %j', (name) => {
    expect(new DatasetType(name, ['instrument'], 'Thing', { universe }).name).toBe(name);
  });

  it.each(['', '1calexp', 'calexp-wcs', 'calexp.', '.wcs', 'calexp..wcs', 'calexp wcs', 'calexp/x', 'calexp.1', 'é'])('rejects %j', (name) => {
    let error: unknown;
    try {
      new DatasetType(name, ['instrument'], 'Thing', { universe });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidQueryError);
    expect((error as Error).message).toContain(`Dataset type name '${name}' is not valid.`);
  });

  it('needs a universe for dimension names, not for a group', () => {
    expect(() => new DatasetType('x', ['instrument'], 'Thing')).toThrow(/need a universe/);
    expect(new DatasetType('x', universe.conform(['visit']), 'Thing').dimensions).toBe(universe.conform(['visit']));
  });
});

describe('DatasetType', () => {
  it('conforms its dimensions and is immutable', () => {
    expect(calexp.dimensions.required).toEqual(['instrument', 'detector', 'visit']);
    expect(calexp.isCalibration).toBe(false);
    expect(calexp.parentStorageClass).toBeUndefined();
    expect(Object.isFrozen(calexp)).toBe(true);
  });

  it('components: calexp.wcs', () => {
    const wcs = calexp.makeComponentDatasetType('wcs', 'Wcs');
    expect(wcs.name).toBe('calexp.wcs');
    expect(wcs.isComponent()).toBe(true);
    expect(wcs.parentName).toBe('calexp');
    expect(wcs.component).toBe('wcs');
    expect(wcs.storageClass).toBe('Wcs');
    expect(wcs.parentStorageClass).toBe('ExposureF');
    expect(wcs.dimensions).toBe(calexp.dimensions);
    expect(calexp.isComponent()).toBe(false);
    expect(calexp.parentName).toBe('calexp');
    expect(calexp.component).toBeUndefined();
    expect(wcs.makeCompositeDatasetType().equals(calexp)).toBe(true);
    expect(calexp.makeCompositeDatasetType()).toBe(calexp);
  });

  it('splits and joins component names at the first dot, as daf_butler does', () => {
    expect(DatasetType.splitDatasetTypeName('calexp')).toEqual(['calexp', undefined]);
    expect(DatasetType.splitDatasetTypeName('calexp.wcs')).toEqual(['calexp', 'wcs']);
    expect(DatasetType.splitDatasetTypeName('a.b.c')).toEqual(['a', 'b.c']);
    expect(DatasetType.nameWithComponent('calexp', 'psf')).toBe('calexp.psf');
  });

  it('equality compares name, dimensions, storage class and calibration flag', () => {
    expect(calexp.equals(new DatasetType('calexp', universe.conform(['visit', 'detector']), 'ExposureF'))).toBe(true);
    expect(calexp.equals(new DatasetType('calexp', ['visit'], 'ExposureF', { universe }))).toBe(false);
    expect(calexp.equals(new DatasetType('calexp', ['visit', 'detector'], 'ExposureI', { universe }))).toBe(false);
    expect(calexp.equals(new DatasetType('calexp2', ['visit', 'detector'], 'ExposureF', { universe }))).toBe(false);
    expect(calexp.equals(new DatasetType('calexp', ['visit', 'detector'], 'ExposureF', { universe, isCalibration: true }))).toBe(false);
  });

  it('checkCompatible names both definitions when they conflict', () => {
    expect(() => calexp.checkCompatible(new DatasetType('calexp', ['visit', 'detector'], 'ExposureF', { universe }))).not.toThrow();
    const other = new DatasetType('calexp', ['visit'], 'ExposureF', { universe });
    let error: unknown;
    try {
      calexp.checkCompatible(other);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConflictingDefinitionError);
    expect((error as ConflictingDefinitionError).code).toBe('BUTLER_CONFLICTING_DEFINITION');
    const message = (error as Error).message;
    expect(message).toContain("Dataset type 'calexp' is already registered as DatasetType('calexp', {instrument, detector, visit}, ExposureF)");
    expect(message).toContain("the new definition DatasetType('calexp', {instrument, visit}, ExposureF) differs");
  });

  it('prints as daf_butler does', () => {
    expect(calexp.toString()).toBe("DatasetType('calexp', {instrument, detector, visit}, ExposureF)");
    const bias = new DatasetType('bias', ['detector'], 'ExposureF', { universe, isCalibration: true });
    expect(bias.toString()).toBe("DatasetType('bias', {instrument, detector}, ExposureF, isCalibration=True)");
    expect(new DatasetType('skyMap', ['skymap'], 'SkyMap', { universe }).toString()).toBe("DatasetType('skyMap', {skymap}, SkyMap)");
  });

  it('serialises as in the export format', () => {
    expect(calexp.toJSON()).toEqual({
      name: 'calexp',
      dimensions: ['instrument', 'detector', 'visit'],
      storage_class: 'ExposureF',
      is_calibration: false,
    });
  });
});
