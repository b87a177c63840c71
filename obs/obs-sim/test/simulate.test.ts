// End-to-end: the small preset written to disk, read back with astropy and with SkyStack.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Exposure } from '@skystack/afw-image';
import { readParquet, SimpleCatalog } from '@skystack/afw-table';
import { HtmPixelization } from '@skystack/geom';
import { astropyAvailable, runPythonJson } from '@skystack/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runObsSim } from '../src/cli/program.js';
import { AB_NJY_ZERO_POINT, type ExposureTruth, type SimulationManifest } from '../src/index.js';

let dirA = '';
let dirB = '';
let manifest: SimulationManifest;
let exposures: ExposureTruth[];
const quiet = { stdout: { write: (): boolean => true }, stderr: { write: (): boolean => true } };

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

beforeAll(async () => {
  dirA = mkdtempSync(join(tmpdir(), 'obs-sim-a-'));
  dirB = mkdtempSync(join(tmpdir(), 'obs-sim-b-'));
  const lines: string[] = [];
  const status = await runObsSim(['simulate', '--out', dirA, '--size', 'small', '--seed', '7', '--calib-raws', '1'], { stdout: { write: (t: string) => lines.push(t) }, stderr: quiet.stderr });
  expect(status).toBe(0);
  expect(lines.join('')).toMatch(/SimCam simulation in .* 4 raws \(2 visits × 2 detectors\)/);
  expect(await runObsSim(['simulate', '--out', dirB, '--size', 'small', '--seed', '7', '--calib-raws', '1', '--quiet'], quiet)).toBe(0);
  manifest = JSON.parse(readFileSync(join(dirA, 'manifest.json'), 'utf8')) as SimulationManifest;
  exposures = JSON.parse(readFileSync(join(dirA, 'truth/exposures.json'), 'utf8')) as ExposureTruth[];
}, 120000);

afterAll(() => {
  for (const d of [dirA, dirB]) if (d !== '') rmSync(d, { recursive: true, force: true });
});

describe('simulate (small preset)', () => {
  it('writes what the manifest lists', () => {
    expect(manifest.raws).toHaveLength(4);
    expect(manifest.calibs).toHaveLength(2 * 6);
    expect(manifest.calibRaws).toHaveLength(2 * 4);
    for (const f of [...manifest.raws, ...manifest.calibs, ...manifest.calibRaws, ...manifest.truth]) expect(existsSync(join(dirA, f))).toBe(true);
    expect(exposures).toHaveLength(4);
  });

  it('is deterministic: the same seed gives byte-identical files', () => {
    const files = listFiles(dirA);
    expect(listFiles(dirB)).toEqual(files);
    const hash = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');
    for (const f of files) expect(hash(join(dirB, f)), f).toBe(hash(join(dirA, f)));
  });

  it.skipIf(!astropyAvailable())('writes raws that astropy reads with the contract header and layout', () => {
    const script = String.raw`
import sys, json
from astropy.io import fits
out = []
for path in json.load(sys.stdin):
    with fits.open(path) as h:
        p = h[0].header
        img = h[1]
        out.append({'primary': {k: p[k] for k in p if k not in ('COMMENT', 'HISTORY', '')}, 'naxis': p['NAXIS'],
                    'extname': img.header['EXTNAME'], 'detector': img.header['DETECTOR'], 'bitpix': img.header['BITPIX'],
                    'dtype': str(img.data.dtype), 'shape': list(img.data.shape), 'hasWcs': 'CTYPE1' in img.header,
                    'overscanMean': float(img.data[:, 288:352].mean())})
print(json.dumps(out))
`;
    const files = [...manifest.raws, ...manifest.calibRaws].map((f) => join(dirA, f));
    const out = runPythonJson<{ primary: Record<string, unknown>; naxis: number; extname: string; detector: number; bitpix: number; dtype: string; shape: number[]; hasWcs: boolean; overscanMean: number }[]>(script, [], files);
    const types: Record<string, string> = {
      INSTRUME: 'string', TELESCOP: 'string', OBSTYPE: 'string', OBJECT: 'string', EXPID: 'number', DAYOBS: 'number', SEQNUM: 'number', GROUP: 'string',
      'DATE-OBS': 'string', 'DATE-END': 'string', TIMESYS: 'string', 'MJD-OBS': 'number', EXPTIME: 'number', DARKTIME: 'number', FILTER: 'string',
      RA: 'number', DEC: 'number', ROTPA: 'number', AIRMASS: 'number', ALTITUDE: 'number', AZIMUTH: 'number', DETECTOR: 'number', DETNAME: 'string',
      OBSID: 'string', SCIPROG: 'string',
    };
    out.forEach((r, i) => {
      for (const [k, t] of Object.entries(types)) expect(typeof r.primary[k], `${files[i]} ${k}`).toBe(t);
      const p = r.primary;
      expect(p['INSTRUME']).toBe('SimCam');
      expect(p['TIMESYS']).toBe('TAI');
      expect(p['EXPID']).toBe((p['DAYOBS'] as number) * 100000 + (p['SEQNUM'] as number));
      expect(p['GROUP']).toBe(String(p['EXPID']));
      expect(p['DATE-OBS']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/);
      expect(r.naxis).toBe(0);
      expect(r.extname).toBe('IMAGE');
      expect(r.detector).toBe(p['DETECTOR']);
      expect(r.bitpix).toBe(16);
      expect(r.dtype).toBe('uint16');
      expect(r.shape).toEqual([512, 2 * (32 + 256 + 64)]);
      expect(r.hasWcs).toBe(false);
      expect(r.overscanMean).toBeGreaterThan(1000);
      expect(r.overscanMean).toBeLessThan(1200);
    });
    const science = out.filter((r) => r.primary['OBSTYPE'] === 'science');
    expect(science).toHaveLength(4);
    expect(science.map((r) => r.primary['FILTER'])).toEqual(['SimCam-r', 'SimCam-r', 'SimCam-i', 'SimCam-i']);
    expect(new Set(out.map((r) => r.primary['OBSTYPE']))).toEqual(new Set(['science', 'bias', 'dark', 'flat']));
  });

  it.skipIf(!astropyAvailable())('puts every truth source at the pixel astropy computes from the true WCS header (< 0.005 px)', async () => {
    const cases = [];
    const truth = await readParquet(join(dirA, 'truth/truth_catalog.parquet'), { columns: ['id', 'ra', 'dec'] });
    const ids = truth.getChild('id')!.toArray() as BigInt64Array;
    const byId = new Map<bigint, number>();
    ids.forEach((v, i) => byId.set(v, i));
    const ra = truth.getChild('ra')!.toArray() as Float64Array;
    const dec = truth.getChild('dec')!.toArray() as Float64Array;
    for (const e of exposures) {
      const src = await readParquet(join(dirA, e.sources));
      const sid = src.getChild('id')!.toArray() as BigInt64Array;
      const rows = Array.from(sid, (v) => byId.get(v)!);
      cases.push({ header: e.wcs.fitsHeader.join('\n'), ra: rows.map((r) => ra[r]), dec: rows.map((r) => dec[r]), x: Array.from(src.getChild('x')!.toArray() as Float64Array), y: Array.from(src.getChild('y')!.toArray() as Float64Array) });
      expect(e.wcs.sipResidualMas).toBeLessThan(1);
    }
    const script = String.raw`
import sys, json, warnings
warnings.simplefilter('ignore')
import numpy as np
from astropy.io import fits
from astropy.wcs import WCS
out = []
for c in json.load(sys.stdin):
    w = WCS(fits.Header.fromstring(c['header'], sep='\n'))
    x, y = w.all_world2pix(np.array(c['ra']), np.array(c['dec']), 0, tolerance=1e-9, maxiter=100)
    out.append(float(np.max(np.hypot(x - np.array(c['x']), y - np.array(c['y'])))) if len(x) else 0.0)
print(json.dumps(out))
`;
    const maxErr = runPythonJson<number[]>(script, [], cases);
    expect(cases.reduce((s, c) => s + c.x.length, 0)).toBeGreaterThan(20);
    for (const m of maxErr) expect(m).toBeLessThan(0.005);
  });

  it('writes per-exposure truth: PhotoCalib consistent with the fluxes, S/N, the PSF at the centre', async () => {
    for (const e of exposures) {
      expect(e.photoCalib.zeroPointAdu).toBeCloseTo(AB_NJY_ZERO_POINT - 2.5 * Math.log10(e.photoCalib.calibrationMean), 10);
      expect(e.psf.fwhmPixels).toBeGreaterThan(3.4);
      expect(e.psf.fwhmPixels).toBeLessThan(5.2);
      const src = await readParquet(join(dirA, e.sources));
      const flux = src.getChild('flux')!.toArray() as Float64Array;
      const inst = src.getChild('instFlux')!.toArray() as Float64Array;
      const snr = src.getChild('snr')!.toArray() as Float64Array;
      flux.forEach((f, i) => {
        expect(inst[i]! * e.photoCalib.calibrationMean).toBeCloseTo(f, 6);
        expect(snr[i]).toBeGreaterThan(0);
      });
    }
  });

  it('writes master calibrations readable as afw exposures (flat mean 1) and defects', async () => {
    const flat = await Exposure.readFits(join(dirA, 'calib/flat/SimCam_flat_SimCam-r_det00.fits'));
    const data = flat.getMaskedImage().getImage().array.data as Float32Array;
    expect(data.length).toBe(512 * 512);
    expect(data.reduce((a, b) => a + b, 0) / data.length).toBeCloseTo(1, 4);
    expect(flat.getFilter()?.physicalLabel).toBe('SimCam-r');
    expect(flat.getDetector()?.getName()).toBe('S00');
    const defects = JSON.parse(readFileSync(join(dirA, 'calib/defects/SimCam_defects_det00.json'), 'utf8')) as { defects: { x0: number; width: number; kind: string }[] };
    expect(defects.defects.map((d) => d.kind)).toEqual(['dead', 'low', 'hot']);
    // The dead column is dark in the flat.
    expect(data[100 * 512 + defects.defects[0]!.x0]).toBeLessThan(0.05);
  });

  it('shards the refcat by HTM7 with every star brighter than the limit in the shard of its trixel', async () => {
    const dir = join(dirA, manifest.refcat.directory);
    const shards = readdirSync(dir).filter((f) => /^\d+\.fits$/.test(f));
    expect(shards.length).toBe(manifest.refcat.shards);
    expect(readFileSync(join(dir, 'config.py'), 'utf8')).toMatch(/config\.format_version = 2[\s\S]*config\.indexer\['HTM'\]\.depth = 7/);
    const htm = new HtmPixelization(7);
    const seen = new Map<bigint, number>();
    for (const f of shards) {
      const cat = await SimpleCatalog.readFits(join(dir, f));
      expect(cat.getMetadata().getInt('REFCAT_FORMAT_VERSION')).toBe(2);
      for (const rec of cat) {
        const c = rec.getCoord();
        expect(htm.indexLonLat(c.getLongitude(), c.getLatitude())).toBe(Number(f.replace('.fits', '')));
        seen.set(rec.getId(), rec.getNumber('r_flux'));
      }
    }
    const truth = await readParquet(join(dirA, 'truth/truth_catalog.parquet'), { columns: ['id', 'is_star', 'r_mag'] });
    const ids = truth.getChild('id')!.toArray() as BigInt64Array;
    const star = truth.getChild('is_star')!.toArray() as boolean[];
    const rmag = truth.getChild('r_mag')!.toArray() as Float64Array;
    let expected = 0;
    for (let i = 0; i < ids.length; i++) {
      if (star[i] && rmag[i]! < 22) {
        expected++;
        expect(seen.has(ids[i]!)).toBe(true);
      }
    }
    expect(seen.size).toBe(expected);
  });

  it.skipIf(!astropyAvailable())('writes refcat shards astropy reads with LSST column names and units', () => {
    const dir = join(dirA, manifest.refcat.directory);
    const shard = readdirSync(dir).find((f) => /^\d+\.fits$/.test(f))!;
    const script = String.raw`
import sys, json
from astropy.io import fits
from astropy.table import Table
with fits.open(sys.argv[1]) as h:
    t = h[1]
    names = t.columns.names
    units = {c.name: c.unit for c in t.columns}
    version = h[1].header.get('REFCAT_FORMAT_VERSION', h[0].header.get('REFCAT_FORMAT_VERSION'))
    rows = len(t.data)
print(json.dumps({'names': names, 'units': units, 'version': version, 'rows': rows}))
`;
    const out = runPythonJson<{ names: string[]; units: Record<string, string | null>; version: number; rows: number }>(script, [join(dir, shard)]);
    expect(out.version).toBe(2);
    expect(out.rows).toBeGreaterThan(0);
    for (const n of ['id', 'coord_ra', 'coord_dec', 'coord_raErr', 'coord_decErr', 'r_flux', 'r_fluxErr', 'g_flux', 'i_flux', 'epoch', 'pm_ra', 'pm_dec', 'parallax', 'coord_ra_coord_dec_Cov']) expect(out.names).toContain(n);
    expect(out.units['coord_ra']).toBe('rad');
    expect(out.units['r_flux']).toBe('nJy');
  });
});

describe('obs-sim command line', () => {
  it('prints help and rejects bad arguments', async () => {
    const out: string[] = [];
    expect(await runObsSim(['--help'], { stdout: { write: (t: string) => out.push(t) }, stderr: quiet.stderr })).toBe(0);
    expect(out.join('')).toContain('Usage: obs-sim simulate');
    expect(await runObsSim(['simulate'], quiet)).toBe(2);
    expect(await runObsSim(['frobnicate', '--out', 'x'], quiet)).toBe(2);
    const err: string[] = [];
    expect(await runObsSim(['simulate', '--out', join(tmpdir(), 'never'), '--bands', 'z'], { stdout: quiet.stdout, stderr: { write: (t: string) => err.push(t) } })).toBe(1);
    expect(err.join('')).toContain("Unknown band 'z'");
  });
});
