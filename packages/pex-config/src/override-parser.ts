import { OverrideSyntaxError } from './errors.js';

/** A Python name used as a value (a class or task in `retarget(...)`). @internal */
export class PyName {
  constructor(readonly name: string, readonly line: number, readonly column: number) {}
}

/** A call in a value position: `ChannelRGBConfig(r=1)`, `Sub()`. @internal */
export class PyCall {
  constructor(
    readonly callee: string,
    readonly args: readonly PyValue[],
    readonly kwargs: Readonly<Record<string, PyValue>>,
    readonly line: number,
    readonly column: number,
  ) {}
}

/** A parsed literal value. @internal */
export type PyValue = null | boolean | number | string | PyValue[] | { [key: string]: PyValue } | PyName | PyCall;

/** One step of a target path: `.name` or `[key]`. @internal */
export type PathPart =
  | { readonly kind: 'attr'; readonly name: string; readonly line: number; readonly column: number }
  | { readonly kind: 'item'; readonly key: string | number; readonly line: number; readonly column: number };

/** One override statement. @internal */
export type OverrideStatement =
  | { readonly kind: 'assign'; readonly root: string; readonly path: readonly PathPart[]; readonly value: PyValue; readonly op: '=' | '+='; readonly line: number; readonly column: number }
  | { readonly kind: 'call'; readonly root: string; readonly path: readonly PathPart[]; readonly args: readonly PyValue[]; readonly kwargs: Readonly<Record<string, PyValue>>; readonly line: number; readonly column: number }
  | { readonly kind: 'ignored'; readonly text: string; readonly line: number; readonly column: number };

type TokKind = 'name' | 'number' | 'string' | 'op' | 'newline' | 'eof';
interface Token {
  readonly kind: TokKind;
  readonly text: string;
  readonly value?: number | string;
  readonly line: number;
  readonly column: number;
}

const OPS = ['+=', '-=', '*=', '/=', '==', '!=', '<=', '>=', '**', '//', '->', ':=', '(', ')', '[', ']', '{', '}', ',', ':', '.', ';', '=', '+', '-', '*', '/', '%', '@', '<', '>', '&', '|', '^', '~'];
const NUMBER = /^(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?)/;
const NAME = /^[A-Za-z_\u00c0-\uffff][A-Za-z0-9_\u00c0-\uffff]*/;

function tokenize(text: string, filename: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let depth = 0;
  const err = (msg: string, at = i): never => {
    throw new OverrideSyntaxError(filename, line, at - lineStart + 1, msg);
  };
  const push = (kind: TokKind, t: string, start: number, value?: number | string): void => {
    tokens.push(value === undefined ? { kind, text: t, line, column: start - lineStart + 1 } : { kind, text: t, value, line, column: start - lineStart + 1 });
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\n') {
      if (depth === 0) push('newline', '\n', i);
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f') {
      i++;
      continue;
    }
    if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (ch === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      i += text[i + 1] === '\n' ? 2 : 3;
      line++;
      lineStart = i;
      continue;
    }
    const rest = text.slice(i, i + 200);
    const strMatch = /^([rRbBuUfF]{0,2})('''|"""|'|")/.exec(rest);
    if (strMatch !== null && (strMatch[1] === '' || NAME.exec(rest)?.[0] === strMatch[1])) {
      const prefix = strMatch[1]!.toLowerCase();
      if (prefix.includes('f')) err('f-strings are not supported in config overrides.');
      if (prefix.includes('b')) err('bytes literals are not supported in config overrides.');
      const raw = prefix.includes('r');
      const quote = strMatch[2]!;
      const start = i;
      const startLine = line;
      const startCol = i - lineStart + 1;
      i += strMatch[0].length;
      let value = '';
      for (;;) {
        if (i >= text.length) throw new OverrideSyntaxError(filename, startLine, startCol, 'Unterminated string literal.');
        if (text.startsWith(quote, i)) {
          i += quote.length;
          break;
        }
        const c = text[i]!;
        if (c === '\n') {
          if (quote.length === 1) throw new OverrideSyntaxError(filename, startLine, startCol, 'Unterminated string literal (end of line).');
          value += c;
          i++;
          line++;
          lineStart = i;
          continue;
        }
        if (c === '\\') {
          const n = text[i + 1] ?? '';
          if (raw) {
            value += c + n;
            i += 2;
            continue;
          }
          const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' };
          if (n in simple) {
            value += simple[n];
            i += 2;
            if (n === '\n') {
              line++;
              lineStart = i;
            }
            continue;
          }
          const hex = n === 'x' ? 2 : n === 'u' ? 4 : n === 'U' ? 8 : 0;
          if (hex > 0) {
            const digits = text.slice(i + 2, i + 2 + hex);
            if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== hex) err(`Bad \\${n} escape.`);
            value += String.fromCodePoint(parseInt(digits, 16));
            i += 2 + hex;
            continue;
          }
          value += c + n;
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      tokens.push({ kind: 'string', text: text.slice(start, i), value, line: startLine, column: startCol });
      continue;
    }
    const num = NUMBER.exec(rest);
    if (num !== null && num[0] !== '.' && /[\d.]/.test(ch)) {
      const t = num[0];
      if (/^[jJ]/.test(text.slice(i + t.length))) err('complex numbers are not supported in config overrides.');
      const clean = t.replace(/_/g, '');
      const value = /^0[oO]/.test(clean) ? parseInt(clean.slice(2), 8) : /^0[bB]/.test(clean) ? parseInt(clean.slice(2), 2) : Number(clean);
      if (Number.isNaN(value)) err(`Bad number '${t}'.`);
      push('number', t, i, value);
      i += t.length;
      continue;
    }
    const name = NAME.exec(rest);
    if (name !== null) {
      push('name', name[0], i);
      i += name[0].length;
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (op !== undefined) {
      if ('([{'.includes(op)) depth++;
      if (')]}'.includes(op)) depth = Math.max(0, depth - 1);
      push('op', op, i);
      i += op.length;
      continue;
    }
    err(`Unexpected character ${JSON.stringify(ch)}.`);
  }
  push('newline', '', i);
  tokens.push({ kind: 'eof', text: '', line, column: i - lineStart + 1 });
  return tokens;
}

const BLOCK_KEYWORDS = new Set(['del', 'for', 'while', 'if', 'elif', 'else', 'def', 'class', 'with', 'try', 'except', 'finally', 'return', 'lambda', 'global', 'nonlocal', 'pass', 'raise', 'yield', 'print', 'exec']);

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly filename: string,
  ) {}

  /** The first token after what was parsed, unless only ends of lines remain. */
  remaining(): Token | undefined {
    const rest = this.tokens.slice(this.pos).find((t) => t.kind !== 'newline' && t.kind !== 'eof');
    return rest;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private error(t: Token, message: string): never {
    throw new OverrideSyntaxError(this.filename, t.line, t.column, message);
  }

  private isOp(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'op' && t.text === text;
  }

  private expectOp(text: string): Token {
    const t = this.next();
    if (t.kind !== 'op' || t.text !== text) this.error(t, `Expected '${text}' but found ${describe(t)}.`);
    return t;
  }

  parseFile(): OverrideStatement[] {
    const out: OverrideStatement[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') return out;
      if (t.kind === 'newline' || (t.kind === 'op' && t.text === ';')) {
        this.next();
        continue;
      }
      out.push(this.statement());
      const end = this.peek();
      if (end.kind === 'newline' || end.kind === 'eof' || (end.kind === 'op' && end.text === ';')) continue;
      if (end.kind === 'op' && '+-*/%@<>&|^~'.includes(end.text[0]!) && end.text !== '+=') {
        this.error(end, `Operator '${end.text}' is not supported in config overrides; only literal values can be assigned.`);
      }
      this.error(end, `Expected the end of the statement but found ${describe(end)}.`);
    }
  }

  /** Skips the rest of a logical line, returning its text. */
  private skipLine(first: Token): OverrideStatement {
    const parts: string[] = [];
    while (this.peek().kind !== 'newline' && this.peek().kind !== 'eof') parts.push(this.next().text);
    return { kind: 'ignored', text: parts.join(' '), line: first.line, column: first.column };
  }

  private statement(): OverrideStatement {
    const first = this.peek();
    if (first.kind !== 'name') this.error(first, `Expected an assignment such as 'config.field = value' but found ${describe(first)}.`);
    if (first.text === 'import' || first.text === 'from') return this.skipLine(first);
    if (first.text === 'assert' && this.peek(1).text === 'type') return this.skipLine(first);
    if (BLOCK_KEYWORDS.has(first.text) || first.text === 'assert') {
      this.error(first, `'${first.text}' statements are not supported in config overrides; only assignments, append/extend calls and imports are.`);
    }
    this.next();
    const path: PathPart[] = [];
    let call: { args: PyValue[]; kwargs: Record<string, PyValue>; tok: Token } | undefined;
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        const n = this.next();
        if (n.kind !== 'name') this.error(n, `Expected a field name after '.' but found ${describe(n)}.`);
        path.push({ kind: 'attr', name: n.text, line: n.line, column: n.column });
      } else if (this.isOp('[')) {
        const open = this.next();
        const key = this.expression();
        if (typeof key !== 'string' && typeof key !== 'number') this.error(open, 'Only string or integer keys are supported in [...].');
        this.expectOp(']');
        path.push({ kind: 'item', key, line: open.line, column: open.column });
      } else if (this.isOp('(')) {
        const tok = this.next();
        const { args, kwargs } = this.arguments();
        call = { args, kwargs, tok };
        break;
      } else {
        break;
      }
    }
    if (call !== undefined) {
      if (path.length === 0 || path[path.length - 1]!.kind !== 'attr') {
        this.error(first, `Calling '${first.text}' is not supported in config overrides; only methods of config fields (append, extend, ...).`);
      }
      return { kind: 'call', root: first.text, path, args: call.args, kwargs: call.kwargs, line: first.line, column: first.column };
    }
    const op = this.peek();
    if (op.kind === 'op' && (op.text === '=' || op.text === '+=')) {
      this.next();
      let value = this.expression();
      if (this.isOp(',')) {
        const items = [value];
        while (this.isOp(',')) {
          this.next();
          if (this.peek().kind === 'newline' || this.peek().kind === 'eof') break;
          items.push(this.expression());
        }
        value = items;
      }
      if (this.isOp('=')) this.error(this.peek(), 'Chained assignments are not supported in config overrides.');
      return { kind: 'assign', root: first.text, path, value, op: op.text as '=' | '+=', line: first.line, column: first.column };
    }
    if (op.kind === 'op' && op.text.endsWith('=') && op.text.length === 2 && op.text !== '==') {
      this.error(op, `Augmented assignment '${op.text}' is not supported in config overrides (only '=' and '+=' on lists).`);
    }
    this.error(op, `Expected '=' or a method call but found ${describe(op)}.`);
  }

  private arguments(): { args: PyValue[]; kwargs: Record<string, PyValue> } {
    const args: PyValue[] = [];
    const kwargs: Record<string, PyValue> = {};
    while (!this.isOp(')')) {
      if (this.peek().kind === 'name' && this.isOp('=', 1)) {
        const k = this.next().text;
        this.next();
        kwargs[k] = this.expression();
      } else {
        if (Object.keys(kwargs).length > 0) this.error(this.peek(), 'Positional argument after keyword argument.');
        args.push(this.expression());
      }
      if (!this.isOp(',')) break;
      this.next();
    }
    this.expectOp(')');
    return { args, kwargs };
  }

  expression(): PyValue {
    const t = this.next();
    if (t.kind === 'number') return t.value as number;
    if (t.kind === 'string') {
      let s = t.value as string;
      while (this.peek().kind === 'string') s += this.next().value as string;
      return s;
    }
    if (t.kind === 'op') {
      if (t.text === '-' || t.text === '+') {
        const n = this.peek();
        const v = this.expression();
        if (typeof v !== 'number') this.error(n, `Expected a number after unary '${t.text}' but found ${describe(n)}.`);
        return t.text === '-' ? -v : v;
      }
      if (t.text === '[') return this.sequence(']');
      if (t.text === '(') {
        if (this.isOp(')')) {
          this.next();
          return [];
        }
        const first = this.expression();
        if (this.isOp(')')) {
          this.next();
          return first;
        }
        this.expectOp(',');
        const rest = this.sequence(')');
        return [first, ...rest];
      }
      if (t.text === '{') return this.dict();
      this.error(t, `Expected a value but found ${describe(t)}.`);
    }
    if (t.kind === 'name') {
      if (t.text === 'True') return true;
      if (t.text === 'False') return false;
      if (t.text === 'None') return null;
      let name = t.text;
      while (this.isOp('.') && this.peek(1).kind === 'name') {
        this.next();
        name += '.' + this.next().text;
      }
      if (this.isOp('(')) {
        this.next();
        const { args, kwargs } = this.arguments();
        if (name === 'float' && args.length === 1 && Object.keys(kwargs).length === 0 && typeof args[0] === 'string') {
          const s = args[0].trim().toLowerCase();
          const special: Record<string, number> = { nan: NaN, inf: Infinity, '+inf': Infinity, '-inf': -Infinity, infinity: Infinity, '-infinity': -Infinity };
          if (s in special) return special[s]!;
          const v = Number(s);
          if (!Number.isNaN(v)) return v;
        }
        return new PyCall(name, args, kwargs, t.line, t.column);
      }
      return new PyName(name, t.line, t.column);
    }
    this.error(t, `Expected a value but found ${describe(t)}.`);
  }

  private sequence(close: string): PyValue[] {
    const items: PyValue[] = [];
    while (!this.isOp(close)) {
      items.push(this.expression());
      if (!this.isOp(',')) break;
      this.next();
    }
    this.expectOp(close);
    return items;
  }

  private dict(): { [key: string]: PyValue } {
    const out: { [key: string]: PyValue } = {};
    while (!this.isOp('}')) {
      const kt = this.peek();
      const k = this.expression();
      if (typeof k !== 'string' && typeof k !== 'number' && typeof k !== 'boolean') {
        this.error(kt, 'Only string, number or bool dict keys are supported.');
      }
      if (this.isOp(',') || this.isOp('}')) this.error(this.peek(), 'Sets are not supported in config overrides; expected a dict.');
      this.expectOp(':');
      out[String(k)] = this.expression();
      if (!this.isOp(',')) break;
      this.next();
    }
    this.expectOp('}');
    return out;
  }
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'the end of the text';
  if (t.kind === 'newline') return 'the end of the line';
  return `'${t.text}'`;
}

/**
 * Parses override text in the safe Python subset into statements.
 *
 * @internal
 */
export function parseOverrideText(text: string, filename: string): OverrideStatement[] {
  return new Parser(tokenize(text, filename), filename).parseFile();
}

/**
 * Parses one Python literal (`3`, `1e-3`, `'a'`, `[1, 2]`, `{'a': 1}`, `(1, 2)`, `True`, `None`).
 *
 * @internal
 */
export function parseLiteral(text: string, filename = '<value>'): PyValue {
  const parser = new Parser(tokenize(text, filename), filename);
  const value = parser.expression();
  const rest = parser.remaining();
  if (rest !== undefined) throw new OverrideSyntaxError(filename, rest.line, rest.column, `Unexpected ${describe(rest)} after the value.`);
  return value;
}

/**
 * Parses a target path such as `isr.doBias` or `skyMap['rings'].numTracts`.
 *
 * @internal
 */
export function parsePath(text: string, filename = '<field>'): PathPart[] {
  const stmts = parseOverrideText(`config.${text} = None`, filename);
  const s = stmts[0];
  if (stmts.length !== 1 || s === undefined || s.kind !== 'assign') {
    throw new OverrideSyntaxError(filename, 1, 1, `'${text}' is not a field path.`);
  }
  return [...s.path];
}
