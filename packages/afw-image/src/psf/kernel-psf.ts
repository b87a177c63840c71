// lsst.meas.algorithms ImagePsf, KernelPsf and PcaPsf: PSFs defined by a (spatially varying) kernel.
import type { ArchiveRows, InputArchive, OutputArchiveHandle, Persistable } from '@skystack/afw-table';
import type { Box2I} from '@skystack/geom';
import { Point2D } from '@skystack/geom';
import { AfwImageInvalidArgumentError } from '../errors.js';
import { AfwImageArchiveFormatError } from '../components/errors.js';
import type { ImageD } from '../image.js';
import { computeAdaptiveMoments, computeCircularApertureSum } from './image-moments.js';
import { Kernel, LinearCombinationKernel } from './kernel.js';
import { Psf } from './psf.js';
import type { Quadrupole } from './quadrupole.js';
import { oneArchiveRow } from './gaussian-psf.js';

/**
 * A PSF whose aperture flux and shape are measured on its kernel image: the flux inside a
 * circle about (0, 0) (each pixel weighted by the fraction of its area inside; meas_algorithms
 * uses a sinc aperture), and the adaptive (SdssShape-style) second moments about (0, 0).
 *
 * @see lsst.meas.algorithms.ImagePsf
 */
export abstract class ImagePsf extends Psf {
  /**
   * Sets whether the PSF is the same everywhere.
   *
   * @param isFixed - true when the kernel image does not depend on position
   */
  protected constructor(isFixed: boolean) {
    super(isFixed);
  }

  protected doComputeApertureFlux(radius: number, position: Point2D): number {
    return computeCircularApertureSum(this.kernelImageAt(position), radius, 0, 0);
  }

  protected doComputeShape(position: Point2D): Quadrupole {
    return computeAdaptiveMoments(this.kernelImageAt(position), 0, 0);
  }
}

/**
 * A PSF that is a kernel: the kernel image at a position, normalised to sum 1; fixed when the
 * kernel does not vary with position. Over a {@link LinearCombinationKernel} whose amplitudes
 * are spatial functions this is a spatially varying PSF (see {@link PcaPsf}).
 *
 * @example
 * ```ts
 * const psf = new KernelPsf(new FixedKernel(starImage));
 * const model = psf.computeImage(new Point2D(1024.25, 511.6)); // Lanczos-5 shifted
 * ```
 * @see lsst.meas.algorithms.KernelPsf
 */
export class KernelPsf extends ImagePsf implements Persistable {
  /** Persistence name in afw archives. */
  readonly persistenceName: string = 'KernelPsf';
  /** Python module afw records for it. */
  readonly pythonModule: string = 'lsst.meas.algorithms';
  readonly #kernel: Kernel;
  readonly #averagePosition: Point2D;
  #cached: ImageD | undefined;

  /**
   * Wraps a kernel.
   *
   * @param kernel - the kernel
   * @param averagePosition - the position used when none is given (default (0, 0))
   */
  constructor(kernel: Kernel, averagePosition: Point2D = new Point2D(0, 0)) {
    super(!kernel.isSpatiallyVarying());
    this.#kernel = kernel;
    this.#averagePosition = averagePosition;
  }

  /** The kernel. */
  getKernel(): Kernel {
    return this.#kernel;
  }

  override getAveragePosition(): Point2D {
    return this.#averagePosition;
  }

  clone(): KernelPsf {
    return new KernelPsf(this.#kernel, this.#averagePosition);
  }

  resized(width: number, height: number): KernelPsf {
    return new KernelPsf(this.#kernel.resized(width, height), this.#averagePosition);
  }

  override isPersistable(): boolean {
    return this.#kernel.isPersistable();
  }

  protected doComputeKernelImage(position: Point2D): ImageD {
    if (this.isFixed()) {
      this.#cached ??= this.#kernel.computeImage(true, position.x, position.y);
      return this.#cached.clone();
    }
    return this.#kernel.computeImage(true, position.x, position.y);
  }

  protected doComputeBBox(): Box2I {
    return this.#kernel.getBBox();
  }

  /**
   * Writes one row, the kernel's archive ID (`kernel`) and `averagePosition_x/y`, as
   * meas_algorithms does; the kernel is written first.
   *
   * @param handle - where to write
   */
  writeToArchive(handle: OutputArchiveHandle): void {
    const kernel = handle.put(this.#kernel);
    handle.saveCatalog(
      {
        columns: [
          { name: 'kernel', format: '1J', doc: 'archive ID of nested kernel object' },
          { name: 'averagePosition_x', format: '1D', unit: 'pixel', doc: 'average position of stars used to make the PSF' },
          { name: 'averagePosition_y', format: '1D', unit: 'pixel', doc: 'average position of stars used to make the PSF' },
        ],
      },
      [{ kernel, averagePosition_x: this.#averagePosition.x, averagePosition_y: this.#averagePosition.y }],
    );
  }

  /** `KernelPsf(FixedKernel 21x21)`. */
  override toString(): string {
    return `${this.persistenceName}(${this.#kernel.persistenceName} ${this.#kernel.width}x${this.#kernel.height})`;
  }
}

/**
 * A spatially varying PSF from a principal-component analysis of stars: a {@link KernelPsf}
 * over a {@link LinearCombinationKernel} (basis images, one spatial function of position per
 * basis image). This is what PSF determination produces.
 *
 * @example
 * ```ts
 * const psf = new PcaPsf(new LinearCombinationKernel([mean, eigen1], [
 *   new Chebyshev1Function2([1, 0, 0], range),
 *   new Chebyshev1Function2([0, 0.1, -0.05], range),
 * ]), new Point2D(1000, 2000));
 * psf.computeShape(new Point2D(10, 10));
 * ```
 * @see lsst.meas.algorithms.PcaPsf
 */
export class PcaPsf extends KernelPsf {
  override readonly persistenceName: string = 'PcaPsf';

  /**
   * Wraps a linear combination kernel.
   *
   * @param kernel - the kernel
   * @param averagePosition - the position used when none is given (default (0, 0))
   * @throws {@link AfwImageInvalidArgumentError} when the kernel is not a LinearCombinationKernel
   */
  constructor(kernel: LinearCombinationKernel, averagePosition: Point2D = new Point2D(0, 0)) {
    if (!(kernel instanceof LinearCombinationKernel)) {
      throw new AfwImageInvalidArgumentError(`PcaPsf expects a LinearCombinationKernel; got ${String((kernel as Kernel | null)?.persistenceName ?? kernel)}.`);
    }
    super(kernel, averagePosition);
  }

  override getKernel(): LinearCombinationKernel {
    return super.getKernel() as LinearCombinationKernel;
  }

  override clone(): PcaPsf {
    return new PcaPsf(this.getKernel(), this.getAveragePosition());
  }

  override resized(width: number, height: number): PcaPsf {
    return new PcaPsf(this.getKernel().resized(width, height), this.getAveragePosition());
  }
}

function readKernelPsfRow(kind: string, catalogs: readonly ArchiveRows[], archive: InputArchive): { kernel: Kernel; averagePosition: Point2D } {
  const rows = oneArchiveRow(kind, catalogs);
  const id = rows.number('kernel');
  const kernel = archive.get(id);
  if (!(kernel instanceof Kernel)) {
    throw new AfwImageArchiveFormatError(`${kind} in ${rows.catalog.location}: archive ID ${id} is not a Kernel SkyStack can read (${String(kernel)}).`, {
      hint: 'SkyStack reads FixedKernel and LinearCombinationKernel (over PolynomialFunction2D/Chebyshev1Function2D).',
    });
  }
  // Current meas_algorithms writes averagePosition_x/_y; older versions one Point<double> column.
  const averagePosition = rows.has('averagePosition_x')
    ? new Point2D(rows.number('averagePosition_x'), rows.number('averagePosition_y'))
    : new Point2D(Number(rows.element('averagePosition', 0, 0)), Number(rows.element('averagePosition', 0, 1)));
  return { kernel, averagePosition };
}

/**
 * Reads a `KernelPsf` archive row.
 *
 * @internal
 */
export function readKernelPsf(catalogs: readonly ArchiveRows[], archive: InputArchive): KernelPsf {
  const { kernel, averagePosition } = readKernelPsfRow('KernelPsf', catalogs, archive);
  return new KernelPsf(kernel, averagePosition);
}

/**
 * Reads a `PcaPsf` archive row.
 *
 * @internal
 */
export function readPcaPsf(catalogs: readonly ArchiveRows[], archive: InputArchive): PcaPsf {
  const { kernel, averagePosition } = readKernelPsfRow('PcaPsf', catalogs, archive);
  if (!(kernel instanceof LinearCombinationKernel)) throw new AfwImageArchiveFormatError(`A PcaPsf's kernel must be a LinearCombinationKernel; got ${kernel.persistenceName}.`);
  return new PcaPsf(kernel, averagePosition);
}
