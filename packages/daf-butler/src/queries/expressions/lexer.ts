// The tokens of the `where` language, matched as daf_butler's PLY lexer does: the rules are
// tried in a fixed order at each position and the first that matches wins (not the longest).
import { type ExpressionErrorKind, ExpressionSyntaxError } from '../../errors.js';

/** Token types, named as in daf_butler's `ParserLex.tokens`. */
export type TokenType =
  | 'NUMERIC_LITERAL' | 'TIME_LITERAL' | 'STRING_LITERAL' | 'RANGE_LITERAL' | 'QUALIFIED_IDENTIFIER'
  | 'SIMPLE_IDENTIFIER' | 'BIND_NAME' | 'LPAREN' | 'RPAREN' | 'EQ' | 'NE' | 'LT' | 'LE' | 'GT' | 'GE'
  | 'ADD' | 'SUB' | 'MUL' | 'DIV' | 'MOD' | 'COMMA' | 'NOT' | 'IN' | 'OR' | 'AND' | 'OVERLAPS';

/** The value of a `RANGE_LITERAL` token. */
export interface RangeValue {
  /** First value. */
  readonly start: number;
  /** Last value (included). */
  readonly stop: number;
  /** Step, undefined when not written. */
  readonly stride: number | undefined;
}

/** One token. */
export interface Token {
  /** The token type. */
  readonly type: TokenType;
  /**
   * The value: the text for operators, numbers and identifiers; the content without quotes for
   * strings and time literals (`T'…'`); the name without colon for binds; the upper-cased
   * keyword for reserved words; the matched text for ranges (see `range`).
   */
  readonly value: string;
  /** 0-based offset of the token in the text (PLY's `lexpos`). */
  readonly position: number;
  /** 1-based line of the token (PLY's `lineno`). */
  readonly line: number;
  /** For `RANGE_LITERAL`: start, stop and stride. */
  readonly range?: RangeValue;
}

/** Reserved words (case-insensitive). IS, NULL, BETWEEN and LIKE are not reserved, as in daf_butler. */
const RESERVED: ReadonlySet<string> = new Set(['NOT', 'IN', 'OR', 'AND', 'OVERLAPS']);

const IDENT = '[a-zA-Z_][a-zA-Z0-9_]*';

/** The rules, in PLY's order: function rules in definition order, then string rules by decreasing length. */
const RULES: readonly (readonly [TokenType, RegExp])[] = [
  ['TIME_LITERAL', /T'.*?'/iy],
  ['STRING_LITERAL', /'.*?'/y],
  ['RANGE_LITERAL', /(-?\d+)\s*\.\.\s*(-?\d+)(?:\s*:\s*([1-9]\d*))?/y],
  ['NUMERIC_LITERAL', /\d+(?:\.\d*)?(?:e[-+]?\d+)?|\.\d+(?:e[-+]?\d+)?/iy],
  ['QUALIFIED_IDENTIFIER', new RegExp(`${IDENT}(?:\\.${IDENT}){1,2}`, 'y')],
  ['SIMPLE_IDENTIFIER', new RegExp(IDENT, 'y')],
  ['BIND_NAME', new RegExp(`:${IDENT}`, 'y')],
  ['NE', /!=/y],
  ['LE', /<=/y],
  ['GE', />=/y],
  ['EQ', /=/y],
  ['LT', /</y],
  ['GT', />/y],
  ['ADD', /\+/y],
  ['SUB', /-/y],
  ['MUL', /\*/y],
  ['DIV', /\//y],
  ['MOD', /%/y],
  ['LPAREN', /\(/y],
  ['RPAREN', /\)/y],
  ['COMMA', /,/y],
];

/**
 * Makes an {@link ExpressionSyntaxError} pointing at a position of an expression: the message
 * ends with the offending line of the expression and a caret under the position.
 *
 * @param kind - which stage rejected the expression
 * @param what - the first part of the message, without the location
 * @param expression - the whole expression
 * @param position - 0-based offset in the expression
 * @param token - the offending token's value (for lexer errors, the remaining text)
 * @param cause - the underlying error, if any
 * @returns the error (to throw)
 */
export function expressionError(
  kind: ExpressionErrorKind,
  what: string,
  expression: string,
  position: number,
  token: string | undefined,
  cause?: unknown,
): ExpressionSyntaxError {
  const before = expression.slice(0, position);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const column = position - lineStart;
  const lineEnd = expression.indexOf('\n', position);
  const lineText = expression.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
  const message = `${what} (line: ${line}, pos: ${column + 1}):\n  ${lineText}\n  ${' '.repeat(column)}^`;
  return new ExpressionSyntaxError(message, { kind, expression, position, line, column, token }, cause === undefined ? {} : { cause });
}

/**
 * Splits an expression into tokens lazily, as daf_butler's lexer does (spaces and tabs are
 * skipped, newlines counted; a carriage return is also skipped, unlike PLY).
 *
 * Strings have no escapes and cannot hold a newline; numbers are kept as text; a range is
 * `START..STOP[:STRIDE]` with optional spaces and a stride ≥ 1; qualified identifiers have one or
 * two dots; keywords are case-insensitive and their value is upper-cased. The lexer does not
 * check time literals.
 *
 * @param text - the expression
 * @returns a generator of tokens
 * @throws {@link ExpressionSyntaxError} (`kind` `'lex'`, `token` the rest of the text) at the
 *   first character that starts no token, when the generator reaches it
 * @see lsst.daf.butler.registry.queries.expressions.parser.parserLex.ParserLex
 */
export function* lexTokens(text: string): Generator<Token, void, undefined> {
  let pos = 0;
  let line = 1;
  outer: while (pos < text.length) {
    const c = text[pos]!;
    if (c === ' ' || c === '\t' || c === '\r') {
      pos++;
      continue;
    }
    if (c === '\n') {
      line++;
      pos++;
      continue;
    }
    for (const [type, re] of RULES) {
      re.lastIndex = pos;
      const m = re.exec(text);
      if (m === null) continue;
      const raw = m[0];
      const start = pos;
      pos += raw.length;
      switch (type) {
        case 'TIME_LITERAL':
          yield { type, value: raw.slice(2, -1), position: start, line };
          break;
        case 'STRING_LITERAL':
          yield { type, value: raw.slice(1, -1), position: start, line };
          break;
        case 'RANGE_LITERAL':
          yield {
            type,
            value: raw,
            position: start,
            line,
            range: { start: Number(m[1]), stop: Number(m[2]), stride: m[3] === undefined ? undefined : Number(m[3]) },
          };
          break;
        case 'BIND_NAME':
          yield { type, value: raw.slice(1), position: start, line };
          break;
        case 'SIMPLE_IDENTIFIER': {
          const upper = raw.toUpperCase();
          if (RESERVED.has(upper)) yield { type: upper as TokenType, value: upper, position: start, line };
          else yield { type, value: raw, position: start, line };
          break;
        }
        default:
          yield { type, value: raw, position: start, line };
      }
      continue outer;
    }
    const rest = text.slice(pos);
    throw expressionError('lex', `Unexpected character '${c === '\n' ? '\\n' : c}' in query expression`, text, pos, rest);
  }
}

/**
 * Splits a whole expression into tokens (see {@link lexTokens}).
 *
 * @param text - the expression
 * @returns the tokens
 * @throws {@link ExpressionSyntaxError} (`kind` `'lex'`) at the first character that starts no token
 * @example
 * ```ts
 * tokenize('visit IN (1..5:2)').map((t) => t.type); // ['SIMPLE_IDENTIFIER', 'IN', 'LPAREN', 'RANGE_LITERAL', 'RPAREN']
 * ```
 */
export function tokenize(text: string): Token[] {
  return [...lexTokens(text)];
}
