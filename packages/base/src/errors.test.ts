import { describe, it, expect } from 'vitest';
import { assert } from './assert.js';
import {
  AssertionError,
  InvalidArgumentError,
  InvalidLogLevelError,
  SkyStackError,
} from './errors.js';

describe('SkyStackError', () => {
  it('keeps code, hint and cause, and appends the hint to the message', () => {
    const cause = new Error('ENOENT');
    const error = new SkyStackError('BASE_TEST', 'Could not open x.', { hint: 'Check the path.', cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('BASE_TEST');
    expect(error.hint).toBe('Check the path.');
    expect(error.message).toBe('Could not open x. Check the path.');
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('SkyStackError');
  });

  it('names subclasses after themselves and gives them stable codes', () => {
    expect(new InvalidArgumentError('bad').code).toBe('BASE_INVALID_ARGUMENT');
    expect(new InvalidArgumentError('bad').name).toBe('InvalidArgumentError');
    expect(new AssertionError('broken').code).toBe('BASE_ASSERTION_FAILED');
    const levelError = new InvalidLogLevelError('LOUD', "Unknown log level 'LOUD'.", ['INFO', 'DEBUG']);
    expect(levelError.code).toBe('BASE_INVALID_LOG_LEVEL');
    expect(levelError.name).toBe('InvalidLogLevelError');
    expect(levelError.message).toBe(
      "Unknown log level 'LOUD'. Allowed levels are INFO, DEBUG (case-insensitive).",
    );
    expect(levelError.allowed).toEqual(['INFO', 'DEBUG']);
    expect(levelError).toBeInstanceOf(SkyStackError);
  });

  it('has no cause property when none was given', () => {
    expect('cause' in new SkyStackError('BASE_TEST', 'x')).toBe(false);
  });
});

describe('assert', () => {
  it('does nothing, and builds no message, when the condition holds', () => {
    let built = false;
    assert(1 + 1 === 2, () => {
      built = true;
      return 'math is broken';
    });
    expect(built).toBe(false);
  });

  it('throws an AssertionError with the message when the condition fails', () => {
    expect(() => assert(false, () => 'width must be positive, got -1')).toThrow(
      new AssertionError('width must be positive, got -1'),
    );
    expect(() => assert(0, () => 'zero')).toThrow(AssertionError);
  });
});
