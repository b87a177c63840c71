import { describe, it, expect } from 'vitest';
import { InvalidArgumentError, InvalidLogLevelError } from './errors.js';
import { LogLevel } from './log-level.js';
import type { LogLevelLike } from './log-level.js';
import { getDefaultLogManager, getLogger, LogManager } from './log-manager.js';
import { MemorySink, StreamSink } from './log-sink.js';
import { JsonFormatter, TextFormatter } from './log-formatter.js';
import type { LogRecord } from './logger.js';

/** A manager with a memory sink and a fixed clock. */
function setup(options: { levels?: Record<string, LogLevelLike> } = {}) {
  const memory = new MemorySink();
  const manager = new LogManager({
    levels: options.levels ?? {},
    sinks: [memory],
    now: () => Date.UTC(2026, 10, 22, 3, 4, 5, 123),
  });
  return { manager, memory };
}

describe('LogManager levels', () => {
  it('gives the root logger WARN by default and lets children inherit it', () => {
    const { manager, memory } = setup();
    const log = manager.getLogger('skystack.butler.registry');
    expect(manager.root.getEffectiveLevel()).toBe(LogLevel.WARN);
    expect(log.getLevel()).toBeUndefined();
    expect(log.getEffectiveLevel()).toBe(30);
    log.info('not shown');
    log.warn('shown');
    expect(memory.messages()).toEqual(['shown']);
  });

  it('uses the nearest ancestor level, and follows later changes', () => {
    const { manager } = setup({ levels: { skystack: 'INFO' } });
    const deep = manager.getLogger('skystack.butler.registry.queries');
    expect(deep.getEffectiveLevel()).toBe(LogLevel.INFO);
    expect(deep.isEnabledFor(LogLevel.VERBOSE)).toBe(false);

    manager.setLevel('skystack.butler', 'DEBUG');
    expect(deep.getEffectiveLevel()).toBe(LogLevel.DEBUG);
    expect(deep.isEnabledFor(LogLevel.DEBUG)).toBe(true);
    expect(deep.isEnabledFor(LogLevel.TRACE)).toBe(false);
    // A sibling branch is not affected.
    expect(manager.getLogger('skystack.pipe').getEffectiveLevel()).toBe(LogLevel.INFO);

    // The nearer level wins, even if it is less verbose than the farther one.
    manager.setLevel('skystack.butler.registry', 'ERROR');
    expect(deep.getEffectiveLevel()).toBe(LogLevel.ERROR);

    // Clearing a level makes the logger inherit again.
    deep.getChild('x'); // unrelated creation must not disturb caches
    manager.setLevel('skystack.butler.registry', undefined);
    expect(deep.getEffectiveLevel()).toBe(LogLevel.DEBUG);
  });

  it('does not treat a name prefix as an ancestor', () => {
    const { manager } = setup({ levels: { skystack: 'INFO', 'skystack.b': 'TRACE' } });
    expect(manager.getEffectiveLevel('skystack.butler')).toBe(LogLevel.INFO);
    expect(manager.getEffectiveLevel('skystack.b.c')).toBe(LogLevel.TRACE);
  });

  it('restores the constructor root level when the root level is cleared', () => {
    const manager = new LogManager({ rootLevel: 'ERROR', sinks: [] });
    manager.setLevel('', 'TRACE');
    expect(manager.root.getEffectiveLevel()).toBe(LogLevel.TRACE);
    manager.setLevel('', undefined);
    expect(manager.getLevel('')).toBe(LogLevel.ERROR);
  });

  it('lets a levels entry for the root override rootLevel', () => {
    const manager = new LogManager({ rootLevel: 'ERROR', levels: { '': 'DEBUG' }, sinks: [] });
    expect(manager.getEffectiveLevel('anything')).toBe(LogLevel.DEBUG);
  });

  it('accepts numeric levels between the named ones', () => {
    const { manager, memory } = setup({ levels: { a: 25 } });
    const log = manager.getLogger('a');
    log.info('info is 20, below 25');
    log.log(25, 'custom');
    log.warn('warn');
    expect(memory.records.map((r) => [r.levelName, r.message])).toEqual([
      ['LEVEL25', 'custom'],
      ['WARN', 'warn'],
    ]);
  });

  it('rejects unknown level names and bad logger names with typed errors', () => {
    const manager = new LogManager({ sinks: [] });
    expect(() => manager.setLevel('skystack', 'LOUD' as never)).toThrow(InvalidLogLevelError);
    expect(() => manager.setLevel('skystack', Number.NaN)).toThrow(InvalidLogLevelError);
    expect(() => manager.getLogger('skystack..butler')).toThrow(InvalidArgumentError);
    expect(() => manager.getLogger('.skystack')).toThrow(InvalidArgumentError);
    expect(() => manager.getLogger('skystack.')).toThrow(InvalidArgumentError);
    expect(() => manager.getLogger('skystack').getChild('')).toThrow(InvalidArgumentError);
    expect(() => new LogManager({ levels: { 'a..b': 'INFO' } })).toThrow(InvalidArgumentError);
  });

  it('accepts level names case-insensitively, with Python aliases', () => {
    const manager = new LogManager({ sinks: [] });
    manager.setLevel('a', 'warning' as never);
    manager.setLevel('b', 'Critical' as never);
    expect(manager.getLevel('a')).toBe(LogLevel.WARN);
    expect(manager.getLevel('b')).toBe(LogLevel.FATAL);
  });

  it('reset() restores levels and sinks but keeps handed-out loggers working', () => {
    const initial = new MemorySink();
    const manager = new LogManager({ levels: { skystack: 'INFO' }, sinks: [initial] });
    const log = manager.getLogger('skystack.x');
    const extra = new MemorySink();
    manager.addSink(extra);
    manager.setLevel('skystack.x', 'TRACE');
    manager.setLevel('other', 'DEBUG');
    log.trace('before reset');
    manager.reset();
    expect([...manager.getLevels()]).toEqual([
      ['', LogLevel.WARN],
      ['skystack', LogLevel.INFO],
    ]);
    expect(manager.sinks).toEqual([initial]);
    log.trace('hidden after reset');
    log.info('after reset');
    expect(initial.messages()).toEqual(['before reset', 'after reset']);
    expect(extra.messages()).toEqual(['before reset']);
  });
});

describe('Logger', () => {
  it('returns the same logger object for the same name', () => {
    const { manager } = setup();
    const a = manager.getLogger('skystack.butler');
    expect(manager.getLogger('skystack.butler')).toBe(a);
    expect(manager.getLogger('skystack').getChild('butler')).toBe(a);
    expect(manager.root.getChild('skystack').name).toBe('skystack');
    expect(a.getChild('registry.sql').name).toBe('skystack.butler.registry.sql');
    expect(manager.getLogger()).toBe(manager.root);
    expect(a.manager).toBe(manager);
  });

  it('does not build a lazy message when the level is disabled', () => {
    const { manager, memory } = setup({ levels: { skystack: 'INFO' } });
    const log = manager.getLogger('skystack.pipe');
    let calls = 0;
    const build = () => {
      calls++;
      return 'expensive';
    };
    log.debug(build);
    log.trace(build);
    log.verbose(build);
    log.log(LogLevel.DEBUG, build);
    expect(calls).toBe(0);
    expect(memory.records).toHaveLength(0);

    log.info(build);
    expect(calls).toBe(1);
    expect(memory.messages()).toEqual(['expensive']);
  });

  it('emits each level method at its own level and carries fields', () => {
    const { manager, memory } = setup({ levels: { '': 'TRACE' } });
    const log = manager.getLogger('skystack');
    log.trace('t');
    log.debug('d');
    log.verbose('v');
    log.info('i', { visit: 903334 });
    log.warn('w');
    log.error('e');
    log.fatal('f');
    expect(memory.records.map((r) => [r.level, r.levelName, r.message])).toEqual([
      [5, 'TRACE', 't'],
      [10, 'DEBUG', 'd'],
      [15, 'VERBOSE', 'v'],
      [20, 'INFO', 'i'],
      [30, 'WARN', 'w'],
      [40, 'ERROR', 'e'],
      [50, 'FATAL', 'f'],
    ]);
    const info = memory.records[3];
    expect(info?.fields).toEqual({ visit: 903334 });
    expect(info?.name).toBe('skystack');
    expect(info?.time).toBe(Date.UTC(2026, 10, 22, 3, 4, 5, 123));
    expect(memory.records[0]?.fields).toBeUndefined();
  });

  it('setLevel on a logger is the same as on its manager', () => {
    const { manager } = setup();
    const log = manager.getLogger('skystack.geom');
    log.setLevel('DEBUG');
    expect(manager.getLevel('skystack.geom')).toBe(LogLevel.DEBUG);
    expect(log.getLevel()).toBe(LogLevel.DEBUG);
    log.setLevel(undefined);
    expect(log.getLevel()).toBeUndefined();
  });
});

describe('sinks', () => {
  it('applies a sink level on top of the logger level', () => {
    const all = new MemorySink();
    const warnings = new MemorySink(LogLevel.WARN);
    const manager = new LogManager({ rootLevel: 'DEBUG', sinks: [all, warnings] });
    const log = manager.getLogger('a');
    log.debug('d');
    log.warn('w');
    expect(all.messages()).toEqual(['d', 'w']);
    expect(warnings.messages()).toEqual(['w']);
    warnings.clear();
    expect(warnings.records).toHaveLength(0);
  });

  it('keeps logging when a sink throws, and reports the failure', () => {
    const failures: string[] = [];
    const after = new MemorySink();
    const broken = {
      emit(): void {
        throw new Error('disk full');
      },
    };
    const manager = new LogManager({
      sinks: [broken, after],
      onSinkError: (error, record, sink) => {
        expect(sink).toBe(broken);
        failures.push(`${(error as Error).message} / ${record.message}`);
      },
    });
    expect(() => manager.getLogger('a').error('boom')).not.toThrow();
    expect(failures).toEqual(['disk full / boom']);
    expect(after.messages()).toEqual(['boom']);
  });

  it('adds and removes sinks', () => {
    const { manager, memory } = setup();
    const second = new MemorySink();
    manager.addSink(second);
    manager.root.error('one');
    expect(manager.removeSink(second)).toBe(true);
    expect(manager.removeSink(second)).toBe(false);
    manager.root.error('two');
    expect(memory.messages()).toEqual(['one', 'two']);
    expect(second.messages()).toEqual(['one']);
  });

  it('writes one formatted line per record with StreamSink', () => {
    const written: string[] = [];
    const sink = new StreamSink(
      { write: (s: string) => written.push(s) },
      { formatter: new TextFormatter({ timestamps: false }) },
    );
    const manager = new LogManager({ sinks: [sink] });
    manager.getLogger('skystack.butler').warn('slow query', { seconds: 2.5 });
    expect(written).toEqual(['WARN skystack.butler: slow query seconds=2.5\n']);
  });
});

describe('LogManager.configure', () => {
  it('sets levels and switches the output format to JSON lines on a stream', () => {
    const written: string[] = [];
    const manager = new LogManager({ now: () => 0 });
    manager.configure({
      levels: { skystack: 'VERBOSE', 'skystack.butler': 'DEBUG' },
      format: 'json',
      stream: { write: (s: string) => written.push(s) },
    });
    manager.getLogger('skystack.butler').debug('d');
    manager.getLogger('skystack.pipe').debug('hidden');
    manager.getLogger('skystack.pipe').verbose('v');
    expect(written).toHaveLength(2);
    const parsed = written.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.map((o) => [o['name'], o['level'], o['message']])).toEqual([
      ['skystack.butler', 'DEBUG', 'd'],
      ['skystack.pipe', 'VERBOSE', 'v'],
    ]);
  });

  it('replaces sinks, clears levels given as undefined, and rejects sinks with format', () => {
    const { manager } = setup({ levels: { a: 'DEBUG' } });
    const replacement = new MemorySink();
    manager.configure({ sinks: [replacement], levels: { a: undefined } });
    expect(manager.sinks).toEqual([replacement]);
    expect(manager.getLevel('a')).toBeUndefined();
    expect(() => manager.configure({ sinks: [], format: 'text' })).toThrow(InvalidArgumentError);
  });

  it('changes nothing when one of the levels is invalid', () => {
    const { manager } = setup();
    expect(() => manager.configure({ levels: { a: 'DEBUG', b: 'LOUD' as never } })).toThrow(
      InvalidLogLevelError,
    );
    expect(manager.getLevel('a')).toBeUndefined();
  });

  it('accepts a custom formatter', () => {
    const written: string[] = [];
    const manager = new LogManager();
    manager.configure({
      format: { format: (r: LogRecord) => `<${r.message}>` },
      stream: { write: (s: string) => written.push(s) },
    });
    manager.root.error('x');
    expect(written).toEqual(['<x>\n']);
    manager.configure({ format: new JsonFormatter(), stream: { write: (s: string) => written.push(s) } });
    manager.root.error('y');
    expect(JSON.parse(written[1] ?? '')).toMatchObject({ message: 'y', level: 'ERROR' });
  });
});

describe('default manager', () => {
  it('is created once and serves getLogger()', () => {
    const manager = getDefaultLogManager();
    expect(getDefaultLogManager()).toBe(manager);
    const log = getLogger('skystack.base.test');
    expect(log.manager).toBe(manager);
    expect(manager.getLogger('skystack.base.test')).toBe(log);
    expect(log.getEffectiveLevel()).toBe(LogLevel.WARN);
  });
});
