// lsst.afw.math.Kernel, FixedKernel and LinearCombinationKernel, with afw's archive persistence.
import type { ArchiveColumn, ArchiveRows, InputArchive, OutputArchiveHandle, Persistable } from '@skystack/afw-table';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { AfwImageInvalidArgumentError, AfwImageLengthError } from '../errors.js';
import { AfwImageArchiveFormatError } from '../components/errors.js';
import { Image, type ImageD } from '../image.js';
import type { PixelArray } from '../pixel-type.js';
import type { SpatialFunction2 } from './spatial-function.js';

/** Options of the kernel constructors. */
export interface KernelOptions {
  /** The kernel pixel that is the centre (default `((width - 1) / 2, (height - 1) / 2)`, truncated). */
  readonly ctr?: Point2I;
}

/**
 * A convolution kernel: an image of `width × height` pixels whose pixel `ctr` is the origin
 * (kernel coordinates run from `-ctr` to `dims - ctr - 1`), possibly varying with position
 * through spatial functions of its parameters. Kernels are immutable.
 *
 * @see lsst.afw.math.Kernel
 */
export abstract class Kernel implements Persistable {
  /** Persistence name in afw archives. */
  abstract readonly persistenceName: string;
  /** Python module afw records for kernels. */
  readonly pythonModule: string = 'lsst.afw.math';
  /** Number of columns. */
  readonly width: number;
  /** Number of rows. */
  readonly height: number;
  readonly #ctr: Point2I;

  /**
   * Sets the size and centre.
   *
   * @param width - columns (≥ 1)
   * @param height - rows (≥ 1)
   * @param options - the centre
   * @throws {@link AfwImageInvalidArgumentError} when a size is not a positive integer or the centre is outside
   */
  protected constructor(width: number, height: number, options: KernelOptions = {}) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new AfwImageInvalidArgumentError(`Kernel dimensions must be positive integers; got ${width} x ${height}.`);
    }
    const ctr = options.ctr ?? new Point2I(Math.trunc((width - 1) / 2), Math.trunc((height - 1) / 2));
    if (ctr.getX() < 0 || ctr.getX() >= width || ctr.getY() < 0 || ctr.getY() >= height) {
      throw new AfwImageInvalidArgumentError(`Kernel centre ${ctr.toString()} is outside its ${width} x ${height} image.`);
    }
    this.width = width;
    this.height = height;
    this.#ctr = ctr;
  }

  /** Number of columns. */
  getWidth(): number {
    return this.width;
  }

  /** Number of rows. */
  getHeight(): number {
    return this.height;
  }

  /** The size. */
  getDimensions(): Extent2I {
    return new Extent2I(this.width, this.height);
  }

  /** The centre pixel (index into the kernel image). */
  getCtr(): Point2I {
    return this.#ctr;
  }

  /** The box of the kernel image in kernel coordinates: from `-ctr`, of the kernel's size. */
  getBBox(): Box2I {
    return Box2I.fromCorner(new Point2I(-this.#ctr.getX(), -this.#ctr.getY()), this.getDimensions());
  }

  /** Whether the kernel varies with position (has spatial functions). */
  isSpatiallyVarying(): boolean {
    return false;
  }

  /** Whether the kernel can be written to an afw archive. */
  isPersistable(): boolean {
    return true;
  }

  /**
   * The kernel image at a position: `float64`, xy0 `-ctr` (so that PARENT (0, 0) is the centre).
   *
   * @param doNormalize - divide by the sum so that the image sums to 1 (default `true`)
   * @param x - PARENT x where a spatially varying kernel is evaluated (default 0)
   * @param y - PARENT y (default 0)
   * @returns the image
   * @throws {@link AfwImageInvalidArgumentError} when `doNormalize` and the sum is 0
   * @example
   * ```ts
   * const image = kernel.computeImage(true, 1024, 2048);
   * image.get(0, 0); // the centre pixel
   * ```
   * @see lsst.afw.math.Kernel.computeImage
   */
  computeImage(doNormalize = true, x = 0, y = 0): ImageD {
    const out = new Image(new Float64Array(this.width * this.height), this.width, this.height, { xy0: new Point2I(-this.#ctr.getX(), -this.#ctr.getY()) });
    this.computeImageInto(out, doNormalize, x, y);
    return out;
  }

  /**
   * Fills an image of the kernel's size with the kernel image (afw's `computeImage(image, ...)`),
   * setting its xy0 to `-ctr`.
   *
   * @param image - the image to fill (the kernel's size, any floating type)
   * @param doNormalize - divide by the sum
   * @param x - PARENT x for spatial variation
   * @param y - PARENT y for spatial variation
   * @returns the sum of the image (1 when normalised)
   * @throws {@link AfwImageLengthError} when the image is not the kernel's size
   * @throws {@link AfwImageInvalidArgumentError} when `doNormalize` and the sum is 0
   */
  computeImageInto(image: Image<PixelArray>, doNormalize: boolean, x = 0, y = 0): number {
    if (image.width !== this.width || image.height !== this.height) {
      throw new AfwImageLengthError(`Kernel image dimensions ${image.width} x ${image.height} differ from the kernel's ${this.width} x ${this.height}.`);
    }
    image.setXY0(new Point2I(-this.#ctr.getX(), -this.#ctr.getY()));
    const values = new Float64Array(this.width * this.height);
    let sum = this.computeValues(values, x, y);
    if (doNormalize) {
      if (sum === 0) throw new AfwImageInvalidArgumentError('Cannot normalize the kernel image: its sum is 0.');
      for (let i = 0; i < values.length; i++) values[i]! /= sum;
      sum = 1;
    }
    const { data, stride } = image.array;
    for (let j = 0; j < this.height; j++) for (let i = 0; i < this.width; i++) data[j * stride + i] = values[j * this.width + i]!;
    return sum;
  }

  /**
   * Writes the unnormalised kernel values (row-major) at a position into `out`.
   *
   * @param out - `width * height` values
   * @param x - PARENT x
   * @param y - PARENT y
   * @returns their sum
   */
  protected abstract computeValues(out: Float64Array, x: number, y: number): number;

  /**
   * A kernel of another size with the same centre offset rules (afw's `resized`).
   *
   * @param width - the new width
   * @param height - the new height
   * @returns the new kernel
   */
  abstract resized(width: number, height: number): Kernel;

  /**
   * Writes the kernel's catalog (and its nested objects).
   *
   * @param handle - where to write
   */
  abstract writeToArchive(handle: OutputArchiveHandle): void;
}

/** The columns and values every kernel writes first (afw's `Kernel::PersistenceHelper`). */
function baseColumns(kernel: Kernel): { columns: ArchiveColumn[]; values: Record<string, number> } {
  const c = kernel.getCtr();
  return {
    columns: [
      { name: 'dimensions_x', format: '1J', unit: 'pixel', doc: "dimensions of a Kernel's images" },
      { name: 'dimensions_y', format: '1J', unit: 'pixel', doc: "dimensions of a Kernel's images" },
      { name: 'center_x', format: '1J', unit: 'pixel', doc: 'center point in a Kernel image' },
      { name: 'center_y', format: '1J', unit: 'pixel', doc: 'center point in a Kernel image' },
    ],
    values: { dimensions_x: kernel.width, dimensions_y: kernel.height, center_x: c.getX(), center_y: c.getY() },
  };
}

/**
 * A kernel that is a fixed image.
 *
 * @example
 * ```ts
 * const kernel = new FixedKernel(psfImage); // centre at the middle pixel
 * kernel.computeImage().get(0, 0); // the middle pixel, normalised
 * ```
 * @see lsst.afw.math.FixedKernel
 */
export class FixedKernel extends Kernel {
  /** Persistence name in afw archives. */
  readonly persistenceName = 'FixedKernel';
  readonly #values: Float64Array;
  readonly #sum: number;

  /**
   * Copies an image into a kernel.
   *
   * @param image - the kernel image (its xy0 is ignored, as in afw)
   * @param options - the centre (default the middle pixel)
   * @throws {@link AfwImageInvalidArgumentError} when the image is empty or the centre is outside it
   */
  constructor(image: Image<PixelArray>, options: KernelOptions = {}) {
    super(image.width, image.height, options);
    const { data, stride } = image.array;
    this.#values = new Float64Array(image.width * image.height);
    let sum = 0;
    for (let j = 0; j < image.height; j++) {
      for (let i = 0; i < image.width; i++) sum += this.#values[j * image.width + i] = Number(data[j * stride + i]);
    }
    this.#sum = sum;
  }

  /** The sum of the kernel image (afw's `getSum()`). */
  getSum(): number {
    return this.#sum;
  }

  protected computeValues(out: Float64Array): number {
    out.set(this.#values);
    return this.#sum;
  }

  /**
   * The kernel padded or trimmed symmetrically to a new size (each dimension may change by an
   * even number only), centred at `((width - 1) / 2, (height - 1) / 2)` as afw does.
   *
   * @param width - the new width
   * @param height - the new height
   * @returns the new kernel
   * @throws {@link AfwImageInvalidArgumentError} when a size is not positive or changes by an odd number
   */
  resized(width: number, height: number): FixedKernel {
    if (!(width > 0 && height > 0)) throw new AfwImageInvalidArgumentError(`Cannot create FixedKernel with dimensions (${width}, ${height}).`);
    if ((width - this.width) % 2 !== 0 || (height - this.height) % 2 !== 0) {
      throw new AfwImageInvalidArgumentError(
        `Cannot resize FixedKernel from (${this.width}, ${this.height}) to (${width}, ${height}): each dimension must change by an even number.`,
      );
    }
    const ctrX = Math.trunc((width - 1) / 2);
    const ctrY = Math.trunc((height - 1) / 2);
    const old = this.getCtr();
    const out = new Float64Array(width * height);
    for (let j = 0; j < height; j++) {
      const oj = j - ctrY + old.getY();
      if (oj < 0 || oj >= this.height) continue;
      for (let i = 0; i < width; i++) {
        const oi = i - ctrX + old.getX();
        if (oi >= 0 && oi < this.width) out[j * width + i] = this.#values[oj * this.width + oi]!;
      }
    }
    return new FixedKernel(new Image(out, width, height));
  }

  /**
   * Writes one row: `dimensions_x/y`, `center_x/y` and the row-major `image` array, as afw does.
   *
   * @param handle - where to write
   */
  writeToArchive(handle: OutputArchiveHandle): void {
    const base = baseColumns(this);
    handle.saveCatalog(
      { columns: [...base.columns, { name: 'image', format: `${this.#values.length}D`, doc: 'pixel values (row-major)', tccls: 'Array' }] },
      [{ ...base.values, image: this.#values }],
    );
  }
}

/**
 * A kernel that is a linear combination of basis kernels: `Σ a_i K_i`, with fixed amplitudes
 * `a_i`, or amplitudes that are functions of position (`a_i = f_i(x, y)`), which is what PSF
 * determination (PCA) produces.
 *
 * @example
 * ```ts
 * const basis = [new FixedKernel(mean), new FixedKernel(eigen1)];
 * const kernel = new LinearCombinationKernel(basis, [
 *   new PolynomialFunction2([1]),
 *   new PolynomialFunction2([0, 1e-4, -2e-4]),
 * ]);
 * kernel.computeImage(true, 500, 800);
 * ```
 * @see lsst.afw.math.LinearCombinationKernel
 */
export class LinearCombinationKernel extends Kernel {
  /** Persistence name in afw archives. */
  readonly persistenceName = 'LinearCombinationKernel';
  readonly #basis: readonly Kernel[];
  readonly #basisValues: readonly Float64Array[];
  readonly #basisSums: Float64Array;
  readonly #amplitudes: Float64Array | undefined;
  readonly #spatialFunctions: readonly SpatialFunction2[] | undefined;

  /**
   * Makes the combination.
   *
   * @param basis - the basis kernels: one size and centre, none spatially varying
   * @param amplitudes - one amplitude per basis kernel, or one spatial function per basis kernel
   * @param options - the centre (default the basis kernels')
   * @throws {@link AfwImageInvalidArgumentError} when the basis is empty or inconsistent, or the counts differ
   */
  constructor(basis: readonly Kernel[], amplitudes: readonly number[] | readonly SpatialFunction2[], options: KernelOptions = {}) {
    const first = basis[0];
    if (first === undefined) throw new AfwImageInvalidArgumentError('A LinearCombinationKernel needs at least one basis kernel; got none.');
    super(first.width, first.height, { ctr: options.ctr ?? first.getCtr() });
    basis.forEach((k, i) => {
      if (k.width !== first.width || k.height !== first.height) {
        throw new AfwImageInvalidArgumentError(`Basis kernel ${i} is ${k.width} x ${k.height}; kernel 0 is ${first.width} x ${first.height}.`);
      }
      if (!k.getCtr().equals(first.getCtr())) throw new AfwImageInvalidArgumentError(`Basis kernel ${i} has centre ${k.getCtr().toString()}; kernel 0 has ${first.getCtr().toString()}.`);
      if (k.isSpatiallyVarying()) throw new AfwImageInvalidArgumentError(`Basis kernel ${i} is spatially varying; basis kernels must be fixed.`);
    });
    if (amplitudes.length !== basis.length) {
      throw new AfwImageInvalidArgumentError(`A LinearCombinationKernel needs one amplitude or spatial function per basis kernel: ${basis.length} kernels, ${amplitudes.length} given.`);
    }
    this.#basis = [...basis];
    this.#basisValues = basis.map((k) => {
      const v = new Float64Array(k.width * k.height);
      k.computeImageInto(new Image(v, k.width, k.height), false);
      return v;
    });
    this.#basisSums = Float64Array.from(this.#basisValues, (v) => v.reduce((a, b) => a + b, 0));
    if (amplitudes.every((a): a is number => typeof a === 'number')) {
      this.#amplitudes = Float64Array.from(amplitudes);
    } else if (amplitudes.every((a) => typeof a === 'object')) {
      this.#spatialFunctions = [...(amplitudes as readonly SpatialFunction2[])];
    } else {
      throw new AfwImageInvalidArgumentError('A LinearCombinationKernel takes either numbers or spatial functions as amplitudes, not a mixture.');
    }
  }

  /** The basis kernels. */
  getKernelList(): readonly Kernel[] {
    return this.#basis;
  }

  /** The number of basis kernels. */
  getNBasisKernels(): number {
    return this.#basis.length;
  }

  /** The sums of the (unnormalised) basis kernel images. */
  getKernelSumList(): number[] {
    return Array.from(this.#basisSums);
  }

  /** The spatial functions (empty for fixed amplitudes). */
  getSpatialFunctionList(): readonly SpatialFunction2[] {
    return this.#spatialFunctions ?? [];
  }

  override isSpatiallyVarying(): boolean {
    return this.#spatialFunctions !== undefined;
  }

  override isPersistable(): boolean {
    return this.#basis.every((k) => k.isPersistable());
  }

  /**
   * The amplitudes at a position (the fixed ones, or the spatial functions' values).
   *
   * @param x - PARENT x
   * @param y - PARENT y
   * @returns one amplitude per basis kernel
   */
  getKernelParameters(x = 0, y = 0): number[] {
    return this.#spatialFunctions === undefined ? Array.from(this.#amplitudes!) : this.#spatialFunctions.map((f) => f.evaluate(x, y));
  }

  protected computeValues(out: Float64Array, x: number, y: number): number {
    const a = this.getKernelParameters(x, y);
    out.fill(0);
    let sum = 0;
    // the non-zero terms added up to four at a time, each pixel's terms still one by one in the
    // order of the basis (one pass over `out` per four terms instead of one per term)
    let k = 0;
    while (k < a.length) {
      let n = 0;
      for (; k < a.length && n < 4; k++) {
        const ak = a[k]!;
        if (ak === 0) continue;
        TERM_COEFFICIENTS[n] = ak;
        TERM_VALUES[n] = this.#basisValues[k]!;
        sum += ak * this.#basisSums[k]!;
        n++;
      }
      if (n > 0) addTerms(out, n);
    }
    return sum;
  }

  /**
   * The combination of the resized basis kernels.
   *
   * @param width - the new width
   * @param height - the new height
   * @returns the new kernel
   */
  resized(width: number, height: number): LinearCombinationKernel {
    const basis = this.#basis.map((k) => k.resized(width, height));
    return new LinearCombinationKernel(basis, this.#spatialFunctions ?? Array.from(this.#amplitudes!));
  }

  /**
   * Writes one row as afw does: the base columns, then `spatialfunctions` (archive IDs) and
   * `components` for a spatially varying kernel, or `components` and `amplitudes` for a fixed one.
   *
   * @param handle - where to write
   */
  writeToArchive(handle: OutputArchiveHandle): void {
    const base = baseColumns(this);
    const n = this.#basis.length;
    const columns = [...base.columns];
    const row: Record<string, number | Int32Array | Float64Array> = { ...base.values };
    if (this.#spatialFunctions !== undefined) {
      columns.push({ name: 'spatialfunctions', format: `${n}J`, doc: "archive IDs for the Kernel's spatial functions", tccls: 'Array' });
      row['spatialfunctions'] = Int32Array.from(this.#spatialFunctions, (f) => handle.put(f));
    }
    columns.push({ name: 'components', format: `${n}J`, doc: 'archive IDs of component kernel', tccls: 'Array' });
    row['components'] = Int32Array.from(this.#basis, (k) => handle.put(k));
    if (this.#amplitudes !== undefined) {
      columns.push({ name: 'amplitudes', format: `${n}D`, doc: 'amplitudes component kernel', tccls: 'Array' });
      row['amplitudes'] = this.#amplitudes;
    }
    handle.saveCatalog({ columns }, [row]);
  }
}

function oneRow(kind: string, catalogs: readonly ArchiveRows[]): ArchiveRows {
  const rows = catalogs[0];
  if (catalogs.length !== 1 || rows === undefined || rows.length !== 1) {
    throw new AfwImageArchiveFormatError(`A ${kind} is one row of one catalog; got ${catalogs.length} catalog(s)${rows === undefined ? '' : ` with ${rows.length} row(s)`}.`);
  }
  return rows;
}

function centre(rows: ArchiveRows): Point2I {
  return new Point2I(rows.number('center_x'), rows.number('center_y'));
}

/**
 * Reads a `FixedKernel` archive row.
 *
 * @internal
 */
export function readFixedKernel(catalogs: readonly ArchiveRows[]): FixedKernel {
  const rows = oneRow('FixedKernel', catalogs);
  const w = rows.number('dimensions_x');
  const h = rows.number('dimensions_y');
  const values = rows.array('image');
  if (values.length !== w * h) throw new AfwImageArchiveFormatError(`FixedKernel in ${rows.catalog.location}: ${values.length} pixel values for a ${w} x ${h} kernel.`);
  return new FixedKernel(new Image(Float64Array.from(values, Number), w, h), { ctr: centre(rows) });
}

function archived<T>(archive: InputArchive, id: number, what: string, is: (v: unknown) => v is T, where: string): T {
  const v = archive.get(id);
  if (!is(v)) throw new AfwImageArchiveFormatError(`${where}: archive ID ${id} is not a ${what} (${String(v)}).`, { hint: 'Register the readers of the nested type (registerPsfReaders).' });
  return v;
}

/**
 * Reads a `LinearCombinationKernel` archive row (fixed amplitudes or spatial functions).
 *
 * @internal
 */
export function readLinearCombinationKernel(catalogs: readonly ArchiveRows[], archive: InputArchive): LinearCombinationKernel {
  const rows = oneRow('LinearCombinationKernel', catalogs);
  const where = `LinearCombinationKernel in ${rows.catalog.location}`;
  const isKernel = (v: unknown): v is Kernel => v instanceof Kernel;
  const isFunction = (v: unknown): v is SpatialFunction2 => typeof v === 'object' && v !== null && typeof (v as SpatialFunction2).evaluate === 'function';
  const ids = (name: string): number[] => Array.from(rows.array(name) as ArrayLike<number | bigint>, (v) => Number(v));
  const basis = ids('components').map((id) => archived(archive, id, 'Kernel', isKernel, where));
  const amplitudes = rows.has('spatialfunctions')
    ? ids('spatialfunctions').map((id) => archived(archive, id, 'spatial function', isFunction, where))
    : ids('amplitudes');
  const kernel = new LinearCombinationKernel(basis, amplitudes, { ctr: centre(rows) });
  if (kernel.width !== rows.number('dimensions_x') || kernel.height !== rows.number('dimensions_y')) {
    throw new AfwImageArchiveFormatError(`${where}: the basis kernels are ${kernel.width} x ${kernel.height}, the row says ${rows.number('dimensions_x')} x ${rows.number('dimensions_y')}.`);
  }
  return kernel;
}

/** The coefficients of the terms {@link addTerms} adds. */
const TERM_COEFFICIENTS = new Float64Array(4);
/** The values of the terms {@link addTerms} adds. */
const TERM_VALUES: Float64Array[] = [new Float64Array(0), new Float64Array(0), new Float64Array(0), new Float64Array(0)];

/** `out[i] += c0·v0[i]`, then `+= c1·v1[i]`, … for the first `n` (1–4) of {@link TERM_COEFFICIENTS} and {@link TERM_VALUES}. */
function addTerms(out: Float64Array, n: number): void {
  const c0 = TERM_COEFFICIENTS[0]!;
  const c1 = TERM_COEFFICIENTS[1]!;
  const c2 = TERM_COEFFICIENTS[2]!;
  const c3 = TERM_COEFFICIENTS[3]!;
  const v0 = TERM_VALUES[0]!;
  const v1 = TERM_VALUES[1]!;
  const v2 = TERM_VALUES[2]!;
  const v3 = TERM_VALUES[3]!;
  const m = out.length;
  if (n === 4) for (let i = 0; i < m; i++) out[i] = out[i]! + c0 * v0[i]! + c1 * v1[i]! + c2 * v2[i]! + c3 * v3[i]!;
  else if (n === 3) for (let i = 0; i < m; i++) out[i] = out[i]! + c0 * v0[i]! + c1 * v1[i]! + c2 * v2[i]!;
  else if (n === 2) for (let i = 0; i < m; i++) out[i] = out[i]! + c0 * v0[i]! + c1 * v1[i]!;
  else for (let i = 0; i < m; i++) out[i] = out[i]! + c0 * v0[i]!;
}
