// The old afw::image::TanWcs (and Wcs) archive tables, from before SkyWcs: one row of CRVAL,
// CRPIX (0-based, PARENT pixels), CD, CTYPE, EQUINOX, RADESYS, CUNIT, and for TAN-SIP a second
// catalog with the A, B, AP, BP coefficient matrices.
import type { ArchiveRows } from '@skystack/afw-table';
import { WcsFormatError } from '../errors.js';
import type { SipMatrices } from '../sky-wcs.js';

/** The parameters of an old TanWcs archive entry. */
export interface TanWcsParameters {
  /** CRVAL, degrees (`[ra, dec]`). */
  readonly crval: readonly [number, number];
  /** CRPIX, 0-based PARENT pixels (afw's convention; FITS CRPIX − 1). */
  readonly crpix: readonly [number, number];
  /** The CD matrix, degrees per pixel, row-major `[CD1_1, CD1_2, CD2_1, CD2_2]`. */
  readonly cd: readonly [number, number, number, number];
  /** `CTYPE1`, `CTYPE2`. */
  readonly ctype: readonly [string, string];
  /** `RADESYS` (`'ICRS'`, `'FK5'`). */
  readonly radesys: string;
  /** `EQUINOX`, or NaN when unset (afw wrote 9.87654321e107 for "unset"). */
  readonly equinox: number;
  /** SIP matrices, `sip.a[p][q]` the coefficient of `u^p v^q`; absent for pure TAN. */
  readonly sip?: SipMatrices;
}

/** afw's "equinox not set" sentinel. */
const UNSET_EQUINOX = 9.87654321e107;

/** A square matrix stored as afw wrote it (Eigen, column-major): element (p, q) at `q·n + p`. */
function matrix(flat: ArrayLike<number | bigint>, what: string, where: string): number[][] {
  const n = Math.round(Math.sqrt(flat.length));
  if (n * n !== flat.length) throw new WcsFormatError(`The SIP ${what} matrix in ${where} has ${flat.length} elements, not a square number.`);
  return Array.from({ length: n }, (_, p) => Array.from({ length: n }, (_, q) => Number(flat[q * n + p])));
}

/**
 * Reads the parameters of an old `TanWcs` archive entry (both layouts: `crval`/`crpix` arrays,
 * and the later `crval_x`/`crval_y`/`crpix_x`/`crpix_y` columns).
 *
 * @param catalogs - the object's rows: the WCS row, then (TAN-SIP) the SIP row
 * @returns the parameters
 * @throws {@link WcsFormatError} when a column is missing or malformed
 */
export function readTanWcsParameters(catalogs: readonly ArchiveRows[]): TanWcsParameters {
  const rows = catalogs[0];
  if (rows === undefined || rows.length !== 1) throw new WcsFormatError(`A TanWcs archive entry needs one WCS row; it has ${rows?.length ?? 0}.`);
  const where = rows.catalog.location;
  const pair = (base: string): [number, number] =>
    rows.has(`${base}_x`) ? [rows.number(`${base}_x`), rows.number(`${base}_y`)] : (Array.from(rows.array(base), Number) as [number, number]);
  const stored = Array.from(rows.array('cd'), Number);
  if (stored.length !== 4) throw new WcsFormatError(`The TanWcs in ${where} has ${stored.length} CD elements; expected 4.`);
  // Stored column-major (Eigen): CD1_1, CD2_1, CD1_2, CD2_2.
  const cd = [stored[0]!, stored[2]!, stored[1]!, stored[3]!];
  const equinox = rows.has('equinox') ? rows.number('equinox') : NaN;
  const out: TanWcsParameters = {
    crval: pair('crval'),
    crpix: pair('crpix'),
    cd: cd as [number, number, number, number],
    ctype: [rows.string('ctype1'), rows.string('ctype2')],
    radesys: rows.has('radesys') ? rows.string('radesys') : 'ICRS',
    equinox: equinox === UNSET_EQUINOX ? NaN : equinox,
  };
  const sip = catalogs[1];
  if (sip === undefined) return out;
  return {
    ...out,
    sip: {
      a: matrix(sip.array('A'), 'A', where),
      b: matrix(sip.array('B'), 'B', where),
      ap: matrix(sip.array('Ap'), 'AP', where),
      bp: matrix(sip.array('Bp'), 'BP', where),
    },
  };
}
