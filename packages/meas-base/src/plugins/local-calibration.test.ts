import { PhotoCalib } from '@skystack/afw-image';
import { SourceCatalog } from '@skystack/afw-table';
import { Angle, Point2D, SpherePoint } from '@skystack/geom';
import { makeSkyWcs } from '@skystack/wcs';
import { describe, expect, it } from 'vitest';
import { fillCatalog, makeExposure, type Star } from '../../test/synthetic.js';
import { SingleFrameMeasurementConfig, SingleFrameMeasurementTask } from '../single-frame-measurement-task.js';

const STARS: Star[] = [
  { flux: 2e4, sigma: 2, x: 60, y: 50 },
  { flux: 5e4, sigma: 2, x: 140.3, y: 120.6 },
];

function run(withCalibs: boolean): { cat: SourceCatalog; cd: [[number, number], [number, number]] } {
  const exposure = makeExposure(STARS, { width: 200, height: 160, noiseSigma: 2, seed: 3, integrated: true });
  // A rotated 0.2"/pixel CD matrix (degrees per pixel), so every element is non-zero.
  const s = 0.2 / 3600;
  const o = (30 * Math.PI) / 180;
  const cd: [[number, number], [number, number]] = [
    [-Math.cos(o) * s, Math.sin(o) * s],
    [Math.sin(o) * s, Math.cos(o) * s],
  ];
  if (withCalibs) {
    exposure.setWcs(makeSkyWcs(new Point2D(60, 50), SpherePoint.fromDegrees(150, 0), cd));
    exposure.setPhotoCalib(new PhotoCalib(0.3, 0.002));
  }
  const config = new SingleFrameMeasurementConfig();
  config.plugins.names = ['base_SdssCentroid', 'base_PsfFlux', 'base_LocalPhotoCalib', 'base_LocalWcs'];
  const task = new SingleFrameMeasurementTask({ config });
  const cat = new SourceCatalog(task.schema);
  fillCatalog(cat, STARS);
  task.run(cat, exposure);
  return { cat, cd };
}

describe('base_LocalPhotoCalib and base_LocalWcs', () => {
  it('record the calibration and the CD matrix (radians) at each source', () => {
    const { cat, cd } = run(true);
    const schema = cat.schema;
    expect(schema.find('base_LocalPhotoCalib').units).toBe('nJy/count');
    expect(schema.find('base_LocalWcs_CDMatrix_1_2').units).toBe('rad');
    const r = cat.get(0);
    expect(r.get('base_LocalPhotoCalib')).toBe(0.3);
    expect(r.get('base_LocalPhotoCalibErr')).toBe(0.002);
    expect(r.get('base_LocalPhotoCalib_flag')).toBe(false);
    // At the WCS reference pixel (the first star, up to its centroid error) the local CD matrix
    // is the one the WCS was made with, converted to radians. Dec 0 keeps the cos(dec) term 1.
    const toRad = Math.PI / 180;
    expect(r.get('base_LocalWcs_CDMatrix_1_1')).toBeCloseTo(cd[0][0] * toRad, 13);
    expect(r.get('base_LocalWcs_CDMatrix_1_2')).toBeCloseTo(cd[0][1] * toRad, 13);
    expect(r.get('base_LocalWcs_CDMatrix_2_1')).toBeCloseTo(cd[1][0] * toRad, 13);
    expect(r.get('base_LocalWcs_CDMatrix_2_2')).toBeCloseTo(cd[1][1] * toRad, 13);
    // The determinant is the pixel area: (0.2")² in rad².
    const m = (i: number, name: string): number => cat.get(i).get(`base_LocalWcs_CDMatrix_${name}`) as number;
    const det = (i: number): number => m(i, '1_1') * m(i, '2_2') - m(i, '1_2') * m(i, '2_1');
    const area = Angle.fromArcseconds(0.2).asRadians() ** 2;
    expect(Math.abs(det(0)) / area).toBeCloseTo(1, 9);
    expect(Math.abs(det(1)) / area).toBeCloseTo(1, 6);
  });

  it('flag the sources when the exposure has no PhotoCalib or WCS', () => {
    const { cat } = run(false);
    for (let i = 0; i < cat.length; i++) {
      const r = cat.get(i);
      expect(r.get('base_LocalPhotoCalib_flag')).toBe(true);
      expect(r.get('base_LocalWcs_flag')).toBe(true);
      expect(Number.isNaN(r.get('base_LocalPhotoCalib'))).toBe(true);
    }
  });
});
