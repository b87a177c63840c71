import { ContractError, ContractEvaluationError, ContractSyntaxError } from './errors.js';
import type { ContractIR } from './pipeline-ir.js';

/**
 * A node of a parsed contract expression. `pos` is the 0-based offset of the node's first
 * character in the contract text.
 */
export type ContractNode =
  | {
      /** A literal: string, number, `True`/`False` or `None`. */
      readonly kind: 'literal';
      /** 0-based offset of the literal in the contract text. */
      readonly pos: number;
      /** The literal's value (`None` is `null`). */
      readonly value: string | number | boolean | null;
    }
  | {
      /** A bare name, normally a task label. */
      readonly kind: 'name';
      /** 0-based offset of the name in the contract text. */
      readonly pos: number;
      /** The name. */
      readonly name: string;
    }
  | {
      /** Attribute access, `object.name`. */
      readonly kind: 'attribute';
      /** 0-based offset of the expression's first character. */
      readonly pos: number;
      /** The expression whose attribute is read. */
      readonly object: ContractNode;
      /** The attribute name. */
      readonly name: string;
    }
  | {
      /** Subscript, `object[index]`. */
      readonly kind: 'index';
      /** 0-based offset of the expression's first character. */
      readonly pos: number;
      /** The expression being indexed. */
      readonly object: ContractNode;
      /** The index expression. */
      readonly index: ContractNode;
    }
  | {
      /** Function call, `callee(args, name=value)`. */
      readonly kind: 'call';
      /** 0-based offset of the expression's first character. */
      readonly pos: number;
      /** The expression being called. */
      readonly callee: ContractNode;
      /** Positional arguments, in order. */
      readonly args: readonly ContractNode[];
      /** Keyword arguments as `[name, value]` pairs, in order. */
      readonly kwargs: readonly (readonly [string, ContractNode])[];
    }
  | {
      /** Unary operation, `not x`, `-x` or `+x`. */
      readonly kind: 'unary';
      /** 0-based offset of the operator. */
      readonly pos: number;
      /** The operator. */
      readonly op: 'not' | '-' | '+';
      /** The operand. */
      readonly operand: ContractNode;
    }
  | {
      /** Arithmetic operation, `left op right`. */
      readonly kind: 'binary';
      /** 0-based offset of the expression's first character. */
      readonly pos: number;
      /** The arithmetic operator. */
      readonly op: BinaryOp;
      /** The left operand. */
      readonly left: ContractNode;
      /** The right operand. */
      readonly right: ContractNode;
    }
  | {
      /** Short-circuit boolean operation, `left and right` or `left or right`. */
      readonly kind: 'bool';
      /** 0-based offset of the expression's first character. */
      readonly pos: number;
      /** The boolean operator. */
      readonly op: 'and' | 'or';
      /** The left operand. */
      readonly left: ContractNode;
      /** The right operand. */
      readonly right: ContractNode;
    }
  | {
      /** Comparison chain, `first op1 x1 op2 x2 ...` (as in Python). */
      readonly kind: 'compare';
      /** 0-based offset of the expression's first character. */
      readonly pos: number;
      /** The leftmost operand. */
      readonly first: ContractNode;
      /** The following `[operator, operand]` pairs, left to right. */
      readonly rest: readonly (readonly [CompareOp, ContractNode])[];
    }
  | {
      /** Conditional expression, `then if test else otherwise`. */
      readonly kind: 'conditional';
      /** 0-based offset of the expression's first character. */
      readonly pos: number;
      /** The condition. */
      readonly test: ContractNode;
      /** The value when the condition is true. */
      readonly then: ContractNode;
      /** The value when the condition is false. */
      readonly otherwise: ContractNode;
    }
  | {
      /** List `[...]` or tuple `(...)` literal. */
      readonly kind: 'list';
      /** 0-based offset of the opening bracket. */
      readonly pos: number;
      /** Whether it is a tuple (parentheses) rather than a list. */
      readonly tuple: boolean;
      /** The elements, in order. */
      readonly items: readonly ContractNode[];
    };

/** Arithmetic operators of contract expressions. */
export type BinaryOp = '+' | '-' | '*' | '/' | '//' | '%' | '**';
/** Comparison operators of contract expressions (chainable, as in Python). */
export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in' | 'is' | 'is not';

/**
 * Resolves a name used in a contract (normally a task label) to the object the expression
 * navigates, e.g. that task's config. Returning `undefined` makes the name unknown.
 */
export type ContractResolver = (name: string) => unknown;

interface Token {
  readonly type: 'name' | 'number' | 'string' | 'op' | 'end';
  readonly text: string;
  readonly value?: string | number;
  readonly pos: number;
}

const KEYWORDS_UNSUPPORTED = new Set(['lambda', 'for', 'yield', 'await', 'async', 'import', 'del', 'global', 'nonlocal', 'with', 'def', 'class', 'return', 'assert', 'raise', 'from', 'as', 'while', 'try', 'except', 'finally', 'pass', 'break', 'continue']);
const OPERATORS = ['**', '//', '==', '!=', '<=', '>=', ':=', '->', '<<', '>>', '+', '-', '*', '/', '%', '<', '>', '(', ')', '[', ']', '{', '}', ',', '.', ':', '|', '&', '^', '~', '@', '='];

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] ?? '';
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '\\' && (src[i + 1] === '\n' || src[i + 1] === '\r')) {
      i += 2;
      continue;
    }
    if (c === '#') throw new ContractSyntaxError('Comments are not allowed', src, i);
    const start = i;
    if (/[A-Za-z_]/.test(c)) {
      while (i < src.length && /\w/.test(src[i] ?? '')) i++;
      const word = src.slice(start, i);
      if ((src[i] === "'" || src[i] === '"') && /^[rRbBuUfF]{1,2}$/.test(word)) {
        if (/[fFbB]/.test(word)) throw new ContractSyntaxError(`String prefix '${word}' is not supported`, src, start);
        const [value, end] = readString(src, i, /[rR]/.test(word));
        tokens.push({ type: 'string', text: src.slice(start, end), value, pos: start });
        i = end;
        continue;
      }
      tokens.push({ type: 'name', text: word, pos: start });
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][+-]?\d+)?|\d[\d_]*\.)/.exec(src.slice(i));
      const text = m?.[0] ?? c;
      const clean = text.replace(/_/g, '');
      let value: number;
      if (/^0[xX]/.test(clean)) value = parseInt(clean.slice(2), 16);
      else if (/^0[oO]/.test(clean)) value = parseInt(clean.slice(2), 8);
      else if (/^0[bB]/.test(clean)) value = parseInt(clean.slice(2), 2);
      else value = Number(clean);
      if (/^[jJ]/.test(src[i + text.length] ?? '')) throw new ContractSyntaxError('Complex numbers are not supported', src, start);
      tokens.push({ type: 'number', text, value, pos: start });
      i += text.length;
      continue;
    }
    if (c === "'" || c === '"') {
      const [value, end] = readString(src, i, false);
      tokens.push({ type: 'string', text: src.slice(start, end), value, pos: start });
      i = end;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op === undefined) throw new ContractSyntaxError(`Unexpected character '${c}'`, src, i);
    tokens.push({ type: 'op', text: op, pos: start });
    i += op.length;
  }
  tokens.push({ type: 'end', text: '', pos: src.length });
  return tokens;
}

function readString(src: string, start: number, raw: boolean): [string, number] {
  const quote = src[start] ?? '"';
  const triple = src.startsWith(quote.repeat(3), start);
  const delim = triple ? quote.repeat(3) : quote;
  let i = start + delim.length;
  let out = '';
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v' };
  while (i < src.length) {
    if (src.startsWith(delim, i)) return [out, i + delim.length];
    const c = src[i] ?? '';
    if (!triple && c === '\n') break;
    if (c === '\\') {
      const n = src[i + 1] ?? '';
      if (raw) {
        out += c + n;
        i += 2;
        continue;
      }
      if (n === '\n') {
        i += 2;
        continue;
      }
      const e = escapes[n];
      if (e !== undefined) {
        out += e;
        i += 2;
        continue;
      }
      if (n === 'x' || n === 'u') {
        const len = n === 'x' ? 2 : 4;
        const hex = src.slice(i + 2, i + 2 + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new ContractSyntaxError('Bad escape sequence', src, i);
        out += String.fromCharCode(parseInt(hex, 16));
        i += 2 + len;
        continue;
      }
      out += c + n;
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
  throw new ContractSyntaxError('Unterminated string literal', src, start);
}

class Parser {
  private i = 0;
  constructor(
    private readonly src: string,
    private readonly tokens: readonly Token[],
  ) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)] as Token;
  }
  private next(): Token {
    const t = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }
  private isOp(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.type === 'op' && t.text === text;
  }
  private isName(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.type === 'name' && t.text === text;
  }
  private expectOp(text: string): Token {
    const t = this.peek();
    if (t.type !== 'op' || t.text !== text) this.fail(`Expected '${text}'`, t);
    return this.next();
  }
  private fail(message: string, t: Token = this.peek()): never {
    const found = t.type === 'end' ? 'end of contract' : `'${t.text}'`;
    throw new ContractSyntaxError(`${message}, found ${found}`, this.src, t.pos);
  }
  private unsupported(what: string, t: Token): never {
    throw new ContractSyntaxError(`Unsupported syntax: ${what}`, this.src, t.pos);
  }

  parse(): ContractNode {
    if (this.peek().type === 'end') this.fail('Empty contract');
    const node = this.test();
    const t = this.peek();
    if (t.type !== 'end') {
      if (t.type === 'name' && t.text === 'for') this.unsupported('comprehensions', t);
      if (t.type === 'op' && t.text === ',') this.unsupported('a bare tuple (wrap it in parentheses)', t);
      this.fail('Unexpected token');
    }
    return node;
  }

  private test(): ContractNode {
    const t = this.peek();
    if (t.type === 'name' && t.text === 'lambda') this.unsupported('lambda', t);
    const node = this.orTest();
    if (this.isName('if')) {
      this.next();
      const test = this.orTest();
      if (!this.isName('else')) this.fail("Expected 'else' in a conditional expression");
      this.next();
      const otherwise = this.test();
      return { kind: 'conditional', pos: node.pos, test, then: node, otherwise };
    }
    if (this.isOp(':=')) this.unsupported("assignment expressions (':=')", this.peek());
    return node;
  }

  private orTest(): ContractNode {
    let left = this.andTest();
    while (this.isName('or')) {
      this.next();
      left = { kind: 'bool', pos: left.pos, op: 'or', left, right: this.andTest() };
    }
    return left;
  }

  private andTest(): ContractNode {
    let left = this.notTest();
    while (this.isName('and')) {
      this.next();
      left = { kind: 'bool', pos: left.pos, op: 'and', left, right: this.notTest() };
    }
    return left;
  }

  private notTest(): ContractNode {
    if (this.isName('not')) {
      const t = this.next();
      return { kind: 'unary', pos: t.pos, op: 'not', operand: this.notTest() };
    }
    return this.comparison();
  }

  private compareOp(): CompareOp | undefined {
    const t = this.peek();
    if (t.type === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.text)) {
      this.next();
      return t.text as CompareOp;
    }
    if (t.type === 'name' && t.text === 'in') {
      this.next();
      return 'in';
    }
    if (t.type === 'name' && t.text === 'not' && this.isName('in', 1)) {
      this.next();
      this.next();
      return 'not in';
    }
    if (t.type === 'name' && t.text === 'is') {
      this.next();
      if (this.isName('not')) {
        this.next();
        return 'is not';
      }
      return 'is';
    }
    return undefined;
  }

  private comparison(): ContractNode {
    const first = this.bitwise();
    const rest: [CompareOp, ContractNode][] = [];
    for (let op = this.compareOp(); op !== undefined; op = this.compareOp()) rest.push([op, this.bitwise()]);
    return rest.length === 0 ? first : { kind: 'compare', pos: first.pos, first, rest };
  }

  private bitwise(): ContractNode {
    const node = this.arith();
    const t = this.peek();
    if (t.type === 'op' && ['|', '&', '^', '<<', '>>'].includes(t.text)) this.unsupported(`bitwise operator '${t.text}'`, t);
    return node;
  }

  private arith(): ContractNode {
    let left = this.term();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.next().text as BinaryOp;
      left = { kind: 'binary', pos: left.pos, op, left, right: this.term() };
    }
    return left;
  }

  private term(): ContractNode {
    let left = this.factor();
    while (this.isOp('*') || this.isOp('/') || this.isOp('//') || this.isOp('%') || this.isOp('@')) {
      const t = this.next();
      if (t.text === '@') this.unsupported("matrix multiplication '@'", t);
      left = { kind: 'binary', pos: left.pos, op: t.text as BinaryOp, left, right: this.factor() };
    }
    return left;
  }

  private factor(): ContractNode {
    if (this.isOp('-') || this.isOp('+')) {
      const t = this.next();
      return { kind: 'unary', pos: t.pos, op: t.text as '-' | '+', operand: this.factor() };
    }
    if (this.isOp('~')) this.unsupported("bitwise operator '~'", this.peek());
    return this.power();
  }

  private power(): ContractNode {
    const base = this.primary();
    if (this.isOp('**')) {
      this.next();
      return { kind: 'binary', pos: base.pos, op: '**', left: base, right: this.factor() };
    }
    return base;
  }

  private primary(): ContractNode {
    let node = this.atom();
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        const t = this.next();
        if (t.type !== 'name') this.fail('Expected an attribute name after "."', t);
        node = { kind: 'attribute', pos: node.pos, object: node, name: t.text };
      } else if (this.isOp('(')) {
        this.next();
        const args: ContractNode[] = [];
        const kwargs: [string, ContractNode][] = [];
        while (!this.isOp(')')) {
          if (this.isOp('*') || this.isOp('**')) this.unsupported('argument unpacking', this.peek());
          if (this.peek().type === 'name' && this.isOp('=', 1)) {
            const name = this.next().text;
            this.next();
            kwargs.push([name, this.test()]);
          } else {
            if (kwargs.length > 0) this.fail('Positional argument after keyword argument');
            args.push(this.test());
          }
          if (this.isName('for')) this.unsupported('generator expressions', this.peek());
          if (!this.isOp(')')) this.expectOp(',');
        }
        this.next();
        node = { kind: 'call', pos: node.pos, callee: node, args, kwargs };
      } else if (this.isOp('[')) {
        const open = this.next();
        const index = this.test();
        if (this.isOp(':')) this.unsupported('slices', open);
        this.expectOp(']');
        node = { kind: 'index', pos: node.pos, object: node, index };
      } else {
        return node;
      }
    }
  }

  private atom(): ContractNode {
    const t = this.peek();
    if (t.type === 'number') {
      this.next();
      return { kind: 'literal', pos: t.pos, value: t.value as number };
    }
    if (t.type === 'string') {
      this.next();
      let value = t.value as string;
      while (this.peek().type === 'string') value += this.next().value as string; // implicit concatenation
      return { kind: 'literal', pos: t.pos, value };
    }
    if (t.type === 'name') {
      if (t.text === 'True' || t.text === 'False' || t.text === 'None') {
        this.next();
        return { kind: 'literal', pos: t.pos, value: t.text === 'None' ? null : t.text === 'True' };
      }
      if (KEYWORDS_UNSUPPORTED.has(t.text)) this.unsupported(`keyword '${t.text}'`, t);
      if (['and', 'or', 'not', 'in', 'is', 'if', 'else'].includes(t.text)) this.fail('Expected an expression');
      this.next();
      return { kind: 'name', pos: t.pos, name: t.text };
    }
    if (t.type === 'op' && (t.text === '(' || t.text === '[')) {
      this.next();
      const close = t.text === '(' ? ')' : ']';
      const items: ContractNode[] = [];
      let sawComma = false;
      while (!this.isOp(close)) {
        items.push(this.test());
        if (this.isName('for')) this.unsupported('comprehensions', this.peek());
        if (this.isOp(close)) break;
        this.expectOp(',');
        sawComma = true;
      }
      this.next();
      if (t.text === '(' && items.length === 1 && !sawComma) return items[0] as ContractNode;
      return { kind: 'list', pos: t.pos, tuple: t.text === '(', items };
    }
    if (t.type === 'op' && t.text === '{') this.unsupported('dict and set displays', t);
    this.fail('Expected an expression', t);
  }
}

/**
 * Parses a contract string (a Python expression) into a syntax tree, without evaluating it.
 *
 * Accepted: `and`/`or`/`not`, chained comparisons (`==`, `!=`, `<`, `<=`, `>`, `>=`, `in`,
 * `not in`, `is`, `is not`), `x if c else y`, `+ - * / // % **`, unary `-`/`+`, attribute
 * access, indexing, calls with positional and keyword arguments, string (incl. `r''` and
 * implicit concatenation), number, `True`/`False`/`None`, list and tuple literals. Anything else
 * (lambda, comprehensions, slices, dict/set displays, bitwise operators, f-strings, `:=`) is
 * rejected with a {@link ContractSyntaxError} giving the position.
 *
 * @param contract - the contract text
 * @returns the syntax tree
 * @throws {@link ContractSyntaxError} on unsupported or invalid syntax
 * @example
 * ```ts
 * const node = parseContract('a.connections.outputs == b.connections.inputs');
 * node.kind; // 'compare'
 * ```
 * @see lsst.pipe.base.pipelineIR.ContractIR (evaluated there with Python's `eval`)
 */
export function parseContract(contract: string): ContractNode {
  return new Parser(contract, tokenize(contract)).parse();
}

/**
 * The free names a contract refers to (task labels, plus builtins such as `len`), in order of
 * first use.
 *
 * @param node - a parsed contract (or its text)
 * @returns the names
 * @example
 * ```ts
 * contractNames('a.x == b.y if c.z else True'); // ['a', 'b', 'c']
 * ```
 */
export function contractNames(node: ContractNode | string): string[] {
  const root = typeof node === 'string' ? parseContract(node) : node;
  const names: string[] = [];
  const visit = (n: ContractNode): void => {
    switch (n.kind) {
      case 'name':
        if (!names.includes(n.name)) names.push(n.name);
        return;
      case 'literal':
        return;
      case 'attribute':
        return visit(n.object);
      case 'index':
        visit(n.object);
        return visit(n.index);
      case 'call':
        visit(n.callee);
        n.args.forEach(visit);
        n.kwargs.forEach(([, v]) => visit(v));
        return;
      case 'unary':
        return visit(n.operand);
      case 'binary':
      case 'bool':
        visit(n.left);
        return visit(n.right);
      case 'compare':
        visit(n.first);
        n.rest.forEach(([, v]) => visit(v));
        return;
      case 'conditional':
        visit(n.then);
        visit(n.test);
        return visit(n.otherwise);
      case 'list':
        n.items.forEach(visit);
        return;
    }
  };
  visit(root);
  return names;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

class PyTuple {
  constructor(readonly items: readonly unknown[]) {}
}

const FORBIDDEN_ATTRIBUTES = new Set(['__proto__', 'constructor', 'prototype', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);
const SHARED_PROTOTYPES: readonly object[] = [Object.prototype, Function.prototype, Array.prototype, String.prototype, Number.prototype, Boolean.prototype, Map.prototype, Set.prototype];

function pyTypeName(x: unknown): string {
  if (x === null || x === undefined) return 'NoneType';
  if (typeof x === 'boolean') return 'bool';
  if (typeof x === 'number') return Number.isInteger(x) ? 'int' : 'float';
  if (typeof x === 'string') return 'str';
  if (Array.isArray(x)) return 'list';
  if (x instanceof PyTuple) return 'tuple';
  if (x instanceof Map) return 'dict';
  if (x instanceof Set) return 'set';
  if (typeof x === 'function') return 'function';
  return (x as object).constructor?.name ?? 'object';
}

/** Python truthiness. */
function truthy(x: unknown): boolean {
  if (x === null || x === undefined || x === false || x === 0 || x === '') return false;
  if (Array.isArray(x)) return x.length > 0;
  if (x instanceof PyTuple) return x.items.length > 0;
  if (x instanceof Map || x instanceof Set) return x.size > 0;
  return true;
}

function seq(x: unknown): readonly unknown[] | undefined {
  if (Array.isArray(x)) return x;
  if (x instanceof PyTuple) return x.items;
  return undefined;
}

function asNumber(x: unknown): number | undefined {
  if (typeof x === 'number') return x;
  if (typeof x === 'boolean') return x ? 1 : 0;
  return undefined;
}

/** Python `==`. Objects with an `equals(other)` method decide for themselves. */
function pyEquals(a: unknown, b: unknown): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === b) return true;
  const na = asNumber(a);
  const nb = asNumber(b);
  if (na !== undefined && nb !== undefined) return na === nb;
  if (Array.isArray(a) !== Array.isArray(b) || a instanceof PyTuple !== b instanceof PyTuple) return false;
  const sa = seq(a);
  const sb = seq(b);
  if (sa !== undefined && sb !== undefined) return sa.length === sb.length && sa.every((x, i) => pyEquals(x, sb[i]));
  if (a instanceof Map && b instanceof Map) {
    return a.size === b.size && [...a].every(([k, v]) => b.has(k) && pyEquals(v, b.get(k)));
  }
  if (a instanceof Set && b instanceof Set) return a.size === b.size && [...a].every((x) => b.has(x));
  if (typeof a === 'object' && a !== null && typeof (a as { equals?: unknown }).equals === 'function') {
    return Boolean((a as { equals: (o: unknown) => unknown }).equals(b));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const pa = Object.getPrototypeOf(a) as unknown;
    const pb = Object.getPrototypeOf(b) as unknown;
    if ((pa === Object.prototype || pa === null) && (pb === Object.prototype || pb === null)) {
      const ka = Object.keys(a);
      const kb = Object.keys(b);
      return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && pyEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
    }
  }
  return false;
}

/**
 * Evaluates a contract against an object model: each name is resolved with `resolve` (the
 * builtins `len`, `abs`, `min`, `max`, `any`, `all`, `bool`, `str`, `int`, `float` are
 * available unless the resolver returns something for them). Evaluation follows Python
 * semantics (truthiness, `and`/`or` returning an operand, chained comparisons, `==` on lists
 * element by element, `in` on strings/lists/maps/sets/objects). Attribute access reads own or
 * class-defined properties only, never `__proto__`, `constructor` or the built-in prototypes;
 * a function found that way can be called, keyword arguments being passed as one final object
 * (`ConnectionsClass(config=x)` calls `ConnectionsClass({config: x})`). Nothing is ever
 * compiled or `eval`ed.
 *
 * @param contract - the contract text, or a tree from {@link parseContract} (then give `text`)
 * @param resolve - maps names (task labels) to objects
 * @param text - the contract text for error messages when `contract` is a tree
 * @returns the value of the expression
 * @throws {@link ContractSyntaxError} on bad syntax
 * @throws {@link ContractEvaluationError} on unknown names, missing attributes, bad operand types
 * @example
 * ```ts
 * const configs: Record<string, unknown> = { a: { doX: true }, b: { doY: false } };
 * evaluateContract('a.doX and not b.doY', (label) => configs[label]); // true
 * ```
 * @see lsst.pipe.base.pipeline.Pipeline (contracts are checked with `eval(contract, config dict)`)
 */
export function evaluateContract(contract: string | ContractNode, resolve: ContractResolver, text?: string): unknown {
  const src = typeof contract === 'string' ? contract : (text ?? '');
  const root = typeof contract === 'string' ? parseContract(contract) : contract;
  return new Evaluator(src, resolve).eval(root);
}

/**
 * Checks a contract: evaluates it and throws {@link ContractError} (with the contract's `msg`)
 * when the result is false in Python's sense.
 *
 * @param contract - the contract
 * @param resolve - maps names (task labels) to objects
 * @throws {@link ContractError} when it does not hold
 * @throws {@link ContractSyntaxError} or {@link ContractEvaluationError} when it cannot be evaluated
 * @example
 * ```ts
 * checkContract({ contract: 'a.n >= 2', msg: 'a.n too small' }, () => ({ n: 3 }));
 * ```
 * @see lsst.pipe.base.pipelineIR.ContractError
 */
export function checkContract(contract: ContractIR, resolve: ContractResolver): void {
  if (!truthy(evaluateContract(contract.contract, resolve))) throw new ContractError(contract.contract, contract.msg);
}

type Builtin = (args: unknown[], err: (m: string) => never) => unknown;

const BUILTINS: Readonly<Record<string, Builtin>> = {
  len: (args, err) => {
    const [x] = args;
    if (typeof x === 'string') return [...x].length;
    const s = seq(x);
    if (s !== undefined) return s.length;
    if (x instanceof Map || x instanceof Set) return x.size;
    if (typeof x === 'object' && x !== null && typeof (x as { length?: unknown }).length === 'number') return (x as { length: number }).length;
    return err(`object of type '${pyTypeName(x)}' has no len()`);
  },
  abs: (args, err) => {
    const n = asNumber(args[0]);
    return n === undefined ? err(`bad operand type for abs(): '${pyTypeName(args[0])}'`) : Math.abs(n);
  },
  min: (args, err) => extremum(args, err, -1),
  max: (args, err) => extremum(args, err, 1),
  any: (args, err) => (seq(args[0]) ?? err('any() needs a list')).some(truthy),
  all: (args, err) => (seq(args[0]) ?? err('all() needs a list')).every(truthy),
  bool: (args) => truthy(args[0]),
  str: (args) => pyStr(args[0]),
  int: (args, err) => {
    const x = args[0];
    const n = typeof x === 'string' && /^\s*[+-]?\d+\s*$/.test(x) ? Number(x) : asNumber(x);
    return n === undefined ? err(`int() cannot convert '${pyTypeName(x)}'`) : Math.trunc(n);
  },
  float: (args, err) => {
    const x = args[0];
    const n = typeof x === 'string' && x.trim() !== '' && !Number.isNaN(Number(x)) ? Number(x) : asNumber(x);
    return n === undefined ? err(`float() cannot convert '${pyTypeName(x)}'`) : n;
  },
};

function extremum(args: unknown[], err: (m: string) => never, sign: 1 | -1): unknown {
  const items = args.length === 1 ? (seq(args[0]) ?? err('expected a list')) : args;
  if (items.length === 0) err('arg is an empty sequence');
  let best = items[0];
  for (const x of items.slice(1)) if (compareValues(x, best, err) * sign > 0) best = x;
  return best;
}

function pyStr(x: unknown): string {
  if (x === null || x === undefined) return 'None';
  if (x === true) return 'True';
  if (x === false) return 'False';
  if (typeof x === 'string') return x;
  return String(x);
}

function compareValues(a: unknown, b: unknown, err: (m: string) => never): number {
  const na = asNumber(a);
  const nb = asNumber(b);
  if (na !== undefined && nb !== undefined) return na < nb ? -1 : na > nb ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  const sa = seq(a);
  const sb = seq(b);
  if (sa !== undefined && sb !== undefined && Array.isArray(a) === Array.isArray(b)) {
    for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
      if (!pyEquals(sa[i], sb[i])) return compareValues(sa[i], sb[i], err);
    }
    return sa.length - sb.length;
  }
  return err(`'<' not supported between instances of '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

class Evaluator {
  constructor(
    private readonly src: string,
    private readonly resolve: ContractResolver,
  ) {}

  private error(message: string, node: ContractNode): never {
    throw new ContractEvaluationError(message, this.src, node.pos);
  }

  eval(node: ContractNode): unknown {
    switch (node.kind) {
      case 'literal':
        return node.value;
      case 'name': {
        const value = this.resolve(node.name);
        if (value !== undefined) return value;
        const builtin = BUILTINS[node.name];
        if (builtin !== undefined && Object.hasOwn(BUILTINS, node.name)) return builtin;
        return this.error(`name '${node.name}' is not defined`, node);
      }
      case 'attribute':
        return this.attribute(this.eval(node.object), node.name, node);
      case 'index':
        return this.index(this.eval(node.object), this.eval(node.index), node);
      case 'call':
        return this.call(node);
      case 'unary': {
        const v = this.eval(node.operand);
        if (node.op === 'not') return !truthy(v);
        const n = asNumber(v);
        if (n === undefined) return this.error(`bad operand type for unary ${node.op}: '${pyTypeName(v)}'`, node);
        return node.op === '-' ? -n : n;
      }
      case 'bool': {
        const left = this.eval(node.left);
        if (node.op === 'and') return truthy(left) ? this.eval(node.right) : left;
        return truthy(left) ? left : this.eval(node.right);
      }
      case 'binary':
        return this.binary(node.op, this.eval(node.left), this.eval(node.right), node);
      case 'compare': {
        let left = this.eval(node.first);
        for (const [op, rightNode] of node.rest) {
          const right = this.eval(rightNode);
          if (!this.compare(op, left, right, rightNode)) return false;
          left = right;
        }
        return true;
      }
      case 'conditional':
        return truthy(this.eval(node.test)) ? this.eval(node.then) : this.eval(node.otherwise);
      case 'list': {
        const items = node.items.map((i) => this.eval(i));
        return node.tuple ? new PyTuple(items) : items;
      }
    }
  }

  private attribute(obj: unknown, name: string, node: ContractNode): unknown {
    if (obj === null || obj === undefined || typeof obj !== 'object' && typeof obj !== 'function') {
      return this.error(`'${pyTypeName(obj)}' object has no attribute '${name}'`, node);
    }
    if (FORBIDDEN_ATTRIBUTES.has(name) || name.startsWith('__')) {
      return this.error(`access to attribute '${name}' is not allowed in contracts`, node);
    }
    // Own property, or one defined by a (non-builtin) class in the prototype chain.
    for (let o: object | null = obj; o !== null; o = Object.getPrototypeOf(o) as object | null) {
      if (SHARED_PROTOTYPES.includes(o)) break;
      if (Object.hasOwn(o, name)) {
        const value = (obj as Record<string, unknown>)[name];
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(obj) : value;
      }
    }
    return this.error(`'${pyTypeName(obj)}' object has no attribute '${name}'`, node);
  }

  private index(obj: unknown, key: unknown, node: ContractNode): unknown {
    const s = seq(obj);
    if (s !== undefined || typeof obj === 'string') {
      const items: readonly unknown[] = s ?? [...(obj as string)];
      if (typeof key !== 'number' || !Number.isInteger(key)) return this.error(`indices must be integers, not ${pyTypeName(key)}`, node);
      const i = key < 0 ? items.length + key : key;
      if (i < 0 || i >= items.length) return this.error('index out of range', node);
      return items[i];
    }
    if (obj instanceof Map) {
      for (const [k, v] of obj) if (pyEquals(k, key)) return v;
      return this.error(`KeyError: ${pyStr(key)}`, node);
    }
    if (typeof obj === 'object' && obj !== null && (typeof key === 'string' || typeof key === 'number')) {
      const k = String(key);
      if (!FORBIDDEN_ATTRIBUTES.has(k) && Object.hasOwn(obj, k)) return (obj as Record<string, unknown>)[k];
      return this.error(`KeyError: ${pyStr(key)}`, node);
    }
    return this.error(`'${pyTypeName(obj)}' object is not subscriptable`, node);
  }

  private call(node: Extract<ContractNode, { kind: 'call' }>): unknown {
    const callee = this.eval(node.callee);
    const args = node.args.map((a) => this.eval(a));
    if (typeof callee !== 'function') return this.error(`'${pyTypeName(callee)}' object is not callable`, node);
    const builtin = Object.values(BUILTINS).includes(callee as Builtin);
    if (builtin) {
      if (node.kwargs.length > 0) return this.error('builtins take no keyword arguments here', node);
      return (callee as Builtin)(args, (m) => this.error(m, node));
    }
    if (node.kwargs.length > 0) {
      const kw: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const [k, v] of node.kwargs) kw[k] = this.eval(v);
      args.push(kw);
    }
    try {
      return (callee as (...a: unknown[]) => unknown)(...args);
    } catch (cause) {
      throw new ContractEvaluationError(`call failed: ${cause instanceof Error ? cause.message : String(cause)}`, this.src, node.pos, { cause });
    }
  }

  private binary(op: BinaryOp, a: unknown, b: unknown, node: ContractNode): unknown {
    const na = asNumber(a);
    const nb = asNumber(b);
    const bad = (): never => this.error(`unsupported operand type(s) for ${op}: '${pyTypeName(a)}' and '${pyTypeName(b)}'`, node);
    if (na !== undefined && nb !== undefined) {
      switch (op) {
        case '+':
          return na + nb;
        case '-':
          return na - nb;
        case '*':
          return na * nb;
        case '/':
          return nb === 0 ? this.error('division by zero', node) : na / nb;
        case '//':
          return nb === 0 ? this.error('integer division or modulo by zero', node) : Math.floor(na / nb);
        case '%':
          return nb === 0 ? this.error('integer division or modulo by zero', node) : na - nb * Math.floor(na / nb);
        case '**':
          return na ** nb;
      }
    }
    if (op === '+') {
      if (typeof a === 'string' && typeof b === 'string') return a + b;
      if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
      if (a instanceof PyTuple && b instanceof PyTuple) return new PyTuple([...a.items, ...b.items]);
    }
    if (op === '*') {
      const [s, n] = typeof a === 'string' || seq(a) !== undefined ? [a, nb] : [b, na];
      if (n !== undefined && Number.isInteger(n)) {
        if (typeof s === 'string') return s.repeat(Math.max(0, n));
        const items = seq(s);
        if (items !== undefined) {
          const out = Array.from({ length: Math.max(0, n) }, () => items).flat();
          return s instanceof PyTuple ? new PyTuple(out) : out;
        }
      }
    }
    if (op === '%' && typeof a === 'string') return this.error("string formatting with '%' is not supported", node);
    return bad();
  }

  private compare(op: CompareOp, a: unknown, b: unknown, node: ContractNode): boolean {
    switch (op) {
      case '==':
        return pyEquals(a, b);
      case '!=':
        return !pyEquals(a, b);
      case 'is':
        return (a ?? null) === (b ?? null);
      case 'is not':
        return (a ?? null) !== (b ?? null);
      case 'in':
        return this.contains(b, a, node);
      case 'not in':
        return !this.contains(b, a, node);
      default: {
        const c = compareValues(a, b, (m) => this.error(m.replace("'<'", `'${op}'`), node));
        return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
      }
    }
  }

  private contains(container: unknown, item: unknown, node: ContractNode): boolean {
    if (typeof container === 'string') {
      if (typeof item !== 'string') return this.error(`'in <string>' requires string as left operand, not ${pyTypeName(item)}`, node);
      return container.includes(item);
    }
    const s = seq(container);
    if (s !== undefined) return s.some((x) => pyEquals(x, item));
    if (container instanceof Map) return [...container.keys()].some((k) => pyEquals(k, item));
    if (container instanceof Set) return [...container].some((k) => pyEquals(k, item));
    if (typeof container === 'object' && container !== null && typeof item === 'string') return Object.hasOwn(container, item);
    return this.error(`argument of type '${pyTypeName(container)}' is not iterable`, node);
  }
}
