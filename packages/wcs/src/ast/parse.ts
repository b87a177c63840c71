// A reader for the text that AST's Channel writes (`astShow`, the form afw stores a SkyWcs in):
// nested `Begin Class` ... `End Class` objects, one `IsA Class` line closing the attributes of
// each class level, `name = value` attributes (numbers, quoted strings, or a nested object on
// the following lines), and comments after `#`.
import { WcsFormatError } from '../errors.js';

/** The value of one attribute of an AST object: a number, a string or a nested object. */
export type AstValue = number | string | AstObject;

/** One attribute as read: its name as written, its value and the 1-based line it is on. */
export interface AstAttribute {
  /** The name as written (`Nin`, `MapA`, `CF12`). */
  readonly name: string;
  /** The value. */
  readonly value: AstValue;
  /** The 1-based line of the `name = value` line. */
  readonly line: number;
}

/**
 * The attributes of one class level of an object: AST writes the attributes of each class of
 * the inheritance chain in turn, base class first, each group closed by `IsA Class` (the last by
 * `End Class`).
 */
export interface AstSection {
  /** The class whose attributes these are (`Object`, `Mapping`, `Frame`, `CmpMap`, ...). */
  readonly isA: string;
  /** The attributes by lower-case name (AST names are case-insensitive). */
  readonly attributes: ReadonlyMap<string, AstAttribute>;
}

/**
 * One AST object as read from a Channel dump: its class and its attributes, class level by class
 * level. A plain tree: nothing is evaluated.
 *
 * @see Starlink AST `Channel`, `astRead`, `astShow`
 */
export interface AstObject {
  /** The class named by `Begin` (`FrameSet`, `CmpMap`, `SkyFrame`, ...). */
  readonly className: string;
  /** The class levels, base class first, the object's own class last. */
  readonly sections: readonly AstSection[];
  /** The 1-based line of the `Begin` line. */
  readonly line: number;
}

/**
 * Looks up an attribute of an AST object (case-insensitively), searching the object's own class
 * level first and its base classes after it, or only the level of one class.
 *
 * @param object - the object
 * @param name - the attribute name (`Nin`, `map1`, ...)
 * @param isA - only look in the attributes of this class level
 * @returns the attribute, or undefined when the dump does not have it (AST leaves out defaults)
 */
export function astAttribute(object: AstObject, name: string, isA?: string): AstAttribute | undefined {
  const key = name.toLowerCase();
  for (let i = object.sections.length - 1; i >= 0; i--) {
    const section = object.sections[i]!;
    if (isA !== undefined && section.isA.toLowerCase() !== isA.toLowerCase()) continue;
    const a = section.attributes.get(key);
    if (a !== undefined) return a;
  }
  return undefined;
}

function where(object: AstObject, a?: AstAttribute): string {
  return a === undefined ? `the ${object.className} that begins on line ${object.line}` : `${a.name} on line ${a.line} (in the ${object.className} that begins on line ${object.line})`;
}

/**
 * A numeric attribute of an AST object, or a default when the dump leaves it out.
 *
 * @param object - the object
 * @param name - the attribute name
 * @param fallback - the value when absent; when undefined an absent attribute is an error
 * @returns the value
 * @throws {@link WcsFormatError} when the attribute is absent without a default, or not a number
 */
export function astNumber(object: AstObject, name: string, fallback?: number): number {
  const a = astAttribute(object, name);
  if (a === undefined) {
    if (fallback !== undefined) return fallback;
    throw new WcsFormatError(`AST ${where(object)} has no '${name}' attribute, which it needs.`);
  }
  if (typeof a.value !== 'number') throw new WcsFormatError(`AST attribute ${where(object, a)} should be a number; it is ${describe(a.value)}.`);
  return a.value;
}

/**
 * A string attribute of an AST object, or a default when the dump leaves it out.
 *
 * @param object - the object
 * @param name - the attribute name
 * @param fallback - the value when absent; when undefined an absent attribute is an error
 * @returns the value
 * @throws {@link WcsFormatError} when the attribute is absent without a default, or not a string
 */
export function astString(object: AstObject, name: string, fallback?: string): string {
  const a = astAttribute(object, name);
  if (a === undefined) {
    if (fallback !== undefined) return fallback;
    throw new WcsFormatError(`AST ${where(object)} has no '${name}' attribute, which it needs.`);
  }
  if (typeof a.value !== 'string') throw new WcsFormatError(`AST attribute ${where(object, a)} should be a string; it is ${describe(a.value)}.`);
  return a.value;
}

/**
 * A nested-object attribute of an AST object (`MapA`, `Frm2`, ...).
 *
 * @param object - the object
 * @param name - the attribute name
 * @returns the nested object, or undefined when absent
 * @throws {@link WcsFormatError} when the attribute is present but not an object
 */
export function astChild(object: AstObject, name: string): AstObject | undefined {
  const a = astAttribute(object, name);
  if (a === undefined) return undefined;
  if (typeof a.value !== 'object') throw new WcsFormatError(`AST attribute ${where(object, a)} should be a nested object; it is ${describe(a.value)}.`);
  return a.value;
}

function describe(v: AstValue): string {
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `a ${v.className} object`;
}

/** Where the value part of a line ends: at a `#` outside quotes, or the end of the line. */
function stripComment(s: string): string {
  let inQuote = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"') inQuote = !inQuote;
    else if (c === '#' && !inQuote) return s.slice(0, i);
  }
  return s;
}

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

function parseValue(raw: string, lineNo: number, name: string): number | string {
  if (raw.startsWith('"')) {
    let out = '';
    let i = 1;
    for (;;) {
      if (i >= raw.length) throw new WcsFormatError(`AST text line ${lineNo}: the string value of '${name}' has no closing quote: ${raw}`);
      const c = raw[i]!;
      if (c === '"') {
        if (raw[i + 1] === '"') {
          out += '"';
          i += 2;
          continue;
        }
        break;
      }
      out += c;
      i++;
    }
    if (raw.slice(i + 1).trim() !== '') throw new WcsFormatError(`AST text line ${lineNo}: unexpected text after the string value of '${name}': ${raw}`);
    return out;
  }
  if (/^<bad>$/i.test(raw)) return NaN;
  const n = Number(raw);
  if (raw !== '' && Number.isFinite(n)) return n;
  if (/^[+-]?(inf|infinity)$/i.test(raw)) return raw.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(raw)) return NaN;
  throw new WcsFormatError(`AST text line ${lineNo}: the value of '${name}' is neither a number nor a quoted string: '${raw}'.`);
}

interface Building {
  className: string;
  line: number;
  sections: AstSection[];
  current: Map<string, AstAttribute>;
  /** The attribute waiting for a nested object (`MapA =` with nothing after it). */
  pending?: { name: string; line: number };
}

/**
 * Parses the text of an AST Channel dump into plain objects: every top-level object in the text,
 * in order (afw's SkyWcs entry holds one FrameSet, two when it carries a FITS approximation).
 * Comments (`#` to the end of a line, outside quotes) and blank lines are ignored; text before
 * the first `Begin` on its line (afw's `1 SkyWcs 0` prefix) must be removed by the caller.
 *
 * @param text - the dump
 * @returns the objects
 * @throws {@link WcsFormatError} naming the line, for text that is not a well-formed dump:
 *   unbalanced `Begin`/`End`, an `End` of another class, an attribute outside an object, a
 *   value that is neither a number nor a quoted string, a missing nested object, truncated text
 * @example
 * ```ts
 * const [obj] = parseAstObjects('Begin ZoomMap\n Nin = 2\nIsA Mapping\n Zoom = 3\nEnd ZoomMap\n');
 * astNumber(obj!, 'Zoom'); // 3
 * ```
 * @see Starlink AST `Channel` (`astRead`)
 */
export function parseAstObjects(text: string): AstObject[] {
  const lines = text.split(/\r\n|\r|\n/);
  const stack: Building[] = [];
  const top: AstObject[] = [];
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const s = stripComment(lines[i]!).trim();
    if (s === '') continue;
    const parent = stack[stack.length - 1];
    const word = /^(Begin|IsA|End)\s+(\S+)\s*$/i.exec(s);
    if (word !== null) {
      const keyword = word[1]!.toLowerCase();
      const cls = word[2]!;
      if (!NAME.test(cls)) throw new WcsFormatError(`AST text line ${lineNo}: '${cls}' is not a class name: ${s}`);
      if (keyword === 'begin') {
        if (parent !== undefined && parent.pending === undefined) {
          throw new WcsFormatError(`AST text line ${lineNo}: 'Begin ${cls}' inside the ${parent.className} of line ${parent.line} without an attribute to hold it (expected 'name =' on the line before).`);
        }
        stack.push({ className: cls, line: lineNo, sections: [], current: new Map() });
        continue;
      }
      if (parent === undefined) throw new WcsFormatError(`AST text line ${lineNo}: '${s}' outside any object.`);
      if (parent.pending !== undefined) throw new WcsFormatError(`AST text line ${lineNo}: '${parent.pending.name} =' on line ${parent.pending.line} has no value (expected a nested 'Begin' line), found '${s}'.`);
      if (keyword === 'isa') {
        parent.sections.push({ isA: cls, attributes: parent.current });
        parent.current = new Map();
        continue;
      }
      // End
      if (cls.toLowerCase() !== parent.className.toLowerCase()) {
        throw new WcsFormatError(`AST text line ${lineNo}: 'End ${cls}' closes the ${parent.className} that begins on line ${parent.line}; expected 'End ${parent.className}'.`);
      }
      stack.pop();
      parent.sections.push({ isA: parent.className, attributes: parent.current });
      const done: AstObject = { className: parent.className, sections: parent.sections, line: parent.line };
      const outer = stack[stack.length - 1];
      if (outer === undefined) top.push(done);
      else {
        const p = outer.pending!;
        outer.current.set(p.name.toLowerCase(), { name: p.name, value: done, line: p.line });
        delete outer.pending;
      }
      continue;
    }
    const eq = s.indexOf('=');
    if (eq < 0) throw new WcsFormatError(`AST text line ${lineNo}: expected 'name = value', 'Begin', 'IsA' or 'End'; found '${s}'.`);
    const name = s.slice(0, eq).trim();
    if (!NAME.test(name)) throw new WcsFormatError(`AST text line ${lineNo}: '${name}' is not an attribute name.`);
    if (parent === undefined) throw new WcsFormatError(`AST text line ${lineNo}: the attribute '${name}' is outside any object (no 'Begin' before it).`);
    if (parent.pending !== undefined) throw new WcsFormatError(`AST text line ${lineNo}: '${parent.pending.name} =' on line ${parent.pending.line} has no value (expected a nested 'Begin' line), found '${s}'.`);
    const raw = s.slice(eq + 1).trim();
    if (raw === '') {
      parent.pending = { name, line: lineNo };
      continue;
    }
    parent.current.set(name.toLowerCase(), { name, value: parseValue(raw, lineNo, name), line: lineNo });
  }
  if (stack.length > 0) {
    const open = stack[stack.length - 1]!;
    throw new WcsFormatError(`AST text ends (line ${lines.length}) inside the ${open.className} that begins on line ${open.line}: the text is truncated (no 'End ${open.className}').`);
  }
  return top;
}

/**
 * Parses a dump that holds exactly one object (or takes the first of several).
 *
 * @param text - the dump
 * @returns the object
 * @throws {@link WcsFormatError} when the text is malformed or holds no object
 * @see Starlink AST `Channel` (`astRead`)
 */
export function parseAst(text: string): AstObject {
  const objects = parseAstObjects(text);
  if (objects.length === 0) throw new WcsFormatError('The AST text holds no object (no \'Begin\' line).');
  return objects[0]!;
}
