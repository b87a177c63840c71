// A recursive-descent parser of the `where` language with daf_butler's grammar (its PLY/yacc
// grammar, precedences and tree), pulling tokens lazily so lexer and syntax errors come in
// the same order as in daf_butler.
//
//   input        := expr | (empty)
//   expr         := expr OR expr | expr AND expr | NOT expr | bool_primary      (OR < AND < NOT)
//   bool_primary := bool_primary (= | != | < | <= | > | >= | OVERLAPS) predicate | predicate
//   predicate    := bit_expr [NOT] IN ( in_item {, in_item} ) | bit_expr
//   bit_expr     := bit_expr (+ | -) bit_expr | bit_expr (* | / | %) bit_expr | simple_expr
//   simple_expr  := literal | identifier | bind | function_call | (+ | -) simple_expr
//                 | ( expr ) | ( expr , expr )
//   in_item      := literal | (+ | -) NUMERIC | identifier | bind | function_call (UUID)
//   function_call:= SIMPLE_IDENTIFIER ( [expr {, expr}] )
import { ExpressionSyntaxError } from '../../errors.js';
import { parseTimeLiteral } from '../../time/astro-time.js';
import { expressionError, lexTokens, type Token, type TokenType } from './lexer.js';
import {
  BinaryOp,
  BindName,
  functionCall,
  Identifier,
  IsIn,
  LiteralNode,
  type Node,
  NumericLiteral,
  Parens,
  RangeLiteral,
  StringLiteral,
  stripParens,
  TimeLiteral,
  TupleNode,
  UnaryOp,
} from './tree.js';

const COMPARISON: ReadonlySet<TokenType> = new Set(['EQ', 'NE', 'LT', 'LE', 'GT', 'GE', 'OVERLAPS']);
const ADDITIVE: ReadonlySet<TokenType> = new Set(['ADD', 'SUB']);
const MULTIPLICATIVE: ReadonlySet<TokenType> = new Set(['MUL', 'DIV', 'MOD']);

class Parser {
  private readonly tokens: Generator<Token, void, undefined>;
  private current: Token | undefined;

  constructor(private readonly text: string) {
    this.tokens = lexTokens(text);
    this.current = this.pull();
  }

  private pull(): Token | undefined {
    const next = this.tokens.next();
    return next.done === true ? undefined : next.value;
  }

  private advance(): Token {
    const token = this.current!;
    this.current = this.pull();
    return token;
  }

  private at(type: TokenType): boolean {
    return this.current?.type === type;
  }

  private syntaxError(token: Token | undefined = this.current): ExpressionSyntaxError {
    if (token === undefined) {
      return expressionError('syntax', 'Syntax error: end of input reached while expecting further input', this.text, this.text.length, undefined);
    }
    return expressionError('syntax', `Syntax error at or near '${token.value}'`, this.text, token.position, token.value);
  }

  private expect(type: TokenType): Token {
    if (!this.at(type)) throw this.syntaxError();
    return this.advance();
  }

  parseInput(): Node | undefined {
    if (this.current === undefined) return undefined;
    const tree = this.parseOr();
    if (this.current !== undefined) throw this.syntaxError();
    return tree;
  }

  /** `operand (op operand)*`, grouped to the left, while `isOperator()` holds. */
  private leftAssociative(operand: () => Node, isOperator: () => boolean): Node {
    let lhs = operand();
    while (isOperator()) {
      const op = this.advance().value;
      lhs = new BinaryOp(lhs, op, operand());
    }
    return lhs;
  }

  private parseOr(): Node {
    return this.leftAssociative(() => this.parseAnd(), () => this.at('OR'));
  }

  private parseAnd(): Node {
    return this.leftAssociative(() => this.parseNot(), () => this.at('AND'));
  }

  private parseNot(): Node {
    if (this.at('NOT')) {
      const op = this.advance().value;
      return new UnaryOp(op, this.parseNot());
    }
    return this.parseBoolPrimary();
  }

  private parseBoolPrimary(): Node {
    return this.leftAssociative(
      () => this.parsePredicate(),
      () => this.current !== undefined && COMPARISON.has(this.current.type),
    );
  }

  private parsePredicate(): Node {
    const lhs = this.parseBitExpr(0);
    let notIn = false;
    if (this.at('NOT')) {
      this.advance();
      notIn = true;
      if (!this.at('IN')) throw this.syntaxError();
    }
    if (!this.at('IN')) return lhs;
    this.advance();
    this.expect('LPAREN');
    const values: Node[] = [this.parseInItem()];
    while (this.at('COMMA')) {
      this.advance();
      values.push(this.parseInItem());
    }
    this.expect('RPAREN');
    return new IsIn(lhs, values, notIn);
  }

  /** Arithmetic by precedence climbing: level 0 is `+ -`, level 1 is `* / %`; all left-associative. */
  private parseBitExpr(level: number): Node {
    if (level > 1) return this.parseSimpleExpr();
    const ops = level === 0 ? ADDITIVE : MULTIPLICATIVE;
    let lhs = this.parseBitExpr(level + 1);
    while (this.current !== undefined && ops.has(this.current.type)) {
      const op = this.advance().value;
      lhs = new BinaryOp(lhs, op, this.parseBitExpr(level + 1));
    }
    return lhs;
  }

  private parseSimpleExpr(): Node {
    const token = this.current;
    if (token === undefined) throw this.syntaxError();
    switch (token.type) {
      case 'ADD':
      case 'SUB':
        // A sign outside IN lists is a unary operator (`-1` prints as `- 1`), as the yacc
        // grammar resolves its reduce/reduce conflict in favour of `literal : NUMERIC_LITERAL`.
        this.advance();
        return new UnaryOp(token.value, this.parseSimpleExpr());
      case 'LPAREN': {
        this.advance();
        const first = this.parseOr();
        if (this.at('COMMA')) {
          this.advance();
          const second = this.parseOr();
          this.expect('RPAREN');
          return new TupleNode([first, second]);
        }
        this.expect('RPAREN');
        return new Parens(first);
      }
      case 'SIMPLE_IDENTIFIER':
        this.advance();
        if (this.at('LPAREN')) return this.parseFunctionCall(token);
        return new Identifier(token.value);
      case 'QUALIFIED_IDENTIFIER':
        this.advance();
        return new Identifier(token.value);
      case 'BIND_NAME':
        this.advance();
        return new BindName(token.value);
      default: {
        const literal = this.parseLiteral();
        if (literal === undefined) throw this.syntaxError();
        return literal;
      }
    }
  }

  /** A literal token (number, string, time, range), or undefined when the current token is none. */
  private parseLiteral(): Node | undefined {
    const token = this.current;
    switch (token?.type) {
      case 'NUMERIC_LITERAL':
        this.advance();
        return new NumericLiteral(token.value);
      case 'STRING_LITERAL':
        this.advance();
        return new StringLiteral(token.value);
      case 'RANGE_LITERAL': {
        this.advance();
        const range = token.range!;
        return new RangeLiteral(range.start, range.stop, range.stride);
      }
      case 'TIME_LITERAL': {
        let time;
        try {
          time = parseTimeLiteral(token.value);
        } catch (e) {
          const reason = e instanceof Error ? e.message : String(e);
          throw expressionError('syntax', `Syntax error at or near time literal T'${token.value}' (${reason})`, this.text, token.position, token.value, e);
        }
        this.advance();
        return new TimeLiteral(time);
      }
      default:
        return undefined;
    }
  }

  private parseInItem(): Node {
    const token = this.current;
    if (token === undefined) throw this.syntaxError();
    switch (token.type) {
      case 'ADD':
      case 'SUB': {
        this.advance();
        const number = this.expect('NUMERIC_LITERAL');
        return new NumericLiteral(token.value + number.value);
      }
      case 'SIMPLE_IDENTIFIER': {
        this.advance();
        if (!this.at('LPAREN')) return new Identifier(token.value);
        const node = this.parseFunctionCall(token);
        const bare = stripParens(node);
        if (!(bare instanceof LiteralNode || bare instanceof BindName || bare instanceof Identifier)) {
          throw expressionError('type', `Unsupported type of expression in IN operator: ${node.toString()}`, this.text, token.position, token.value);
        }
        return node;
      }
      case 'QUALIFIED_IDENTIFIER':
        this.advance();
        return new Identifier(token.value);
      case 'BIND_NAME':
        this.advance();
        return new BindName(token.value);
      default: {
        const literal = this.parseLiteral();
        if (literal === undefined) throw this.syntaxError();
        return literal;
      }
    }
  }

  /** After the function name (already consumed) with `(` current. */
  private parseFunctionCall(name: Token): Node {
    this.expect('LPAREN');
    const args: Node[] = [];
    if (!this.at('RPAREN')) {
      args.push(this.parseOr());
      while (this.at('COMMA')) {
        this.advance();
        args.push(this.parseOr());
      }
    }
    this.expect('RPAREN');
    try {
      return functionCall(name.value, args);
    } catch (e) {
      if (!(e instanceof ExpressionSyntaxError)) throw e;
      throw expressionError(e.kind, e.message.replace(/\.$/, ''), this.text, name.position, name.value, e);
    }
  }
}

/**
 * Parses a `where` expression into a tree, as daf_butler's `ParserYacc().parse()` does.
 *
 * Precedence, lowest first: `OR`, `AND`, `NOT`, comparisons (`= != < <= > >= OVERLAPS`, chained
 * left to right), `[NOT] IN (…)`, `+ -`, `* / %`, unary `+ -`. Keywords and special function
 * names are case-insensitive. `IN` lists hold literals, ranges, signed numbers, identifiers,
 * binds and `UUID('…')`; parentheses around them are required. Tuples have exactly two items.
 * Unlike daf_butler's grammar (an accident of its `expr_list` rule), a leading comma in a
 * function's argument list (`f(, a)`) is a syntax error.
 *
 * @param text - the expression
 * @returns the tree, or undefined for an empty or blank expression (no constraint)
 * @throws {@link ExpressionSyntaxError} whose `kind` is `'lex'` for a character that starts no
 *   token, `'syntax'` for a misplaced token or a bad time literal, `'value'` for wrong arguments
 *   of POINT/CIRCLE/BOX/POLYGON/REGION/UUID, `'type'` for wrong GLOB/UUID argument types and
 *   function calls in `IN` lists that are not literals; the message quotes the line with a caret
 * @example
 * ```ts
 * parseExpression("visit IN (1..5:2) and band='i'")?.toString(); // "visit IN (1..5:2) AND band = 'i'"
 * ```
 * @see lsst.daf.butler.registry.queries.expressions.parser.ParserYacc
 */
export function parseExpression(text: string): Node | undefined {
  return new Parser(text).parseInput();
}
