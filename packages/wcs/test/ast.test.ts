/**
 * The AST serialisation of afw SkyWcs objects: every SkyWcs in the afw fixtures parsed and
 * evaluated, compared with independent references: astropy (wcslib) on the FITS-WCS copy in the
 * IMAGE header of the exposure files, and for the jointcal files (no FITS copy) a numpy
 * evaluation of the PolyMap coefficients followed by astropy's TAN projection, both reading the
 * FITS file themselves.
 */
import { describe, expect, it } from 'vitest';
import { InputArchive, type RawPersistable } from '@skystack/afw-table';
import { astropyAvailable, fixturePath, runPythonJson } from '@skystack/test-support';
import {
  AstFrameSet,
  WcsFormatError,
  WcsInvalidArgumentError,
  astNumber,
  invertAstMapping,
  makeAstMapping,
  parseAst,
  parseAstObjects,
  readAstSkyWcs,
  transformAstMapping,
  type AstSkyWcs,
} from '../src/index.js';

const EXPOSURES = ['exposure-noversion.fits', 'exposure-version-0.fits', 'exposure-version-1.fits', 'exposure-version-2.fits'];
const JOINTCAL = ['jointcal_wcs-0030600-088.fits', 'jointcal_wcs-0034772-004.fits'];
const haveFixtures = fixturePath('afw', 'jointcal_wcs-0030600-088.fits') !== undefined;
const haveAstropy = astropyAvailable();
const R2D = 180 / Math.PI;
const D2R = Math.PI / 180;

async function archiveObjects(file: string, name: string): Promise<RawPersistable[]> {
  const archive = await InputArchive.readFits(fixturePath('afw', file)!);
  return archive.ids.filter((id) => archive.nameOf(id) === name).map((id) => archive.get(id) as RawPersistable);
}

async function skyWcs(file: string): Promise<AstSkyWcs> {
  const [raw] = await archiveObjects(file, 'SkyWcs');
  return readAstSkyWcs(raw!);
}

/** A grid of n x n points over [x0, x1] x [y0, y1]. */
function grid(x0: number, x1: number, y0: number, y1: number, n: number): { xs: Float64Array; ys: Float64Array } {
  const xs = new Float64Array(n * n);
  const ys = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      xs[j * n + i] = x0 + ((x1 - x0) * i) / (n - 1);
      ys[j * n + i] = y0 + ((y1 - y0) * j) / (n - 1);
    }
  }
  return { xs, ys };
}

/** Angular separation in degrees (haversine). */
function sepDeg(ra1: number, dec1: number, ra2: number, dec2: number): number {
  const s = Math.sin((dec2 - dec1) / 2) ** 2 + Math.cos(dec1) * Math.cos(dec2) * Math.sin((ra2 - ra1) / 2) ** 2;
  return 2 * Math.asin(Math.min(1, Math.sqrt(s))) * R2D;
}

const ASTROPY_HEADER_WCS = `
import sys, json, warnings
import numpy as np
from astropy.io import fits
from astropy.wcs import WCS
warnings.simplefilter('ignore')
req = json.load(sys.stdin)
with fits.open(sys.argv[1]) as h:
    w = WCS(h[1].header)
    # LSST 0-based pixels are FITS 1-based pixels minus 1 (XY0 = 0 in these files).
    ra, dec = w.all_pix2world(np.array(req['x']) + 1, np.array(req['y']) + 1, 1)
    px, py = w.all_world2pix(np.array(req['ra']), np.array(req['dec']), 1)
    print(json.dumps({'ra': ra.tolist(), 'dec': dec.tolist(), 'x': (px - 1).tolist(), 'y': (py - 1).tolist(),
                      'radesys': w.wcs.radesys, 'ctype': list(w.wcs.ctype)}))
`;

/**
 * An independent evaluation of a jointcal SkyWcs: the archive bytes read by astropy, the two
 * PolyMaps' coefficients (CFk, PFk) evaluated with numpy, then IWC (degrees) to ICRS through
 * astropy's TAN projection with CRVAL = the SkyFrame's SkyRef.
 */
const JOINTCAL_REFERENCE = `
import sys, json, re, warnings
import numpy as np
from astropy.io import fits
from astropy.wcs import WCS
warnings.simplefilter('ignore')
req = json.load(sys.stdin)
with fits.open(sys.argv[1]) as h:
    hdu = [x for x in h if x.header.get('AR_NAME') == 'SkyWcs'][0]
    text = bytes(np.asarray(hdu.data[0]['wcs'], dtype=np.uint8)).decode('ascii')
assert not re.search(r'^\\s*Inv\\d', text, re.M)
blocks = re.findall(r'Begin PolyMap(.*?)End PolyMap', text, re.S)
def attrs(block):
    return {k: float(v) for k, v in re.findall(r'^\\s*(\\w+) = ([-+0-9.eE]+)\\s*$', block, re.M)}
def poly(a, x, y):
    out = []
    k = 0
    for r in (1, 2):
        s = np.zeros_like(x)
        for c in range(int(a['NCF%d' % r])):
            k += 1
            s = s + a['CF%d' % k] * x ** int(a.get('PF%d' % (2 * k - 1), 0)) * y ** int(a.get('PF%d' % (2 * k), 0))
        out.append(s)
    return out
x = np.array(req['x']); y = np.array(req['y'])
fx, fy = poly(attrs(blocks[0]), x, y)
ix, iy = poly(attrs(blocks[1]), fx, fy)
sref = [float(v) for v in re.findall(r'SRef[12] = ([-+0-9.eE]+)', text)]
w = WCS(naxis=2)
w.wcs.ctype = ['RA---TAN', 'DEC--TAN']
w.wcs.crpix = [1, 1]
w.wcs.crval = [np.degrees(sref[0]) % 360, np.degrees(sref[1])]
w.wcs.cd = np.eye(2)
w.wcs.radesys = 'ICRS'
ra, dec = w.all_pix2world(ix + 1, iy + 1, 1)
print(json.dumps({'ra': ra.tolist(), 'dec': dec.tolist()}))
`;

describe.skipIf(!haveFixtures)('SkyWcs archive entries of the afw fixtures', () => {
  it.each([...EXPOSURES, ...JOINTCAL])('%s: parses into PIXELS ... SKY', async (file) => {
    const { version, frameSet, fitsApproximation } = await skyWcs(file);
    expect(version).toBe(1);
    expect(fitsApproximation).toBeUndefined();
    expect(frameSet.baseFrame.domain).toBe('PIXELS');
    expect(frameSet.currentFrame.className).toBe('SkyFrame');
    expect(frameSet.currentFrame.system).toBe('ICRS');
    expect(frameSet.frames.map((f) => f.domain)).toEqual(file.startsWith('jointcal') ? ['PIXELS', 'FOCAL', 'IWC', 'SKY'] : ['PIXELS', 'IWC', 'SKY']);
    const m = frameSet.getMapping('PIXELS', 'SKY');
    expect([m.nIn, m.nOut, m.hasForward, m.hasInverse]).toEqual([2, 2, true, true]);
  });

  it('exposure files: the CRPIX of the header (1-based 5) is AST PIXELS 4 (0-based), at CRVAL', async () => {
    const { frameSet } = await skyWcs('exposure-version-2.fits');
    const { ra, dec } = frameSet.pixelToSky(Float64Array.of(4), Float64Array.of(4));
    expect(ra[0]! * R2D).toBeCloseTo(30, 12);
    expect(dec[0]! * R2D).toBeCloseTo(40, 12);
    const iwc = transformAstMapping(frameSet.getMapping('PIXELS', 'IWC'), [Float64Array.of(4, 5), Float64Array.of(4, 4)]);
    expect(iwc[0]![0]).toBeCloseTo(0, 15);
    expect(iwc[0]![1]).toBeCloseTo(-3.92837100659193e-5, 17); // CD1_1
    expect(iwc[1]![1]).toBeCloseTo(3.92837100659193e-5, 17); // CD2_1
  });

  describe.skipIf(!haveAstropy)('against astropy (wcslib) on the IMAGE header WCS', () => {
    it.each(EXPOSURES)('%s: pixelToSky to 1e-9 deg, skyToPixel to 1e-7 pixel', async (file) => {
      const { frameSet } = await skyWcs(file);
      // The 10x10 image and well beyond it.
      const { xs, ys } = grid(-500, 509, -500, 509, 21);
      const { ra, dec } = frameSet.pixelToSky(xs, ys);
      const raIn = Array.from(ra, (r) => r * R2D);
      const decIn = Array.from(dec, (d) => d * R2D);
      const ref = runPythonJson<{ ra: number[]; dec: number[]; x: number[]; y: number[]; radesys: string; ctype: string[] }>(
        ASTROPY_HEADER_WCS,
        [fixturePath('afw', file)!],
        { x: Array.from(xs), y: Array.from(ys), ra: raIn, dec: decIn },
      );
      expect(ref.radesys).toBe('ICRS');
      expect(ref.ctype).toEqual(['RA---TAN', 'DEC--TAN']);
      let worstSky = 0;
      let worstPix = 0;
      const back = frameSet.skyToPixel(ra, dec);
      for (let i = 0; i < xs.length; i++) {
        worstSky = Math.max(worstSky, sepDeg(ra[i]!, dec[i]!, ref.ra[i]! * D2R, ref.dec[i]! * D2R));
        worstPix = Math.max(worstPix, Math.abs(back.x[i]! - ref.x[i]!), Math.abs(back.y[i]! - ref.y[i]!));
      }
      expect(worstSky).toBeLessThan(1e-9);
      expect(worstPix).toBeLessThan(1e-7);
    });
  });

  describe.each(JOINTCAL)('%s (PolyMaps, no FITS copy)', (file) => {
    // afw's test_skyWcs.py uses this bounding box for the 0030600-088 file (HSC CCD, 2048 x 4176).
    const { xs, ys } = grid(0, 2047, 0, 4175, 25);

    it.skipIf(!haveAstropy)('pixelToSky agrees with numpy polynomials + astropy TAN to 1e-9 deg', async () => {
      const { frameSet } = await skyWcs(file);
      const { ra, dec } = frameSet.pixelToSky(xs, ys);
      const ref = runPythonJson<{ ra: number[]; dec: number[] }>(JOINTCAL_REFERENCE, [fixturePath('afw', file)!], { x: Array.from(xs), y: Array.from(ys) });
      let worst = 0;
      for (let i = 0; i < xs.length; i++) worst = Math.max(worst, sepDeg(ra[i]!, dec[i]!, ref.ra[i]! * D2R, ref.dec[i]! * D2R));
      expect(worst).toBeLessThan(1e-9);
    });

    it('skyToPixel: AST inverse as stored (the fitted inverse PolyMap) and Newton-refined to 1e-7 pixel', async () => {
      const { frameSet } = await skyWcs(file);
      const { ra, dec } = frameSet.pixelToSky(xs, ys);
      const plain = frameSet.skyToPixel(ra, dec);
      const refined = frameSet.skyToPixel(ra, dec, { refine: true });
      let worstPlain = 0;
      let worstRefined = 0;
      for (let i = 0; i < xs.length; i++) {
        worstPlain = Math.max(worstPlain, Math.hypot(plain.x[i]! - xs[i]!, plain.y[i]! - ys[i]!));
        worstRefined = Math.max(worstRefined, Math.hypot(refined.x[i]! - xs[i]!, refined.y[i]! - ys[i]!));
      }
      // jointcal fits its inverse polynomials; afw's skyToPixel has the same closure.
      expect(worstPlain).toBeLessThan(1e-3);
      expect(worstRefined).toBeLessThan(1e-7);
    });

    it('the FrameSet tree: any two frames compose to the same mapping as the chain', async () => {
      const { frameSet } = await skyWcs(file);
      const direct = transformAstMapping(frameSet.getMapping('PIXELS', 'IWC'), [xs, ys]);
      const focal = transformAstMapping(frameSet.getMapping(1, 'FOCAL'), [xs, ys]);
      const chained = transformAstMapping(frameSet.getMapping('FOCAL', 'IWC'), focal);
      for (let i = 0; i < xs.length; i++) {
        expect(chained[0]![i]).toBe(direct[0]![i]);
        expect(chained[1]![i]).toBe(direct[1]![i]);
      }
      // Going up the tree uses the inverse: SKY -> IWC is the inverse of IWC -> SKY.
      const sky = transformAstMapping(frameSet.getMapping('IWC', 'SKY'), direct);
      const iwc = transformAstMapping(frameSet.getMapping('SKY', 'IWC'), sky);
      for (let i = 0; i < xs.length; i++) {
        expect(Math.abs(iwc[0]![i]! - direct[0]![i]!)).toBeLessThan(1e-13);
        expect(Math.abs(iwc[1]![i]! - direct[1]![i]!)).toBeLessThan(1e-13);
      }
      expect(transformAstMapping(frameSet.getMapping('SKY', 'SKY'), sky)[0]).toEqual(sky[0]);
    });
  });

  it('TransformPoint2ToPoint2 (radial distortion): UnitNormMap and a PolyMap with an iterative inverse', async () => {
    const objects = await archiveObjects('exposure-version-2.fits', 'TransformPoint2ToPoint2');
    const texts = objects.map((o) => new TextDecoder('latin1').decode(o.catalogs[0]!.array('bytes') as Uint8Array));
    const radial = texts.find((t) => t.includes('UnitNormMap') && !t.includes('WinMap'))!;
    const map = makeAstMapping(parseAst(radial.replace(/^\s*\d+\s+TransformPoint2ToPoint2\s+/, '')));
    expect([map.nIn, map.nOut, map.hasInverse]).toEqual([2, 2, true]);
    const { xs, ys } = grid(-300, 300, -200, 250, 9);
    const [ox, oy] = transformAstMapping(map, [xs, ys]) as [Float64Array, Float64Array];
    for (let i = 0; i < xs.length; i++) {
      // afw makeRadialTransform([0, 0.95, 0.01]): r -> 0.95 r + 0.01 r^2 along the same direction.
      const r = Math.hypot(xs[i]!, ys[i]!);
      const f = r === 0 ? 0 : (0.95 * r + 0.01 * r * r) / r;
      expect(Math.abs(ox[i]! - xs[i]! * f)).toBeLessThan(1e-9 * Math.max(1, r * f));
      expect(Math.abs(oy[i]! - ys[i]! * f)).toBeLessThan(1e-9 * Math.max(1, r * f));
    }
    const [bx, by] = transformAstMapping(map, [ox, oy], false) as [Float64Array, Float64Array];
    for (let i = 0; i < xs.length; i++) {
      expect(Math.abs(bx[i]! - xs[i]!)).toBeLessThan(1e-7);
      expect(Math.abs(by[i]! - ys[i]!)).toBeLessThan(1e-7);
    }
  });
});

/** A Mapping dump around a body. */
const mapping = (cls: string, head: string, body: string): string => `Begin ${cls}\n${head}\nIsA Mapping\n${body}\nEnd ${cls}\n`;

describe('AST mapping classes', () => {
  const pts = [Float64Array.of(1, -2, 3.5), Float64Array.of(4, 0.5, -7)];

  it('WinMap, ShiftMap, ZoomMap and their inverses', () => {
    const win = makeAstMapping(parseAst(mapping('WinMap', 'Nin = 2', 'Sft1 = 10\nScl1 = 2\nSft2 = -1')));
    expect(transformAstMapping(win, pts).map((c) => Array.from(c))).toEqual([[12, 6, 17], [3, -0.5, -8]]);
    expect(transformAstMapping(win, transformAstMapping(win, pts), false)).toEqual(pts);
    const shift = makeAstMapping(parseAst(mapping('ShiftMap', 'Nin = 2', 'Sft1 = 1\nSft2 = 2')));
    expect(Array.from(transformAstMapping(shift, pts)[1]!)).toEqual([6, 2.5, -5]);
    const zoom = makeAstMapping(parseAst(mapping('ZoomMap', 'Nin = 2\nInvert = 1', 'Zoom = 4')));
    expect(Array.from(transformAstMapping(zoom, pts)[0]!)).toEqual([0.25, -0.5, 0.875]);
  });

  it('MatrixMap full, diagonal and unit forms', () => {
    const full = makeAstMapping(parseAst(mapping('MatrixMap', 'Nin = 2', 'M0 = 1\nM1 = 2\nM2 = 3\nM3 = 4\nForm = "Full"')));
    const out = transformAstMapping(full, pts);
    expect(Array.from(out[0]!)).toEqual([9, -1, -10.5]);
    const back = transformAstMapping(full, out, false); // inverse computed when IM is absent
    for (let k = 0; k < 2; k++) for (let i = 0; i < 3; i++) expect(back[k]![i]).toBeCloseTo(pts[k]![i]!, 12);
    const diag = makeAstMapping(parseAst(mapping('MatrixMap', 'Nin = 2', 'M0 = 2\nM1 = -1\nForm = "Diagonal"')));
    expect(transformAstMapping(diag, pts).map((c) => Array.from(c))).toEqual([[2, -4, 7], [-4, -0.5, 7]]);
    const unit = makeAstMapping(parseAst(mapping('MatrixMap', 'Nin = 2\nNout = 3', 'Form = "Unit"')));
    expect(transformAstMapping(unit, pts).map((c) => Array.from(c))).toEqual([[1, -2, 3.5], [4, 0.5, -7], [0, 0, 0]]);
    expect(unit.hasInverse).toBe(true);
  });

  it('CmpMap: parent InvA/InvB flags set the direction, not the component Invert attribute; parallel form', () => {
    const zoom = (inv: number): string => `MapA =\n${mapping('ZoomMap', `Nin = 2\nInvert = ${inv}`, 'Zoom = 2')}`;
    const shift = `MapB =\n${mapping('ShiftMap', 'Nin = 2', 'Sft1 = 1\nSft2 = 1')}`;
    const a = makeAstMapping(parseAst(mapping('CmpMap', 'Nin = 2', `${zoom(1)}${shift}`)));
    const b = makeAstMapping(parseAst(mapping('CmpMap', 'Nin = 2', `InvA = 1\n${zoom(0)}${shift}`)));
    expect(Array.from(transformAstMapping(a, pts)[0]!)).toEqual([3, -3, 8]);
    expect(Array.from(transformAstMapping(b, pts)[0]!)).toEqual([1.5, 0, 2.75]);
    const par = makeAstMapping(
      parseAst(mapping('CmpMap', 'Nin = 2', `Series = 0\nMapA =\n${mapping('ZoomMap', 'Nin = 1', 'Zoom = 3')}MapB =\n${mapping('ShiftMap', 'Nin = 1', 'Sft1 = 5')}`)),
    );
    expect(transformAstMapping(par, pts).map((c) => Array.from(c))).toEqual([[3, -6, 10.5], [9, 5.5, -2]]);
    expect(transformAstMapping(invertAstMapping(par), transformAstMapping(par, pts))).toEqual(pts);
  });

  it('TranMap and PermMap', () => {
    const tran = makeAstMapping(
      parseAst(mapping('TranMap', 'Nin = 2', `MapA =\n${mapping('ZoomMap', 'Nin = 2', 'Zoom = 2')}InvB = 1\nMapB =\n${mapping('ZoomMap', 'Nin = 2', 'Zoom = 10')}`)),
    );
    expect(Array.from(transformAstMapping(tran, pts)[0]!)).toEqual([2, -4, 7]);
    expect(Array.from(transformAstMapping(tran, pts, false)[0]!)).toEqual([10, -20, 35]);
    const perm = makeAstMapping(parseAst(mapping('PermMap', 'Nin = 2\nNout = 3', 'Out1 = 2\nOut2 = 1\nOut3 = -1\nIn1 = 2\nIn2 = 1\nNcon = 1\nCon1 = 7.5')));
    expect(transformAstMapping(perm, pts).map((c) => Array.from(c))).toEqual([[4, 0.5, -7], [1, -2, 3.5], [7.5, 7.5, 7.5]]);
  });

  it('PolyMap: forward, inverse coefficients, missing inverse', () => {
    // y1 = 1 + 2 x1 x2^2, y2 = x2
    const poly = makeAstMapping(parseAst(mapping('PolyMap', 'Nin = 2', 'NCF1 = 2\nNCF2 = 1\nCF1 = 1\nCF2 = 2\nPF3 = 1\nPF4 = 2\nCF3 = 1\nPF6 = 1')));
    expect(transformAstMapping(poly, pts).map((c) => Array.from(c))).toEqual([[33, 0, 344], [4, 0.5, -7]]);
    expect(poly.hasInverse).toBe(false);
    expect(() => transformAstMapping(poly, pts, false)).toThrow(WcsInvalidArgumentError);
    const iter = makeAstMapping(parseAst(mapping('PolyMap', 'Nin = 1', 'NCF1 = 2\nCF1 = 2\nPF1 = 1\nCF2 = 0.1\nPF2 = 3\nIterInv = 1\nNiterInv = 20\nTolInv = 1e-10')));
    const x = Float64Array.of(-3, 0, 0.5, 4);
    const back = transformAstMapping(iter, transformAstMapping(iter, [x]), false);
    for (let i = 0; i < x.length; i++) expect(back[0]![i]).toBeCloseTo(x[i]!, 10);
  });

  it('SphMap and WcsMap (TAN): radians on both sides', () => {
    const sph = makeAstMapping(parseAst(mapping('SphMap', 'Nin = 3\nNout = 2', 'UntRd = 1\nPlrLg = 0.5')));
    const [lon, lat] = transformAstMapping(sph, [Float64Array.of(0, 1, 0), Float64Array.of(0, 1, 0), Float64Array.of(1, 0, 0)]);
    expect(Array.from(lon!)).toEqual([0.5, Math.PI / 4, 0.5]);
    expect(Array.from(lat!)).toEqual([Math.PI / 2, 0, 0]);
    const tan = makeAstMapping(parseAst(mapping('WcsMap', 'Nin = 2', 'Type = "TAN"')));
    // Native (phi, theta) = (0, 45 deg) projects to (x, y) = (0, -1 rad) (Paper II: R = cot theta).
    const [px, py] = transformAstMapping(tan, [Float64Array.of(0), Float64Array.of(Math.PI / 4)]);
    expect(px![0]).toBeCloseTo(0, 15);
    expect(py![0]).toBeCloseTo(-1, 15);
    // Below the horizon TAN has no image: NaN, never a wrong finite value.
    expect(Number.isNaN(transformAstMapping(tan, [Float64Array.of(0), Float64Array.of(-0.1)])[0]![0])).toBe(true);
  });
});

describe('WcsMap projections through makeProjection', () => {
  it.each(['TAN', 'SIN', 'ARC', 'STG', 'ZEA'])('%s: native -> plane -> native round trip in radians', (type) => {
    const map = makeAstMapping(parseAst(mapping('WcsMap', 'Nin = 2', `Type = "${type}"`)));
    const phi = Float64Array.of(0.3, -2.5, 1.7);
    const theta = Float64Array.of(1.2, 0.9, 1.5);
    const [back0, back1] = transformAstMapping(map, transformAstMapping(map, [phi, theta]), false);
    for (let i = 0; i < 3; i++) {
      expect(back0![i]).toBeCloseTo(phi[i]!, 12);
      expect(back1![i]).toBeCloseTo(theta[i]!, 12);
    }
  });

  it('ZPN takes its PV2_m parameters from the dump', () => {
    const map = makeAstMapping(parseAst(mapping('WcsMap', 'Nin = 2', 'Type = "ZPN"\nPV2_1 = 1\nPV2_3 = 3.5')));
    // R(theta) = sum PV2_m (pi/2 - theta)^m in radians: at theta = 80 deg, R = z + 3.5 z^3.
    const z = (10 * Math.PI) / 180;
    const [, y] = transformAstMapping(map, [Float64Array.of(0), Float64Array.of((80 * Math.PI) / 180)]);
    expect(y![0]).toBeCloseTo(-(z + 3.5 * z ** 3), 12);
  });
});

describe('FrameSet tree', () => {
  const frame = (domain: string): string => `Begin Frame\n Naxes = 2\n Domain = "${domain}"\nEnd Frame\n`;
  const zoom = (z: number): string => mapping('ZoomMap', 'Nin = 2', `Zoom = ${z}`);
  // A -> B (zoom 2, stored inverted by Inv2), A -> C (zoom 10): a tree with two branches.
  const text = (extra: string): string =>
    `Begin FrameSet\nIsA Frame\n Nframe = 3\n${extra}\n Lnk2 = 1\n Lnk3 = 1\n Inv2 = 1\n` +
    `Frm1 =\n${frame('A')}Frm2 =\n${frame('B')}Frm3 =\n${frame('C')}Map2 =\n${zoom(2)}Map3 =\n${zoom(10)}End FrameSet\n`;

  it('Inv flags, walks across branches, Base/Currnt defaults and the Invert attribute', () => {
    const fs = AstFrameSet.fromText(text(''));
    expect([fs.base, fs.current]).toEqual([1, 3]);
    const pts = [Float64Array.of(4), Float64Array.of(-8)];
    expect(transformAstMapping(fs.getMapping('A', 'B'), pts)).toEqual([Float64Array.of(2), Float64Array.of(-4)]);
    expect(transformAstMapping(fs.getMapping('B', 'C'), pts)).toEqual([Float64Array.of(80), Float64Array.of(-160)]);
    expect(transformAstMapping(fs.getMapping(3, 2), pts)).toEqual([Float64Array.of(0.2), Float64Array.of(-0.4)]);
    const inverted = AstFrameSet.fromText(text(' Invert = 1\n Currnt = 2'));
    expect([inverted.baseFrame.domain, inverted.currentFrame.domain]).toEqual(['B', 'A']);
    expect(() => fs.pixelToSky(Float64Array.of(0), Float64Array.of(0))).toThrow(/not a SkyFrame/);
  });

  it.skipIf(!haveFixtures)('a SkyWcs entry with a FITS approximation holds two FrameSets', async () => {
    const [raw] = await archiveObjects('exposure-version-2.fits', 'SkyWcs');
    const dump = new TextDecoder('latin1').decode(raw!.catalogs[0]!.array('wcs') as Uint8Array).replace(/^1 SkyWcs 0 /, '');
    const entry = readAstSkyWcs(`1 SkyWcs 1 ${dump}\n${dump}`);
    expect(entry.fitsApproximation?.currentFrame.domain).toBe('SKY');
    expect(() => readAstSkyWcs(`1 SkyWcs 1 ${dump}`)).toThrow(/two FrameSets/);
    expect(() => readAstSkyWcs(`2 SkyWcs 0 ${dump}`)).toThrow(/version 2/);
  });
});

describe('errors', () => {
  const good = mapping('ZoomMap', 'Nin = 2 # number of inputs', 'Zoom = 3');

  it('comments, quoted strings with # and doubled quotes, several objects', () => {
    const objects = parseAstObjects(`# header comment\n${good}\nBegin Frame\n Title = "a # b ""c"""\n Domain = "PIXELS"\nEnd Frame\n`);
    expect(objects.map((o) => o.className)).toEqual(['ZoomMap', 'Frame']);
    expect(astNumber(objects[0]!, 'zoom')).toBe(3);
    expect(objects[1]!.sections[0]!.attributes.get('title')!.value).toBe('a # b "c"');
  });

  it.each([
    ['truncated text', good.slice(0, good.indexOf('End')), /line 5.*line 1.*truncated/],
    ['a garbled value', good.replace('Zoom = 3', 'Zoom = 3x'), /line 4.*Zoom/],
    ['an End of another class', good.replace('End ZoomMap', 'End WinMap'), /line 5.*End WinMap/],
    ['a nested object without its attribute', `Begin CmpMap\nBegin ZoomMap\nEnd ZoomMap\nEnd CmpMap\n`, /line 2/],
    ['an attribute without a value', `Begin CmpMap\nMapA =\nNin = 2\nEnd CmpMap\n`, /line 3.*MapA/],
    ['an unclosed string', `Begin Frame\n Title = "abc\nEnd Frame\n`, /line 2.*closing quote/],
    ['a line that is not an attribute', `Begin Frame\n what is this\nEnd Frame\n`, /line 2/],
  ])('%s is a WcsFormatError naming the line', (_what, text, message) => {
    expect(() => parseAstObjects(text)).toThrow(WcsFormatError);
    expect(() => parseAstObjects(text)).toThrow(message);
  });

  it('unsupported classes and projections, inconsistent FrameSets, bad SkyWcs entries', () => {
    expect(() => makeAstMapping(parseAst(mapping('LutMap', 'Nin = 1', '')))).toThrow(/LutMap.*not a supported Mapping/);
    expect(() => makeAstMapping(parseAst(mapping('WcsMap', 'Nin = 2', 'Type = "XYZ"')))).toThrow(WcsFormatError);
    expect(() => makeAstMapping(parseAst(mapping('CmpMap', 'Nin = 2', `MapA =\n${good}`)))).toThrow(/no MapB/);
    expect(() => AstFrameSet.fromText(good)).toThrow(/Expected an AST FrameSet/);
    expect(() => AstFrameSet.fromText('Begin FrameSet\nIsA Frame\nNframe = 2\nFrm1 =\nBegin Frame\nEnd Frame\nEnd FrameSet\n')).toThrow(/no Frm2/);
    expect(() => readAstSkyWcs('garbage')).toThrow(WcsFormatError);
    expect(() => readAstSkyWcs(`1 Psf 0 ${good}`)).toThrow(/not a 'SkyWcs'/);
    expect(() => readAstSkyWcs(`1 SkyWcs 0 ${good}`)).toThrow(/Expected an AST FrameSet/);
  });

  it.skipIf(!haveFixtures)('a truncated real SkyWcs entry names the line where the text stops', async () => {
    const [raw] = await archiveObjects('jointcal_wcs-0030600-088.fits', 'SkyWcs');
    const bytes = raw!.catalogs[0]!.array('wcs') as Uint8Array;
    const cut = bytes.subarray(0, bytes.indexOf(10, Math.floor(bytes.length / 2)) + 1); // at a line end
    expect(() => readAstSkyWcs(cut)).toThrow(/truncated/);
    const garbled = new TextDecoder('latin1').decode(bytes).replace('CF2 = 0.015', 'CF2 = 0..015');
    expect(() => readAstSkyWcs(garbled)).toThrow(/line \d+: the value of 'CF2'/);
    const { frameSet } = readAstSkyWcs(bytes);
    expect(() => frameSet.getMapping('PIXELS', 'NOPE')).toThrow(WcsInvalidArgumentError);
  });
});
