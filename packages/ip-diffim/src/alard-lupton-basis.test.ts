import { TaskMetadata } from '@skystack/pipe-base';
import { describe, expect, it } from 'vitest';
import { SIGMA_TO_FWHM, generateAlardLuptonBasisList, makeAlardLuptonBasisList, renormalizeKernelList } from './alard-lupton-basis.js';
import { IpDiffimInvalidArgumentError } from './errors.js';
import { PsfMatchConfigAL } from './psf-match-config.js';

const values = (k: { computeImage(doNormalize: boolean): { array: { data: ArrayLike<number> } } }): number[] => Array.from(k.computeImage(false).array.data);
const sum = (v: number[]): number => v.reduce((a, b) => a + b, 0);

describe('makeAlardLuptonBasisList', () => {
  const basis = makeAlardLuptonBasisList(10, 3, [0.7, 1.5, 3.0], [4, 2, 2]);

  it('has (d+1)(d+2)/2 kernels per Gaussian, 21 x 21', () => {
    expect(basis).toHaveLength(15 + 6 + 6);
    for (const k of basis) expect([k.width, k.height]).toEqual([21, 21]);
  });

  it('first kernel: the normalised Gaussian (sum 1); the others sum to 0 with unit norm', () => {
    const b0 = values(basis[0]!);
    let g = 0;
    const analytic: number[] = [];
    for (let j = -10; j <= 10; j++) for (let i = -10; i <= 10; i++) analytic.push(Math.exp(-(i * i + j * j) / (2 * 0.7 * 0.7)));
    g = sum(analytic);
    b0.forEach((v, i) => expect(v).toBeCloseTo(analytic[i]! / g, 14));
    for (const k of basis.slice(1)) {
      const v = values(k);
      expect(Math.abs(sum(v))).toBeLessThan(1e-12);
      expect(sum(v.map((x) => x * x))).toBeCloseTo(1, 12);
    }
  });

  it('term n of a Gaussian is the Gaussian times the n-th monomial (1, u, v, u², uv, v², …) before renormalisation', () => {
    // The second kernel is G_0.7 · u with u = i/10: odd in u, so its sum is ~0 and it is only scaled to unit norm.
    const v = values(basis[1]!);
    const raw: number[] = [];
    for (let j = -10; j <= 10; j++) for (let i = -10; i <= 10; i++) raw.push(Math.exp(-(i * i + j * j) / (2 * 0.49)) * (i / 10));
    const norm = Math.sqrt(sum(raw.map((x) => x * x)));
    v.forEach((x, i) => expect(x).toBeCloseTo(raw[i]! / norm, 12));
    // The third is odd in v.
    const w = values(basis[2]!);
    expect(w[0 * 21 + 10]!).toBeCloseTo(-w[20 * 21 + 10]!, 14);
  });

  it('refuses inconsistent arguments', () => {
    expect(() => makeAlardLuptonBasisList(0, 1, [1], [0])).toThrow(IpDiffimInvalidArgumentError);
    expect(() => makeAlardLuptonBasisList(5, 2, [1], [0, 0])).toThrow(/sigGauss has 1 entries/);
    expect(() => renormalizeKernelList([])).not.toThrow();
  });
});

describe('generateAlardLuptonBasisList', () => {
  it('uses the configured sigmas and size when scaleByFwhm is false', () => {
    const config = new PsfMatchConfigAL();
    config.scaleByFwhm = false;
    const md = new TaskMetadata();
    const out = generateAlardLuptonBasisList(config, 2 * SIGMA_TO_FWHM, 3 * SIGMA_TO_FWHM, md);
    expect(out.sigGauss).toEqual([0.7, 1.5, 3.0]);
    expect(out.kernelSize).toBe(21);
    expect(md.get('ALKernelSize')).toBe(21);
    expect(md.get('ALBasisNGauss')).toBe(3);
  });

  it('scales the Gaussians by the FWHMs for a convolution (σ_K = √(σ_ref² − σ_target²))', () => {
    const out = generateAlardLuptonBasisList(new PsfMatchConfigAL(), 2 * SIGMA_TO_FWHM, 3 * SIGMA_TO_FWHM);
    const sk = Math.sqrt(5);
    expect(out.sigGauss[0]).toBeCloseTo(sk / 2, 12);
    expect(out.sigGauss[1]).toBeCloseTo(sk, 12);
    expect(out.sigGauss[2]).toBeCloseTo(2 * sk, 12);
    expect(out.kernelSize).toBe(27); // int(6 · 4.472) = 26 → odd 27
    expect(out.deconvolution).toBe(false);
  });

  it("uses Ulmer's deconvolution progression when the reference is narrower", () => {
    const out = generateAlardLuptonBasisList(new PsfMatchConfigAL(), 3 * SIGMA_TO_FWHM, 2 * SIGMA_TO_FWHM);
    // base sigmas s0 = √5/2, s1 = √5, s2 = 2√5: (s1² − 2 s0²), (2 s1² − 3 s0²), (s1² + s2² − 3 s0²)
    expect(out.sigGauss[0]).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(out.sigGauss[1]).toBeCloseTo(2.5, 12);
    expect(out.sigGauss[2]).toBeCloseTo(Math.sqrt(21.25), 12);
    expect(out.degGauss).toEqual([3, 3, 3]);
    expect(out.basisList).toHaveLength(30);
    expect(out.deconvolution).toBe(true);
  });
});
