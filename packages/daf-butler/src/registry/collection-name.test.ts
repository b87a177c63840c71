import { describe, expect, it } from 'vitest';
import { InvalidCollectionNameError } from '../errors.js';
import { MAX_COLLECTION_NAME_LENGTH, validateCollectionName } from './collection-name.js';

describe('validateCollectionName', () => {
  it.each([
    'HSC/runs/RC2/w_2024_10',
    'u/someone/test-run',
    'imported_g',
    'HSC/raw/all',
    'HSC/calib/gen2/20180117',
    'LSSTCam/runs/nightlyValidation/20250101T000000Z',
    'refcats:gaia_dr3',
    'HSC/runs/RC2/w_2024_10/DM-12345:step1',
    'u/someone/v1.2.3',
    'u/someone/.hidden',
    'u/someone/a..b',
    'run with inner spaces',
    'a',
    'a'.repeat(MAX_COLLECTION_NAME_LENGTH),
  ])('accepts %j', (name) => {
    expect(() => validateCollectionName(name)).not.toThrow();
  });

  it('stores at most 64 characters, as daf_butler’s schema does', () => {
    expect(MAX_COLLECTION_NAME_LENGTH).toBe(64);
  });

  it.each<[string, string, RegExp]>([
    ['empty', '', /it is empty/],
    ['too long', 'a'.repeat(MAX_COLLECTION_NAME_LENGTH + 1), /65 characters \(at most 64\)/],
    ['a newline', 'u/me/run\n1', /control character/],
    ['a tab', 'u/me/\trun', /control character/],
    ['a NUL', 'u/me/run\u0000', /control character/],
    ['DEL', 'u/me/run\u007f', /control character/],
    ['a backslash', 'u\\me\\run', /backslash/],
    ['a .. segment', 'u/me/../run', /'\.\.' segment/],
    ['a leading .. segment', '../run', /'\.\.' segment/],
    ['a bare ..', '..', /'\.\.' segment/],
    ['a . segment', 'u/./run', /'\.' segment/],
    ['a trailing . segment', 'u/me/.', /'\.' segment/],
    ['a leading /', '/u/me/run', /starts or ends with '\/'/],
    ['a trailing /', 'u/me/run/', /starts or ends with '\/'/],
    ['an empty segment', 'u//run', /empty segment/],
    ['a * glob', 'HSC/runs/*', /glob character/],
    ['a ? glob', 'HSC/run?', /glob character/],
    ['a [ ] glob', 'HSC/run[12]', /glob character/],
    ['a leading space', ' HSC/raw/all', /space/],
    ['a trailing space', 'HSC/raw/all ', /space/],
  ])('rejects %s', (_why, name, reason) => {
    let error: unknown;
    try {
      validateCollectionName(name);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidCollectionNameError);
    expect((error as InvalidCollectionNameError).code).toBe('BUTLER_INVALID_COLLECTION_NAME');
    const message = (error as Error).message;
    expect(message).toContain(`Collection name ${JSON.stringify(name)} is not allowed`);
    expect(message).toMatch(reason);
    expect((error as InvalidCollectionNameError).hint).toContain('u/someone/test-run');
  });
});
