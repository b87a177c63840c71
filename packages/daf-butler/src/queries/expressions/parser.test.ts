/**
 * The `where` parser against daf_butler's own parser tests (the [parser] and [visitor] sections
 * of the shared fixture query-expressions.txt): one case per fixture line.
 */
import { describe, expect, it } from 'vitest';
import { ExpressionSyntaxError, type ExpressionErrorKind } from '../../errors.js';
import { type AstroTime, timeToString } from '../../time/astro-time.js';
import { parseExpression } from './parser.js';
import { IsIn, type NumericLiteral, type RangeLiteral, type TimeLiteral, type TreeVisitor, UnaryOp, type UuidLiteral } from './tree.js';
import { EXPRESSION_FIXTURE, expressionFixtureSection } from '../../../test/query-expressions-fixture.js';


const KINDS: Record<string, ExpressionErrorKind> = {
  ParseError: 'syntax',
  ParserYaccError: 'lex',
  ValueError: 'value',
  TypeError: 'type',
};

function thrown(f: () => unknown): ExpressionSyntaxError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ExpressionSyntaxError);
    return e as ExpressionSyntaxError;
  }
  throw new Error('expected an ExpressionSyntaxError');
}

const parserRows = expressionFixtureSection('parser').map(([result, expr, canonical, method, note]) => ({
  result: result!,
  expression: JSON.parse(expr!) as string,
  canonical: canonical === '-' ? undefined : (JSON.parse(canonical!) as string),
  method: method!,
  note: note ?? '',
}));

describe.skipIf(EXPRESSION_FIXTURE === undefined)('daf_butler parser cases (query-expressions.txt [parser])', () => {
  it('has the fixture lines', () => {
    expect(parserRows.length).toBeGreaterThan(90);
  });

  it.each(parserRows)('$method: $result $expression', ({ result, expression, canonical, note }) => {
    if (result === 'OK') {
      const tree = parseExpression(expression);
      if (expression.trim() === '') {
        expect(tree).toBeUndefined();
        return;
      }
      expect(tree).toBeDefined();
      if (canonical !== undefined) expect(tree!.toString()).toBe(canonical);
      return;
    }
    const kind = KINDS[result];
    expect(kind, `unknown result ${result}`).toBeDefined();
    const error = thrown(() => parseExpression(expression));
    expect(error.kind).toBe(kind);
    expect(error.expression).toBe(expression);
    expect(error.message).toContain('^');
    const message = /message matches '(.*)'/.exec(note);
    if (message) expect(error.message).toContain(message[1]);
    const attrs = /token='(.*)' pos=(\d+) lineno=(\d+) posInLine=(\d+)/.exec(note);
    if (attrs) {
      expect(error.token).toBe(attrs[1]);
      expect(error.position).toBe(Number(attrs[2]));
      expect(error.line).toBe(Number(attrs[3]));
      expect(error.column).toBe(Number(attrs[4]));
    }
  });
});

/** The trivial visitor of daf_butler's testVisit, building strings. */
const stringVisitor: TreeVisitor<string> = {
  visitNumericLiteral: (value) => `N(${value})`,
  visitStringLiteral: (value) => `S(${value})`,
  visitTimeLiteral: (value: AstroTime) => `T(${timeToString(value)})`,
  visitUuidLiteral: (value) => `UUID(${value})`,
  visitRangeLiteral: (start, stop, stride) => `R(${start}..${stop}${stride === undefined ? '' : `:${stride}`})`,
  visitIdentifier: (name) => `ID(${name})`,
  visitBind: (name) => `:(${name})`,
  visitUnaryOp: (op, operand) => `U(${op} ${operand})`,
  visitBinaryOp: (op, lhs, rhs) => `B(${lhs} ${op} ${rhs})`,
  visitIsIn: (lhs, values, notIn) => `${notIn ? '!' : ''}IN(${lhs} (${values.join(', ')}))`,
  visitParens: (expression) => `P(${expression})`,
  visitTupleNode: (items) => `TUPLE(${items.join(', ')})`,
  visitFunctionCall: (name, args) => `${name}(${args.join(', ')})`,
  visitPointNode: (ra, dec) => `POINT(${ra}, ${dec})`,
  visitCircleNode: (ra, dec, radius) => `CIRCLE(${ra}, ${dec}, ${radius})`,
  visitBoxNode: (ra, dec, width, height) => `BOX(${ra}, ${dec}, ${width}, ${height})`,
  visitPolygonNode: (vertices) => `POLYGON(${vertices.flat().join(', ')})`,
  visitRegionNode: (pos) => `REGION(${pos})`,
  visitGlobNode: (expression, pattern) => `GLOB(${expression}, ${pattern})`,
};

const visitorRows = expressionFixtureSection('visitor').map(([expr, expected]) => ({
  expression: JSON.parse(expr!) as string,
  expected: JSON.parse(expected!) as string,
}));

describe.skipIf(EXPRESSION_FIXTURE === undefined)('daf_butler visitor cases (query-expressions.txt [visitor])', () => {
  it('has the fixture lines', () => {
    expect(visitorRows.length).toBeGreaterThan(5);
  });

  it.each(visitorRows)('$expression', ({ expression, expected }) => {
    expect(parseExpression(expression)!.visit(stringVisitor)).toBe(expected);
  });
});

describe('parseExpression details', () => {
  it('makes signed numbers in IN lists literals and elsewhere unary operators', () => {
    const isIn = parseExpression('10 in (-1000, +2000)') as IsIn;
    expect(isIn).toBeInstanceOf(IsIn);
    expect(isIn.values.map((v) => (v as NumericLiteral).value)).toEqual(['-1000', '+2000']);
    const unary = parseExpression('-1');
    expect(unary).toBeInstanceOf(UnaryOp);
  });

  it('keeps range and UUID values', () => {
    const isIn = parseExpression("x in (2000..3000:100, UUID('{38A42B54-0822-4DCE-93B7-47E9B0D8AD66}'))") as IsIn;
    const range = isIn.values[0] as RangeLiteral;
    expect([range.start, range.stop, range.stride]).toEqual([2000, 3000, 100]);
    expect((isIn.values[1] as UuidLiteral).value).toBe('38a42b54-0822-4dce-93b7-47e9b0d8ad66');
  });

  it('rejects bad UUIDs and non-literal calls in IN lists', () => {
    expect(thrown(() => parseExpression("id = UUID('not-a-uuid')")).kind).toBe('value');
    expect(thrown(() => parseExpression('id = UUID(:x)')).kind).toBe('type');
    expect(thrown(() => parseExpression('id in (POINT(1, 2))')).kind).toBe('type');
  });

  it('holds the TAI time of a time literal', () => {
    const t = parseExpression("T'mjd/58938.515/tai'") as TimeLiteral;
    expect(t.value.format).toBe('mjd');
    expect(t.value.scale).toBe('tai');
    expect(t.value.taiNs).toBe((58_938_515n - 40_587_000n) * 86_400_000_000n);
  });

  it('binds NOT looser than comparisons and tighter than AND', () => {
    const visit = (s: string) => parseExpression(s)!.visit(stringVisitor);
    expect(visit('NOT a < 1 AND b')).toBe('B(U(NOT B(ID(a) < N(1))) AND ID(b))');
    expect(visit('a OR b AND c')).toBe('B(ID(a) OR B(ID(b) AND ID(c)))');
    expect(visit('a - b - c * d % e')).toBe('B(B(ID(a) - ID(b)) - B(B(ID(c) * ID(d)) % ID(e)))');
    expect(visit('a = b < c')).toBe('B(B(ID(a) = ID(b)) < ID(c))');
  });

  it('treats blank input as no expression and points at errors with a caret', () => {
    expect(parseExpression('  \n ')).toBeUndefined();
    const e = thrown(() => parseExpression('a = 1 AND\n  b ='));
    expect(e.kind).toBe('syntax');
    expect(e.token).toBeUndefined();
    const lex = thrown(() => parseExpression('visit = 1 AND band = "g"'));
    expect(lex.kind).toBe('lex');
    expect(lex.column).toBe(21);
    expect(lex.message).toContain('visit = 1 AND band = "g"\n' + ' '.repeat(23) + '^');
  });
});
