// score.ts against numpy / astropy (through /usr/bin/python3) and analytic cases.
import { astropyAvailable, runPythonJson } from '@skystack/test-support';
import { describe, expect, it } from 'vitest';
import {
  astrometricScatter,
  combinedDepth,
  completeness,
  fiveSigmaDepth,
  matchNearest,
  matchSkyNearest,
  photometricScatter,
  photonNoiseScatterMmag,
  psfFluxesAtRandomPositions,
  psfFluxPhotonFactor,
  psfFluxSnr,
  sampleStats,
  skyOffsetsMas,
  starGalaxySeparation,
  sumDiscrepancy,
} from './score.js';

/** A reproducible pseudo-random sequence (LCG) in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Approximately normal deviates (sum of 12 uniforms − 6). */
function normals(n: number, seed: number): number[] {
  const u = lcg(seed);
  return Array.from({ length: n }, () => {
    let s = -6;
    for (let k = 0; k < 12; k++) s += u();
    return s;
  });
}

describe('sampleStats', () => {
  it('matches numpy (median, mean, std, 1.4826·MAD) and skips non-finite values', () => {
    const v = normals(501, 3).map((x, i) => (i % 50 === 0 ? x * 40 : x * 2 + 1));
    const py = runPythonJson<{ median: number; mean: number; std: number; mad: number }>(
      'import sys, json, numpy as np\nv = np.array(json.load(sys.stdin))\nm = np.median(v)\nprint(json.dumps({"median": m, "mean": v.mean(), "std": v.std(), "mad": 1.4826 * np.median(np.abs(v - m))}))',
      [],
      v,
    );
    const s = sampleStats([...v, NaN, Infinity]);
    expect(s.n).toBe(501);
    expect(s.median).toBeCloseTo(py.median, 12);
    expect(s.mean).toBeCloseTo(py.mean, 12);
    expect(s.std).toBeCloseTo(py.std, 12);
    expect(s.sigmaMad).toBeCloseTo(py.mad, 12);
    expect(Number.isNaN(sampleStats([NaN]).median)).toBe(true);
  });
});

describe('matchNearest', () => {
  it('finds the nearest point within the radius, across grid cells, as a brute-force search does', () => {
    const u = lcg(11);
    const bx = Array.from({ length: 400 }, () => u() * 100);
    const by = Array.from({ length: 400 }, () => u() * 100);
    const ax = Array.from({ length: 300 }, () => u() * 100);
    const ay = Array.from({ length: 300 }, () => u() * 100);
    const r = 2.5;
    const got = matchNearest(ax, ay, bx, by, r);
    for (let i = 0; i < ax.length; i++) {
      let best = -1;
      let bestD = Infinity;
      for (let j = 0; j < bx.length; j++) {
        const d = Math.hypot(bx[j]! - ax[i]!, by[j]! - ay[i]!);
        if (d <= r && d < bestD) {
          bestD = d;
          best = j;
        }
      }
      expect(got[i]).toBe(best);
    }
    expect(got.some((j) => j === -1)).toBe(true);
    expect(got.some((j) => j >= 0)).toBe(true);
  });

  it('matches across negative coordinates and rejects a bad radius', () => {
    expect([...matchNearest([-0.1, 5], [-0.1, 5], [0.2, 9], [0.1, 9], 0.5)]).toEqual([0, -1]);
    expect(() => matchNearest([0], [0], [0], [0], 0)).toThrow(RangeError);
  });
});

describe('skyOffsetsMas', () => {
  it('equals astropy spherical_offsets_to near the pole, the equator and across RA 0', () => {
    if (!astropyAvailable()) return;
    const u = lcg(5);
    const cases: number[][] = [];
    for (const dec0 of [0, 2.2, -45, 89.99]) {
      for (const ra0 of [0.00001, 150, 359.99999]) {
        const dra = (u() - 0.5) * 2e-4;
        const ddec = (u() - 0.5) * 2e-4;
        cases.push([ra0 + dra, Math.max(-90, Math.min(90, dec0 + ddec)), ra0, dec0]);
      }
    }
    const py = runPythonJson<number[][]>(
      [
        'import sys, json',
        'import astropy.units as u',
        'from astropy.coordinates import SkyCoord',
        'out = []',
        'for ra, dec, ra0, dec0 in json.load(sys.stdin):',
        '    a = SkyCoord(ra0 * u.deg, dec0 * u.deg)',
        '    b = SkyCoord(ra * u.deg, dec * u.deg)',
        '    e, n = a.spherical_offsets_to(b)',
        '    out.append([e.to_value(u.mas), n.to_value(u.mas)])',
        'print(json.dumps(out))',
      ].join('\n'),
      [],
      cases,
    );
    const got = skyOffsetsMas(
      cases.map((c) => c[0]!),
      cases.map((c) => c[1]!),
      cases.map((c) => c[2]!),
      cases.map((c) => c[3]!),
    );
    py.forEach(([e, n], i) => {
      expect(got.eastMas[i]).toBeCloseTo(e!, 5);
      expect(got.northMas[i]).toBeCloseTo(n!, 5);
    });
  }, 60000);

  it('gives 1000 mas north for a 1 arcsec step in Dec', () => {
    const o = skyOffsetsMas([10], [2 + 1 / 3600], [10], [2]);
    expect(o.northMas[0]).toBeCloseTo(1000, 6);
    expect(o.eastMas[0]).toBeCloseTo(0, 9);
  });
});

describe('astrometricScatter', () => {
  it('recovers the σ of Gaussian offsets and their median shift', () => {
    const n = 4000;
    const g = normals(2 * n, 21);
    const east = Float64Array.from({ length: n }, (_, i) => 5 + 8 * g[i]!);
    const north = Float64Array.from({ length: n }, (_, i) => -3 + 8 * g[n + i]!);
    const s = astrometricScatter({ eastMas: east, northMas: north });
    expect(s.n).toBe(n);
    expect(s.medianEastMas).toBeCloseTo(5, 0);
    expect(s.medianNorthMas).toBeCloseTo(-3, 0);
    // 8 mas ± sampling (σ/√(2n) ≈ 0.1 mas for the RMS; σ_MAD is noisier): 3%.
    expect(Math.abs(s.rmsMas / 8 - 1)).toBeLessThan(0.03);
    expect(Math.abs(s.scatterMas / 8 - 1)).toBeLessThan(0.05);
  });
});

describe('photometricScatter', () => {
  it('is the σ and median of −2.5 log10(measured/true) in mmag, as numpy computes it', () => {
    const g = normals(800, 8);
    const truth = g.map((_, i) => 1000 + 50 * i);
    const measured = truth.map((t, i) => t * 10 ** (-0.4 * (0.02 + 0.005 * g[i]!)));
    measured[3] = -5; // skipped
    const py = runPythonJson<{ med: number; mad: number; std: number; n: number }>(
      'import sys, json, numpy as np\nd = json.load(sys.stdin)\nm = np.array(d["m"]); t = np.array(d["t"])\nok = (m > 0) & (t > 0)\ndm = -2500 * np.log10(m[ok] / t[ok])\nmed = np.median(dm)\nprint(json.dumps({"med": med, "mad": 1.4826 * np.median(np.abs(dm - med)), "std": dm.std(), "n": int(ok.sum())}))',
      [],
      { m: measured, t: truth },
    );
    const s = photometricScatter(measured, truth);
    expect(s.n).toBe(py.n);
    expect(s.offsetMmag).toBeCloseTo(py.med, 9);
    expect(s.scatterMmag).toBeCloseTo(py.mad, 9);
    expect(s.rmsMmag).toBeCloseTo(py.std, 9);
    // and close to what was put in: 20 mmag offset, 5 mmag σ
    expect(s.offsetMmag).toBeCloseTo(20, 0);
    expect(Math.abs(s.rmsMmag / 5 - 1)).toBeLessThan(0.1);
  });
});

describe('photonNoiseScatterMmag', () => {
  it('is 2.5/ln10/SNR for one S/N (σ_MAD of a Gaussian is its σ)', () => {
    expect(photonNoiseScatterMmag([100, 100, 100])).toBeCloseTo(2500 / Math.LN10 / 100, 3);
    expect(Number.isNaN(photonNoiseScatterMmag([]))).toBe(true);
  });

  it('matches numpy on a mixture of S/N (4 million Gaussian draws)', () => {
    const snr = [100, 120, 150, 200, 300, 500, 800, 1500, 3000];
    const py = runPythonJson<number>(
      'import sys, json, numpy as np\nsnr = np.array(json.load(sys.stdin))\nrng = np.random.default_rng(5)\nd = (2500 / np.log(10) / snr)[None, :] * rng.standard_normal((450000, snr.size))\nd = d.ravel()\nprint(json.dumps(1.4826 * np.median(np.abs(d - np.median(d)))))',
      [],
      snr,
    );
    expect(Math.abs(photonNoiseScatterMmag(snr) / py - 1)).toBeLessThan(0.005);
  });
});

describe('psfFluxPhotonFactor and psfFluxSnr', () => {
  it('is 4/3 for one Gaussian, whatever its width', () => {
    expect(psfFluxPhotonFactor([{ weight: 1, sigma: 1.7 }])).toBeCloseTo(4 / 3, 12);
    expect(psfFluxPhotonFactor([{ weight: 1, sigma: 5 }])).toBeCloseTo(4 / 3, 12);
  });

  it('matches a numerical Σp³/(Σp²)² of a double Gaussian on a fine grid (numpy)', () => {
    const comps = [
      { weight: 0.9, sigma: 1.76 },
      { weight: 0.1, sigma: 3.52 },
    ];
    const py = runPythonJson<number>(
      'import sys, json, numpy as np\nc = json.load(sys.stdin)\nh = 0.05\nx = np.arange(-40, 40, h)\nX, Y = np.meshgrid(x, x)\nR2 = X**2 + Y**2\np = sum(k["weight"] * np.exp(-R2 / (2 * k["sigma"]**2)) / (2 * np.pi * k["sigma"]**2) for k in c)\nprint(json.dumps(float((p**3).sum() * h * h / ((p**2).sum() * h * h)**2)))',
      [],
      comps,
    );
    expect(psfFluxPhotonFactor(comps)).toBeCloseTo(py, 6);
  });

  it('is the ideal S/N when the sky dominates and √(3/4) of it when the photons do', () => {
    expect(psfFluxSnr(100, 1, 4 / 3)).toBeCloseTo(1, 2); // s = 100, nEff·b = 9900: sky-dominated
    expect(psfFluxSnr(1e8, 1e4, 4 / 3) / 1e4).toBeCloseTo(Math.sqrt(3 / 4), 6); // no background
  });
});

describe('completeness', () => {
  it('counts the detected fraction per S/N range', () => {
    const snr = [3, 4, 5, 6, 9.99, 10, 20, 50];
    const det = [false, true, false, true, true, true, true, false];
    const [five, ten, band] = completeness(snr, det, [
      [5, Infinity],
      [10, Infinity],
      [5, 10],
    ]);
    expect(five).toEqual({ snrMin: 5, snrMax: Infinity, n: 6, detected: 4, fraction: 4 / 6 });
    expect(ten).toEqual({ snrMin: 10, snrMax: Infinity, n: 3, detected: 2, fraction: 2 / 3 });
    expect(band!.n).toBe(3);
    expect(band!.detected).toBe(2);
    expect(Number.isNaN(completeness([1], [true], [[5, Infinity]])[0]!.fraction)).toBe(true);
  });
});

describe('matchSkyNearest', () => {
  it('finds the same nearest neighbours within 1 arcsec as a brute-force astropy search', () => {
    if (!astropyAvailable()) return;
    const u = lcg(21);
    // 0.4° field at RA 359.8-0.2 (across RA 0) and Dec 60: the projection must handle both
    const b = Array.from({ length: 3000 }, () => [(359.8 + u() * 0.4) % 360, 59.8 + u() * 0.4] as const);
    const a = b.slice(0, 1500).map(([ra, dec], i) => [(ra + (u() - 0.5) * (i % 3 === 0 ? 4 : 0.4) / 3600 / Math.cos((dec * Math.PI) / 180) + 360) % 360, dec + (u() - 0.5) * 0.4 / 3600] as const);
    const py = runPythonJson<number[]>(
      [
        'import sys, json, numpy as np',
        'from astropy.coordinates import SkyCoord',
        'import astropy.units as u',
        'd = json.load(sys.stdin)',
        'a = SkyCoord(np.array(d["a"])[:, 0] * u.deg, np.array(d["a"])[:, 1] * u.deg)',
        'b = SkyCoord(np.array(d["b"])[:, 0] * u.deg, np.array(d["b"])[:, 1] * u.deg)',
        'out = []',
        'for p in a:',
        '    s = p.separation(b).arcsec',
        '    j = int(np.argmin(s))',
        '    out.append(j if s[j] <= 1.0 else -1)',
        'print(json.dumps(out))',
      ].join('\n'),
      [],
      { a, b },
    );
    const got = matchSkyNearest(
      a.map((p) => p[0]),
      a.map((p) => p[1]),
      b.map((p) => p[0]),
      b.map((p) => p[1]),
      1,
    );
    expect(py.filter((j) => j < 0).length).toBeGreaterThan(50);
    expect([...got]).toEqual(py);
  });
});

describe('starGalaxySeparation', () => {
  it('counts purity and completeness of both classes, leaving out unclassified objects', () => {
    // 10 stars: 8 classified point-like, 1 extended, 1 NaN; 20 galaxies: 2 point-like, 18 extended
    const isStar = [...Array<boolean>(10).fill(true), ...Array<boolean>(20).fill(false)];
    const ext = [0, 0, 0, 0, 0, 0, 0, 0, 1, NaN, 0, 0, ...Array<number>(18).fill(1)];
    const s = starGalaxySeparation(isStar, ext);
    expect(s.unclassified).toBe(1);
    expect(s.stars).toEqual({ nTrue: 9, nClassified: 10, nCorrect: 8, purity: 0.8, completeness: 8 / 9 });
    expect(s.galaxies).toEqual({ nTrue: 20, nClassified: 19, nCorrect: 18, purity: 18 / 19, completeness: 0.9 });
    expect(Number.isNaN(starGalaxySeparation([true], [1]).stars.purity)).toBe(true);
    expect(() => starGalaxySeparation([true], [])).toThrow(RangeError);
  });
});

describe('fiveSigmaDepth and combinedDepth', () => {
  it('puts 5 nJy at AB 31.4 - 2.5 log10 5 and 1 nJy errors at 5σ = 5 nJy', () => {
    expect(fiveSigmaDepth(1)).toBeCloseTo(31.4 - 2.5 * Math.log10(5), 12);
    expect(fiveSigmaDepth(10) - fiveSigmaDepth(1)).toBeCloseTo(-2.5, 12);
  });

  it('gains 2.5 log10 √N for N equal inputs, and adds inverse variances for unequal ones', () => {
    for (const n of [1, 2, 3, 7]) expect(combinedDepth(Array<number>(n).fill(24.2)) - 24.2).toBeCloseTo(2.5 * Math.log10(Math.sqrt(n)), 12);
    // σ = 1 and 2 nJy: 1/σ² = 1 + 1/4 → σ = 0.8944 nJy
    expect(combinedDepth([fiveSigmaDepth(1), fiveSigmaDepth(2)])).toBeCloseTo(fiveSigmaDepth(1 / Math.sqrt(1.25)), 12);
    expect(Number.isNaN(combinedDepth([]))).toBe(true);
  });
});

/** Unit Gaussian deviates (Box-Muller on the LCG). */
function gaussians(n: number, seed: number): Float64Array {
  const u = lcg(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const t = 2 * Math.PI * u();
    out[i] = r * Math.cos(t);
    if (i + 1 < n) out[i + 1] = r * Math.sin(t);
  }
  return out;
}

/** A normalized circular Gaussian kernel of sigma s, (2h+1)² pixels. */
function gaussianKernel(s: number, h: number): Float64Array {
  const k = new Float64Array((2 * h + 1) ** 2);
  let sum = 0;
  for (let j = -h; j <= h; j++) for (let i = -h; i <= h; i++) sum += k[(j + h) * (2 * h + 1) + i + h] = Math.exp(-(i * i + j * j) / (2 * s * s));
  return k.map((v) => v / sum);
}

describe('psfFluxesAtRandomPositions', () => {
  const W = 600;
  const H = 500;
  const h = 10;
  const s = 2;
  const kernel = gaussianKernel(s, h);

  it('gives PSF fluxes of white noise the scatter σ √(4π s²) of a Gaussian PSF (σ / √Σp²)', () => {
    const sigma = 3;
    const image = gaussians(W * H, 5).map((v) => sigma * v);
    const r = psfFluxesAtRandomPositions({ image, mask: new Int32Array(W * H), width: W, height: H, kernel, kernelWidth: 21, kernelHeight: 21, avoidBits: 1, tries: 4000, seed: 9 });
    expect(r.flux.length).toBe(4000);
    // Σp² of a sampled Gaussian of σ = 2 px is 1/(4π s²) to 1e-6; σ_MAD of 4000 draws: ±1.8 % (1σ)
    const expected = sigma * Math.sqrt(4 * Math.PI * s * s);
    expect(sampleStats(r.flux).sigmaMad / expected).toBeGreaterThan(0.95);
    expect(sampleStats(r.flux).sigmaMad / expected).toBeLessThan(1.05);
  });

  it('measures the flux of a point source at the stamp centre, skips stamps touching masked pixels, and keeps x0/y0', () => {
    // A constant image c is a PSF-shaped source of flux c Σp / Σp² at every position.
    const image = new Float64Array(W * H).fill(2);
    const mask = new Int32Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < 100; x++) mask[y * W + x] = 4; // a masked strip x < 100
    const r = psfFluxesAtRandomPositions({ image, mask, width: W, height: H, x0: 1000, y0: -50, kernel, kernelWidth: 21, kernelHeight: 21, avoidBits: 4 | 8, tries: 2000, seed: 3 });
    let p2 = 0;
    for (const v of kernel) p2 += v * v;
    expect(r.flux.length).toBeGreaterThan(1000);
    for (const f of r.flux) expect(f).toBeCloseTo(2 / p2, 8);
    expect(Math.min(...r.x)).toBeGreaterThanOrEqual(1000 + 100 + h);
    expect(Math.max(...r.x)).toBeLessThanOrEqual(1000 + W - 1 - h);
    expect(Math.min(...r.y)).toBeGreaterThanOrEqual(-50 + h);
    expect(Math.max(...r.y)).toBeLessThanOrEqual(-50 + H - 1 - h);
    // an accept test sees PARENT positions
    const some = psfFluxesAtRandomPositions({ image, mask, width: W, height: H, x0: 1000, kernel, kernelWidth: 21, kernelHeight: 21, avoidBits: 4, tries: 500, seed: 3, accept: (x) => x < 1300 });
    expect(Math.max(...some.x)).toBeLessThan(1300);
    expect(() => psfFluxesAtRandomPositions({ image, mask, width: W, height: H, kernel, kernelWidth: 20, kernelHeight: 21, avoidBits: 4, tries: 1, seed: 1 })).toThrow(RangeError);
  });
});

describe('sumDiscrepancy', () => {
  it('finds float32 subtraction and addition within 2 ulps, and a real difference', () => {
    const c = Float32Array.from(gaussians(10000, 8), (v) => 1000 + 50 * v);
    const b = Float32Array.from(gaussians(10000, 4), (v) => 980 + 3 * v);
    const a = Float32Array.from(c, (v, i) => v - b[i]!); // rounded to float32 on store
    const ok = sumDiscrepancy(a, b, c);
    expect(ok.n).toBe(10000);
    expect(ok.maxUlps).toBeLessThanOrEqual(2);
    const bad = Float32Array.from(a);
    bad[77] = bad[77]! + 0.1;
    const off = sumDiscrepancy(bad, b, c);
    expect(off.maxAbs).toBeCloseTo(0.1, 2);
    expect(off.maxUlps).toBeGreaterThan(50);
    expect(sumDiscrepancy([NaN], [1], [1]).n).toBe(0);
  });
});
