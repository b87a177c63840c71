import { Exposure, FilterLabel, GaussianPsf, getCoaddInputs } from '@skystack/afw-image';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { describe, expect, it } from 'vitest';
import { PipeTasksInvalidArgumentError } from '../errors.js';
import { CoaddInputRecorderConfig, CoaddInputRecorderTask } from './coadd-input-recorder-task.js';

function calexp(id: number): Exposure {
  const e = Exposure.make('float32', Box2I.fromCorner(new Point2I(0, 0), new Extent2I(10, 20)));
  e.getInfo().setId(id);
  e.setPsf(new GaussianPsf(11, 11, 1.5));
  e.setFilter(new FilterLabel({ band: 'r', physical: 'SimCam-r' }));
  return e;
}

const fields = (schema: { getFields(): readonly { name: string; type: string }[] }): string[] => schema.getFields().map((f) => `${f.name}:${f.type}`);

describe('CoaddInputRecorderTask', () => {
  it("has LSST's config defaults and schemas (pipe_tasks coaddInputRecorder.py)", () => {
    const c = new CoaddInputRecorderConfig();
    expect([c.saveEmptyCcds, c.saveErrorCcds, c.saveVisitGoodPix, c.saveCcdWeights]).toEqual([false, false, true, true]);
    const t = new CoaddInputRecorderTask();
    const minimal = ['id:L', 'bbox_min_x:I', 'bbox_min_y:I', 'bbox_max_x:I', 'bbox_max_y:I'];
    expect(fields(t.visitSchema)).toEqual([...minimal, 'goodpix:I', 'weight:D', 'filter:String']);
    expect(fields(t.ccdSchema)).toEqual([...minimal, 'ccd:I', 'visit:L', 'goodpix:I', 'weight:D', 'filter:String']);
    const config = new CoaddInputRecorderConfig();
    config.saveVisitGoodPix = false;
    config.saveCcdWeights = false;
    const lean = new CoaddInputRecorderTask({ config });
    expect(fields(lean.visitSchema)).toEqual([...minimal, 'weight:D', 'filter:String']);
    expect(fields(lean.ccdSchema)).toEqual([...minimal, 'ccd:I', 'visit:L', 'goodpix:I', 'filter:String']);
  });

  it('records a warp: skips detectors without good pixels unless saveEmptyCcds, weight 1, filter, components', () => {
    for (const saveEmptyCcds of [false, true]) {
      const config = new CoaddInputRecorderConfig();
      config.saveEmptyCcds = saveEmptyCcds;
      const t = new CoaddInputRecorderTask({ config });
      const r = t.makeCoaddTempExpRecorder(42);
      const [a, b] = [calexp(4201), calexp(4202)];
      r.addCalExp(a, 4201, 150);
      r.addCalExp(b, 4202, 0);
      const warp = Exposure.make('float32', new Extent2I(5, 5));
      r.finish(warp, 150);
      const inputs = getCoaddInputs(warp.getInfo())!;
      expect(inputs).toBe(r.coaddInputs);
      expect(inputs.visits.get(0).getNumber('goodpix')).toBe(150);
      expect(inputs.ccds).toHaveLength(saveEmptyCcds ? 2 : 1);
      const ccd = inputs.ccds.get(0);
      expect([ccd.getId(), ccd.get('visit'), ccd.getNumber('goodpix'), ccd.getNumber('weight'), ccd.get('filter'), ccd.getNumber('ccd')]).toEqual([4201n, 42n, 150, 1, 'SimCam-r', -1]);
      expect(ccd.getPsf()).toBe(a.getPsf());
      expect(ccd.getBBox().equals(a.getBBox())).toBe(true);
    }
  });

  it('adds warps to a coadd with their weight, and refuses or skips warps whose inputs are unusable', () => {
    const t = new CoaddInputRecorderTask();
    const r = t.makeCoaddTempExpRecorder(9);
    r.addCalExp(calexp(901), 901, 10);
    r.addCalExp(calexp(902), 902, 20);
    const warp = Exposure.make('float32', new Extent2I(5, 5));
    warp.setFilter(new FilterLabel({ band: 'r', physical: 'SimCam-r' }));
    r.finish(warp, 30);
    const coadd = t.makeCoaddInputs();
    const visit = t.addVisitToCoadd(coadd, warp, 0.25)!;
    expect([visit.getId(), visit.getNumber('weight'), visit.get('filter'), visit.getNumber('goodpix')]).toEqual([9n, 0.25, 'SimCam-r', 30]);
    expect([0, 1].map((i) => coadd.ccds.get(i).getNumber('weight'))).toEqual([0.25, 0.25]);
    expect(() => t.addVisitToCoadd(coadd, Exposure.make('float32', new Extent2I(2, 2)), 1)).toThrow(PipeTasksInvalidArgumentError);
    // A "warp" holding two visits (a coadd) is skipped with a warning.
    const twice = Exposure.make('float32', new Extent2I(2, 2));
    twice.getInfo().setComponent('COADD_INPUTS', coadd);
    t.addVisitToCoadd(coadd, warp, 0.5);
    expect(t.addVisitToCoadd(t.makeCoaddInputs(), twice, 1)).toBeNull();
  });
});
