// The tree of a parsed `where` expression, with daf_butler's node kinds, canonical text
// (`str(tree)`) and visitor protocol.
import { ExpressionSyntaxError } from '../../errors.js';
import { type AstroTime, timeToString } from '../../time/astro-time.js';

/**
 * A visitor of expression trees: one method per node kind, called bottom-up by
 * {@link Node.visit} with the results of visiting the node's children already computed (so a
 * visitor that builds strings receives strings, one that builds SQL receives SQL fragments).
 * Every method also receives the node itself.
 *
 * @typeParam T - what visiting a node returns
 * @see lsst.daf.butler.registry.queries.expressions.parser.TreeVisitor
 */
export interface TreeVisitor<T> {
  /** A number literal; `value` is its text as written (`'1.e5'`, `'-1000'` in IN lists). */
  visitNumericLiteral(value: string, node: NumericLiteral): T;
  /** A string literal; `value` without the quotes. */
  visitStringLiteral(value: string, node: StringLiteral): T;
  /** A time literal; `value` is the parsed time. */
  visitTimeLiteral(value: AstroTime, node: TimeLiteral): T;
  /** A `UUID('…')` literal; `value` in canonical lower-case hyphenated form. */
  visitUuidLiteral(value: string, node: UuidLiteral): T;
  /** A range literal `start..stop[:stride]` (both ends included; `stride` undefined when not written). */
  visitRangeLiteral(start: number, stop: number, stride: number | undefined, node: RangeLiteral): T;
  /** An identifier (`visit`, `visit.day_obs`, `visit.timespan.begin`). */
  visitIdentifier(name: string, node: Identifier): T;
  /** A bind name `:name` (`name` without the colon). */
  visitBind(name: string, node: BindName): T;
  /** A unary operator: `'+'`, `'-'` or `'NOT'`. */
  visitUnaryOp(operator: string, operand: T, node: UnaryOp): T;
  /** A binary operator: `OR AND OVERLAPS = != < <= > >= + - * / %`. */
  visitBinaryOp(operator: string, lhs: T, rhs: T, node: BinaryOp): T;
  /** `lhs IN (values)` or, with `notIn`, `lhs NOT IN (values)`. */
  visitIsIn(lhs: T, values: T[], notIn: boolean, node: IsIn): T;
  /** A parenthesized expression. */
  visitParens(expression: T, node: Parens): T;
  /** A 2-tuple `(a, b)` (time ranges). */
  visitTupleNode(items: readonly [T, T], node: TupleNode): T;
  /** A call of a function with no special meaning. */
  visitFunctionCall(name: string, args: T[], node: FunctionCall): T;
  /** `POINT(ra, dec)`. */
  visitPointNode(ra: T, dec: T, node: PointNode): T;
  /** `CIRCLE(ra, dec, radius)`. */
  visitCircleNode(ra: T, dec: T, radius: T, node: CircleNode): T;
  /** `BOX(ra, dec, width, height)`. */
  visitBoxNode(ra: T, dec: T, width: T, height: T, node: BoxNode): T;
  /** `POLYGON(ra1, dec1, ra2, dec2, …)`, as vertices. */
  visitPolygonNode(vertices: [T, T][], node: PolygonNode): T;
  /** `REGION(pos)` (IVOA SIAv2 POS string or bind). */
  visitRegionNode(pos: T, node: RegionNode): T;
  /** `GLOB(expression, pattern)`. */
  visitGlobNode(expression: T, pattern: T, node: GlobNode): T;
}

/** The discriminant of each node class. */
export type NodeKind =
  | 'NumericLiteral' | 'StringLiteral' | 'TimeLiteral' | 'UuidLiteral' | 'RangeLiteral' | 'Identifier' | 'BindName'
  | 'UnaryOp' | 'BinaryOp' | 'IsIn' | 'Parens' | 'TupleNode' | 'FunctionCall' | 'PointNode' | 'CircleNode' | 'BoxNode'
  | 'PolygonNode' | 'RegionNode' | 'GlobNode';

/**
 * Base class of expression tree nodes.
 *
 * @see lsst.daf.butler.registry.queries.expressions.parser.exprTree.Node
 */
export abstract class Node {
  /** Which node class this is (for `switch`). */
  abstract readonly kind: NodeKind;
  /** The direct sub-nodes, in order. */
  abstract get children(): readonly Node[];
  /**
   * Visits the tree bottom-up.
   *
   * @param visitor - the visitor
   * @returns what the visitor returns for this node
   */
  abstract visit<T>(visitor: TreeVisitor<T>): T;
  /**
   * daf_butler's canonical text (`str(tree)`): keywords upper-cased, single spaces around binary
   * operators, parentheses as written.
   *
   * @returns the text
   */
  abstract toString(): string;
}

/** Base class of literal nodes (the values allowed in `IN` lists, with identifiers and binds). @see lsst.daf.butler.registry.queries.expressions.parser.exprTree.LiteralNode */
export abstract class LiteralNode extends Node {
  /** Literals have no children. */
  get children(): readonly Node[] {
    return [];
  }
}

/** A number, kept as its text. @see lsst.daf.butler.registry.queries.expressions.parser.exprTree.NumericLiteral */
export class NumericLiteral extends LiteralNode {
  /** Discriminant. */
  readonly kind = 'NumericLiteral' as const;
  /**
   * Makes the node.
   *
   * @param value - the number's text (`'1'`, `'.5e-2'`, `'-1000'`)
   */
  constructor(readonly value: string) {
    super();
  }
  /** @inheritDoc */
  visit<T>(visitor: TreeVisitor<T>): T {
    return visitor.visitNumericLiteral(this.value, this);
  }
  /** @inheritDoc */
  toString(): string {
    return this.value;
  }
}

/** A string in single quotes (no escapes). @see lsst.daf.butler.registry.queries.expressions.parser.exprTree.StringLiteral */
export class StringLiteral extends LiteralNode {
  /** Discriminant. */
  readonly kind = 'StringLiteral' as const;
  /**
   * Makes the node.
   *
   * @param value - the text without quotes
   */
  constructor(readonly value: string) {
    super();
  }
  /** @inheritDoc */
  visit<T>(visitor: TreeVisitor<T>): T {
    return visitor.visitStringLiteral(this.value, this);
  }
  /** @inheritDoc */
  toString(): string {
    return `'${this.value}'`;
  }
}

/** A time literal `T'…'`, parsed. @see lsst.daf.butler.registry.queries.expressions.parser.exprTree.TimeLiteral */
export class TimeLiteral extends LiteralNode {
  /** Discriminant. */
  readonly kind = 'TimeLiteral' as const;
  /**
   * Makes the node.
   *
   * @param value - the parsed time (TAI ns, format, scale)
   */
  constructor(readonly value: AstroTime) {
    super();
  }
  /** @inheritDoc */
  visit<T>(visitor: TreeVisitor<T>): T {
    return visitor.visitTimeLiteral(this.value, this);
  }
  /** `T'<astropy str(time)>'`, e.g. `T'2020-01-01 00:00:00.000'`. */
  toString(): string {
    return `T'${timeToString(this.value)}'`;
  }
}

/** A `UUID('…')` literal. @see lsst.daf.butler.registry.queries.expressions.parser.exprTree.UuidLiteral */
export class UuidLiteral extends LiteralNode {
  /** Discriminant. */
  readonly kind = 'UuidLiteral' as const;
  /**
   * Makes the node.
   *
   * @param value - the UUID, lower-case hyphenated (see {@link canonicalUuid})
   */
  constructor(readonly value: string) {
    super();
  }
  /** @inheritDoc */
  visit<T>(visitor: TreeVisitor<T>): T {
    return visitor.visitUuidLiteral(this.value, this);
  }
  /** @inheritDoc */
  toString(): string {
    return `UUID('${this.value}')`;
  }
}

/** An integer range `start..stop[:stride]`, both ends included (only in `IN` lists). @see lsst.daf.butler.registry.queries.expressions.parser.exprTree.RangeLiteral */
export class RangeLiteral extends LiteralNode {
  /** Discriminant. */
  readonly kind = 'RangeLiteral' as const;
  /**
   * Makes the node.
   *
   * @param start - first value
   * @param stop - last value (included)
   * @param stride - step (≥ 1), undefined when not written (consumers treat it as 1)
   */
  constructor(
    readonly start: number,
    readonly stop: number,
    readonly stride: number | undefined = undefined,
  ) {
    super();
  }
  /** @inheritDoc */
  visit<T>(visitor: TreeVisitor<T>): T {
    return visitor.visitRangeLiteral(this.start, this.stop, this.stride, this);
  }
  /** @inheritDoc */
  toString(): string {
    return `${this.start}..${this.stop}${this.stride ? `:${this.stride}` : ''}`;
  }
}

/** An identifier with 0, 1 or 2 dots. @see lsst.daf.butler.registry.queries.expressions.parser.exprTree.Identifier */
export class Identifier extends Node {
  /** Discriminant. */
  readonly kind = 'Identifier' as const;
  /**
   * Makes the node.
   *
   * @param name - the name (`visit`, `visit.day_obs`, `visit.timespan.begin`)
   */
  constructor(readonly name: string) {
    super();
  }
  /** @inheritDoc */
  get children(): readonly Node[] {
    return [];
  }
  /** @inheritDoc */
  visit<T>(visitor: TreeVisitor<T>): T {
    return visitor.visitIdentifier(this.name, this);
  }
  /** @inheritDoc */
  toString(): string {
    return this.name;
  }
}

/** A bind name `:name`, replaced by a value given with the query. @see lsst.daf.butler.registry.queries.expressions.parser.exprTree.BindName */
export class BindName extends Node {
  /** Discriminant. */
  readonly kind = 'BindName' as const;
  /**
   * Makes the node.
   *
   * @param name - the name, without the colon
   */
  constructor(readonly name: string) {
    super();
  }
  /** @inheritDoc */
  get children(): readonly Node[] {
    return [];
  }
  /** @inheritDoc */
  visit<T>(visitor: TreeVisitor<T>): T {
    return visitor.visitBind(this.name, this);
  }
  /** @inheritDoc */
  toString(): string {
    return `:${this.name}`;
  }
}

/** A unary operator (`+`, `-`, `NOT`). @see lsst.daf.butler.registry.queries.expressions.parser.exprTree.UnaryOp */
export class UnaryOp extends Node {
  /** Discriminant. */
  readonly kind = 'UnaryOp' as const;
  /**
   * Makes the node.
   *
   * @param op - `'+'`, `'-'` or `'NOT'`
   * @param operand - the operand
   */
  constructor(
    readonly op: string,
    readonly operand: Node,
  ) {
    super();
  }
  /** @inheritDoc */
  get children(): readonly Node[] {
    return [this.operand];
  }
  /** @inheritDoc */
  visit<T>(visitor: TreeVisitor<T>): T {
    return visitor.visitUnaryOp(this.op, this.operand.visit(visitor), this);
  }
  /** `op operand`, with a space (`- 1`, `NOT b`). */
  toString(): string {
    return `${this.op} ${this.operand.toString()}`;
  }
}

/** A binary operator: boolean (`OR`, `AND`), comparison (`= != < <= > >= OVERLAPS`) or arithmetic (`+ - * / %`). @see lsst.daf.butler.registry.queries.expressions.parser.exprTree.BinaryOp */
export class BinaryOp extends Node {
  /** Discriminant. */
  readonly kind = 'BinaryOp' as const;
  /**
   * Makes the node.
   *
   * @param lhs - left operand
   * @param op - the operator, keywords upper-case
   * @param rhs - right operand
   */
  constructor(
    readonly lhs: Node,
    readonly op: string,
    readonly rhs: Node,
  ) {
    super();
  }
  /** @inheritDoc */
  get children(): readonly Node[] {
    return [this.lhs, this.rhs];
  }
  /** @inheritDoc */
  visit<T>(visitor: TreeVisitor<T>): T {
    const lhs = this.lhs.visit(visitor);
    const rhs = this.rhs.visit(visitor);
    return visitor.visitBinaryOp(this.op, lhs, rhs, this);
  }
  /** `lhs op rhs`. */
  toString(): string {
    return `${this.lhs.toString()} ${this.op} ${this.rhs.toString()}`;
  }
}

/** `lhs [NOT] IN (values)`. @see lsst.daf.butler.registry.queries.expressions.parser.exprTree.IsIn */
export class IsIn extends Node {
  /** Discriminant. */
  readonly kind = 'IsIn' as const;
  /**
   * Makes the node.
   *
   * @param lhs - the tested expression
   * @param values - literals, ranges, identifiers and binds
   * @param notIn - true for `NOT IN`
   */
  constructor(
    readonly lhs: Node,
    readonly values: readonly Node[],
    readonly notIn: boolean = false,
  ) {
    super();
  }
  /** @inheritDoc */
  get children(): readonly Node[] {
    return [this.lhs, ...this.values];
  }
  /** @inheritDoc */
  visit<T>(visitor: TreeVisitor<T>): T {
    const lhs = this.lhs.visit(visitor);
    const values = this.values.map((v) => v.visit(visitor));
    return visitor.visitIsIn(lhs, values, this.notIn, this);
  }
  /** `lhs IN (a, b)` / `lhs NOT IN (a, b)`. */
  toString(): string {
    return `${this.lhs.toString()} ${this.notIn ? 'NOT ' : ''}IN (${this.values.map(String).join(', ')})`;
  }
}

/** A parenthesized expression. @see lsst.daf.butler.registry.queries.expressions.parser.exprTree.Parens */
export class Parens extends Node {
  /** Discriminant. */
  readonly kind = 'Parens' as const;
  /**
   * Makes the node.
   *
   * @param expr - the expression inside
   */
  constructor(readonly expr: Node) {
    super();
  }
  /** @inheritDoc */
  get children(): readonly Node[] {
    return [this.expr];
  }
  /** @inheritDoc */
  visit<T>(visitor: TreeVisitor<T>): T {
    return visitor.visitParens(this.expr.visit(visitor), this);
  }
  /** @inheritDoc */
  toString(): string {
    return `(${this.expr.toString()})`;
  }
}

/** A 2-tuple `(a, b)`, used for time ranges. @see lsst.daf.butler.registry.queries.expressions.parser.exprTree.TupleNode */
export class TupleNode extends Node {
  /** Discriminant. */
  readonly kind = 'TupleNode' as const;
  /**
   * Makes the node.
   *
   * @param items - the two items
   */
  constructor(readonly items: readonly [Node, Node]) {
    super();
  }
  /** @inheritDoc */
  get children(): readonly Node[] {
    return [...this.items];
  }
  /** @inheritDoc */
  visit<T>(visitor: TreeVisitor<T>): T {
    const items: [T, T] = [this.items[0].visit(visitor), this.items[1].visit(visitor)];
    return visitor.visitTupleNode(items, this);
  }
  /** @inheritDoc */
  toString(): string {
    return `(${this.items.map(String).join(', ')})`;
  }
}

/** A call of a function without special meaning (rejected later by the query builder). @see lsst.daf.butler.registry.queries.expressions.parser.exprTree.FunctionCall */
export class FunctionCall extends Node {
  /** Discriminant. */
  readonly kind = 'FunctionCall' as const;
  /**
   * Makes the node.
   *
   * @param name - the function name as written
   * @param args - the arguments
   */
  constructor(
    readonly name: string,
    readonly args: readonly Node[],
  ) {
    super();
  }
  /** @inheritDoc */
  get children(): readonly Node[] {
    return this.args;
  }
  /** @inheritDoc */
  visit<T>(visitor: TreeVisitor<T>): T {
    return visitor.visitFunctionCall(this.name, this.args.map((a) => a.visit(visitor)), this);
  }
  /** @inheritDoc */
  toString(): string {
    return `${this.name}(${this.args.map(String).join(', ')})`;
  }
}

/** `POINT(ra, dec)` in degrees. @see lsst.daf.butler.registry.queries.expressions.parser.exprTree.PointNode */
export class PointNode extends Node {
  /** Discriminant. */
  readonly kind = 'PointNode' as const;
  /**
   * Makes the node.
   *
   * @param ra - right ascension expression
   * @param dec - declination expression
   */
  constructor(
    readonly ra: Node,
    readonly dec: Node,
  ) {
    super();
  }
  /** @inheritDoc */
  get children(): readonly Node[] {
    return [this.ra, this.dec];
  }
  /** @inheritDoc */
  visit<T>(visitor: TreeVisitor<T>): T {
    const ra = this.ra.visit(visitor);
    return visitor.visitPointNode(ra, this.dec.visit(visitor), this);
  }
  /** @inheritDoc */
  toString(): string {
    return `POINT(${this.ra.toString()}, ${this.dec.toString()})`;
  }
}

/** `CIRCLE(ra, dec, radius)` in degrees. @see lsst.daf.butler.registry.queries.expressions.parser.exprTree.CircleNode */
export class CircleNode extends Node {
  /** Discriminant. */
  readonly kind = 'CircleNode' as const;
  /**
   * Makes the node.
   *
   * @param ra - centre right ascension
   * @param dec - centre declination
   * @param radius - radius
   */
  constructor(
    readonly ra: Node,
    readonly dec: Node,
    readonly radius: Node,
  ) {
    super();
  }
  /** @inheritDoc */
  get children(): readonly Node[] {
    return [this.ra, this.dec, this.radius];
  }
  /** @inheritDoc */
  visit<T>(visitor: TreeVisitor<T>): T {
    const ra = this.ra.visit(visitor);
    const dec = this.dec.visit(visitor);
    return visitor.visitCircleNode(ra, dec, this.radius.visit(visitor), this);
  }
  /** @inheritDoc */
  toString(): string {
    return `CIRCLE(${this.children.map(String).join(', ')})`;
  }
}

/** `BOX(ra, dec, width, height)` in degrees (ADQL). @see lsst.daf.butler.registry.queries.expressions.parser.exprTree.BoxNode */
export class BoxNode extends Node {
  /** Discriminant. */
  readonly kind = 'BoxNode' as const;
  /**
   * Makes the node.
   *
   * @param ra - centre right ascension
   * @param dec - centre declination
   * @param width - width in right ascension
   * @param height - height in declination
   */
  constructor(
    readonly ra: Node,
    readonly dec: Node,
    readonly width: Node,
    readonly height: Node,
  ) {
    super();
  }
  /** @inheritDoc */
  get children(): readonly Node[] {
    return [this.ra, this.dec, this.width, this.height];
  }
  /** @inheritDoc */
  visit<T>(visitor: TreeVisitor<T>): T {
    const ra = this.ra.visit(visitor);
    const dec = this.dec.visit(visitor);
    const width = this.width.visit(visitor);
    return visitor.visitBoxNode(ra, dec, width, this.height.visit(visitor), this);
  }
  /** @inheritDoc */
  toString(): string {
    return `BOX(${this.children.map(String).join(', ')})`;
  }
}

/** `POLYGON(ra1, dec1, ra2, dec2, …)` (≥ 3 vertices) in degrees (ADQL). @see lsst.daf.butler.registry.queries.expressions.parser.exprTree.PolygonNode */
export class PolygonNode extends Node {
  /** Discriminant. */
  readonly kind = 'PolygonNode' as const;
  /**
   * Makes the node.
   *
   * @param vertices - `[ra, dec]` pairs
   */
  constructor(readonly vertices: readonly (readonly [Node, Node])[]) {
    super();
  }
  /** @inheritDoc */
  get children(): readonly Node[] {
    return this.vertices.flat();
  }
  /** @inheritDoc */
  visit<T>(visitor: TreeVisitor<T>): T {
    const vertices = this.vertices.map(([ra, dec]): [T, T] => [ra.visit(visitor), dec.visit(visitor)]);
    return visitor.visitPolygonNode(vertices, this);
  }
  /** @inheritDoc */
  toString(): string {
    return `POLYGON(${this.children.map(String).join(', ')})`;
  }
}

/** `REGION(pos)`: an IVOA SIAv2 POS string (`'CIRCLE 0 0 1'`) or a bind. @see lsst.daf.butler.registry.queries.expressions.parser.exprTree.RegionNode */
export class RegionNode extends Node {
  /** Discriminant. */
  readonly kind = 'RegionNode' as const;
  /**
   * Makes the node.
   *
   * @param pos - a string literal, bind name or identifier
   */
  constructor(readonly pos: Node) {
    super();
  }
  /** @inheritDoc */
  get children(): readonly Node[] {
    return [this.pos];
  }
  /** @inheritDoc */
  visit<T>(visitor: TreeVisitor<T>): T {
    return visitor.visitRegionNode(this.pos.visit(visitor), this);
  }
  /** @inheritDoc */
  toString(): string {
    return `REGION(${this.pos.toString()})`;
  }
}

/** `GLOB(expression, pattern)`: case-sensitive whole-string match with `*` and `?`. @see lsst.daf.butler.registry.queries.expressions.parser.exprTree.GlobNode */
export class GlobNode extends Node {
  /** Discriminant. */
  readonly kind = 'GlobNode' as const;
  /**
   * Makes the node.
   *
   * @param expression - the identifier matched
   * @param pattern - a string literal or bind name
   */
  constructor(
    readonly expression: Identifier,
    readonly pattern: StringLiteral | BindName,
  ) {
    super();
  }
  /** @inheritDoc */
  get children(): readonly Node[] {
    return [this.expression, this.pattern];
  }
  /** @inheritDoc */
  visit<T>(visitor: TreeVisitor<T>): T {
    const expression = this.expression.visit(visitor);
    return visitor.visitGlobNode(expression, this.pattern.visit(visitor), this);
  }
  /** @inheritDoc */
  toString(): string {
    return `GLOB(${this.expression.toString()}, ${this.pattern.toString()})`;
  }
}

/**
 * Removes any number of enclosing {@link Parens}.
 *
 * @param node - a node
 * @returns the first node inside that is not `Parens`
 */
export function stripParens(node: Node): Node {
  let n = node;
  while (n instanceof Parens) n = n.expr;
  return n;
}

/**
 * Checks and normalizes a UUID as Python's `uuid.UUID(text)` accepts it: 32 hex digits, with
 * hyphens anywhere, optionally in braces and prefixed by `urn:uuid:`.
 *
 * @param text - the UUID text
 * @returns the canonical lower-case `8-4-4-4-12` form, or undefined when not a UUID
 */
export function canonicalUuid(text: string): string | undefined {
  const hex = text.replace('urn:', '').replace('uuid:', '').replace(/^\{+|\}+$/g, '').replaceAll('-', '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function isNumericArgument(node: Node): boolean {
  return node instanceof NumericLiteral || node instanceof BindName || node instanceof Identifier || node instanceof BinaryOp || node instanceof UnaryOp;
}

function fail(kind: 'value' | 'type', message: string): never {
  throw new ExpressionSyntaxError(message, { kind });
}

/**
 * Makes the node of a function call, with daf_butler's special functions (names case-insensitive):
 * `POINT`, `CIRCLE`, `BOX`, `POLYGON` and `REGION` make region nodes, `GLOB` a {@link GlobNode},
 * `UUID('…')` a {@link UuidLiteral}; other names make a {@link FunctionCall}.
 *
 * @param name - the function name as written
 * @param args - the arguments
 * @returns the node
 * @throws {@link ExpressionSyntaxError} with `kind` `'value'` for a wrong number or kind of
 *   arguments of a special function (ValueError in daf_butler), `'type'` for GLOB's argument
 *   types and a non-string UUID argument (TypeError). The error has no position; the parser adds it.
 * @see lsst.daf.butler.registry.queries.expressions.parser.exprTree.function_call
 */
export function functionCall(name: string, args: readonly Node[]): Node {
  const upper = name.toUpperCase();
  const checkNumeric = (names: readonly string[], label: string): void => {
    args.forEach((arg, i) => {
      const which = names[i] === undefined ? '' : ` ${names[i]}`;
      if (!isNumericArgument(arg)) fail('value', `${label}${which} argument must be either numeric expression or bind value; given ${arg.toString()}.`);
    });
  };
  switch (upper) {
    case 'POINT':
      if (args.length !== 2) fail('value', 'POINT requires two arguments (ra, dec).');
      return new PointNode(args[0]!, args[1]!);
    case 'CIRCLE':
      if (args.length !== 3) fail('value', `CIRCLE requires three arguments (ra, dec, radius); given ${args.length}.`);
      checkNumeric(['ra', 'dec', 'radius'], 'CIRCLE');
      return new CircleNode(args[0]!, args[1]!, args[2]!);
    case 'BOX':
      if (args.length !== 4) fail('value', `BOX requires four arguments (ra, dec, width, height); given ${args.length}.`);
      checkNumeric(['ra', 'dec', 'width', 'height'], 'BOX');
      return new BoxNode(args[0]!, args[1]!, args[2]!, args[3]!);
    case 'POLYGON': {
      if (args.length % 2 !== 0) fail('value', `POLYGON requires even number of arguments; given ${args.length}.`);
      if (args.length < 6) fail('value', `POLYGON requires at least three vertices; given ${args.length / 2}.`);
      checkNumeric([], 'POLYGON');
      const vertices: [Node, Node][] = [];
      for (let i = 0; i < args.length; i += 2) vertices.push([args[i]!, args[i + 1]!]);
      return new PolygonNode(vertices);
    }
    case 'REGION': {
      if (args.length !== 1) fail('value', `REGION requires a single string argument; given ${args.length} arguments.`);
      const pos = args[0]!;
      if (!(pos instanceof StringLiteral || pos instanceof BindName || pos instanceof Identifier)) {
        fail('value', `REGION argument must be either a string or a bind value; given ${pos.toString()}.`);
      }
      return new RegionNode(pos);
    }
    case 'GLOB': {
      if (args.length !== 2) fail('value', `GLOB requires two arguments (expression, pattern); given ${args.length}.`);
      const expression = stripParens(args[0]!);
      const pattern = stripParens(args[1]!);
      if (!(expression instanceof Identifier)) fail('type', `glob() first argument must be an identifier; given ${expression.toString()}.`);
      if (!(pattern instanceof StringLiteral || pattern instanceof BindName)) {
        fail('type', `glob() second argument must be a string or a bind name (prefixed with colon); given ${pattern.toString()}.`);
      }
      return new GlobNode(expression, pattern);
    }
    case 'UUID': {
      if (args.length !== 1) fail('value', `UUID() requires a single argument (uuid-string); given ${args.length}.`);
      const arg = stripParens(args[0]!);
      if (!(arg instanceof StringLiteral)) fail('type', `UUID() argument must be a string literal; given ${arg.toString()}.`);
      const uuid = canonicalUuid(arg.value);
      if (uuid === undefined) fail('value', `badly formed hexadecimal UUID string '${arg.value}'.`);
      return new UuidLiteral(uuid);
    }
    default:
      return new FunctionCall(name, args);
  }
}
