import { CARD_LENGTH, Card, normalizeKeyword, parseImages } from './card.js';
import type { HeaderValue } from './card.js';
import { FitsFormatError, FitsKeywordError } from './errors.js';
import type { FitsErrorOptions, FitsLocation } from './errors.js';

/** Size in bytes of a FITS logical record (block): headers and data units are padded to it. */
export const FITS_BLOCK_SIZE = 2880;

const CARDS_PER_BLOCK = FITS_BLOCK_SIZE / CARD_LENGTH;
const END_IMAGE = 'END'.padEnd(CARD_LENGTH);
const COMMENTARY_TEXT = 72;

/** Where a header was read from, used in error messages. */
export interface HeaderParseOptions {
  /** Byte offset in `bytes` at which the header starts. Default: 0. */
  readonly offset?: number;
  /** The file path, for error messages. */
  readonly file?: string;
  /** The 0-based HDU index, for error messages. */
  readonly hdu?: number;
}

/** What {@link Header.parse} returns. */
export interface ParsedHeader {
  /** The header, without its `END` card. */
  readonly header: Header;
  /** Bytes the header takes, `END` card and padding included: a multiple of 2880. */
  readonly byteLength: number;
}

/**
 * Rounds a byte count up to a whole number of 2880-byte FITS blocks.
 *
 * @param byteLength - a byte count (0 or more)
 * @returns the smallest multiple of 2880 that is at least `byteLength`
 */
export function paddedByteLength(byteLength: number): number {
  return Math.ceil(byteLength / FITS_BLOCK_SIZE) * FITS_BLOCK_SIZE;
}

const LATIN1 = new TextDecoder('latin1');

/** Latin-1 decode of `bytes[start, end)` in one go (one decoder call per block, not per card). */
function latin1(bytes: Uint8Array, start: number, end: number): string {
  return LATIN1.decode(bytes.subarray(start, end));
}

/** True for the `END` card: `END` in columns 1–3, blanks in columns 4–8. */
function isEndCard(text: string, at: number): boolean {
  return text.startsWith('END     ', at);
}

/** Index of the first byte of `bytes[start, start + 80)` that is not printable ASCII, or -1. */
function firstNonAscii(bytes: Uint8Array, start: number): number {
  for (let i = start; i < start + CARD_LENGTH; i++) {
    const b = bytes[i]!;
    if (b < 0x20 || b > 0x7e) return i - start;
  }
  return -1;
}

function describe(value: HeaderValue | undefined): string {
  if (typeof value === 'string') return `'${value}' (a string)`;
  if (typeof value === 'bigint') return `${value} (an integer beyond 2^53)`;
  if (value === null) return 'undefined (blank value field)';
  return `${String(value)} (a ${typeof value === 'number' ? 'number' : 'logical'})`;
}

/**
 * A FITS header: the ordered list of {@link Card}s of one HDU (without `END`), with typed
 * look-ups, in-place edits, and an exact byte round trip.
 *
 * Keywords given to look-ups are case-insensitive: `get('naxis1')` finds `NAXIS1`, and a
 * `HIERARCH` keyword is found by its name with or without the `HIERARCH ` prefix
 * (`get('ESO DET CHIP')`, `get('HIERARCH ESO DET CHIP')`); blanks inside a `HIERARCH` name
 * are kept. Duplicated keywords are kept in order; the look-ups return the first (as
 * astropy does) and {@link Header.getAll} returns them all.
 *
 * A header parsed from bytes writes back the same bytes with {@link Header.toBytes} when
 * nothing was edited; an edit re-formats only the card it touches.
 *
 * @example
 * ```ts
 * const { header, byteLength } = Header.parse(bytes);
 * const width = header.requireInt('NAXIS1');
 * const exptime = header.getNumber('EXPTIME'); // undefined when absent
 * header.set('OBJECT', 'M31', 'target name');
 * header.addHistory('Calibrated by SkyStack.');
 * const out = header.toBytes(); // multiple of 2880 bytes, END included
 * const dataStart = byteLength; // the data unit follows the header
 * ```
 * @see astropy.io.fits.Header
 * @see lsst.daf.base.PropertyList
 */
export class Header implements Iterable<Card> {
  #cards: Card[];
  #index: Map<string, Card[]> | undefined;
  #file: string | undefined;
  #hdu: number | undefined;
  /** The `END` card and padding as read, with the number of card images before them. */
  #tail: { readonly images: number; readonly bytes: Uint8Array; readonly length: number } | undefined;

  /**
   * Makes a header holding the given cards, in order.
   *
   * @param cards - the cards (no `END` card)
   */
  constructor(cards: Iterable<Card> = []) {
    this.#cards = [...cards];
    this.#index = undefined;
    this.#file = undefined;
    this.#hdu = undefined;
    this.#tail = undefined;
  }

  /**
   * Reads a header from 2880-byte blocks starting at `bytes[offset]`, up to and including
   * the block holding the `END` card.
   *
   * Card images are kept, so that {@link Header.toBytes} gives the bytes back. A string
   * value ending in `&` followed by `CONTINUE` cards is read as one long string.
   *
   * @param bytes - the bytes (for instance a whole file, or its first blocks)
   * @param options - where the header starts, and the file and HDU for error messages
   * @returns the header and the number of bytes it takes (a multiple of 2880)
   * @throws {@link FitsFormatError} when the bytes run out before an `END` card, or a card
   * has a byte that is not printable ASCII (the error gives the card's byte offset)
   */
  static parse(bytes: Uint8Array, options: HeaderParseOptions = {}): ParsedHeader {
    const start = options.offset ?? 0;
    const loc: FitsErrorOptions = {
      ...(options.file === undefined ? {} : { file: options.file }),
      ...(options.hdu === undefined ? {} : { hdu: options.hdu }),
    };
    const images: string[] = [];
    const offsets: number[] = [];
    let pos = start;
    let found = false;
    while (!found) {
      if (pos + CARD_LENGTH > bytes.length) {
        throw new FitsFormatError(
          `No END card: the header starting at byte ${start} runs to the end of the bytes (${bytes.length}) after ${images.length} cards.`,
          { ...loc, offset: pos, hint: 'The file is truncated or is not a FITS file.' },
        );
      }
      const blockEnd = Math.min(pos + FITS_BLOCK_SIZE, bytes.length);
      const text = latin1(bytes, pos, blockEnd);
      for (let c = 0; c + CARD_LENGTH <= text.length; c += CARD_LENGTH) {
        if (isEndCard(text, c)) {
          found = true;
          break;
        }
        const bad = firstNonAscii(bytes, pos + c);
        if (bad >= 0) {
          throw new FitsFormatError(
            `Card ${images.length + 1} of the header has byte 0x${bytes[pos + c + bad]!.toString(16).padStart(2, '0')} in column ${bad + 1}; FITS headers hold only printable ASCII.`,
            { ...loc, offset: pos + c, hint: 'The bytes are not a FITS header, or the file is corrupt.' },
          );
        }
        images.push(text.slice(c, c + CARD_LENGTH));
        offsets.push(pos + c);
      }
      pos += FITS_BLOCK_SIZE;
    }
    const header = new Header(Header.#group(images, offsets, loc, true));
    header.#file = options.file;
    header.#hdu = options.hdu;
    const endAt = start + images.length * CARD_LENGTH;
    header.#tail = { images: images.length, bytes: bytes.slice(endAt, Math.min(pos, bytes.length)), length: pos - endAt };
    return { header, byteLength: pos - start };
  }

  /**
   * Finds the size of the header that starts at `bytes[offset]` without parsing its cards:
   * useful to read a file block by block until the header is complete.
   *
   * @param bytes - the bytes read so far
   * @param offset - where the header starts. Default: 0
   * @returns the header's byte length (`END` block included, a multiple of 2880), or
   * `undefined` when no `END` card is within `bytes`
   */
  static findEnd(bytes: Uint8Array, offset = 0): number | undefined {
    for (let pos = offset; pos + CARD_LENGTH <= bytes.length; pos += CARD_LENGTH) {
      if (
        bytes[pos] === 0x45 &&
        bytes[pos + 1] === 0x4e &&
        bytes[pos + 2] === 0x44 &&
        bytes[pos + 3] === 0x20 &&
        bytes[pos + 4] === 0x20 &&
        bytes[pos + 5] === 0x20 &&
        bytes[pos + 6] === 0x20 &&
        bytes[pos + 7] === 0x20
      ) {
        return paddedByteLength(pos + CARD_LENGTH - offset);
      }
    }
    return undefined;
  }

  /**
   * Makes a header from card images (80 characters each, shorter ones padded with blanks),
   * grouping long strings with their `CONTINUE` cards. An `END` image ends the header.
   *
   * @param images - the card images, in order
   * @returns the header, keeping the images for an exact round trip
   * @throws {@link FitsFormatError} when an image is not a FITS card
   */
  static fromImages(images: Iterable<string>): Header {
    const list: string[] = [];
    for (const image of images) {
      const padded = image.padEnd(CARD_LENGTH);
      if (isEndCard(padded, 0)) break;
      list.push(padded);
    }
    return new Header(Header.#group(list, undefined, {}, false));
  }

  /**
   * Makes a header from a string of concatenated 80-character card images (as in a FITS
   * file, or as astropy's `Header.tostring()` writes it); reading stops at `END`.
   *
   * @param text - the card images, back to back (a last, short image is padded)
   * @returns the header
   * @throws {@link FitsFormatError} when a card is not printable ASCII
   */
  static fromString(text: string): Header {
    const images: string[] = [];
    for (let i = 0; i < text.length; i += CARD_LENGTH) images.push(text.slice(i, i + CARD_LENGTH));
    return Header.fromImages(images);
  }

  /** Groups card images into cards, adding the byte offset of the card to parse errors. */
  static #group(
    images: readonly string[],
    offsets: readonly number[] | undefined,
    loc: FitsErrorOptions,
    checked: boolean,
  ): Card[] {
    const cards: Card[] = [];
    for (let i = 0; i < images.length; ) {
      const span = Card.spanAt(images, i);
      try {
        const group = span === 1 ? [images[i]!] : images.slice(i, i + span);
        cards.push(checked ? parseImages(group) : Card.parse(group));
      } catch (e) {
        if (!(e instanceof FitsFormatError)) throw e;
        const offset = offsets?.[i];
        throw new FitsFormatError(`Card ${i + 1} of the header: ${e.message}`, {
          ...loc,
          ...(offset === undefined ? {} : { offset }),
          cause: e,
        });
      }
      i += span;
    }
    return cards;
  }

  /** The number of cards (`END` not counted; a long string with its `CONTINUE`s counts once). */
  get length(): number {
    return this.#cards.length;
  }

  /**
   * Returns the cards, in order, without `END`.
   *
   * @returns a read-only view of the cards (it changes when the header is edited)
   */
  cards(): readonly Card[] {
    return this.#cards;
  }

  /**
   * Iterates over the cards, in order.
   *
   * @returns an iterator over the cards
   */
  [Symbol.iterator](): Iterator<Card> {
    return this.#cards[Symbol.iterator]();
  }

  /** Builds (or returns) the map from normalised keyword to its cards. */
  #lookup(): Map<string, Card[]> {
    if (this.#index === undefined) {
      const index = new Map<string, Card[]>();
      for (const card of this.#cards) {
        const key = card.isHierarch ? card.keyword.toUpperCase() : card.keyword;
        const list = index.get(key);
        if (list === undefined) index.set(key, [card]);
        else list.push(card);
      }
      this.#index = index;
    }
    return this.#index;
  }

  /**
   * Where the header was read from (file and HDU given to {@link Header.parse}), for error
   * messages; empty for headers made in code.
   */
  get location(): FitsLocation {
    return {
      ...(this.#file === undefined ? {} : { file: this.#file }),
      ...(this.#hdu === undefined ? {} : { hdu: this.#hdu }),
    };
  }

  #changed(): void {
    this.#index = undefined;
  }

  #err(message: string, hint?: string): FitsKeywordError {
    return new FitsKeywordError(message, {
      ...this.location,
      ...(hint === undefined ? {} : { hint }),
    });
  }

  /**
   * Says whether the header has a card with this keyword (commentary cards included).
   *
   * @param keyword - the keyword (case-insensitive)
   * @returns true when at least one card has it
   */
  has(keyword: string): boolean {
    return this.#lookup().has(normalizeKeyword(keyword));
  }

  /**
   * Returns the value of the first non-commentary card with this keyword.
   *
   * @param keyword - the keyword (case-insensitive)
   * @returns the value (`null` for an undefined value), or `undefined` when no such card
   */
  get(keyword: string): HeaderValue | undefined {
    return this.getCard(keyword)?.value;
  }

  /**
   * Returns the first non-commentary card with this keyword, or, for commentary keywords
   * (`COMMENT`, `HISTORY`), the first card with it.
   *
   * @param keyword - the keyword (case-insensitive)
   * @returns the card, or `undefined` when there is none
   */
  getCard(keyword: string): Card | undefined {
    const list = this.#lookup().get(normalizeKeyword(keyword));
    if (list === undefined) return undefined;
    for (const card of list) if (!card.isCommentary) return card;
    return list[0];
  }

  /**
   * Returns every card with this keyword, in order.
   *
   * @param keyword - the keyword (case-insensitive)
   * @returns the cards (empty when there are none)
   */
  getAll(keyword: string): Card[] {
    return [...(this.#lookup().get(normalizeKeyword(keyword)) ?? [])];
  }

  /**
   * Returns a numeric value as a number.
   *
   * @param keyword - the keyword (case-insensitive)
   * @returns the number, or `undefined` when the keyword is absent or its value is undefined
   * @throws {@link FitsKeywordError} when the value is not a number, or is an integer
   * beyond ±2^53 that a number cannot hold exactly
   */
  getNumber(keyword: string): number | undefined {
    const v = this.get(keyword);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') {
      const n = Number(v);
      if (Number.isSafeInteger(n)) return n;
      throw this.#err(`Keyword '${keyword}' has value ${describe(v)}, which a number cannot hold exactly.`, 'Use getBigInt.');
    }
    throw this.#err(`Keyword '${keyword}' has value ${describe(v)}; expected a number.`);
  }

  /**
   * Returns an integer value as a number (an integer-valued float such as `2.0` is accepted).
   *
   * @param keyword - the keyword (case-insensitive)
   * @returns the integer, or `undefined` when the keyword is absent or its value is undefined
   * @throws {@link FitsKeywordError} when the value is not a number, is fractional, or is
   * beyond ±2^53
   */
  getInt(keyword: string): number | undefined {
    const n = this.getNumber(keyword);
    if (n !== undefined && !Number.isSafeInteger(n)) {
      throw this.#err(`Keyword '${keyword}' has value ${n}; expected an integer.`);
    }
    return n;
  }

  /**
   * Returns an integer value as a `bigint`, exact for integers of any size.
   *
   * @param keyword - the keyword (case-insensitive)
   * @returns the integer, or `undefined` when the keyword is absent or its value is undefined
   * @throws {@link FitsKeywordError} when the value is not an integer
   */
  getBigInt(keyword: string): bigint | undefined {
    const v = this.get(keyword);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'bigint') return v;
    if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
    throw this.#err(`Keyword '${keyword}' has value ${describe(v)}; expected an integer.`);
  }

  /**
   * Returns a string value.
   *
   * @param keyword - the keyword (case-insensitive)
   * @returns the string, or `undefined` when the keyword is absent or its value is undefined
   * @throws {@link FitsKeywordError} when the value is not a string
   */
  getString(keyword: string): string | undefined {
    const v = this.get(keyword);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    throw this.#err(`Keyword '${keyword}' has value ${describe(v)}; expected a string.`);
  }

  /**
   * Returns a logical value.
   *
   * @param keyword - the keyword (case-insensitive)
   * @returns the logical, or `undefined` when the keyword is absent or its value is undefined
   * @throws {@link FitsKeywordError} when the value is not `T` or `F`
   */
  getBoolean(keyword: string): boolean | undefined {
    const v = this.get(keyword);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'boolean') return v;
    throw this.#err(`Keyword '${keyword}' has value ${describe(v)}; expected a logical (T or F).`);
  }

  #require<T>(keyword: string, value: T | undefined): T {
    if (value !== undefined) return value;
    if (this.getCard(keyword) !== undefined) {
      throw this.#err(`Keyword '${keyword}' has an undefined value; a value is required.`);
    }
    throw this.#err(`Missing keyword '${keyword}'.`);
  }

  /**
   * Returns a numeric value that must be there.
   *
   * @param keyword - the keyword (case-insensitive)
   * @returns the number
   * @throws {@link FitsKeywordError} when the keyword is absent, undefined, or not a number
   */
  requireNumber(keyword: string): number {
    return this.#require(keyword, this.getNumber(keyword));
  }

  /**
   * Returns an integer value that must be there.
   *
   * @param keyword - the keyword (case-insensitive)
   * @returns the integer
   * @throws {@link FitsKeywordError} when the keyword is absent, undefined, or not an integer
   */
  requireInt(keyword: string): number {
    return this.#require(keyword, this.getInt(keyword));
  }

  /**
   * Returns a string value that must be there.
   *
   * @param keyword - the keyword (case-insensitive)
   * @returns the string
   * @throws {@link FitsKeywordError} when the keyword is absent, undefined, or not a string
   */
  requireString(keyword: string): string {
    return this.#require(keyword, this.getString(keyword));
  }

  /**
   * Returns a logical value that must be there.
   *
   * @param keyword - the keyword (case-insensitive)
   * @returns the logical
   * @throws {@link FitsKeywordError} when the keyword is absent, undefined, or not a logical
   */
  requireBoolean(keyword: string): boolean {
    return this.#require(keyword, this.getBoolean(keyword));
  }

  /**
   * Sets a keyword's value: replaces the first non-commentary card with this keyword in
   * place (keeping its comment when none is given, its `HIERARCH` form, and the float form of
   * a number), else appends a card at the end. Setting the value and comment a card already
   * has leaves the card (and its original image) as it is. For `COMMENT`, `HISTORY` and the
   * blank keyword, appends a commentary card with the value as its text.
   *
   * @param keyword - the keyword (case-insensitive)
   * @param value - the value (`null` for an undefined value)
   * @param comment - the comment; the current one when omitted
   * @throws {@link FitsKeywordError} when the keyword or value cannot be written in FITS
   */
  set(keyword: string, value: HeaderValue, comment?: string): void {
    const key = normalizeKeyword(keyword);
    if (key === 'COMMENT' || key === 'HISTORY' || key === '') {
      this.add(new Card(key, undefined, String(value)));
      return;
    }
    const old = this.getCard(keyword);
    if (old === undefined || old.isCommentary) {
      this.add(new Card(keyword, value, comment));
      return;
    }
    if (old.value === value && (comment === undefined || comment === old.comment)) return;
    const index = this.#cards.indexOf(old);
    this.#cards[index] = old.withValue(value, comment);
    this.#changed();
  }

  /**
   * Appends a card at the end (duplicates allowed).
   *
   * @param card - the card to append
   */
  add(card: Card): void {
    this.#cards.push(card);
    this.#changed();
  }

  /** Index of a card given by keyword or index; throws when there is none. */
  #position(ref: string | number): number {
    if (typeof ref === 'number') {
      if (!Number.isInteger(ref) || ref < 0 || ref >= this.#cards.length) {
        throw this.#err(`Card index ${ref} is out of range (the header has ${this.#cards.length} cards).`);
      }
      return ref;
    }
    const card = this.getCard(ref);
    if (card === undefined) throw this.#err(`Missing keyword '${ref}'.`);
    return this.#cards.indexOf(card);
  }

  /**
   * Inserts a card before the card with the given keyword (its first non-commentary one) or
   * at the given index.
   *
   * @param ref - the keyword or the 0-based index of the card to insert before
   * @param card - the card to insert
   * @throws {@link FitsKeywordError} when there is no such card
   */
  insertBefore(ref: string | number, card: Card): void {
    this.#cards.splice(this.#position(ref), 0, card);
    this.#changed();
  }

  /**
   * Inserts a card after the card with the given keyword (its first non-commentary one) or
   * at the given index.
   *
   * @param ref - the keyword or the 0-based index of the card to insert after
   * @param card - the card to insert
   * @throws {@link FitsKeywordError} when there is no such card
   */
  insertAfter(ref: string | number, card: Card): void {
    this.#cards.splice(this.#position(ref) + 1, 0, card);
    this.#changed();
  }

  /** Appends commentary cards, splitting the text into 72-character pieces. */
  #addCommentary(keyword: string, text: string): void {
    if (text.length === 0) this.add(new Card(keyword, undefined, ''));
    for (let i = 0; i < text.length; i += COMMENTARY_TEXT) {
      this.add(new Card(keyword, undefined, text.slice(i, i + COMMENTARY_TEXT)));
    }
  }

  /**
   * Appends `COMMENT` cards with the text (several when it is longer than 72 characters).
   *
   * @param text - printable ASCII text
   */
  addComment(text: string): void {
    this.#addCommentary('COMMENT', text);
  }

  /**
   * Appends `HISTORY` cards with the text (several when it is longer than 72 characters).
   *
   * @param text - printable ASCII text
   */
  addHistory(text: string): void {
    this.#addCommentary('HISTORY', text);
  }

  /**
   * Removes every card with this keyword.
   *
   * @param keyword - the keyword (case-insensitive)
   * @returns how many cards were removed
   */
  delete(keyword: string): number {
    const key = normalizeKeyword(keyword);
    const before = this.#cards.length;
    this.#cards = this.#cards.filter((c) => (c.isHierarch ? c.keyword.toUpperCase() : c.keyword) !== key);
    this.#changed();
    return before - this.#cards.length;
  }

  /**
   * Returns an independent copy (cards are immutable, so they are shared).
   *
   * @returns the copy
   */
  clone(): Header {
    const copy = new Header(this.#cards);
    copy.#file = this.#file;
    copy.#hdu = this.#hdu;
    copy.#tail = this.#tail;
    return copy;
  }

  /**
   * Returns the texts of the `COMMENT` cards, in order.
   *
   * @returns the texts
   */
  getComments(): string[] {
    return this.getAll('COMMENT').map((c) => c.comment ?? '');
  }

  /**
   * Returns the texts of the `HISTORY` cards, in order.
   *
   * @returns the texts
   */
  getHistory(): string[] {
    return this.getAll('HISTORY').map((c) => c.comment ?? '');
  }

  /**
   * Returns the keywords of the cards, in order (duplicates and commentary included).
   *
   * @returns the keywords
   */
  keywords(): string[] {
    return this.#cards.map((c) => c.keyword);
  }

  /**
   * Returns the card images of the header, `END` not included.
   *
   * @returns 80-character images, in order
   */
  toImages(): string[] {
    const images: string[] = [];
    for (const card of this.#cards) for (const image of card.toImages()) images.push(image);
    return images;
  }

  /**
   * Serialises the header: the card images, the `END` card, and blanks up to a multiple of
   * 2880 bytes. A header parsed with {@link Header.parse} and not edited gives its bytes back;
   * while its number of card images is unchanged, the `END` card and the padding after it
   * are written as they were read (some writers leave a newline or NULs there).
   *
   * @returns the header bytes
   */
  toBytes(): Uint8Array {
    const images = this.toImages();
    const tail = this.#tail;
    if (tail !== undefined && tail.images === images.length) {
      // Same number of card images as read: keep the END card and padding bytes as they were.
      const bytes = new Uint8Array(images.length * CARD_LENGTH + tail.length).fill(0x20);
      Header.#writeImages(bytes, images);
      bytes.set(tail.bytes, images.length * CARD_LENGTH);
      return bytes;
    }
    images.push(END_IMAGE);
    const bytes = new Uint8Array(Math.ceil(images.length / CARDS_PER_BLOCK) * FITS_BLOCK_SIZE).fill(0x20);
    Header.#writeImages(bytes, images);
    return bytes;
  }

  /** Writes card images (ASCII) at the start of `bytes`. */
  static #writeImages(bytes: Uint8Array, images: readonly string[]): void {
    let pos = 0;
    for (const image of images) {
      for (let i = 0; i < CARD_LENGTH; i++) bytes[pos + i] = image.charCodeAt(i);
      pos += CARD_LENGTH;
    }
  }

  /**
   * Returns the header as text, one card image per line, `END` not included.
   *
   * @returns the card images joined with newlines
   */
  toString(): string {
    return this.toImages().join('\n');
  }
}

/** Reads a keyword that must be a non-negative integer, for {@link dataByteLength}. */
function sizeKeyword(header: Header, keyword: string, fallback: number | undefined, loc: FitsErrorOptions): number {
  const v = header.get(keyword);
  if (v === undefined && fallback !== undefined) return fallback;
  if (v === undefined) throw new FitsFormatError(`Missing keyword '${keyword}', needed for the size of the data unit.`, loc);
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new FitsFormatError(`Keyword '${keyword}' = ${describe(v)}; expected a non-negative integer.`, loc);
  }
  return v;
}

/**
 * Computes the size of the data unit that follows a header, padding excluded:
 * |BITPIX|/8 × GCOUNT × (PCOUNT + NAXIS1 × … × NAXISn) (FITS standard 4.0 §4.4.1.1 and §7),
 * 0 when NAXIS = 0. For random groups (`SIMPLE`, `GROUPS = T`, `NAXIS1 = 0`), NAXIS1 is left
 * out of the product. GCOUNT defaults to 1 and PCOUNT to 0. Pad with
 * {@link paddedByteLength} to skip to the next HDU.
 *
 * @param header - a primary or extension header
 * @returns the data size in bytes, unpadded
 * @throws {@link FitsFormatError} when BITPIX is not 8, 16, 32, 64, -32 or -64, NAXIS is not
 * an integer from 0 to 999, an axis length, PCOUNT or GCOUNT is missing, negative or not an
 * integer, or the size exceeds 2^53 bytes
 * @see astropy.io.fits.hdu.base._BaseHDU._data_size
 */
export function dataByteLength(header: Header): number {
  const loc: FitsErrorOptions = header.location;
  const bitpix = header.get('BITPIX');
  if (bitpix === undefined) throw new FitsFormatError(`Missing keyword 'BITPIX', needed for the size of the data unit.`, loc);
  if (bitpix !== 8 && bitpix !== 16 && bitpix !== 32 && bitpix !== 64 && bitpix !== -32 && bitpix !== -64) {
    throw new FitsFormatError(`BITPIX = ${describe(bitpix)}; expected 8, 16, 32, 64, -32 or -64.`, loc);
  }
  const naxis = sizeKeyword(header, 'NAXIS', undefined, loc);
  if (naxis > 999) throw new FitsFormatError(`NAXIS = ${naxis}; expected at most 999.`, loc);
  if (naxis === 0) return 0;
  const groups = !header.has('XTENSION') && header.get('GROUPS') === true && header.get('NAXIS1') === 0;
  let size = 1;
  for (let i = groups ? 2 : 1; i <= naxis; i++) {
    size *= sizeKeyword(header, `NAXIS${i}`, undefined, loc);
  }
  const pcount = sizeKeyword(header, 'PCOUNT', 0, loc);
  const gcount = sizeKeyword(header, 'GCOUNT', 1, loc);
  size = (Math.abs(bitpix) / 8) * gcount * (pcount + size);
  if (!Number.isSafeInteger(size)) {
    throw new FitsFormatError(`The data unit would take ${size} bytes, which cannot be.`, {
      ...loc,
      hint: 'NAXISn, PCOUNT or GCOUNT is corrupt.',
    });
  }
  return size;
}
