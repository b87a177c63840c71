// obs/obs-sim/config/makeSkyMap.py (SimCam's sky map, registered by the demo) against the
// simulator's own field, dither and camera parameters: the tract must hold every pixel of every
// visit a simulation can plan.
import { resolve } from 'node:path';
import { DEFAULT_FIELD_CENTER, SIMCAM_PIXEL_SIZE_MM, SIMCAM_PLATE_SCALE_ARCSEC_PER_MM, SIMULATION_PRESETS, TrueWcs, makeSimCamDetectors, planVisits } from '@skystack/obs-sim';
import { makeSkyMapConfigFrom } from '@skystack/pipe-tasks';
import { describe, expect, it } from 'vitest';

const CONFIG = resolve(import.meta.dirname, '../../../obs/obs-sim/config/makeSkyMap.py');

describe("obs-sim's makeSkyMap.py", () => {
  it("names the sky map 'simcam' and makes one tract centred on the simulator's field, at SimCam's pixel scale", async () => {
    const config = await makeSkyMapConfigFrom({ configFile: CONFIG });
    expect(config.name).toBe('simcam');
    const skyMap = config.makeSkyMap();
    expect(skyMap.length).toBe(1);
    const tract = skyMap.get(0);
    expect(tract.getCtrCoord().separation(DEFAULT_FIELD_CENTER).asArcseconds()).toBeLessThan(1e-6);
    expect(tract.getWcs().getPixelScale().asArcseconds()).toBeCloseTo(SIMCAM_PLATE_SCALE_ARCSEC_PER_MM * SIMCAM_PIXEL_SIZE_MM, 6);
    expect(tract.getNumPatches()).toEqual({ x: 5, y: 5 });
  });

  it('holds every detector corner of 30 planned visits of each of 5 seeds (full preset dithers), and the whole truth field', async () => {
    const tract = (await makeSkyMapConfigFrom({ configFile: CONFIG })).makeSkyMap().get(0);
    const wcs = tract.getWcs();
    const box = tract.getBBox();
    const detectors = makeSimCamDetectors();
    let worstMargin = Infinity; // pixels between a corner and the tract's edge
    for (let seed = 1; seed <= 5; seed++) {
      for (const visit of planVisits({ seed, visits: 30, bands: ['g', 'r', 'i'], ditherDeg: SIMULATION_PRESETS.full.ditherDeg })) {
        for (const det of detectors) {
          const w = new TrueWcs(det, visit.pointing);
          const b = det.getBBox();
          for (const [x, y] of [
            [b.getMinX() - 0.5, b.getMinY() - 0.5],
            [b.getMaxX() + 0.5, b.getMinY() - 0.5],
            [b.getMinX() - 0.5, b.getMaxY() + 0.5],
            [b.getMaxX() + 0.5, b.getMaxY() + 0.5],
          ] as const) {
            const p = wcs.skyToPixel(w.sipWcs.pixelToSky(x, y));
            worstMargin = Math.min(worstMargin, p.getX() - (box.getMinX() - 0.5), box.getMaxX() + 0.5 - p.getX(), p.getY() - (box.getMinY() - 0.5), box.getMaxY() + 0.5 - p.getY());
          }
        }
      }
    }
    expect(worstMargin).toBeGreaterThan(0);
    // The tract's inscribed circle (half its side) holds the truth catalog's field.
    const halfSideDeg = (box.getWidth() / 2) * (SIMCAM_PLATE_SCALE_ARCSEC_PER_MM * SIMCAM_PIXEL_SIZE_MM) / 3600;
    expect(halfSideDeg).toBeGreaterThanOrEqual(SIMULATION_PRESETS.full.fieldRadiusDeg);
  });
});
