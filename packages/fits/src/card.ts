import { FitsFormatError, FitsKeywordError } from './errors.js';

/**
 * The value of a header keyword: a string, a number (integer or floating point), a `bigint`
 * (an integer beyond ±2^53), a logical, or `null` for a keyword whose value field is blank
 * (the standard's "undefined value", astropy's `Undefined`).
 *
 * Complex values (`(1.0, 2.0)`) are read as the string of their value field, parentheses
 * included; they are rare in headers and cannot be written back as complex numbers.
 */
export type HeaderValue = string | number | bigint | boolean | null;

/** Options of the {@link Card} constructor. */
export interface CardOptions {
  /**
   * Write a number value as a floating-point number even when it is an integer
   * (`30` is written `30.0`, so that it reads back as a float). Default: `false`, integers
   * that are safe integers are written as integers.
   */
  readonly float?: boolean;
}

/** Length of a card image in characters (bytes). */
export const CARD_LENGTH = 80;

/** The keywords whose cards are commentary (no value), besides the blank keyword. */
const COMMENTARY_KEYWORDS: ReadonlySet<string> = new Set(['COMMENT', 'HISTORY', '']);

const STANDARD_KEYWORD = /^[A-Z0-9_-]{0,8}$/;
const INTEGER = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[EeDd][+-]?\d+)?$/;
const BLANKS_80 = ' '.repeat(CARD_LENGTH);

/** Width of the string chunk (between the quotes, before the `&`) on a `CONTINUE` card. */
const CONTINUE_CHUNK = 67;
/** Width of a comment chunk on a comment-only `CONTINUE` card. */
const CONTINUE_COMMENT_CHUNK = 64;

/** Pads a string with spaces to 80 characters. */
function pad80(s: string): string {
  return s.length >= CARD_LENGTH ? s : s + BLANKS_80.slice(s.length);
}

/** True when every character of `s` is printable ASCII (0x20 to 0x7E). */
function isPrintableAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/**
 * Normalises a keyword for look-up: upper case, trimmed, a leading `HIERARCH ` removed.
 * `'hierarch ESO DET chip'` and `'ESO DET CHIP'` give the same key.
 *
 * @param keyword - the keyword as the caller wrote it
 * @returns the look-up key
 */
export function normalizeKeyword(keyword: string): string {
  let k = keyword.trim().toUpperCase();
  if (k.startsWith('HIERARCH ')) k = k.slice(9).trim();
  return k;
}

/**
 * Formats a floating-point number the way Python's `repr` does (shortest text that reads
 * back to the same double), with an upper-case `E`: `1.0`, `0.0001`, `2.5E-05`, `1E+16`.
 * The text always contains a `.` or an `E`, so FITS readers take it for a float.
 *
 * @param x - a finite number
 * @returns the value field text
 */
export function formatFloat(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const e = x.toExponential();
  const at = e.indexOf('e');
  const exp = Number(e.slice(at + 1));
  if (exp >= -4 && exp < 16) {
    const s = String(x);
    return s.includes('.') ? s : `${s}.0`;
  }
  const mant = e.slice(0, at);
  const abs = Math.abs(exp);
  return `${mant}E${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
}

/** The value, comment and kind parsed from the value field of a card (after `= `). */
interface ParsedField {
  value: HeaderValue;
  comment: string | undefined;
  isFloat: boolean;
  /** For string values: the escaped text between the quotes, trailing blanks removed. */
  escaped: string | undefined;
}

/** Splits off the comment after a `/` in `rest` (leading and trailing blanks removed). */
function commentAfter(rest: string): string | undefined {
  const slash = rest.indexOf('/');
  return slash < 0 ? undefined : rest.slice(slash + 1).trim();
}

/** Parses a free-format value field: a quoted string, a logical, a number, or blanks. */
function parseValueField(field: string): ParsedField {
  let i = 0;
  while (i < field.length && field.charCodeAt(i) === 0x20) i++;
  if (field.charCodeAt(i) === 0x27 /* ' */) {
    let j = i + 1;
    let end = -1;
    for (;;) {
      const k = field.indexOf("'", j);
      if (k < 0) break;
      if (field.charCodeAt(k + 1) === 0x27) {
        j = k + 2;
        continue;
      }
      end = k;
      break;
    }
    // Lenient: an unterminated string runs to the end of the card (cfitsio does the same).
    const escaped = (end < 0 ? field.slice(i + 1) : field.slice(i + 1, end)).trimEnd();
    return {
      value: escaped.includes("''") ? escaped.replaceAll("''", "'") : escaped,
      comment: end < 0 ? undefined : commentAfter(field.slice(end + 1)),
      isFloat: false,
      escaped,
    };
  }
  const slash = field.indexOf('/', i);
  const token = (slash < 0 ? field.slice(i) : field.slice(i, slash)).trim();
  const comment = slash < 0 ? undefined : field.slice(slash + 1).trim();
  const { value, isFloat } = parseToken(token);
  return { value, comment, isFloat, escaped: undefined };
}

/** Reads a non-string value token. Unknown tokens (complex values, bare words) stay strings. */
function parseToken(token: string): { value: HeaderValue; isFloat: boolean } {
  if (token === '') return { value: null, isFloat: false };
  if (token === 'T') return { value: true, isFloat: false };
  if (token === 'F') return { value: false, isFloat: false };
  const c = token.charCodeAt(0);
  const numeric = (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e;
  if (numeric) {
    if (INTEGER.test(token)) {
      const n = Number(token);
      if (Number.isSafeInteger(n)) return { value: n === 0 ? 0 : n, isFloat: false };
      return { value: BigInt(token), isFloat: false };
    }
    if (FLOAT.test(token)) {
      return { value: Number(token.replace('D', 'E').replace('d', 'e')), isFloat: true };
    }
  }
  return { value: token, isFloat: false };
}

/** The fields of a parsed card, handed to the {@link Card} constructor by {@link parseImages}. */
interface CardInit {
  keyword: string;
  value: HeaderValue | undefined;
  comment: string | undefined;
  isCommentary: boolean;
  isHierarch: boolean;
  isFloat: boolean;
  raw: readonly string[];
}

/** Set by {@link parseImages} just before it calls the constructor, which then takes these fields. */
let pending: CardInit | undefined;

/**
 * Parses padded, printable-ASCII card images (one, or a long string and its CONTINUE images).
 *
 * @param padded - 80-character images, already checked
 * @returns the card, keeping the images as raw
 */
export function parseImages(padded: readonly string[]): Card {
  const image = padded[0]!;
  const kw = image.slice(0, 8).trim().toUpperCase();
  let keyword = kw;
  let isHierarch = false;
  let field: string | undefined;
  if (COMMENTARY_KEYWORDS.has(kw)) {
    field = undefined;
  } else if (image.charCodeAt(8) === 0x3d && image.charCodeAt(9) === 0x20) {
    field = image.slice(10);
  } else if (kw === 'HIERARCH' && image.charCodeAt(8) === 0x20 && image.indexOf('=', 9) > 0) {
    const eq = image.indexOf('=', 9);
    keyword = image.slice(9, eq).trim();
    isHierarch = true;
    field = image.slice(eq + 1);
  } else {
    const eq = image.indexOf('= ');
    if (eq > 0 && eq < 8) {
      keyword = image.slice(0, eq).trim().toUpperCase();
      field = image.slice(eq + 2);
    }
  }
  const raw = Object.freeze(padded.slice());
  if (field === undefined) {
    if (padded.length > 1) {
      throw new FitsFormatError(`Commentary card '${kw}' cannot be continued with CONTINUE cards.`);
    }
    return make({ keyword, value: undefined, comment: image.slice(8).trimEnd(), isCommentary: true, isHierarch, isFloat: false, raw });
  }
  const parsed = parseValueField(field);
  if (padded.length === 1) {
    return make({ keyword, value: parsed.value, comment: parsed.comment, isCommentary: false, isHierarch, isFloat: parsed.isFloat, raw });
  }
  if (parsed.escaped === undefined) {
    throw new FitsFormatError(`Card '${keyword}' is followed by CONTINUE cards but has no string value.`);
  }
  // astropy's rules: each part loses its trailing blanks, then one trailing '&'; the parts are
  // joined before '' is unescaped; the comments of all parts are joined with a blank.
  const parts: string[] = [];
  const comments: string[] = [];
  const addPart = (p: ParsedField): void => {
    const e = p.escaped ?? '';
    parts.push(e.endsWith('&') ? e.slice(0, -1) : e);
    if (p.comment !== undefined && p.comment !== '') comments.push(p.comment);
  };
  addPart(parsed);
  for (let i = 1; i < padded.length; i++) {
    const cont = padded[i]!;
    if (!cont.startsWith('CONTINUE')) {
      throw new FitsFormatError(`Card image ${i} of a long string is not a CONTINUE card: ${JSON.stringify(cont)}.`);
    }
    const p = parseValueField(cont.slice(8));
    if (p.escaped === undefined) {
      throw new FitsFormatError(`CONTINUE card has no string value: ${JSON.stringify(cont)}.`);
    }
    addPart(p);
  }
  return make({
    keyword,
    value: parts.join('').replaceAll("''", "'").trimEnd(),
    comment: comments.length === 0 ? undefined : comments.join(' '),
    isCommentary: false,
    isHierarch,
    isFloat: false,
    raw,
  });
}

/** Builds a card from parsed fields through the constructor's fast path. */
function make(init: CardInit): Card {
  pending = init;
  return new Card('', undefined);
}

/** Escapes a string value into chunks of at most `width` characters, never splitting a `''`. */
function chunkEscaped(value: string, firstWidth: number, width: number): string[] {
  const chunks: string[] = [];
  let cur = '';
  let limit = firstWidth;
  for (const ch of value) {
    const unit = ch === "'" ? "''" : ch;
    if (cur.length + unit.length > limit) {
      chunks.push(cur);
      cur = '';
      limit = width;
    }
    cur += unit;
  }
  chunks.push(cur);
  return chunks;
}

/** Splits text into pieces of at most `width` characters, preferring to break after a blank. */
function splitWords(text: string, width: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > width) {
    let cut = rest.lastIndexOf(' ', width - 1) + 1;
    if (cut <= width / 2) cut = width;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  out.push(rest);
  return out;
}

/**
 * One keyword record of a FITS header: keyword, value and comment, with the original
 * 80-character card image(s) kept for an exact round trip.
 *
 * Cards are immutable: {@link Header.set} replaces a card by a new one. A card parsed from a
 * file writes back its original images ({@link Card.raw}) byte for byte; a card made in code
 * is formatted as the FITS standard 4.0 §4 prescribes:
 *
 * - logicals and numbers in fixed format, right-justified to column 30; integers beyond ±2^53
 *   as `bigint`; floats as the shortest text that reads back to the same double, always with
 *   a `.` or an `E` (`1.0`, `2.5E-05`);
 * - strings quoted from column 11 with `'` doubled, padded to at least 8 characters; strings
 *   that do not fit on one card use the `CONTINUE` long-string convention (`&` at the end of
 *   each continued part, the comment on extra `CONTINUE  '' / ...` cards as astropy writes it);
 * - keywords longer than 8 characters or with characters outside `A-Z 0-9 _ -` use the ESO
 *   `HIERARCH` convention (`HIERARCH ESO DET CHIP = 3`);
 * - `COMMENT`, `HISTORY` and blank-keyword cards are commentary: no value, the text in
 *   columns 9 to 80 is the {@link Card.comment}.
 *
 * Parsing is lenient where cfitsio and astropy are: `D` exponents and exponents without a
 * decimal point (`2E-05`) are floats, a blank value field is `null`, `=` before column 9 is
 * accepted, an unterminated string runs to the end of the card, a bare word or a complex
 * value is kept as the string of its value field. A card without the value indicator `= ` in
 * columns 9–10 is commentary.
 *
 * @example
 * ```ts
 * const exptime = new Card('EXPTIME', 30, 'exposure time [s]', { float: true });
 * exptime.toImages()[0]; // 'EXPTIME =                 30.0 / exposure time [s]' + blanks
 * const parsed = Card.parse(["OBJECT  = 'M31     '           / target" + ' '.repeat(41)]);
 * parsed.value; // 'M31'
 * const chip = new Card('ESO DET CHIP', 'CCD-3'); // written with HIERARCH
 * ```
 * @see astropy.io.fits.Card
 * @see lsst.daf.base.PropertyList (afw keeps the same keyword, value and comment triples)
 */
export class Card {
  /**
   * The keyword: upper case for standard keywords; for `HIERARCH` cards the name after
   * `HIERARCH ` as written (e.g. `ESO DET CHIP`); `''` for blank-keyword commentary.
   */
  readonly keyword: string;
  /** The value; `undefined` for commentary cards, `null` for an undefined (blank) value. */
  readonly value: HeaderValue | undefined;
  /**
   * The comment after the `/`, or, for commentary cards, the text in columns 9–80 (trailing
   * blanks removed); `undefined` when the card has none.
   */
  readonly comment: string | undefined;
  /**
   * True for commentary cards: `COMMENT`, `HISTORY`, the blank keyword, and any card without
   * the value indicator `= ` in columns 9–10.
   */
  readonly isCommentary: boolean;
  /** True when the keyword uses the `HIERARCH` convention. */
  readonly isHierarch: boolean;
  /**
   * True when a number value is (or was, in the file) written as a floating-point number,
   * so that it keeps that form when rewritten (always true for -0 and for numbers beyond
   * ±2^53 that are not bigints).
   */
  readonly isFloat: boolean;
  /**
   * The original 80-character card image(s) this card was parsed from (more than one for a
   * long string continued with `CONTINUE`); `undefined` for cards made in code.
   */
  readonly raw: readonly string[] | undefined;

  /**
   * Makes a card in code (it has no {@link Card.raw} images).
   *
   * A keyword starting with `HIERARCH `, longer than 8 characters, or with characters other
   * than `A-Z a-z 0-9 _ -` becomes a `HIERARCH` keyword; standard keywords are upper-cased.
   * For `COMMENT`, `HISTORY` and the blank keyword, the text goes in `comment` (a string
   * `value` with no `comment` is taken as the text too).
   *
   * @param keyword - the keyword
   * @param value - the value; `null` for an undefined value; `undefined` for a commentary card
   * @param comment - the comment, or the text of a commentary card
   * @param options - how to write number values
   * @throws {@link FitsKeywordError} when the keyword, value or comment cannot be written in a
   * FITS header (non-printable or non-ASCII characters, `=` in a keyword, a non-finite number)
   */
  constructor(keyword: string, value: HeaderValue | undefined, comment?: string, options: CardOptions = {}) {
    const init = pending;
    if (init !== undefined) {
      // Made by parseImages from checked card images: no validation needed.
      pending = undefined;
      this.keyword = init.keyword;
      this.value = init.value;
      this.comment = init.comment;
      this.isCommentary = init.isCommentary;
      this.isHierarch = init.isHierarch;
      this.isFloat = init.isFloat;
      this.raw = init.raw;
      return;
    }
    let k = keyword.trim();
    let hierarch = false;
    if (k.toUpperCase().startsWith('HIERARCH ')) {
      k = k.slice(9).trim();
      hierarch = true;
    }
    const upper = k.toUpperCase();
    if (!hierarch && STANDARD_KEYWORD.test(upper)) {
      k = upper;
    } else {
      if (k === '' || !isPrintableAscii(k) || k.includes('=')) {
        throw new FitsKeywordError(`Invalid FITS keyword ${JSON.stringify(keyword)}.`, {
          hint: 'Keywords are printable ASCII without "="; HIERARCH names may contain blanks.',
        });
      }
      hierarch = true;
    }
    let text = comment;
    let v = value;
    if (!hierarch && COMMENTARY_KEYWORDS.has(k)) {
      if (v !== undefined) {
        if (typeof v !== 'string' || text !== undefined) {
          throw new FitsKeywordError(`Commentary keyword '${k}' cannot have a value; pass the text as the comment.`);
        }
        text = v;
        v = undefined;
      }
    }
    if (text !== undefined && !isPrintableAscii(text)) {
      throw new FitsKeywordError(`The comment of '${k}' has characters that are not printable ASCII.`, {
        hint: 'FITS headers hold only characters 0x20 to 0x7E.',
      });
    }
    if (typeof v === 'string' && !isPrintableAscii(v)) {
      throw new FitsKeywordError(`The value of '${k}' has characters that are not printable ASCII.`, {
        hint: 'FITS headers hold only characters 0x20 to 0x7E.',
      });
    }
    if (typeof v === 'number' && !Number.isFinite(v)) {
      throw new FitsKeywordError(`The value of '${k}' is ${v}, which FITS cannot represent.`);
    }
    if (hierarch && v === undefined) {
      throw new FitsKeywordError(`HIERARCH keyword '${k}' needs a value (use null for an undefined value).`);
    }
    this.keyword = k;
    this.value = v;
    this.comment = text;
    this.isCommentary = v === undefined;
    this.isHierarch = hierarch;
    this.isFloat =
      typeof v === 'number' && (options.float === true || !Number.isSafeInteger(v) || Object.is(v, -0));
    this.raw = undefined;
  }

  /**
   * Parses a card from its image, or a long-string card followed by its `CONTINUE` images.
   * Images shorter than 80 characters are padded with blanks.
   *
   * @param images - one 80-character card image, or several for a continued string
   * @returns the card, keeping the images as {@link Card.raw}
   * @throws {@link FitsFormatError} when an image is longer than 80 characters or has
   * non-ASCII characters, or when a following image is not a `CONTINUE` card
   */
  static parse(images: readonly string[]): Card {
    if (images.length === 0) throw new FitsFormatError('Card.parse needs at least one card image.');
    const padded: string[] = [];
    for (let index = 0; index < images.length; index++) {
      const image = images[index]!;
      if (image.length > CARD_LENGTH || !isPrintableAscii(image)) {
        throw new FitsFormatError(
          `Card image ${index} is not a FITS card (more than 80 characters, or not printable ASCII): ${JSON.stringify(image.slice(0, 80))}.`,
        );
      }
      padded.push(pad80(image));
    }
    return parseImages(padded);
  }

  /**
   * Counts the card images that make up the card starting at `images[start]`: 1, or 1 plus
   * the `CONTINUE` images that continue its long string (each continued part ends with `&`).
   * A `CONTINUE` card that continues nothing is a commentary card of its own.
   *
   * @param images - 80-character card images, in header order
   * @param start - the index of the first image of the card
   * @returns how many images {@link Card.parse} should be given
   */
  static spanAt(images: readonly string[], start: number): number {
    const next = images[start + 1];
    if (next === undefined || !next.startsWith('CONTINUE')) return 1;
    const first = images[start]!;
    const kw = first.slice(0, 8).trim().toUpperCase();
    if (COMMENTARY_KEYWORDS.has(kw)) return 1;
    let field: string;
    if (kw === 'HIERARCH' && first.indexOf('=', 9) > 0) field = first.slice(first.indexOf('=', 9) + 1);
    else if (first.slice(8, 10) === '= ') field = first.slice(10);
    else return 1;
    let parsed = parseValueField(field);
    let n = 1;
    while (parsed.escaped !== undefined && parsed.escaped.endsWith('&')) {
      const cont = images[start + n];
      if (cont === undefined || !cont.startsWith('CONTINUE')) break;
      parsed = parseValueField(cont.slice(8));
      if (parsed.escaped === undefined) break;
      n++;
    }
    return n;
  }

  /**
   * Returns a copy of this card with another value (and comment, when given; else the same
   * comment). A number value keeps the floating-point form of this card.
   *
   * @param value - the new value
   * @param comment - the new comment; the current one when omitted
   * @returns the new card (without raw images)
   */
  withValue(value: HeaderValue, comment?: string): Card {
    const keyword = this.isHierarch ? `HIERARCH ${this.keyword}` : this.keyword;
    return new Card(keyword, value, comment ?? this.comment, { float: this.isFloat });
  }

  /**
   * Returns the 80-character card images of this card: the original images when it was
   * parsed, else the images formatted per the FITS standard (several for a long string, or
   * for a commentary text longer than 72 characters).
   *
   * @returns the card images, each exactly 80 characters
   */
  toImages(): string[] {
    if (this.raw !== undefined) return [...this.raw];
    if (this.isCommentary) return formatCommentary(this);
    const head = this.isHierarch ? `HIERARCH ${this.keyword} = ` : `${this.keyword.padEnd(8)}= `;
    const v = this.value;
    const comment = this.comment === undefined || this.comment === '' ? '' : ` / ${this.comment}`;
    if (typeof v === 'string') {
      const escaped = v.replaceAll("'", "''");
      const quoted = this.isHierarch ? `'${escaped.padEnd(8)}'` : `'${escaped.padEnd(8)}'`.padEnd(20);
      const line = head + quoted + comment;
      if (line.length <= CARD_LENGTH) return [pad80(line)];
      if (this.isHierarch && line.length === CARD_LENGTH + 1 && comment === '') {
        return [pad80(`HIERARCH ${this.keyword}= ${quoted}`)];
      }
      return formatLongString(this, head, v);
    }
    let text: string;
    if (v === null || v === undefined) text = '';
    else if (typeof v === 'boolean') text = v ? 'T' : 'F';
    else if (typeof v === 'bigint') text = v.toString();
    else text = this.isFloat ? formatFloat(v) : String(v);
    if (!this.isHierarch) text = text.padStart(20);
    let line = head + text + comment;
    if (line.length > CARD_LENGTH && this.isHierarch && (head + text).length === CARD_LENGTH + 1) {
      line = `HIERARCH ${this.keyword}= ${text}`;
    }
    if ((head + text).length > CARD_LENGTH) {
      throw new FitsKeywordError(`HIERARCH keyword '${this.keyword}' with its value does not fit on one card.`);
    }
    // Like astropy, a comment too long for the card is truncated.
    return [line.slice(0, CARD_LENGTH).padEnd(CARD_LENGTH)];
  }

  /**
   * Returns the card as text (its images joined with newlines), for display.
   *
   * @returns the card images, one per line
   */
  toString(): string {
    return this.toImages().join('\n');
  }
}

/** Formats a commentary card, split over several cards when the text exceeds 72 characters. */
function formatCommentary(card: Card): string[] {
  const text = card.comment ?? '';
  const head = card.keyword.padEnd(8);
  const out: string[] = [];
  for (let i = 0; i === 0 || i < text.length; i += 72) out.push(pad80(head + text.slice(i, i + 72)));
  return out;
}

/** Formats a long string with the CONTINUE convention (astropy's layout). */
function formatLongString(card: Card, head: string, value: string): string[] {
  const firstWidth = Math.max(1, CARD_LENGTH - head.length - 3);
  if (firstWidth < 1 || head.length > CARD_LENGTH - 4) {
    throw new FitsKeywordError(`HIERARCH keyword '${card.keyword}' is too long for a string value.`);
  }
  const chunks = chunkEscaped(value, firstWidth, CONTINUE_CHUNK);
  const hasComment = card.comment !== undefined && card.comment !== '';
  const out = chunks.map((chunk, i) => {
    const last = i === chunks.length - 1 && !hasComment;
    return pad80(`${i === 0 ? head : 'CONTINUE  '}'${chunk}${last ? '' : '&'}'`);
  });
  if (hasComment) {
    const words = splitWords(card.comment!, CONTINUE_COMMENT_CHUNK);
    words.forEach((w, i) => {
      out.push(pad80(`CONTINUE  '${i === words.length - 1 ? '' : '&'}' / ${w}`));
    });
  }
  return out;
}
