import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { describe, expect, it } from 'vitest';
import { AfwImageLengthError, AfwImageMaskPlaneError } from './errors.js';
import { Mask } from './mask.js';
import { DEFAULT_MASK_PLANES, MaskPlaneDict } from './mask-plane-dict.js';

describe('Mask', () => {
  it("starts with afw's default planes in afw's order (MaskDict::_addInitialMaskPlanes)", () => {
    expect(DEFAULT_MASK_PLANES).toEqual(['BAD', 'SAT', 'INTRP', 'CR', 'EDGE', 'DETECTED', 'DETECTED_NEGATIVE', 'SUSPECT', 'NO_DATA']);
    const mask = Mask.make(new Extent2I(3, 3));
    expect(mask.getMaskPlaneDict()).toEqual({
      BAD: 0, SAT: 1, INTRP: 2, CR: 3, EDGE: 4, DETECTED: 5, DETECTED_NEGATIVE: 6, SUSPECT: 7, NO_DATA: 8,
    });
    expect(mask.getPlaneBitMask('DETECTED')).toBe(32);
    expect(mask.getPlaneBitMask(['BAD', 'CR', 'NO_DATA'])).toBe(1 + 8 + 256);
    expect(mask.array.data).toBeInstanceOf(Int32Array);
  });

  it('has no process-global dictionary: masks are independent, views share', () => {
    const a = Mask.make(new Extent2I(4, 4));
    const b = Mask.make(new Extent2I(4, 4));
    const view = a.subset(Box2I.fromCorner(new Point2I(1, 1), new Extent2I(2, 2)));
    expect(a.addMaskPlane('STREAK')).toBe(9);
    expect(view.getMaskPlane('STREAK')).toBe(9);
    expect(() => b.getMaskPlane('STREAK')).toThrow(AfwImageMaskPlaneError);
    expect(a.addMaskPlane('STREAK')).toBe(9);
    // A clone gets its own copy.
    const c = a.clone();
    c.addMaskPlane('OTHER');
    expect(a.planeDict.hasPlane('OTHER')).toBe(false);
  });

  it('removeAndClearMaskPlane clears the bit in the pixels and frees it', () => {
    const mask = Mask.make(new Extent2I(2, 1));
    const bits = mask.getPlaneBitMask(['SAT', 'CR']);
    mask.set(bits);
    mask.removeAndClearMaskPlane('CR');
    expect(Array.from(mask.array.data)).toEqual([2, 2]);
    expect(mask.planeDict.hasPlane('CR')).toBe(false);
    expect(mask.addMaskPlane('NEW')).toBe(3);
    mask.clearAllMaskPlanes();
    expect(Array.from(mask.array.data)).toEqual([0, 0]);
    expect(mask.getNumPlanesUsed()).toBe(9);
  });

  it('ORs masks with equal dictionaries, and refuses others', () => {
    const a = Mask.make(new Extent2I(2, 2));
    const b = Mask.make(new Extent2I(2, 2));
    a.set(0, 0, 1);
    b.set(0, 0, 4);
    b.set(1, 1, 2);
    a.orInPlace(b);
    expect(Array.from(a.array.data)).toEqual([5, 0, 0, 2]);
    a.andInPlace(4).xorInPlace(1);
    expect(Array.from(a.array.data)).toEqual([5, 1, 1, 1]);
    b.addMaskPlane('ONLY_IN_B');
    expect(() => a.orInPlace(b)).toThrow(AfwImageMaskPlaneError);
    expect(() => a.orInPlace(Mask.make(new Extent2I(3, 2)))).toThrow(AfwImageLengthError);
  });

  it('MaskPlaneDict validates bits and fills the lowest free bit', () => {
    expect(() => new MaskPlaneDict({ A: 0, B: 0 })).toThrow(AfwImageMaskPlaneError);
    expect(() => new MaskPlaneDict({ A: 32 })).toThrow(AfwImageMaskPlaneError);
    const d = new MaskPlaneDict({ A: 0, C: 2 });
    expect(d.addPlane('B')).toBe(1);
    expect(d.addPlane('D')).toBe(3);
    const full = new MaskPlaneDict(Array.from({ length: 32 }, (_, i) => [`P${i}`, i] as const));
    expect(full.getPlaneBitMask('P31')).toBe(2 ** 31);
    expect(() => full.addPlane('X')).toThrow(AfwImageMaskPlaneError);
    expect(d.equals(d.clone())).toBe(true);
    expect(d.toString().split('\n')[0]).toBe('Plane 0 -> A');
  });
});
