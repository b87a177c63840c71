import { astropyAvailable, runPythonJson } from '@skystack/test-support';
import { describe, expect, it } from 'vitest';
import { AfwDisplayInvalidArgumentError } from './errors.js';
import { asinhSaturation, asinhStretch, linearStretch, logStretch, makeStretch, sqrtStretch } from './stretch.js';

describe('stretches against their formulas', () => {
  it('linear maps min to 0, max to 1, and clips', () => {
    const s = linearStretch(-10, 30);
    expect(s.apply(-10)).toBe(0);
    expect(s.apply(30)).toBe(1);
    expect(s.apply(0)).toBeCloseTo(0.25, 15);
    expect(s.apply(-100)).toBe(0);
    expect(s.apply(1e9)).toBe(1);
    expect(s.apply(NaN)).toBeNaN();
  });

  it('asinh (afw AsinhMapping) passes through x = 0.1 → 0.1, saturates at asinhSaturation(Q)', () => {
    for (const Q of [0.5, 3, 8, 20]) {
      const s = asinhStretch(100, 50, Q);
      // x = (v - 100) / 50 = 0.1 → y = 0.1 asinh(0.1 Q) / asinh(0.1 Q) = 0.1.
      expect(s.apply(105)).toBeCloseTo(0.1, 14);
      // y = 0.1 asinh(Q x)/asinh(Q/10) at x = 1.
      expect(s.apply(150)).toBeCloseTo((0.1 * Math.log(Q + Math.sqrt(Q * Q + 1))) / Math.log(Q / 10 + Math.sqrt((Q / 10) ** 2 + 1)), 14);
      const xs = asinhSaturation(Q);
      expect(s.apply(100 + 50 * xs * (1 - 1e-9))).toBeCloseTo(1, 6);
      expect(s.apply(100 + 50 * xs * 2)).toBe(1);
      expect(s.apply(99)).toBe(0);
      expect(s.apply(100)).toBe(0);
    }
    // For Q = 8 the white point is sinh(10 asinh(0.8)) / 8 ≈ 94.98 data ranges above the minimum.
    expect(asinhSaturation(8)).toBeCloseTo(Math.sinh(10 * Math.asinh(0.8)) / 8, 10);
  });

  it('asinh with tiny Q behaves as afw (Q → 0.1, nearly linear)', () => {
    const s = asinhStretch(0, 1, 0);
    expect(s.apply(0.5)).toBeCloseTo((0.1 * Math.asinh(0.05)) / Math.asinh(0.01), 14);
    expect(Math.abs(s.apply(0.5) - 0.5)).toBeLessThan(0.01);
  });

  it('sqrt and log follow astropy definitions at chosen points', () => {
    expect(sqrtStretch(0, 100).apply(25)).toBeCloseTo(0.5, 15);
    expect(logStretch(0, 10, 1000).apply(10)).toBeCloseTo(1, 15);
    expect(logStretch(0, 10, 1000).apply(1)).toBeCloseTo(Math.log(101) / Math.log(1001), 15);
  });

  it('makeStretch maps asinh limits to minimum and dataRange = max − min', () => {
    const a = makeStretch('asinh', 10, 30, { Q: 5 });
    const b = asinhStretch(10, 20, 5);
    for (const v of [5, 11, 15, 30, 200, 5000]) expect(a.apply(v)).toBe(b.apply(v));
  });

  it('rejects bad limits and algorithms', () => {
    expect(() => linearStretch(1, 1)).toThrow(AfwDisplayInvalidArgumentError);
    expect(() => asinhStretch(0, -1)).toThrow(AfwDisplayInvalidArgumentError);
    expect(() => logStretch(0, 1, 0)).toThrow(AfwDisplayInvalidArgumentError);
    expect(() => makeStretch('gamma' as 'linear', 0, 1)).toThrow(AfwDisplayInvalidArgumentError);
  });
});

const SCRIPT = String.raw`
import sys, json
import numpy as np
from astropy.visualization import AsinhStretch, LogStretch, SqrtStretch, LinearStretch, ManualInterval
c = json.load(sys.stdin)
v = np.array(c['values'], dtype=float)
out = {}
for Q in c['Qs']:
    s = float(np.sinh(10 * np.arcsinh(Q / 10)) / Q)
    x = ManualInterval(c['min'], c['min'] + s * c['range'])(v, clip=True)
    out['asinh%g' % Q] = AsinhStretch(a=1 / (Q * s))(x, clip=True).tolist()
x = ManualInterval(c['min'], c['max'])(v, clip=True)
out['log'] = LogStretch(a=1000)(x, clip=True).tolist()
out['sqrt'] = SqrtStretch()(x, clip=True).tolist()
out['linear'] = LinearStretch()(x, clip=True).tolist()
print(json.dumps(out))
`;

describe.runIf(astropyAvailable())('stretches against astropy.visualization', () => {
  const values = [-50, -1, 0, 0.3, 1, 2.5, 7, 10, 20, 40, 99, 150, 800, 2000, 5000, 1e5];
  const Qs = [1, 8, 15];
  const min = 0.5;
  const range = 20;
  const max = 60;
  const want = runPythonJson<Record<string, number[]>>(SCRIPT, [], { values, Qs, min, range, max });

  it('asinh equals AsinhStretch(a = 1/(Q s)) after ManualInterval(min, min + s·range), s = asinhSaturation(Q)', () => {
    for (const Q of Qs) {
      const s = asinhStretch(min, range, Q);
      values.forEach((v, i) => expect(s.apply(v)).toBeCloseTo(want[`asinh${Q}`]![i]!, 12));
    }
  });

  it('log, sqrt and linear equal LogStretch(1000), SqrtStretch and LinearStretch', () => {
    const log = logStretch(min, max);
    const sqrt = sqrtStretch(min, max);
    const lin = linearStretch(min, max);
    values.forEach((v, i) => {
      expect(log.apply(v)).toBeCloseTo(want['log']![i]!, 12);
      expect(sqrt.apply(v)).toBeCloseTo(want['sqrt']![i]!, 12);
      expect(lin.apply(v)).toBeCloseTo(want['linear']![i]!, 12);
    });
  });
});
