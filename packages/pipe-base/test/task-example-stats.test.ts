import { describe, expect, it } from 'vitest';
import { Image, Mask, MaskedImage } from '@skystack/afw-image';
import { astropyAvailable, runPythonJson } from '@skystack/test-support';
import { ExampleSigmaClippedStatsConfig, ExampleSigmaClippedStatsTask, ExampleSimpleStatsTask } from '../src/examples/example-stats-tasks.js';

/** Deterministic Gaussian pixels (Box-Muller over a small LCG) with outliers, masked EDGE and NaN pixels. */
function makeImage(): MaskedImage {
  const w = 64;
  const h = 48;
  const mi = new MaskedImage(new Image(new Float32Array(w * h), w, h), new Mask(new Int32Array(w * h), w, h));
  let s = 12345;
  const rand = (): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  const img = mi.image.array;
  const mask = mi.mask.array;
  const edge = mi.mask.getPlaneBitMask('EDGE');
  const detected = mi.mask.getPlaneBitMask('DETECTED');
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const g = Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
      let v = 100 + 5 * g;
      if ((x * 7 + y * 13) % 97 === 0) v += 300; // outliers
      if (x < 2) mask.data[y * mask.stride + x] = edge;
      if (x === 10 && y === 10) v = NaN;
      if (y === 5) mask.data[y * mask.stride + x] = mask.data[y * mask.stride + x]! | detected;
      img.data[y * img.stride + x] = v;
    }
  }
  return mi;
}

function pixelsAndMask(mi: MaskedImage): { pixels: number[]; mask: number[] } {
  const a = mi.image.array;
  const m = mi.mask.array;
  const pixels: number[] = [];
  const mask: number[] = [];
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      const v = a.data[y * a.stride + x]!;
      pixels.push(Number.isNaN(v) ? 1e300 : v); // JSON has no NaN
      mask.push(m.data[y * m.stride + x]!);
    }
  }
  return { pixels, mask };
}

// numpy implementation of exactly afw's MEANCLIP/STDEVCLIP/ERRORS (Statistics.cc), and
// astropy's sigma_clipped_stats on the same good pixels for comparison.
const SCRIPT = String.raw`
import json, sys, warnings
import numpy as np
warnings.simplefilter('ignore')
from astropy.stats import sigma_clipped_stats
d = json.loads(sys.stdin.read())
px = np.array(d['pixels'], dtype=np.float32).astype(np.float64)
px[px > 1e30] = np.nan
mask = np.array(d['mask'], dtype=np.int64)
def stats(v):
    n = v.size; mean = v.mean(); var = v.var(ddof=1); sd = np.sqrt(var)
    return dict(mean=mean, meanErr=np.sqrt(var / n), stdDev=sd, stdDevErr=0.5 * np.sqrt(2 * (n - 1) * var**2 / n**2) / sd, n=n)
allgood = px[np.isfinite(px)]
good = px[np.isfinite(px) & ((mask & d['andMask']) == 0)]
med = np.percentile(good, 50); iqr = np.percentile(good, 75) - np.percentile(good, 25)
center, hw = med, d['nsig'] * 0.741301109252802 * iqr
for i in range(d['niter']):
    kept = good[np.abs(good - center) <= hw]
    s = stats(kept)
    center, hw = s['mean'], d['nsig'] * s['stdDev']
m, med2, sd = sigma_clipped_stats(good, sigma=d['nsig'], maxiters=d['niter'])
print(json.dumps(dict(simple=stats(allgood), clipped=s, astropy=dict(mean=float(m), median=float(med2), std=float(sd)))))
`;

describe.skipIf(!astropyAvailable())('example statistics tasks against numpy and astropy', () => {
  const mi = makeImage();
  const { pixels, mask } = pixelsAndMask(mi);

  it('ExampleSimpleStatsTask gives numpy mean and std (ddof=1) with afw errors', () => {
    const ref = runPythonJson<{ simple: Record<string, number> }>(SCRIPT, [], { pixels, mask, andMask: 0, nsig: 3, niter: 2 });
    const r = new ExampleSimpleStatsTask().run(mi);
    for (const k of ['mean', 'meanErr', 'stdDev', 'stdDevErr'] as const) expect(r[k]).toBeCloseTo(ref.simple[k]!, 10);
  });

  it('ExampleSigmaClippedStatsTask gives afw MEANCLIP/STDEVCLIP (numpy reimplementation) and is close to astropy', () => {
    for (const [nsig, niter, planes] of [[3, 2, ['EDGE']], [2.5, 4, ['EDGE', 'DETECTED']]] as const) {
      const config = new ExampleSigmaClippedStatsConfig();
      config.numSigmaClip = nsig;
      config.numIter = niter;
      config.badMaskPlanes = [...planes];
      const andMask = mi.mask.getPlaneBitMask([...planes]);
      const ref = runPythonJson<{ clipped: Record<string, number>; astropy: Record<string, number> }>(SCRIPT, [], { pixels, mask, andMask, nsig, niter });
      const r = new ExampleSigmaClippedStatsTask({ config }).run(mi);
      for (const k of ['mean', 'meanErr', 'stdDev', 'stdDevErr'] as const) expect(r[k], `${k} nsig=${nsig}`).toBeCloseTo(ref.clipped[k]!, 10);
      // astropy clips about the median with the population std and iterates to convergence
      // (here at most niter times): both reject the outliers, so they agree to a fraction of sigma.
      expect(Math.abs(r.mean - ref.astropy['mean']!)).toBeLessThan(0.05 * r.stdDev);
      expect(Math.abs(r.stdDev - ref.astropy['std']!) / r.stdDev).toBeLessThan(0.05);
      expect(r.mean).toBeGreaterThan(99);
      expect(r.mean).toBeLessThan(101);
    }
  });

  it('uses LSST defaults and records run timing', () => {
    const task = new ExampleSigmaClippedStatsTask();
    expect(task.config.numSigmaClip).toBe(3);
    expect(task.config.numIter).toBe(2);
    expect([...task.config.badMaskPlanes]).toEqual(['EDGE']);
    task.run(mi);
    expect(task.metadata.has('runStartCpuTime')).toBe(true);
    expect(task.metadata.has('runEndUtc')).toBe(true);
  });
});
