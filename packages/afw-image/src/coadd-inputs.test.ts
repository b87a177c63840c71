// CoaddInputs: the schemas LSST's CoaddInputRecorderTask writes, and the ExposureInfo slot.
import { Box2I, Point2I } from '@skystack/geom';
import { describe, expect, it } from 'vitest';
import { COADD_INPUTS_KEY, CoaddInputs, getCoaddInputs, setCoaddInputs } from './coadd-inputs.js';
import { AfwImageInvalidArgumentError } from './errors.js';
import { ExposureCatalog } from './exposure-catalog.js';
import { ExposureInfo } from './exposure-info.js';

describe('CoaddInputs (afw.image)', () => {
  it('has visits and ccds catalogs with the coadd input recorder fields', () => {
    const inputs = new CoaddInputs();
    const visitFields = [...inputs.visits.schema].map((f) => `${f.name}:${f.type}`);
    const ccdFields = [...inputs.ccds.schema].map((f) => `${f.name}:${f.type}`);
    expect(visitFields).toEqual(['id:L', 'bbox_min_x:I', 'bbox_min_y:I', 'bbox_max_x:I', 'bbox_max_y:I', 'weight:D']);
    expect(ccdFields).toEqual(['id:L', 'bbox_min_x:I', 'bbox_min_y:I', 'bbox_max_x:I', 'bbox_max_y:I', 'ccd:I', 'visit:L', 'goodpix:I', 'weight:D']);
    // Empty catalogs: nothing would be left out of an archive.
    expect(inputs.isPersistable()).toBe(true);
    expect(inputs.persistenceName).toBe('CoaddInputs');
    expect(inputs.pythonModule).toBe('lsst.afw.image');
  });

  it('ccd records hold an id, a box, weights and components', () => {
    const inputs = new CoaddInputs();
    const r = inputs.ccds.addNew();
    r.setId(1234);
    r.setBBox(new Box2I(new Point2I(0, 0), new Point2I(2047, 4175)));
    r.set('visit', 903334n);
    r.set('ccd', 22);
    r.set('goodpix', 8000000);
    r.set('weight', 0.25);
    const psf = { name: 'a psf' };
    r.setComponent('psf', psf);
    const back = inputs.ccds.get(0);
    expect(back.getId()).toBe(1234n);
    expect(back.getBBox().getHeight()).toBe(4176);
    expect(back.get('visit')).toBe(903334n);
    expect(back.getNumber('weight')).toBe(0.25);
    expect(back.getPsf()).toBe(psf);
    expect(back.getWcs()).toBeNull();
    // A component the archive cannot store: written permissively, so not fully persistable.
    expect(inputs.isPersistable()).toBe(false);
  });

  it('wraps given catalogs and rejects anything else', () => {
    const visits = new ExposureCatalog(CoaddInputs.makeVisitSchema());
    const ccds = new ExposureCatalog(CoaddInputs.makeCcdSchema());
    const inputs = new CoaddInputs(visits, ccds);
    expect(inputs.visits).toBe(visits);
    expect(inputs.ccds).toBe(ccds);
    expect(() => new CoaddInputs([] as unknown as ExposureCatalog, ccds)).toThrow(AfwImageInvalidArgumentError);
  });

  it('is the COADD_INPUTS component of an ExposureInfo', () => {
    const info = new ExposureInfo();
    expect(getCoaddInputs(info)).toBeNull();
    const inputs = new CoaddInputs();
    setCoaddInputs(info, inputs);
    expect(info.hasComponent(COADD_INPUTS_KEY)).toBe(true);
    expect(getCoaddInputs(info)).toBe(inputs);
    expect(getCoaddInputs(info.clone())).toBe(inputs);
    setCoaddInputs(info, null);
    expect(info.hasComponent('COADD_INPUTS')).toBe(false);
    info.setComponent('COADD_INPUTS', { something: 'undecoded' });
    expect(getCoaddInputs(info)).toBeNull();
    expect(() => setCoaddInputs(info, {} as CoaddInputs)).toThrow(AfwImageInvalidArgumentError);
  });
});
