import { describe, it, expect } from 'vitest';
import { InvalidLogLevelError, SkyStackError } from './errors.js';
import { LogLevel, logLevelName, parseLevelName, toLogLevel } from './log-level.js';
import { LogManager } from './log-manager.js';
import { applyLogLevels, parseLogLevel, parseLogLevels } from './parse-log-level.js';

/** Runs `fn`, expecting an InvalidLogLevelError, and returns it. */
function catchLevelError(fn: () => unknown): InvalidLogLevelError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidLogLevelError);
    return e as InvalidLogLevelError;
  }
  throw new Error('expected an InvalidLogLevelError, but nothing was thrown');
}

describe('level values and names', () => {
  it('match lsst.utils.logging and Python logging', () => {
    expect(LogLevel).toEqual({
      TRACE: 5,
      DEBUG: 10,
      VERBOSE: 15,
      INFO: 20,
      WARN: 30,
      ERROR: 40,
      FATAL: 50,
    });
  });

  it('parses names case-insensitively, with WARNING and CRITICAL aliases', () => {
    expect(parseLevelName('trace')).toBe(5);
    expect(parseLevelName('Verbose')).toBe(15);
    expect(parseLevelName(' INFO ')).toBe(20);
    expect(parseLevelName('warning')).toBe(30);
    expect(parseLevelName('WARN')).toBe(30);
    expect(parseLevelName('critical')).toBe(50);
    expect(parseLevelName('fatal')).toBe(50);
  });

  it('names numeric levels', () => {
    expect(logLevelName(15)).toBe('VERBOSE');
    expect(logLevelName(50)).toBe('FATAL');
    expect(logLevelName(25)).toBe('LEVEL25');
  });

  it('rejects unknown names and inherited object keys', () => {
    for (const bad of ['LOUD', '', 'toString', '__proto__', '20']) {
      const error = catchLevelError(() => parseLevelName(bad));
      expect(error.code).toBe('BASE_INVALID_LOG_LEVEL');
      expect(error.value).toBe(bad);
    }
  });

  it('converts LogLevelLike values', () => {
    expect(toLogLevel('DEBUG')).toBe(10);
    expect(toLogLevel(12)).toBe(12);
    expect(() => toLogLevel(Number.POSITIVE_INFINITY)).toThrow(InvalidLogLevelError);
  });
});

describe('parseLogLevel', () => {
  it('reads a bare level as the default logger (component null)', () => {
    expect(parseLogLevel('INFO')).toEqual([{ component: null, level: 20 }]);
    expect(parseLogLevel('debug')).toEqual([{ component: null, level: 10 }]);
  });

  it('reads COMPONENT=LEVEL', () => {
    expect(parseLogLevel('skystack.butler=DEBUG')).toEqual([
      { component: 'skystack.butler', level: 10 },
    ]);
    expect(parseLogLevel(' skystack.butler = verbose ')).toEqual([
      { component: 'skystack.butler', level: 15 },
    ]);
  });

  it('reads .=LEVEL and =LEVEL as the root logger', () => {
    expect(parseLogLevel('.=WARN')).toEqual([{ component: '', level: 30 }]);
    expect(parseLogLevel('=WARN')).toEqual([{ component: '', level: 30 }]);
    expect(parseLogLevel('.=critical')).toEqual([{ component: '', level: 50 }]);
  });

  it('splits comma-separated settings, keeping their order', () => {
    expect(parseLogLevel('skystack=VERBOSE,skystack.butler=TRACE, ERROR')).toEqual([
      { component: 'skystack', level: 15 },
      { component: 'skystack.butler', level: 5 },
      { component: null, level: 40 },
    ]);
  });

  it('flattens repeated option values with parseLogLevels', () => {
    expect(parseLogLevels(['=DEBUG', 'DEBUG', 'skystack.pipe=info'])).toEqual([
      { component: '', level: 10 },
      { component: null, level: 10 },
      { component: 'skystack.pipe', level: 20 },
    ]);
    expect(parseLogLevels([])).toEqual([]);
  });

  it('rejects bad values with a message that quotes them and lists the allowed levels', () => {
    const error = catchLevelError(() => parseLogLevel('skystack.butler=LOUD'));
    expect(error).toBeInstanceOf(SkyStackError);
    expect(error.code).toBe('BASE_INVALID_LOG_LEVEL');
    expect(error.value).toBe('skystack.butler=LOUD');
    expect(error.message).toContain("'skystack.butler=LOUD'");
    expect(error.message).toContain("unknown level 'LOUD'");
    for (const name of ['TRACE', 'DEBUG', 'VERBOSE', 'INFO', 'WARN', 'ERROR', 'FATAL']) {
      expect(error.message).toContain(name);
    }
    expect(error.cause).toBeInstanceOf(InvalidLogLevelError);
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['INFO,', 'empty entry'],
    ['skystack=', 'no level'],
    ['a=b=INFO', "more than one '='"],
    ['skystack..butler=INFO', "component 'skystack..butler'"],
    ['.skystack=INFO', "component '.skystack'"],
    ['sky stack=INFO', "component 'sky stack'"],
    ['VERBOSE2', "unknown level 'VERBOSE2'"],
  ])('rejects %j (%s)', (value, expected) => {
    const error = catchLevelError(() => parseLogLevel(value));
    expect(error.message).toContain(expected);
    expect(error.message).toContain('Allowed levels are');
  });
});

describe('applyLogLevels', () => {
  it('sets the default logger for a bare level, the root for "", and named loggers', () => {
    const manager = new LogManager({ levels: { skystack: 'INFO' }, sinks: [] });
    applyLogLevels(manager, parseLogLevels(['VERBOSE', 'skystack.butler=DEBUG']));
    expect(manager.getLevel('skystack')).toBe(LogLevel.VERBOSE);
    expect(manager.getEffectiveLevel('skystack.pipe')).toBe(LogLevel.VERBOSE);
    expect(manager.getEffectiveLevel('skystack.butler.registry')).toBe(LogLevel.DEBUG);
    // A bare level leaves the root (and so non-skystack loggers) alone, as in butler.
    expect(manager.getEffectiveLevel('sqlite')).toBe(LogLevel.WARN);

    applyLogLevels(manager, parseLogLevel('.=ERROR'));
    expect(manager.getEffectiveLevel('sqlite')).toBe(LogLevel.ERROR);
    expect(manager.getEffectiveLevel('skystack.pipe')).toBe(LogLevel.VERBOSE);
  });

  it('applies settings in order, so later ones win', () => {
    const manager = new LogManager({ sinks: [] });
    applyLogLevels(manager, parseLogLevels(['skystack=DEBUG', 'skystack=ERROR']));
    expect(manager.getLevel('skystack')).toBe(LogLevel.ERROR);
  });

  it('uses the given default loggers for a bare level', () => {
    const manager = new LogManager({ sinks: [] });
    applyLogLevels(manager, parseLogLevel('TRACE'), { defaultLoggers: ['skystack', 'myobs'] });
    expect(manager.getLevel('skystack')).toBe(LogLevel.TRACE);
    expect(manager.getLevel('myobs')).toBe(LogLevel.TRACE);
    expect(manager.getLevel('')).toBe(LogLevel.WARN);
  });
});
