// A PSF read from an archive whose type SkyStack cannot decode, kept as its raw rows.
import { RawPersistable } from '@skystack/afw-table';
import type { Box2I} from '@skystack/geom';
import { type Point2D } from '@skystack/geom';
import { AfwImageNotFoundError } from '../components/errors.js';
import type { ImageD } from '../image.js';
import { Psf } from './psf.js';
import type { Quadrupole } from './quadrupole.js';

/**
 * A PSF whose type SkyStack cannot evaluate (`CoaddPsf`, `PsfexPsf`, a test-only `DummyPsf`,
 * ...): it wraps the `RawPersistable` (from `@skystack/afw-table`) read from the archive, so that
 * `getPsf()` stays typed and the PSF is still reported by name and written back unchanged with
 * the exposure it came from. Every `compute…` method throws.
 *
 * @example
 * ```ts
 * const psf = exposure.getInfo().getPsf();
 * if (psf instanceof RawPsf) console.log(`cannot evaluate ${psf.name}`);
 * ```
 */
export class RawPsf extends Psf {
  /** The archived object. */
  readonly raw: RawPersistable;

  /**
   * Wraps an undecoded archived PSF.
   *
   * @param raw - the raw persistable
   */
  constructor(raw: RawPersistable) {
    super(true);
    this.raw = raw;
  }

  /** The persistence name (`'CoaddPsf'`, `'PsfexPsf'`, ...). */
  get name(): string {
    return this.raw.name;
  }

  clone(): RawPsf {
    return this;
  }

  resized(): never {
    throw this.#cannot('resize');
  }

  override isPersistable(): boolean {
    return false;
  }

  #cannot(what: string): AfwImageNotFoundError {
    return new AfwImageNotFoundError(`Cannot ${what} the PSF: it is a '${this.raw.name}'${this.raw.module === '' ? '' : ` (Python module ${this.raw.module})`}, which SkyStack cannot decode.`, {
      hint: 'Register a reader for this persistence name in the PersistableRegistry used to read the file.',
    });
  }

  protected doComputeKernelImage(): ImageD {
    throw this.#cannot('evaluate');
  }

  protected override doComputeImage(): ImageD {
    throw this.#cannot('evaluate');
  }

  protected doComputeApertureFlux(): number {
    throw this.#cannot('evaluate');
  }

  protected doComputeShape(): Quadrupole {
    throw this.#cannot('evaluate');
  }

  protected doComputeBBox(_position?: Point2D): Box2I {
    throw this.#cannot('evaluate');
  }

  /** The raw persistable's description: `RawPersistable(DummyPsf from module, id 1)`. */
  override toString(): string {
    return this.raw.toString();
  }
}

/**
 * A component as a PSF: a {@link Psf} as is, a `RawPersistable` (from `@skystack/afw-table`) wrapped
 * in a {@link RawPsf}, anything else `null`.
 *
 * @param component - the component
 * @returns the PSF, or `null`
 * @internal
 */
export function asPsf(component: unknown): Psf | null {
  if (component instanceof Psf) return component;
  if (component instanceof RawPersistable) return new RawPsf(component);
  return null;
}
