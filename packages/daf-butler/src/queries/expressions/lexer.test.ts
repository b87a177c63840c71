/**
 * The `where` lexer against daf_butler's lexer tests (the [lexer] section of the shared fixture
 * query-expressions.txt): one case per fixture line.
 */
import { describe, expect, it } from 'vitest';
import { ExpressionSyntaxError } from '../../errors.js';
import { lexTokens, type RangeValue, type Token, tokenize, type TokenType } from './lexer.js';
import { EXPRESSION_FIXTURE, expressionFixtureSection } from '../../../test/query-expressions-fixture.js';


const TYPES: ReadonlySet<string> = new Set<TokenType>([
  'NUMERIC_LITERAL', 'TIME_LITERAL', 'STRING_LITERAL', 'RANGE_LITERAL', 'QUALIFIED_IDENTIFIER', 'SIMPLE_IDENTIFIER',
  'BIND_NAME', 'LPAREN', 'RPAREN', 'EQ', 'NE', 'LT', 'LE', 'GT', 'GE', 'ADD', 'SUB', 'MUL', 'DIV', 'MOD', 'COMMA',
  'NOT', 'IN', 'OR', 'AND', 'OVERLAPS',
]);

interface Expected {
  type: string;
  value?: string;
  range?: RangeValue;
}

interface ExpectedError {
  remain?: string;
  pos?: number;
  lineno?: number;
}

/** Reads the fixture's informal token list (`EQ '=', NUMERIC_LITERAL values '0','100', 3 x STRING_LITERAL 'x', …`). */
function expectedTokens(text: string): { tokens: Expected[]; error: ExpectedError | undefined } {
  const tokens: Expected[] = [];
  let error: ExpectedError | undefined;
  let lastType: string | undefined;
  let valueSlot = false; // the last token was just named and may take a bare value
  let times = 1;
  let rest = text;
  const take = (re: RegExp): RegExpExecArray | null => {
    const m = re.exec(rest);
    if (m) rest = rest.slice(m[0].length);
    return m;
  };
  const addValue = (value: Partial<Expected>) => {
    const last = tokens[tokens.length - 1];
    if (valueSlot && last !== undefined) Object.assign(last, value);
    else if (lastType !== undefined) tokens.push({ type: lastType, ...value });
    valueSlot = false;
  };
  while (rest.length > 0) {
    let m: RegExpExecArray | null;
    if (take(/^[\s]+/)) continue;
    if (take(/^,/)) {
      valueSlot = false;
      continue;
    }
    if ((m = take(/^(?:then )?ParserLexError(.*)$/))) {
      error = {};
      const remain = /remain='([^']*)'/.exec(m[1]!);
      const pos = /pos=(\d+)/.exec(m[1]!);
      const lineno = /lineno=(\d+)/.exec(m[1]!);
      if (remain) error.remain = remain[1]!;
      if (pos) error.pos = Number(pos[1]);
      if (lineno) error.lineno = Number(lineno[1]);
      break;
    }
    if ((m = take(/^\((-?\d+),(-?\d+),(None|\d+)\)/))) {
      addValue({ range: { start: Number(m[1]), stop: Number(m[2]), stride: m[3] === 'None' ? undefined : Number(m[3]) } });
      continue;
    }
    if (take(/^\([^)]*\)/)) continue; // a note
    if ((m = take(/^(\d+) x /))) {
      times = Number(m[1]);
      continue;
    }
    if (take(/^values\b/)) continue;
    if ((m = take(/^'([^']*)'/))) {
      addValue({ value: m[1]! });
      continue;
    }
    if ((m = take(/^([A-Z][A-Z_]+)\b/)) && TYPES.has(m[1]!)) {
      for (let i = 0; i < times; i++) tokens.push({ type: m[1]! });
      times = 1;
      lastType = m[1]!;
      valueSlot = true;
      continue;
    }
    if (m) {
      // An upper-case word that is not a token type: a bare value.
      if (valueSlot) addValue({ value: m[1]! });
      continue;
    }
    m = take(/^[^\s,]+/);
    if (valueSlot && lastType !== undefined) addValue({ value: m![0] });
  }
  // "3 x STRING_LITERAL 'string'": the value applies to every repeated token.
  for (let i = tokens.length - 2; i >= 0; i--) {
    const a = tokens[i]!;
    const b = tokens[i + 1]!;
    if (a.value === undefined && a.range === undefined && a.type === b.type && b.value !== undefined) a.value = b.value;
  }
  return { tokens, error };
}

function checkTokens(actual: Token[], expected: Expected[]): void {
  expect(actual.map((t) => t.type)).toEqual(expected.map((t) => t.type));
  expected.forEach((e, i) => {
    const a = actual[i]!;
    if (['NOT', 'IN', 'OR', 'AND', 'OVERLAPS'].includes(e.type)) expect(a.value).toBe(e.type);
    if (e.value !== undefined) expect(a.value).toBe(e.value);
    if (e.range !== undefined) expect(a.range).toEqual(e.range);
  });
}

const rows = expressionFixtureSection('lexer').map(([expr, result, expected]) => ({
  expression: JSON.parse(expr!) as string,
  result: result!,
  expected: expected!,
}));

describe.skipIf(EXPRESSION_FIXTURE === undefined)('daf_butler lexer cases (query-expressions.txt [lexer])', () => {
  it('has the fixture lines', () => {
    expect(rows.length).toBeGreaterThan(20);
  });

  it.each(rows)('$result $expression', ({ expression, result, expected }) => {
    const want = expectedTokens(expected);
    const got: Token[] = [];
    if (result === 'OK') {
      expect(want.error).toBeUndefined();
      got.push(...tokenize(expression));
      checkTokens(got, want.tokens);
      return;
    }
    expect(result).toBe('LEX_ERROR');
    let error: unknown;
    try {
      for (const t of lexTokens(expression)) got.push(t);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExpressionSyntaxError);
    const e = error as ExpressionSyntaxError;
    expect(e.kind).toBe('lex');
    checkTokens(got, want.tokens);
    if (want.error?.remain !== undefined) expect(e.token).toBe(want.error.remain);
    if (want.error?.pos !== undefined) expect(e.position).toBe(want.error.pos);
    if (want.error?.lineno !== undefined) expect(e.line).toBe(want.error.lineno);
  });
});

describe('tokenize details', () => {
  it('records positions and lines', () => {
    const tokens = tokenize("a\n  = 'x'");
    expect(tokens.map((t) => [t.type, t.position, t.line])).toEqual([
      ['SIMPLE_IDENTIFIER', 0, 1],
      ['EQ', 4, 2],
      ['STRING_LITERAL', 6, 2],
    ]);
  });

  it('reads lower-case time literals and MOD', () => {
    expect(tokenize("t'2020-01-01' % 2").map((t) => [t.type, t.value])).toEqual([
      ['TIME_LITERAL', '2020-01-01'],
      ['MOD', '%'],
      ['NUMERIC_LITERAL', '2'],
    ]);
  });
});
