import { describe, expect, it } from 'vitest';
import { Amplifier, Detector, Exposure, Image, MaskedImage } from '@skystack/afw-image';
import { Extent2I } from '@skystack/geom';
import { box, makeDetector, makeSyntheticSet, NX, NY, OVERSCAN, PRESCAN, RAW_W } from '../test/synthetic-raw.js';
import { AssembleCcdConfig, AssembleCcdTask } from './assemble-ccd-task.js';
import { IpIsrGeometryError } from './errors.js';

// A 2 x 2 detector of 8 x 6 amplifiers; in the raw the four amplifiers sit side by side, each
// 2 prescan + 8 data + 3 overscan columns wide. C (lower left) is not flipped, D (lower right)
// is mirrored in x, E (upper left) in y, F (upper right) in both.
const AW = 8;
const AH = 6;
const RW = 2 + AW + 3;
const SPECS = [
  { name: 'C', ax: 0, ay: 0, fx: false, fy: false },
  { name: 'D', ax: AW, ay: 0, fx: true, fy: false },
  { name: 'E', ax: 0, ay: AH, fx: false, fy: true },
  { name: 'F', ax: AW, ay: AH, fx: true, fy: true },
] as const;

function quadDetector(): Detector {
  const amps = SPECS.map(
    (s, k) =>
      new Amplifier({
        name: s.name,
        bbox: box(s.ax, s.ay, AW, AH),
        hasRawInfo: true,
        rawBBox: box(k * RW, 0, RW, AH),
        rawPrescanBBox: box(k * RW, 0, 2, AH),
        rawDataBBox: box(k * RW + 2, 0, AW, AH),
        rawHorizontalOverscanBBox: box(k * RW + 2 + AW, 0, 3, AH),
        rawFlipX: s.fx,
        rawFlipY: s.fy,
        // Untrimmed layout: amplifiers of the top row go above, the right column to the right.
        rawXYOffset: new Extent2I(s.ax === 0 ? -k * RW : RW - k * RW, s.ay === 0 ? 0 : AH),
      }),
  );
  return new Detector({ name: 'Q', id: 1, bbox: box(0, 0, 2 * AW, 2 * AH), amplifiers: amps });
}

/** A raw whose pixel value encodes its raw position: 1000·x + y; the variance 2 × that. */
function codedRaw(detector: Detector): Exposure<Float32Array> {
  const bbox = box(0, 0, 4 * RW, AH);
  const image = Image.make('float32', bbox);
  const variance = Image.make('float32', bbox);
  for (let y = 0; y < AH; y++) {
    for (let x = 0; x < 4 * RW; x++) {
      image.array.data[y * 4 * RW + x] = 1000 * x + y;
      variance.array.data[y * 4 * RW + x] = 2 * (1000 * x + y);
    }
  }
  const e = new Exposure(new MaskedImage(image, undefined, variance));
  e.mask.set(2 + 3, 1, e.mask.getPlaneBitMask('CR'));
  e.setDetector(detector);
  e.metadata.set('DROPME', 1);
  e.metadata.set('KEEPME', 2);
  return e;
}

const code = (x: number, y: number): number => 1000 * x + y;

describe('AssembleCcdTask', () => {
  it('places each amplifier at its detector position, with its flips (trimmed)', () => {
    const config = new AssembleCcdConfig();
    config.keysToRemove = ['DROPME'];
    const out = new AssembleCcdTask({ config }).assembleCcd(codedRaw(quadDetector()));
    expect(out.getBBox().toString()).toBe(box(0, 0, 2 * AW, 2 * AH).toString());
    const at = (x: number, y: number): number => out.image.get(x, y);
    // C: detector (0,0) <- raw (2,0); (7,5) <- raw (9,5).
    expect(at(0, 0)).toBe(code(2, 0));
    expect(at(7, 5)).toBe(code(9, 5));
    // D (raw x 13..25, data 15..22), mirrored in x: detector (8,0) <- raw (22,0); (15,0) <- raw (15,0).
    expect(at(8, 0)).toBe(code(22, 0));
    expect(at(15, 0)).toBe(code(15, 0));
    expect(at(9, 4)).toBe(code(21, 4));
    // E (data 28..35), mirrored in y: detector (0,6) <- raw (28,5); (3,11) <- raw (31,0).
    expect(at(0, 6)).toBe(code(28, 5));
    expect(at(3, 11)).toBe(code(31, 0));
    // F (data 41..48), both: detector (8,6) <- raw (48,5); (15,11) <- raw (41,0).
    expect(at(8, 6)).toBe(code(48, 5));
    expect(at(15, 11)).toBe(code(41, 0));
    // Variance and mask travel with the pixels.
    expect(out.variance.get(8, 0)).toBe(2 * code(22, 0));
    expect(out.mask.get(3, 1)).toBe(out.mask.getPlaneBitMask('CR'));
    // Metadata: keysToRemove dropped, the rest kept; the detector stays attached.
    expect(out.metadata.has('DROPME')).toBe(false);
    expect(out.metadata.get('KEEPME')).toBe(2);
    expect(out.getDetector()?.name).toBe('Q');
  });

  it('keeps prescan and overscan with doTrim=false, moved by rawXYOffset', () => {
    const config = new AssembleCcdConfig();
    config.doTrim = false;
    const out = new AssembleCcdTask({ config }).assembleCcd(codedRaw(quadDetector()));
    expect(out.getBBox().toString()).toBe(box(0, 0, 2 * RW, 2 * AH).toString());
    // C unchanged at the origin (prescan column 0 first).
    expect(out.image.get(0, 0)).toBe(code(0, 0));
    // D goes to x 13..25 mirrored: (13,0) <- raw (25,0).
    expect(out.image.get(RW, 0)).toBe(code(2 * RW - 1, 0));
    // F goes to (13..25, 6..11), mirrored in both: (13,6) <- raw (51,5).
    expect(out.image.get(RW, AH)).toBe(code(4 * RW - 1, AH - 1));
  });

  it('assembles the SkyStack synthetic 2-amplifier raw (amplifier B mirrored in x)', () => {
    const { raw } = makeSyntheticSet(3, { saturate: false, badColumn: false });
    const out = new AssembleCcdTask().assembleCcd(raw);
    expect(out.getWidth()).toBe(2 * NX);
    // Amplifier B's raw data starts after its overscan; its first raw data column is the
    // detector's last column.
    expect(out.image.get(2 * NX - 1, 7)).toBe(raw.image.get(RAW_W + OVERSCAN, 7));
    expect(out.image.get(NX, 7)).toBe(raw.image.get(RAW_W + OVERSCAN + NX - 1, 7));
    expect(out.image.get(0, 7)).toBe(raw.image.get(PRESCAN, 7));
    expect(out.getHeight()).toBe(NY);
  });

  it('refuses exposures without a detector or with boxes outside the image', () => {
    const e = Exposure.make('float32', box(0, 0, 10, 10));
    expect(() => new AssembleCcdTask().assembleCcd(e)).toThrow(IpIsrGeometryError);
    const trimmed = Exposure.make('float32', box(0, 0, 2 * NX, NY));
    trimmed.setDetector(makeDetector());
    expect(() => new AssembleCcdTask().assembleCcd(trimmed)).toThrow(/not inside the exposure/);
  });
});
