// lsst.meas.algorithms.CoaddBoundedField: the weighted mean of the inputs' BoundedFields on a coadd,
// with afw's archive persistence (a header catalog and an element catalog).
import { archivableComponent, type BoundedField } from '@skystack/afw-image';
import { RawPersistable, type ArchiveRows, type InputArchive, type OutputArchiveHandle, type Persistable } from '@skystack/afw-table';
import { Box2D, Box2I, Point2D, Point2I } from '@skystack/geom';
import { SkyWcs } from '@skystack/wcs';
import { MeasAlgorithmsFormatError, MeasAlgorithmsInvalidArgumentError, MeasAlgorithmsNoDataError } from './errors.js';

/**
 * One input of a {@link CoaddBoundedField}: an exposure's field (in its own PARENT pixels), its
 * WCS, its valid polygon and its weight.
 *
 * @see lsst.meas.algorithms.CoaddBoundedFieldElement
 */
export interface CoaddBoundedFieldElement {
  /** The input's field, defined on the input's pixels (its box limits where the input counts). */
  readonly field: BoundedField;
  /** The input's WCS. */
  readonly wcs: SkyWcs;
  /**
   * The input's valid polygon (input pixels), or `null`. It restricts where the input counts when
   * it can be evaluated (an object with `contains(point: Point2D): boolean`); one SkyStack cannot
   * decode (a `RawPersistable`) is kept for persistence and otherwise ignored.
   */
  readonly validPolygon?: unknown;
  /** The input's weight (afw's default is 1). */
  readonly weight?: number;
}

/** A valid polygon that can be asked whether it holds a point (pixels of its input). */
interface ContainsPoint {
  contains(point: Point2D): boolean;
}

function isContainsPoint(value: unknown): value is ContainsPoint {
  return typeof value === 'object' && value !== null && !(value instanceof RawPersistable) && typeof (value as { contains?: unknown }).contains === 'function';
}

/** An element as the field keeps it: the box of the field's pixel edges precomputed. */
interface Element {
  readonly field: BoundedField;
  readonly wcs: SkyWcs;
  readonly validPolygon: unknown;
  readonly polygon: ContainsPoint | undefined;
  readonly weight: number;
  readonly box: Box2D;
}

/** Docs and units of afw's two persistence catalogs (CoaddBoundedField.cc). */
const HEADER_SCHEMA = {
  flags: [{ name: 'throwOnMissing', doc: 'whether to throw an exception on missing data' }],
  columns: [
    { name: 'bbox_min_x', format: '1J', unit: 'pixel', doc: 'lower-left corner of bounding box' },
    { name: 'bbox_min_y', format: '1J', unit: 'pixel', doc: 'lower-left corner of bounding box' },
    { name: 'bbox_max_x', format: '1J', unit: 'pixel', doc: 'upper-right corner of bounding box' },
    { name: 'bbox_max_y', format: '1J', unit: 'pixel', doc: 'upper-right corner of bounding box' },
    { name: 'coaddWcs', format: '1J', doc: "archive ID of the coadd's WCS" },
    { name: 'default', format: '1D', doc: 'default value to use when throwOnMissing is False' },
  ],
} as const;

const ELEMENT_SCHEMA = {
  columns: [
    { name: 'field', format: '1J', doc: 'archive ID of the BoundedField to be coadded' },
    { name: 'wcs', format: '1J', doc: 'archive ID of the Wcs associated with this element' },
    { name: 'validPolygon', format: '1J', doc: 'archive ID of the Polygon associated with this element' },
    { name: 'weight', format: '1D', doc: 'weight value for this element' },
  ],
} as const;

/** Scratch arrays of {@link CoaddBoundedField.evaluateArray}, grown as needed and reused. */
interface Scratch {
  ra: Float64Array;
  dec: Float64Array;
  x: Float64Array;
  y: Float64Array;
  cx: Float64Array;
  cy: Float64Array;
  values: Float64Array;
  sum: Float64Array;
  weight: Float64Array;
  index: Int32Array;
}

function makeScratch(n: number): Scratch {
  return {
    ra: new Float64Array(n),
    dec: new Float64Array(n),
    x: new Float64Array(n),
    y: new Float64Array(n),
    cx: new Float64Array(n),
    cy: new Float64Array(n),
    values: new Float64Array(n),
    sum: new Float64Array(n),
    weight: new Float64Array(n),
    index: new Int32Array(n),
  };
}

/** Two WCSs are equal when they are one object, or both plain FITS WCSs with the same cards. */
function sameWcs(a: SkyWcs, b: SkyWcs): boolean {
  if (a === b) return true;
  if (!a.isFits || !b.isFits) return false;
  return a.getFitsMetadata(true).toString() === b.getFitsMetadata(true).toString();
}

/** Two fields are equal when they are one object or their own `equals` says so (afw's `ptrEquals`). */
function sameField(a: BoundedField, b: BoundedField): boolean {
  if (a === b) return true;
  const eq = (a as { equals?: (other: unknown) => boolean }).equals;
  return typeof eq === 'function' && eq.call(a, b);
}

/**
 * A {@link @skystack/afw-image!BoundedField} on a coadd made of the fields of its inputs
 * (aperture corrections, most often): at a coadd position, the weighted mean of each input's
 * field evaluated at that position mapped through the coadd WCS to the sky and through the
 * input's WCS to the input's pixels, over the inputs whose field box (the pixel edges of
 * `field.bbox`) and valid polygon (when it can be evaluated) contain the mapped position. Where no
 * input contributes (or the weights that do sum to 0) it throws, or returns `default` when one was
 * given, as afw's two constructors do.
 *
 * Differences from afw: {@link CoaddBoundedField.multipliedBy} works (afw's `operator*` throws):
 * it scales every input field and the default, which scales the weighted mean; the
 * `throwOnMissing` flag is written with its value and honoured on reading (afw leaves it 0 and
 * always reads a field that returns the default); {@link CoaddBoundedField.mean} throws, as afw's
 * base class does.
 *
 * @example
 * ```ts
 * const field = new CoaddBoundedField(coaddBBox, coaddWcs, [
 *   { field: apCorrA, wcs: wcsA, validPolygon: null, weight: 2 },
 *   { field: apCorrB, wcs: wcsB, validPolygon: null, weight: 1 },
 * ]);
 * field.evaluate(1200, 3400); // (2·a + b) / 3 where both inputs cover the point
 * ```
 * @see lsst.meas.algorithms.CoaddBoundedField
 */
export class CoaddBoundedField implements BoundedField, Persistable {
  /** Persistence name in afw archives. */
  readonly persistenceName = 'CoaddBoundedField';
  /** Python module afw records for it. */
  readonly pythonModule = 'lsst.meas.algorithms';
  /** The coadd's box. */
  readonly bbox: Box2I;
  /** Whether evaluating where no input contributes throws (else it gives {@link CoaddBoundedField.defaultValue}). */
  readonly throwOnMissing: boolean;
  /** The value where no input contributes, when {@link CoaddBoundedField.throwOnMissing} is false (0 otherwise, unused). */
  readonly defaultValue: number;
  readonly #coaddWcs: SkyWcs;
  readonly #elements: readonly Element[];
  #scratch: Scratch = makeScratch(0);

  /**
   * Makes the field. Without `defaultValue` it throws where no input contributes (afw's
   * three-argument constructor); with it, it returns that value there.
   *
   * @param bbox - the coadd's box
   * @param coaddWcs - the coadd's WCS
   * @param elements - the inputs
   * @param defaultValue - the value where no input contributes
   * @throws {@link MeasAlgorithmsInvalidArgumentError} when the coadd WCS or an element's WCS is not a
   *   `SkyWcs`, an element's field is not a BoundedField, or a weight is not finite
   */
  constructor(bbox: Box2I, coaddWcs: SkyWcs, elements: readonly CoaddBoundedFieldElement[], defaultValue?: number) {
    if (!(coaddWcs instanceof SkyWcs)) {
      throw new MeasAlgorithmsInvalidArgumentError(`A CoaddBoundedField needs the coadd's SkyWcs; got ${String(coaddWcs)}.`);
    }
    this.bbox = bbox;
    this.#coaddWcs = coaddWcs;
    this.throwOnMissing = defaultValue === undefined;
    this.defaultValue = defaultValue ?? 0;
    this.#elements = elements.map((e, i) => {
      const field = e.field as BoundedField | null | undefined;
      if (typeof field !== 'object' || field === null || typeof field.evaluate !== 'function' || !(field.bbox instanceof Box2I)) {
        throw new MeasAlgorithmsInvalidArgumentError(`Element ${i} of a CoaddBoundedField has no BoundedField; got ${String(field)}.`);
      }
      if (!(e.wcs instanceof SkyWcs)) {
        throw new MeasAlgorithmsInvalidArgumentError(`Element ${i} of a CoaddBoundedField has no SkyWcs; got ${String(e.wcs)}.`);
      }
      const weight = e.weight ?? 1;
      if (!Number.isFinite(weight)) {
        throw new MeasAlgorithmsInvalidArgumentError(`Element ${i} of a CoaddBoundedField has weight ${weight}; expected a finite number.`);
      }
      const validPolygon = e.validPolygon ?? null;
      return {
        field,
        wcs: e.wcs,
        validPolygon,
        polygon: isContainsPoint(validPolygon) ? validPolygon : undefined,
        weight,
        box: Box2D.fromBox2I(field.bbox),
      };
    });
  }

  /** The box (afw's `getBBox()`). */
  getBBox(): Box2I {
    return this.bbox;
  }

  /** The coadd's WCS. */
  getCoaddWcs(): SkyWcs {
    return this.#coaddWcs;
  }

  /** The inputs, in order (copies of the element records). */
  getElements(): Required<CoaddBoundedFieldElement>[] {
    return this.#elements.map((e) => ({ field: e.field, wcs: e.wcs, validPolygon: e.validPolygon, weight: e.weight }));
  }

  /** The number of inputs. */
  get size(): number {
    return this.#elements.length;
  }

  /**
   * The value at a coadd position: the weighted mean of the inputs that contain it.
   *
   * @param x - coadd PARENT x
   * @param y - coadd PARENT y
   * @returns the value
   * @throws {@link MeasAlgorithmsNoDataError} when no input contributes and the field has no default
   * @throws WcsDomainError (from `@skystack/wcs`) when the position has no sky position in the coadd WCS
   */
  evaluate(x: number, y: number): number {
    const coord = this.#coaddWcs.pixelToSky(x, y);
    let sum = 0;
    let wSum = 0;
    for (const e of this.#elements) {
      const p = e.wcs.skyToPixel(coord);
      if (!e.box.contains(p.x, p.y)) continue;
      if (e.polygon !== undefined && !e.polygon.contains(p)) continue;
      sum += e.weight * e.field.evaluate(p.x, p.y);
      wSum += e.weight;
    }
    if (wSum === 0) return this.#missing(x, y);
    return sum / wSum;
  }

  #missing(x: number, y: number): number {
    if (!this.throwOnMissing) return this.defaultValue;
    throw new MeasAlgorithmsNoDataError(`No constituent fields to evaluate at point (${x}, ${y}) of a CoaddBoundedField of ${this.#elements.length} inputs.`, {
      hint: 'The point is outside every input; make the field with a default value to get that value there instead.',
    });
  }

  /**
   * The value at a coadd point.
   *
   * @param point - coadd PARENT position
   * @returns the value
   * @throws {@link MeasAlgorithmsNoDataError} when no input contributes and the field has no default
   */
  evaluatePoint(point: Point2D): number {
    return this.evaluate(point.x, point.y);
  }

  /**
   * The values at many coadd positions, vectorised: the positions go to the sky once, then to
   * each input's pixels at once, and each input's field is evaluated once on the positions it
   * covers (through its own `evaluateArray`); no allocation per position.
   *
   * @param x - coadd PARENT x of each position
   * @param y - coadd PARENT y of each position (same length as `x`)
   * @param out - where to write (a new array when omitted)
   * @returns `out`
   * @throws {@link MeasAlgorithmsInvalidArgumentError} when the lengths differ
   * @throws {@link MeasAlgorithmsNoDataError} when no input contributes at a position and the field
   *   has no default (positions outside the coadd WCS's domain count as covered by no input)
   */
  evaluateArray(x: ArrayLike<number>, y: ArrayLike<number>, out: Float64Array = new Float64Array(x.length)): Float64Array {
    const n = x.length;
    if (y.length !== n || out.length < n) {
      throw new MeasAlgorithmsInvalidArgumentError(`evaluateArray needs x, y (and out) of one length; got ${n}, ${y.length} and ${out.length}.`);
    }
    if (this.#scratch.ra.length < n) this.#scratch = makeScratch(n);
    const s = this.#scratch;
    const ra = s.ra.subarray(0, n);
    const dec = s.dec.subarray(0, n);
    this.#coaddWcs.pixelToSkyArray(x, y, { ra, dec });
    const sum = s.sum;
    const wSum = s.weight;
    sum.fill(0, 0, n);
    wSum.fill(0, 0, n);
    const px = s.x;
    const py = s.y;
    const index = s.index;
    for (const e of this.#elements) {
      e.wcs.skyToPixelArray(ra, dec, { x: px.subarray(0, n), y: py.subarray(0, n) });
      const minX = e.box.getMinX();
      const maxX = e.box.getMaxX();
      const minY = e.box.getMinY();
      const maxY = e.box.getMaxY();
      let m = 0;
      for (let i = 0; i < n; i++) {
        const u = px[i]!;
        const v = py[i]!;
        // Box2D is half-open: [min, max).
        if (!(u >= minX && u < maxX && v >= minY && v < maxY)) continue;
        if (e.polygon !== undefined && !e.polygon.contains(new Point2D(u, v))) continue;
        index[m] = i;
        s.cx[m] = u;
        s.cy[m] = v;
        m++;
      }
      if (m === 0) continue;
      const values = e.field.evaluateArray(s.cx.subarray(0, m), s.cy.subarray(0, m), s.values.subarray(0, m));
      const w = e.weight;
      for (let k = 0; k < m; k++) {
        const i = index[k]!;
        sum[i]! += w * values[k]!;
        wSum[i]! += w;
      }
    }
    for (let i = 0; i < n; i++) {
      const ws = wSum[i]!;
      out[i] = ws === 0 ? this.#missing(x[i]!, y[i]!) : sum[i]! / ws;
    }
    return out;
  }

  /**
   * Not implemented, as in afw (the base class's `mean` throws): evaluate the field on a grid with
   * {@link CoaddBoundedField.evaluateArray} and average.
   *
   * @returns never
   * @throws {@link MeasAlgorithmsInvalidArgumentError} always
   */
  mean(): number {
    throw new MeasAlgorithmsInvalidArgumentError('mean() is not implemented for a CoaddBoundedField (nor in afw).', {
      hint: 'Evaluate the field on a grid of coadd positions with evaluateArray and average the values.',
    });
  }

  /**
   * The field multiplied by a constant: every input field and the default scaled (afw's
   * `operator*` throws instead).
   *
   * @param scale - the factor
   * @returns a new field
   */
  multipliedBy(scale: number): CoaddBoundedField {
    const elements = this.#elements.map((e) => ({ field: e.field.multipliedBy(scale), wcs: e.wcs, validPolygon: e.validPolygon, weight: e.weight }));
    return new CoaddBoundedField(this.bbox, this.#coaddWcs, elements, this.throwOnMissing ? undefined : this.defaultValue * scale);
  }

  /**
   * Whether another field is a CoaddBoundedField with the same box, default, coadd WCS and
   * elements (afw's `operator==`: fields compared with their own `equals`, WCSs by identity or
   * identical FITS cards, polygons by identity, weights exactly; `throwOnMissing` is not compared,
   * as in afw).
   *
   * @param other - the other field
   * @returns whether they are equal
   */
  equals(other: unknown): boolean {
    if (!(other instanceof CoaddBoundedField)) return false;
    if (!this.bbox.equals(other.bbox) || this.defaultValue !== other.defaultValue || !sameWcs(this.#coaddWcs, other.#coaddWcs)) return false;
    const a = this.#elements;
    const b = other.#elements;
    if (a.length !== b.length) return false;
    return a.every((e, i) => {
      const f = b[i]!;
      return sameField(e.field, f.field) && sameWcs(e.wcs, f.wcs) && e.validPolygon === f.validPolygon && e.weight === f.weight;
    });
  }

  /** A short description: `CoaddBoundedField with 3 elements, default 0`. */
  toString(): string {
    return `CoaddBoundedField with ${this.#elements.length} elements, default ${this.defaultValue}`;
  }

  /**
   * Writes the field as afw does: a one-row header catalog (the box corners `bbox_min_x` …
   * `bbox_max_y`, the archive ID `coaddWcs`, the Flag `throwOnMissing`, `default`), then one row per
   * element (`field`, `wcs`, `validPolygon` archive IDs and `weight`). A valid polygon that cannot
   * be archived is written as ID 0 (as afw's `CoaddInputs` drops what it cannot write).
   *
   * @param handle - where to write
   * @throws {@link MeasAlgorithmsInvalidArgumentError} when the coadd WCS, an element's WCS or an
   *   element's field cannot be archived (a SkyWcs must be FITS TAN / TAN-SIP or come from the file
   *   being written back)
   */
  writeToArchive(handle: OutputArchiveHandle): void {
    const source = sourceArchives.get(this);
    const required = (value: unknown, what: string): Persistable | RawPersistable => {
      const archivable = archivableComponent(value, source);
      if (archivable === undefined) {
        throw new MeasAlgorithmsInvalidArgumentError(`Cannot write ${what} of a CoaddBoundedField into an archive: it is not an object the afw archive can store (${String(value)}).`, {
          hint: 'Fields must implement Persistable; a SkyWcs must be FITS TAN or TAN-SIP or come from the file being written back.',
        });
      }
      return archivable;
    };
    // Check everything before writing anything, so that a failure leaves the archive untouched.
    const coaddWcs = required(this.#coaddWcs, 'the coadd WCS');
    const parts = this.#elements.map((e, i) => ({
      field: required(e.field, `the field of element ${i}`),
      wcs: required(e.wcs, `the WCS of element ${i}`),
      validPolygon: e.validPolygon === null ? undefined : archivableComponent(e.validPolygon, source),
      weight: e.weight,
    }));
    const put = (value: Persistable | RawPersistable, what: string): number => {
      try {
        return handle.put(value);
      } catch (e) {
        throw new MeasAlgorithmsInvalidArgumentError(`Cannot write ${what} of a CoaddBoundedField into an archive: ${(e as Error).message}`, { cause: e });
      }
    };
    handle.saveCatalog(HEADER_SCHEMA, [
      {
        bbox_min_x: this.bbox.getMinX(),
        bbox_min_y: this.bbox.getMinY(),
        bbox_max_x: this.bbox.getMaxX(),
        bbox_max_y: this.bbox.getMaxY(),
        coaddWcs: put(coaddWcs, 'the coadd WCS'),
        throwOnMissing: this.throwOnMissing,
        default: this.defaultValue,
      },
    ]);
    const rows = parts.map((p, i) => {
      const field = put(p.field, `the field of element ${i}`);
      const wcs = put(p.wcs, `the WCS of element ${i}`);
      let validPolygon = 0;
      if (p.validPolygon !== undefined) {
        try {
          validPolygon = handle.put(p.validPolygon);
        } catch (e) {
          // An undecoded polygon from another file cannot be rewritten: dropped, as CoaddInputs does.
          if (!(p.validPolygon instanceof RawPersistable)) throw e;
        }
      }
      return { field, wcs, validPolygon, weight: p.weight };
    });
    handle.saveCatalog(ELEMENT_SCHEMA, rows);
  }
}

/** The archive each field was read from, so that objects read with it can be written back into it. */
const sourceArchives = new WeakMap<CoaddBoundedField, InputArchive>();

/**
 * Reads a {@link CoaddBoundedField} from its two archive catalogs (afw's `CoaddBoundedField`
 * factory): the header row (box corners as `bbox_min_x` … or the older `bbox_min`/`bbox_max`
 * point columns, `coaddWcs`, `throwOnMissing`, `default`) and one row per element. Files written
 * by afw have `throwOnMissing` 0, so they read as a field that returns `default` where no input
 * contributes, as afw reads them. Register it under the persistence name `'CoaddBoundedField'`.
 *
 * @param catalogs - the object's catalogs (header, elements)
 * @param archive - the archive, for the WCSs, fields and polygons the rows refer to
 * @returns the field
 * @throws {@link MeasAlgorithmsFormatError} when the catalogs do not have afw's layout or an ID
 *   refers to an object of the wrong type
 * @example
 * ```ts
 * const registry = makeAfwRegistry().register('CoaddBoundedField', readCoaddBoundedField);
 * const archive = await InputArchive.readFits('coadd.fits', { registry });
 * ```
 * @see lsst.meas.algorithms.CoaddBoundedField
 */
export function readCoaddBoundedField(catalogs: readonly ArchiveRows[], archive: InputArchive): CoaddBoundedField {
  const header = catalogs[0];
  const rows = catalogs[1];
  if (catalogs.length !== 2 || header === undefined || rows === undefined || header.length !== 1) {
    throw new MeasAlgorithmsFormatError(
      `A CoaddBoundedField is a one-row header catalog and an element catalog; got ${catalogs.length} catalog(s)${header === undefined ? '' : ` with ${header.length} header row(s)`}.`,
    );
  }
  const where = header.catalog.location;
  try {
    const bbox = header.has('bbox_min_x')
      ? new Box2I(new Point2I(header.number('bbox_min_x'), header.number('bbox_min_y')), new Point2I(header.number('bbox_max_x'), header.number('bbox_max_y')), false)
      : new Box2I(
          new Point2I(Number(header.element('bbox_min', 0, 0)), Number(header.element('bbox_min', 0, 1))),
          new Point2I(Number(header.element('bbox_max', 0, 0)), Number(header.element('bbox_max', 0, 1))),
          false,
        );
    const wcsOf = (id: number, what: string): SkyWcs => {
      const wcs = archive.get(id);
      if (!(wcs instanceof SkyWcs)) throw new MeasAlgorithmsFormatError(`CoaddBoundedField in ${where}: ${what} (archive ID ${id}) is not a SkyWcs (${String(wcs)}).`);
      return wcs;
    };
    const coaddWcs = wcsOf(header.number('coaddWcs'), 'the coadd WCS');
    const elements: CoaddBoundedFieldElement[] = [];
    for (let i = 0; i < rows.length; i++) {
      const fieldId = rows.number('field', i);
      const field = archive.get(fieldId) as BoundedField | null;
      if (field === null || typeof field !== 'object' || typeof field.evaluate !== 'function') {
        throw new MeasAlgorithmsFormatError(`CoaddBoundedField in ${where}: the field of element ${i} (archive ID ${fieldId}) is not a BoundedField (${String(field)}).`);
      }
      elements.push({
        field,
        wcs: wcsOf(rows.number('wcs', i), `the WCS of element ${i}`),
        validPolygon: archive.get(rows.number('validPolygon', i)),
        weight: rows.number('weight', i),
      });
    }
    const throwOnMissing = header.has('throwOnMissing') && header.flag('throwOnMissing');
    const field = new CoaddBoundedField(bbox, coaddWcs, elements, throwOnMissing ? undefined : header.number('default'));
    sourceArchives.set(field, archive);
    return field;
  } catch (e) {
    if (e instanceof MeasAlgorithmsFormatError) throw e;
    throw new MeasAlgorithmsFormatError(`Cannot read the CoaddBoundedField in ${where}: ${(e as Error).message}`, { cause: e });
  }
}
