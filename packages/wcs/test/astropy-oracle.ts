/**
 * The astropy (wcslib) reference for the WCS tests: `all_pix2world` and `all_world2pix` on
 * given points for a header given as text or as a FITS file HDU, with FK5 (J2000) results
 * converted to ICRS through SkyCoord, as afw standardises to ICRS.
 */
import { runPythonJson } from '@skystack/test-support';

/** One header and the points to transform. */
export interface OracleCase {
  /** Header text (card images separated by newlines), or `path` + `hdu`. */
  header?: string;
  path?: string;
  hdu?: number;
  /** Pixels, FITS 1-based. */
  px: number[];
  py: number[];
  /** ICRS sky positions, degrees, for all_world2pix (defaults to astropy's own all_pix2world output). */
  ra?: number[];
  dec?: number[];
}

/** astropy's answers; null where astropy gives NaN. */
export interface OracleResult {
  /** all_pix2world in ICRS, degrees. */
  ra: (number | null)[];
  dec: (number | null)[];
  /** all_world2pix (FITS 1-based) of the given sky positions (or of ra/dec above). */
  x: (number | null)[];
  y: (number | null)[];
  /** The sky positions all_world2pix was given (ICRS degrees). */
  skyRa: (number | null)[];
  skyDec: (number | null)[];
  radesys: string;
}

const SCRIPT = String.raw`
import sys, json, warnings
warnings.simplefilter('ignore')
import numpy as np
from astropy.io import fits
from astropy.wcs import WCS
from astropy.coordinates import SkyCoord, FK5, ICRS
import astropy.units as u
cases = json.load(sys.stdin)
def clean(a):
    return [float(v) if np.isfinite(v) else None for v in np.asarray(a, dtype=float)]
out = []
for c in cases:
    if c.get('path'):
        with fits.open(c['path']) as hl:
            hdr = hl[c['hdu']].header.copy()
    else:
        hdr = fits.Header.fromstring(c['header'], sep='\n')
    w = WCS(hdr, naxis=2)
    w.wcs.set()
    lng, lat = w.wcs.lng, w.wcs.lat
    sys_ = w.wcs.radesys.strip()
    px = np.array(c['px'], dtype=float); py = np.array(c['py'], dtype=float)
    world = w.all_pix2world(px, py, 1)
    ra, dec = world[lng], world[lat]
    if sys_ == 'FK5':
        ok = np.isfinite(ra) & np.isfinite(dec)
        sc = SkyCoord(np.where(ok, ra, 0) * u.deg, np.where(ok, dec, 0) * u.deg, frame=FK5(equinox='J2000')).icrs
        ra = np.where(ok, sc.ra.deg, np.nan); dec = np.where(ok, sc.dec.deg, np.nan)
    sra = np.array(c['ra'], dtype=float) if c.get('ra') is not None else ra
    sdec = np.array(c['dec'], dtype=float) if c.get('dec') is not None else dec
    ok = np.isfinite(sra) & np.isfinite(sdec)
    wra, wdec = np.where(ok, sra, 0.0), np.where(ok, sdec, 0.0)
    if sys_ == 'FK5':
        sc = SkyCoord(wra * u.deg, wdec * u.deg, frame=ICRS()).transform_to(FK5(equinox='J2000'))
        wra, wdec = sc.ra.deg, sc.dec.deg
    args = [None, None]
    args[lng] = wra; args[lat] = wdec
    x, y = w.all_world2pix(args[0], args[1], 1, tolerance=1e-12, maxiter=500, quiet=True)
    x = np.where(ok, x, np.nan); y = np.where(ok, y, np.nan)
    out.append({'ra': clean(ra), 'dec': clean(dec), 'x': clean(x), 'y': clean(y),
                'skyRa': clean(sra), 'skyDec': clean(sdec), 'radesys': sys_})
print(json.dumps(out))
`;

/**
 * Runs astropy on the cases (one Python process).
 *
 * @param cases - the headers and points
 * @returns astropy's answers, one per case
 */
export function astropyTransforms(cases: OracleCase[]): OracleResult[] {
  return runPythonJson<OracleResult[]>(SCRIPT, [], cases);
}

/** null → NaN. */
export function nums(a: (number | null)[]): Float64Array {
  return Float64Array.from(a, (v) => (v === null ? NaN : v));
}

/** Great-circle separation in degrees of two positions given in degrees (NaN if either is NaN). */
export function sepDeg(ra1: number, dec1: number, ra2: number, dec2: number): number {
  const d = Math.PI / 180;
  const v = (ra: number, dec: number): number[] => [Math.cos(dec * d) * Math.cos(ra * d), Math.cos(dec * d) * Math.sin(ra * d), Math.sin(dec * d)];
  const a = v(ra1, dec1);
  const b = v(ra2, dec2);
  const cx = a[1]! * b[2]! - a[2]! * b[1]!;
  const cy = a[2]! * b[0]! - a[0]! * b[2]!;
  const cz = a[0]! * b[1]! - a[1]! * b[0]!;
  const dot = a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
  return Math.atan2(Math.sqrt(cx * cx + cy * cy + cz * cz), dot) / d;
}
