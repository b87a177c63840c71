// The archive readers of the WCS types afw has written over the years, added to a caller-owned
// registry: the modern SkyWcs (an AST FrameSet), and the older TanWcs (TAN, TAN-SIP) and Wcs.
import type { ArchiveRows, PersistableRegistry } from '@skystack/afw-table';
import { Point2D, SpherePoint } from '@skystack/geom';
import { astNumber } from '../ast/parse.js';
import { readAstSkyWcs, type AstFrameSet } from '../ast/frame-set.js';
import { WcsFormatError } from '../errors.js';
import { SkyWcs, type SkyWcsParameters } from '../sky-wcs.js';
import { readTanWcsParameters } from './tan-wcs.js';

/**
 * A `SkyWcs` whose pixel ↔ sky transform is an AST FrameSet (what modern afw stores), with a TAN
 * approximation at the pixel of the SkyFrame's reference position (or pixel (0, 0)) for the pixel
 * and sky origins and `getFitsMetadata`.
 *
 * @param frameSet - the FrameSet: base frame PIXELS (LSST 0-based), current frame an ICRS SkyFrame
 * @returns the WCS (`isFits` is false)
 * @throws {@link WcsFormatError} when there is no sky position at the reference pixel
 */
export function skyWcsFromAstFrameSet(frameSet: AstFrameSet): SkyWcs {
  const sky = frameSet.frames[frameSet.current - 1]!;
  let p0 = new Point2D(0, 0);
  const ref1 = astNumber(sky.object, 'SRef1', NaN);
  const ref2 = astNumber(sky.object, 'SRef2', NaN);
  if (Number.isFinite(ref1) && Number.isFinite(ref2)) {
    const { x, y } = frameSet.skyToPixel(Float64Array.of(ref1), Float64Array.of(ref2), { refine: true });
    if (Number.isFinite(x[0]!) && Number.isFinite(y[0]!)) p0 = new Point2D(x[0]!, y[0]!);
  }
  const at = (px: number, py: number): SpherePoint => {
    const { ra, dec } = frameSet.pixelToSky(Float64Array.of(px), Float64Array.of(py));
    if (!Number.isFinite(ra[0]!) || !Number.isFinite(dec[0]!)) throw new WcsFormatError(`The AST FrameSet gives no sky position at pixel (${px}, ${py}).`);
    return SpherePoint.fromRadians(ra[0]!, dec[0]!);
  };
  const crval = at(p0.x, p0.y);
  const [xi1, eta1] = crval.getTangentPlaneOffset(at(p0.x + 1, p0.y));
  const [xi2, eta2] = crval.getTangentPlaneOffset(at(p0.x, p0.y + 1));
  const description = `AST FrameSet (${frameSet.frames.map((f) => f.domain || f.className).join(' → ')})`;
  const params: SkyWcsParameters = {
    crpix: p0,
    crval,
    cdMatrix: [
      [xi1.asDegrees(), xi2.asDegrees()],
      [eta1.asDegrees(), eta2.asDegrees()],
    ],
    projection: 'TAN',
    exact: {
      description,
      pixelToSky(xs, ys, out) {
        const r = frameSet.pixelToSky(xs, ys);
        out.ra.set(r.ra);
        out.dec.set(r.dec);
      },
      skyToPixel(ra, dec, out) {
        const r = frameSet.skyToPixel(ra, dec, { refine: true });
        out.x.set(r.x);
        out.y.set(r.y);
      },
    },
  };
  return new SkyWcs(params);
}

/**
 * Reads an old `TanWcs` or `Wcs` archive entry as a `SkyWcs` (TAN-SIP when it has SIP matrices;
 * other projections for `Wcs`); CRPIX is already 0-based PARENT pixels there.
 *
 * @param catalogs - the object's rows
 * @returns the WCS
 * @throws {@link WcsFormatError} when the entry is malformed or its CTYPE is not celestial
 */
export function readOldWcs(catalogs: readonly ArchiveRows[]): SkyWcs {
  const p = readTanWcsParameters(catalogs);
  const [c1, c2] = p.ctype;
  const swapped = c1.startsWith('DEC');
  const code = c1.slice(5, 8);
  const sipTag = c1.slice(8);
  if (!/^(RA--|DEC-)$/.test(c1.slice(0, 4)) || c2.slice(5, 8) !== code || (sipTag !== '' && sipTag !== '-SIP')) {
    throw new WcsFormatError(`The archived WCS has CTYPE '${c1}', '${c2}'; expected RA/DEC axes with one projection.`);
  }
  if (swapped) throw new WcsFormatError(`The archived WCS has swapped axes (CTYPE1 '${c1}'), which afw never wrote to an archive.`);
  const frame = p.radesys.toUpperCase().startsWith('FK5') ? 'FK5' : 'ICRS';
  if (frame === 'FK5' && Number.isFinite(p.equinox) && p.equinox !== 2000) {
    throw new WcsFormatError(`The archived WCS is FK5 at equinox ${p.equinox}; only J2000 is supported.`);
  }
  return new SkyWcs({
    crpix: new Point2D(p.crpix[0], p.crpix[1]),
    crval: SpherePoint.fromDegrees(p.crval[0], p.crval[1]),
    cdMatrix: [
      [p.cd[0], p.cd[1]],
      [p.cd[2], p.cd[3]],
    ],
    projection: code,
    frame,
    ...(p.sip === undefined ? {} : { sipA: p.sip.a, sipB: p.sip.b, sipAp: p.sip.ap, sipBp: p.sip.bp }),
  });
}

/**
 * Adds the archive readers of every WCS type afw has written (`SkyWcs`: an AST FrameSet;
 * `TanWcs`, with or without SIP; `Wcs`) to a registry. Each gives a {@link SkyWcs}.
 *
 * @param registry - the registry to add to
 * @returns the same registry
 * @example
 * ```ts
 * const registry = registerWcsReaders(new PersistableRegistry());
 * const wcs = (await InputArchive.readFits('jointcal_wcs.fits', { registry })).get(1) as SkyWcs;
 * ```
 */
export function registerWcsReaders(registry: PersistableRegistry): PersistableRegistry {
  return registry
    .register('SkyWcs', (catalogs) => {
      const rows = catalogs[0];
      if (rows === undefined) throw new WcsFormatError('A SkyWcs archive entry has no rows.');
      return skyWcsFromAstFrameSet(readAstSkyWcs(rows).frameSet);
    })
    .register('TanWcs', (catalogs) => readOldWcs(catalogs))
    .register('Wcs', (catalogs) => readOldWcs(catalogs));
}
