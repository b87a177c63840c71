import type { ArchiveRows } from '../archive/archive-rows.js';
import type { InputArchive } from '../archive/input-archive.js';
import type { OutputArchiveHandle } from '../archive/output-archive.js';
import type { PersistableRegistry } from '../archive/persistable.js';
import { AfwTableFormatError, AfwTableInvalidArgumentError } from '../errors.js';
import { Footprint, readFootprint, readFootprintSpans } from './footprint.js';
import { PeakCatalog } from './peak.js';
import { readSpanSet, type SpanSet } from './span-set.js';

/**
 * The image pixel type of a {@link HeavyFootprint}, the suffix of its persistence name:
 * `'F'` float32, `'D'` float64, `'I'` int32, `'U'` uint16.
 */
export type HeavyFootprintPixelType = 'F' | 'D' | 'I' | 'U';

/** The image array of each pixel type. */
export interface HeavyFootprintImageArrays {
  /** float32. */
  F: Float32Array;
  /** float64. */
  D: Float64Array;
  /** int32. */
  I: Int32Array;
  /** uint16. */
  U: Uint16Array;
}

const IMAGE_CTOR = { F: Float32Array, D: Float64Array, I: Int32Array, U: Uint16Array } as const;
const IMAGE_TFORM: Record<HeavyFootprintPixelType, string> = { F: 'QE', D: 'QD', I: 'QJ', U: '' };

/** The pixel values of a {@link HeavyFootprint}, one element per pixel in span order. */
export interface HeavyFootprintPixels<T extends HeavyFootprintPixelType = 'F'> {
  /** The image values. */
  readonly image: HeavyFootprintImageArrays[T];
  /** The mask values (afw's `MaskPixel`, int32; 16-bit masks of older files are widened). */
  readonly mask: Int32Array;
  /** The variance values (float32). */
  readonly variance: Float32Array;
}

/**
 * A {@link Footprint} that carries the pixel values of a masked image: image, mask and variance,
 * one element per pixel, in span order (spans in `(y, x0)` order, x increasing within a span).
 *
 * @typeParam T - the image pixel type (`'F'` by default, as `HeavyFootprintF`)
 * @example
 * ```ts
 * const spans = new SpanSet([new Span(0, 0, 2)]);
 * const heavy = new HeavyFootprint(new Footprint(spans), {
 *   image: new Float32Array([1, 2, 3]), mask: new Int32Array(3), variance: new Float32Array([1, 1, 1]),
 * });
 * heavy.persistenceName; // 'HeavyFootprintF'
 * heavy.getImageArray()[2]; // 3
 * ```
 * @see lsst.afw.detection.HeavyFootprint
 */
export class HeavyFootprint<T extends HeavyFootprintPixelType = 'F'> extends Footprint {
  /** The image pixel type. */
  readonly pixelType: T;
  readonly #image: HeavyFootprintImageArrays[T];
  readonly #mask: Int32Array;
  readonly #variance: Float32Array;

  /**
   * Makes a heavy footprint from a footprint (its spans and peaks are shared) and pixel values.
   *
   * @param footprint - the footprint
   * @param pixels - image, mask and variance, each of the footprint's area
   * @param pixelType - the image pixel type (default `'F'`; must match the image array)
   * @throws AfwTableInvalidArgumentError when an array has the wrong length or type
   */
  constructor(footprint: Footprint, pixels: HeavyFootprintPixels<T>, pixelType: T = 'F' as T) {
    super(footprint.getSpans(), { peaks: footprint.getPeaks(), region: footprint.getRegion() });
    const area = footprint.getArea();
    if (!(pixels.image instanceof IMAGE_CTOR[pixelType])) {
      throw new AfwTableInvalidArgumentError(`A HeavyFootprint${pixelType} needs a ${IMAGE_CTOR[pixelType].name} image; got ${pixels.image.constructor.name}.`);
    }
    if (!(pixels.mask instanceof Int32Array) || !(pixels.variance instanceof Float32Array)) {
      throw new AfwTableInvalidArgumentError('A HeavyFootprint needs an Int32Array mask and a Float32Array variance.');
    }
    for (const [name, a] of [['image', pixels.image], ['mask', pixels.mask], ['variance', pixels.variance]] as const) {
      if (a.length !== area) throw new AfwTableInvalidArgumentError(`HeavyFootprint ${name} has ${a.length} values; the footprint has ${area} pixels.`);
    }
    this.pixelType = pixelType;
    this.#image = pixels.image;
    this.#mask = pixels.mask;
    this.#variance = pixels.variance;
  }

  /** `'HeavyFootprintF'`, `'HeavyFootprintD'`, `'HeavyFootprintI'` or `'HeavyFootprintU'`. */
  override get persistenceName(): string {
    return `HeavyFootprint${this.pixelType}`;
  }

  /**
   * The image values, in span order (live).
   *
   * @returns the array
   */
  getImageArray(): HeavyFootprintImageArrays[T] {
    return this.#image;
  }

  /**
   * The mask values, in span order (live).
   *
   * @returns the array
   */
  getMaskArray(): Int32Array {
    return this.#mask;
  }

  /**
   * The variance values, in span order (live).
   *
   * @returns the array
   */
  getVarianceArray(): Float32Array {
    return this.#variance;
  }

  /**
   * Whether the footprint carries pixel values.
   *
   * @returns true
   */
  override isHeavy(): boolean {
    return true;
  }

  /**
   * Changing the spans of a heavy footprint would detach its pixel values; refused.
   *
   * @param _spans - ignored
   * @throws AfwTableInvalidArgumentError always
   */
  override setSpans(_spans: SpanSet): void {
    throw new AfwTableInvalidArgumentError('Cannot replace the spans of a HeavyFootprint: its pixel values follow the spans.', { hint: 'Make a new HeavyFootprint.' });
  }

  /**
   * Writes the footprint as afw does: the Footprint's catalogs (SpanSet ID, peaks), then one
   * row of variable-length `image`, `mask` (int32) and `variance` arrays.
   *
   * @param handle - where to write
   * @throws AfwTableInvalidArgumentError for a `'U'` footprint (afw-table writes no uint16 arrays)
   */
  override writeToArchive(handle: OutputArchiveHandle): void {
    if (this.pixelType === 'U') throw new AfwTableInvalidArgumentError('Writing a HeavyFootprintU is not supported; convert its image to int32 (HeavyFootprintI).');
    super.writeToArchive(handle);
    handle.saveCatalog(
      {
        columns: [
          { name: 'image', format: IMAGE_TFORM[this.pixelType], unit: 'count', doc: 'image pixels for HeavyFootprint', tccls: 'Array' },
          { name: 'mask', format: 'QJ', doc: 'mask pixels for HeavyFootprint', tccls: 'Array' },
          { name: 'variance', format: 'QE', unit: 'count^2', doc: 'variance pixels for HeavyFootprint', tccls: 'Array' },
        ],
      },
      [{ image: this.#image, mask: this.#mask, variance: this.#variance }],
    );
  }
}

/**
 * Makes a heavy footprint from pixel arrays read from a file, converting them to the types
 * {@link HeavyFootprint} holds.
 *
 * @param footprint - the footprint
 * @param pixelType - the image pixel type
 * @param image - image values
 * @param mask - mask values (16- or 32-bit)
 * @param variance - variance values
 * @param where - the source, for messages
 * @returns the heavy footprint
 * @throws AfwTableFormatError when the arrays do not match the footprint's area
 */
export function heavyFootprintFromArrays(
  footprint: Footprint,
  pixelType: HeavyFootprintPixelType,
  image: ArrayLike<number | bigint>,
  mask: ArrayLike<number | bigint>,
  variance: ArrayLike<number | bigint>,
  where: string,
): HeavyFootprint<HeavyFootprintPixelType> {
  const area = footprint.getArea();
  if (image.length !== area || mask.length !== area || variance.length !== area) {
    throw new AfwTableFormatError(
      `The HeavyFootprint pixels of ${where} have ${image.length} image, ${mask.length} mask and ${variance.length} variance values; the footprint has ${area} pixels.`,
    );
  }
  const Ctor = IMAGE_CTOR[pixelType];
  const convert = <A extends Float32Array | Float64Array | Int32Array | Uint16Array>(C: { new (n: number): A; from(a: ArrayLike<number>): A }, a: ArrayLike<number | bigint>): A =>
    a instanceof C ? a : a instanceof BigInt64Array || a instanceof BigUint64Array ? C.from(Array.from(a, Number)) : C.from(a as ArrayLike<number>);
  const pixels = {
    image: convert(Ctor as unknown as { new (n: number): Float32Array; from(a: ArrayLike<number>): Float32Array }, image),
    mask: convert(Int32Array, mask),
    variance: convert(Float32Array, variance),
  };
  return new HeavyFootprint(footprint, pixels as HeavyFootprintPixels<HeavyFootprintPixelType>, pixelType);
}

/**
 * The archive reader of `HeavyFootprint{F,D,I,U}`: the two catalogs of a Footprint (SpanSet ID
 * or legacy spans, then peaks) and one row of pixel arrays (`image`, `mask`, `variance`; the
 * mask is 16-bit in older files).
 *
 * @param pixelType - the suffix of the persistence name
 * @returns the reader
 */
export function heavyFootprintReader(pixelType: HeavyFootprintPixelType): (catalogs: readonly ArchiveRows[], archive: InputArchive, id: number) => HeavyFootprint<HeavyFootprintPixelType> {
  return (catalogs, archive, id) => {
    const where = `HeavyFootprint${pixelType} ${id} in ${archive.file ?? 'the archive'}`;
    if (catalogs.length !== 3) throw new AfwTableFormatError(`${where} has ${catalogs.length} catalogs; a HeavyFootprint has 3 (spans, peaks, pixels).`);
    const spans = readFootprintSpans(catalogs[0]!, archive, id);
    const footprint = new Footprint(spans, { peaks: PeakCatalog.fromArchiveRows(catalogs[1]!) });
    const pixels = catalogs[2]!;
    for (const name of ['image', 'mask', 'variance']) {
      if (!pixels.has(name)) throw new AfwTableFormatError(`The pixel catalog of ${where} has no '${name}' column; it has ${pixels.columnNames.join(', ')}.`);
    }
    if (pixels.length !== 1) throw new AfwTableFormatError(`The pixel catalog of ${where} has ${pixels.length} rows; expected 1.`);
    return heavyFootprintFromArrays(footprint, pixelType, pixels.array('image'), pixels.array('mask'), pixels.array('variance'), where);
  };
}

/**
 * Adds the archive readers of `SpanSet`, `Footprint` and `HeavyFootprintF`/`D`/`I`/`U` to a
 * registry. `SourceCatalog.readFits` uses a registry with them; use it to read footprints from an
 * {@link InputArchive} directly.
 *
 * @param registry - the registry to add to
 * @returns the same registry
 * @example
 * ```ts
 * const registry = registerFootprintReaders(new PersistableRegistry());
 * const archive = await InputArchive.readFits('legacyHeavyFootprint.fits', { registry });
 * const heavy = archive.get(1) as HeavyFootprint;
 * ```
 */
export function registerFootprintReaders(registry: PersistableRegistry): PersistableRegistry {
  registry.register('SpanSet', (catalogs) => readSpanSet(catalogs));
  registry.register('Footprint', readFootprint);
  for (const t of ['F', 'D', 'I', 'U'] as const) registry.register(`HeavyFootprint${t}`, heavyFootprintReader(t));
  return registry;
}
