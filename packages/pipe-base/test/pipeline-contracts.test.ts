import { describe, expect, test } from 'vitest';
import { checkContract, contractNames, evaluateContract, parseContract } from '../src/pipeline/contracts.js';
import { resolveTaskClassName, TASK_ALIASES } from '../src/pipeline/task-aliases.js';

const configs: Record<string, unknown> = {
  a: { connections: { outputs: 'calexp', n: 3 }, doX: true, flags: ['f1', 'f2'], border: 10 },
  b: { connections: { inputs: 'calexp' }, doY: false, sizeCellX: 8, items: new Map([['k', 1]]) },
};
const resolve = (label: string): unknown => configs[label];
const ev = (text: string): unknown => evaluateContract(text, resolve);

describe('contract evaluator', () => {
  test('comparisons, boolean logic, attribute access', () => {
    expect(ev('a.connections.outputs == b.connections.inputs')).toBe(true);
    expect(ev('a.doX and not b.doY')).toBe(true);
    expect(ev('a.border >= b.sizeCellX')).toBe(true);
    expect(ev('1 < a.connections.n <= 3')).toBe(true);
    expect(ev("'f1' in a.flags and 'f3' not in a.flags")).toBe(true);
    expect(ev("'k' in b.items")).toBe(true);
    expect(ev('a.doX or b.doY')).toBe(true);
    expect(ev('b.doY or 0')).toBe(0); // Python `or` returns an operand
    expect(ev('None is None and a is not None')).toBe(true);
  });

  test('conditional expressions, as in drp_pipe contracts', () => {
    expect(ev('b.doY == False if a.doX else True')).toBe(true);
    expect(ev("'f1' not in a.flags if b.doY else True")).toBe(true);
  });

  test('arithmetic, literals, len(), lists and tuples', () => {
    expect(ev('a.border + 2 * 3 ** 2 - 7 // 2 % 5')).toBe(10 + 18 - 3);
    expect(ev('-a.border / 4')).toBe(-2.5);
    expect(ev("a.connections.outputs + '.summaryStats'")).toBe('calexp.summaryStats');
    expect(ev('len(a.flags) == 2 and len("abc") == 3')).toBe(true);
    expect(ev("a.flags == ['f1', 'f2'] and (1, 2) == (1, 2) and [1] != (1,)")).toBe(true);
    expect(ev('a.flags[-1]')).toBe('f2');
    expect(ev('True == 1 and 1.0 == 1')).toBe(true);
    expect(ev('max(1, a.border, 3) == 10 and min([4, 2]) == 2')).toBe(true);
    expect(ev("r'a\\b' == 'a\\\\b' and 'x' 'y' == \"xy\"")).toBe(true);
  });

  test('calls into the object model get keyword arguments as one object', () => {
    const model = {
      calibrateImage: {
        connections: { ConnectionsClass: (kw: { config: { name: string } }) => ({ exposure: { name: `${kw.config.name}_exp` } }) },
        name: 'initial',
      },
    };
    const text = 'calibrateImage.connections.ConnectionsClass(config=calibrateImage).exposure.name == "initial_exp"';
    expect(evaluateContract(text, (l) => (model as Record<string, unknown>)[l])).toBe(true);
  });

  test('checkContract throws ContractError with the message', () => {
    expect(() => checkContract({ contract: 'a.doX', msg: undefined }, resolve)).not.toThrow();
    expect(() => checkContract({ contract: 'b.doY', msg: 'doY must be on' }, resolve)).toThrow(
      expect.objectContaining({ code: 'PIPE_CONTRACT_FAILED', message: expect.stringContaining('doY must be on') }),
    );
  });

  test('evaluation errors: unknown names and attributes, prototype access', () => {
    expect(() => ev('c.x == 1')).toThrow(expect.objectContaining({ code: 'PIPE_CONTRACT_EVALUATION', position: 0 }));
    expect(() => ev('a.nope == 1')).toThrow(/has no attribute 'nope'/);
    expect(() => ev('a.constructor')).toThrow(/not allowed/);
    expect(() => ev('a.__class__')).toThrow(/not allowed/);
    expect(() => ev('a.toString()')).toThrow(/has no attribute 'toString'/);
    expect(() => ev('a.flags.push')).toThrow(/has no attribute/);
    expect(() => ev("a.border + 'x'")).toThrow(/unsupported operand/);
  });

  test('unsupported syntax gives the contract and the position', () => {
    const cases: [string, number, RegExp][] = [
      ['lambda x: x', 0, /lambda/],
      ['[x for x in a.flags]', 3, /comprehensions/],
      ['a.flags[0:1]', 7, /slices/],
      ['{1: 2}', 0, /dict and set/],
      ['a.border | 1', 9, /bitwise/],
      ["f'{a}'", 0, /prefix 'f'/],
      ['(x := 1)', 3, /assignment/],
      ['a.doX ==', 8, /Expected an expression/],
      ['a.doX = 1', 6, /Unexpected token/],
      ['import os', 0, /keyword 'import'/],
    ];
    for (const [text, pos, re] of cases) {
      let err: unknown;
      try {
        parseContract(text);
      } catch (e) {
        err = e;
      }
      expect(err, text).toMatchObject({ code: 'PIPE_CONTRACT_SYNTAX', position: pos, contract: text });
      expect((err as Error).message, text).toMatch(re);
      expect((err as Error).message, text).toContain(text);
    }
  });

  test('contractNames lists the labels a contract uses', () => {
    expect(contractNames('a.x == b.y if c.z else len(d.w) > 0')).toEqual(['a', 'b', 'c', 'len', 'd']);
  });
});

describe('task aliases', () => {
  test('LSST names resolve to SkyStack specifiers', () => {
    expect(resolveTaskClassName('lsst.pipe.tasks.characterizeImage.CharacterizeImageTask')).toEqual({
      module: '@skystack/pipe-tasks',
      exportName: 'CharacterizeImageTask',
      lsstName: 'lsst.pipe.tasks.characterizeImage.CharacterizeImageTask',
    });
    expect(resolveTaskClassName('lsst.ip.isr.IsrTaskLSST')?.module).toBe('@skystack/ip-isr');
    expect(resolveTaskClassName('lsst.pipe.tasks.calibrate.CalibrateTask')?.exportName).toBe('CalibrateTask');
  });

  test('our own @skystack/x#Name form, and unknown LSST classes', () => {
    expect(resolveTaskClassName('@skystack/pipe-tasks#CalibrateImageTask')).toEqual({
      module: '@skystack/pipe-tasks',
      exportName: 'CalibrateImageTask',
      lsstName: 'lsst.pipe.tasks.calibrateImage.CalibrateImageTask',
    });
    expect(resolveTaskClassName('@skystack/my-pkg#MyTask')?.lsstName).toBeUndefined();
    expect(resolveTaskClassName('lsst.fgcmcal.fgcmFitCycle.FgcmFitCycleTask')).toBeUndefined();
    expect(() => resolveTaskClassName('not a class')).toThrow(/neither/);
  });

  test('every alias is a well-formed specifier', () => {
    for (const [lsst, spec] of TASK_ALIASES) {
      expect(spec).toMatch(/^@skystack\/[a-z-]+#[A-Z]\w+$/);
      expect(resolveTaskClassName(lsst)?.lsstName).toBe(lsst);
    }
  });
});
