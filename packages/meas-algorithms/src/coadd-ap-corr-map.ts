// lsst.meas.algorithms.makeCoaddApCorrMap: the aperture corrections of a coadd, one CoaddBoundedField per name.
import { ApCorrMap, type ExposureCatalog } from '@skystack/afw-image';
import type { Box2I } from '@skystack/geom';
import { SkyWcs } from '@skystack/wcs';
import { CoaddBoundedField, type CoaddBoundedFieldElement } from './coadd-bounded-field.js';
import { MeasAlgorithmsInvalidArgumentError } from './errors.js';

/**
 * Makes the aperture corrections of a coadd from those of its inputs: every name found in the
 * inputs' ApCorrMaps maps to a {@link CoaddBoundedField} (one that throws where no input
 * contributes) over the inputs that have that name, each with its WCS, valid polygon and weight
 * (inputs without an ApCorrMap, or with an empty one, are skipped), in catalog order.
 *
 * @param ccds - the coadd's input exposures (a `CoaddInputs.ccds` catalog), each with a `SkyWcs`
 * @param coaddBBox - the coadd's box
 * @param coaddWcs - the coadd's WCS
 * @param weightFieldName - the catalog field holding each input's weight
 * @returns the coadd's aperture corrections
 * @throws {@link MeasAlgorithmsInvalidArgumentError} when the catalog has no weight field, or an
 *   input with aperture corrections has no `SkyWcs` or an ApCorrMap SkyStack could not decode
 * @example
 * ```ts
 * const apCorrMap = makeCoaddApCorrMap(coaddInputs.ccds, coadd.getBBox(), coadd.getWcs()!);
 * apCorrMap.require('base_PsfFlux_instFlux').evaluate(2000, 2000);
 * ```
 * @see lsst.meas.algorithms.makeCoaddApCorrMap
 */
export function makeCoaddApCorrMap(ccds: ExposureCatalog, coaddBBox: Box2I, coaddWcs: SkyWcs, weightFieldName = 'weight'): ApCorrMap {
  if (ccds.schema.tryFind(weightFieldName) === undefined) {
    throw new MeasAlgorithmsInvalidArgumentError(`The ccd catalog given to makeCoaddApCorrMap has no weight field '${weightFieldName}'.`, {
      hint: "CoaddInputs.makeCcdSchema() has a 'weight' field; pass weightFieldName for another.",
    });
  }
  const everything = new Map<string, CoaddBoundedFieldElement[]>();
  for (let i = 0; i < ccds.length; i++) {
    const record = ccds.get(i);
    const apCorrMap = record.getApCorrMap() as unknown;
    if (apCorrMap === null || apCorrMap === undefined) continue;
    if (!(apCorrMap instanceof ApCorrMap)) {
      throw new MeasAlgorithmsInvalidArgumentError(`Input ${i} (id ${record.getId()}) of makeCoaddApCorrMap has an aperture correction map SkyStack cannot use: ${String(apCorrMap)}.`, {
        hint: 'Read the catalog with a registry that has the readers of its BoundedFields.',
      });
    }
    if (apCorrMap.size === 0) continue;
    const wcs = record.getWcs();
    if (!(wcs instanceof SkyWcs)) {
      throw new MeasAlgorithmsInvalidArgumentError(`Input ${i} (id ${record.getId()}) of makeCoaddApCorrMap has aperture corrections but no SkyWcs; got ${String(wcs)}.`);
    }
    const weight = record.getNumber(weightFieldName);
    const validPolygon = record.getValidPolygon();
    for (const [name, field] of apCorrMap.entries()) {
      let list = everything.get(name);
      if (list === undefined) everything.set(name, (list = []));
      list.push({ field, wcs, validPolygon, weight });
    }
  }
  const out = new ApCorrMap();
  for (const [name, elements] of everything) out.set(name, new CoaddBoundedField(coaddBBox, coaddWcs, elements));
  return out;
}
