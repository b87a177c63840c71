import { describe, it, expect } from 'vitest';
import { SkyStackError } from './errors.js';
import { JsonFormatter, TextFormatter } from './log-formatter.js';
import type { LogRecord } from './logger.js';

/** 2026-11-22T03:04:05.123Z */
const TIME = Date.UTC(2026, 10, 22, 3, 4, 5, 123);

function record(overrides: Partial<LogRecord> = {}): LogRecord {
  return {
    time: TIME,
    level: 20,
    levelName: 'INFO',
    name: 'skystack.butler',
    message: 'Ingested 12 files',
    fields: undefined,
    ...overrides,
  };
}

describe('TextFormatter', () => {
  it('writes LEVEL TIME NAME: MESSAGE', () => {
    expect(new TextFormatter().format(record())).toBe(
      'INFO 2026-11-22T03:04:05.123Z skystack.butler: Ingested 12 files',
    );
  });

  it('appends fields as key=value with strings quoted', () => {
    const line = new TextFormatter().format(
      record({
        fields: {
          visit: 903334,
          band: 'r',
          note: 'two words',
          ok: true,
          none: null,
          missing: undefined,
          big: 12345678901234567890n,
          ids: [1, 2],
          where: { detector: 22 },
          err: new Error('bad "pixel"'),
        },
      }),
    );
    expect(line).toBe(
      'INFO 2026-11-22T03:04:05.123Z skystack.butler: Ingested 12 files' +
        ' visit=903334 band="r" note="two words" ok=true none=null missing=undefined' +
        ' big=12345678901234567890 ids=[1,2] where={"detector":22} err="bad \\"pixel\\""',
    );
  });

  it('names the root logger "root", can drop timestamps and show a label', () => {
    const formatter = new TextFormatter({ timestamps: false, label: 'quantum-7' });
    expect(formatter.format(record({ name: '', levelName: 'WARN', level: 30, message: 'm' }))).toBe(
      'WARN root (quantum-7): m',
    );
  });
});

describe('JsonFormatter', () => {
  it('writes one parseable JSON object with time, level, name, message and fields', () => {
    const line = new JsonFormatter().format(
      record({ fields: { visit: 903334, band: 'r' }, message: 'line one\nline two' }),
    );
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({
      time: '2026-11-22T03:04:05.123Z',
      level: 'INFO',
      levelno: 20,
      name: 'skystack.butler',
      message: 'line one\nline two',
      fields: { visit: 903334, band: 'r' },
    });
  });

  it('always has a fields object', () => {
    const parsed = JSON.parse(new JsonFormatter().format(record())) as { fields: unknown };
    expect(parsed.fields).toEqual({});
  });

  it('converts values JSON cannot represent instead of throwing', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    const shared = { x: 1 };
    const cause = new Error('root cause');
    const error = new SkyStackError('BASE_TEST', 'outer', { cause });
    const line = new JsonFormatter().format(
      record({
        fields: { big: 2n ** 70n, cyclic, pair: [shared, shared], error, gone: undefined },
      }),
    );
    const parsed = JSON.parse(line) as { fields: Record<string, unknown> };
    expect(parsed.fields['big']).toBe('1180591620717411303424');
    expect(parsed.fields['cyclic']).toEqual({ a: 1, self: '[Circular]' });
    // A shared object that is not a cycle is written out both times.
    expect(parsed.fields['pair']).toEqual([{ x: 1 }, { x: 1 }]);
    expect(parsed.fields['error']).toMatchObject({
      name: 'SkyStackError',
      message: 'outer',
      code: 'BASE_TEST',
      cause: { name: 'Error', message: 'root cause' },
    });
    expect('gone' in parsed.fields).toBe(false);
  });

  it('survives a value whose toJSON throws, keeping the rest of the record', () => {
    const hostile = {
      toJSON(): never {
        throw new Error('nope');
      },
    };
    const line = new JsonFormatter().format(record({ fields: { hostile } }));
    expect(JSON.parse(line)).toMatchObject({
      level: 'INFO',
      message: 'Ingested 12 files',
      fields: { unserializable: '[Unserializable: nope]' },
    });
    expect(new TextFormatter({ timestamps: false }).format(record({ fields: { hostile } }))).toBe(
      'INFO skystack.butler: Ingested 12 files hostile="[Unserializable: nope]"',
    );
  });

  it('stops at a self-referencing error cause', () => {
    const error = new Error('loop');
    (error as { cause?: unknown }).cause = error;
    const parsed = JSON.parse(new JsonFormatter().format(record({ fields: { error } }))) as {
      fields: { error: { cause: { cause: unknown } } };
    };
    expect(parsed.fields.error.cause.cause).toBeDefined();
  });
});
