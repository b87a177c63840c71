// One simulated exposure of one detector: sources, sky, instrument signature, noise, raw pixels.
import type { Detector } from '@skystack/afw-image';
import { pixelToFocalPlane, rawExtent, SIMCAM_PLATE_SCALE_ARCSEC_PER_MM, SIMCAM_PIXEL_SIZE_MM, SIMCAM_SATURATION_ADU } from './camera.js';
import { ampForColumn, type DetectorSignature, responseImage } from './detector-signature.js';
import { convolveMixtures, galaxyMixture, type GaussianMixture, mixturePeak, mixtureSquaredIntegral, renderMixture } from './gaussian-mixture.js';
import { type PsfParameters, SimPsfModel } from './psf-model.js';
import { Random } from '@skystack/base';
import { skyShape, type TruthCatalog, type TruthSourceType } from './truth-catalog.js';
import { TrueWcs } from './true-wcs.js';
import { AB_NJY_ZERO_POINT, type VisitPlan } from './visits.js';

/** One truth source as it lands in one exposure. */
export interface ExposureSource {
  /** Truth id. */
  readonly id: number;
  /** Kind. */
  readonly type: TruthSourceType;
  /** True pixel x (from the true WCS), PARENT pixels. */
  readonly x: number;
  /** True pixel y. */
  readonly y: number;
  /** True flux in the visit's band, nJy. */
  readonly fluxNjy: number;
  /** Expected electrons collected (flux × electrons per nJy × response at the source). */
  readonly electrons: number;
  /** Expected flux in the ISR-processed image, ADU (`fluxNjy / photoCalib`). */
  readonly instFlux: number;
  /** Expected S/N of an optimal (matched-filter) measurement: S / √(S + nEff·B). */
  readonly snr: number;
  /** Whether the source's peak exceeds the full well (it bleeds). */
  readonly saturated: boolean;
}

/** A cosmic ray track that was added. */
export interface CosmicRay {
  /** Start x, pixels. */
  readonly x: number;
  /** Start y, pixels. */
  readonly y: number;
  /** Length, pixels. */
  readonly length: number;
  /** Direction, radians from +x. */
  readonly angle: number;
  /** Electrons deposited. */
  readonly electrons: number;
}

/** Options of {@link simulateExposure}. */
export interface SimulateExposureOptions {
  /** Add Poisson, read and row noise (true by default); false gives the expectation, rounded. */
  readonly noise?: boolean;
  /** Add the sky (true by default). */
  readonly sky?: boolean;
  /** Add cosmic rays (true by default when `noise`). */
  readonly cosmicRays?: boolean;
  /** Keep the expected electron image (before noise) in the result (false by default). */
  readonly keepElectrons?: boolean;
}

/** What {@link simulateExposure} returns. */
export interface ExposureSimulation {
  /** The visit. */
  readonly visit: VisitPlan;
  /** The detector. */
  readonly detector: Detector;
  /** The true WCS. */
  readonly wcs: TrueWcs;
  /** The PSF model of the visit. */
  readonly psf: SimPsfModel;
  /** The PSF at the detector centre. */
  readonly psfAtCenter: PsfParameters;
  /** The sources whose true centre is on the detector. */
  readonly sources: readonly ExposureSource[];
  /** The true photometric calibration of the ISR-processed image, nJy per ADU. */
  readonly photoCalibMean: number;
  /** Mean sky at the detector centre, electrons per pixel (unit response). */
  readonly skyElectrons: number;
  /** The cosmic rays added. */
  readonly cosmicRays: readonly CosmicRay[];
  /** The raw pixels (ADU) in the raw layout of the detector, row-major. */
  readonly raw: Uint16Array;
  /** Raw width. */
  readonly rawWidth: number;
  /** Raw height. */
  readonly rawHeight: number;
  /** The expected electron image (sources × response + sky × response + dark), when kept. */
  readonly electrons?: Float64Array;
}

/** A source drawn by {@link renderSources}. */
export interface PlacedSource {
  /** Truth id. */
  readonly id: number;
  /** Row in the truth catalog. */
  readonly index: number;
  /** True pixel x. */
  readonly x: number;
  /** True pixel y. */
  readonly y: number;
  /** The profile drawn (PSF-convolved), pixels. */
  readonly mixture: GaussianMixture;
  /** Total electrons for unit response. */
  readonly electrons: number;
}

/** What {@link renderSources} returns. */
export interface RenderedSources {
  /** Electrons for unit response, `width × height`. */
  readonly signal: Float64Array;
  /** The sources drawn, with their true positions (including those just off the detector). */
  readonly placed: PlacedSource[];
}

/**
 * Draws the sources of the truth catalog on one detector in one visit, for unit response: each
 * star is the PSF at its focal-plane position, each galaxy its Hogg & Lang mixture (shape mapped
 * from the sky to pixels through the local Jacobian of the true WCS) convolved analytically with
 * the PSF, integrated over pixels (see {@link renderMixture}). Sources centred up to 50 pixels
 * off the detector are drawn too (their light spills in).
 *
 * @param detector - the detector
 * @param visit - the visit
 * @param truth - the truth catalog
 * @param wcs - the true WCS of (visit, detector)
 * @param psf - the PSF model of the visit
 * @param ids - draw only these truth ids (all by default)
 * @returns the signal image and the placed sources
 */
export function renderSources(detector: Detector, visit: VisitPlan, truth: TruthCatalog, wcs: TrueWcs, psf: SimPsfModel, ids?: ReadonlySet<number>): RenderedSources {
  const bbox = detector.getBBox();
  const width = bbox.getWidth();
  const height = bbox.getHeight();
  const signal = new Float64Array(width * height);
  const placed: PlacedSource[] = [];
  const [cra, cdec] = wcs.pixelToSky((width - 1) / 2, (height - 1) / 2);
  const pixelScale = SIMCAM_PLATE_SCALE_ARCSEC_PER_MM * SIMCAM_PIXEL_SIZE_MM;
  const cosLimit = Math.cos(((Math.hypot(width, height) / 2 + 100) * pixelScale * Math.PI) / (180 * 3600));
  const sinC = Math.sin(cdec);
  const cosC = Math.cos(cdec);
  const margin = 50;
  const flux = truth.flux[visit.band]!;
  for (let k = 0; k < truth.id.length; k++) {
    const id = truth.id[k]!;
    if (ids !== undefined && !ids.has(id)) continue;
    const ra = (truth.raDeg[k]! * Math.PI) / 180;
    const dec = (truth.decDeg[k]! * Math.PI) / 180;
    if (sinC * Math.sin(dec) + cosC * Math.cos(dec) * Math.cos(ra - cra) < cosLimit) continue;
    const [x, y] = wcs.skyToPixel(ra, dec);
    if (!(x > -margin && x < width + margin && y > -margin && y < height + margin)) continue;
    const [fx, fy] = pixelToFocalPlane(detector, x, y);
    const psfMix = psf.mixtureAt(fx, fy);
    let mixture: GaussianMixture = psfMix;
    const type = truth.type[k]!;
    if (type !== 'star') {
      const [sxx, sxy, syy] = skyShape(truth.reArcsec[k]!, truth.axisRatio[k]!, truth.positionAngleDeg[k]!);
      const j = wcs.jacobianArcsec(x, y);
      // Σ_pix = J⁻¹ Σ_sky J⁻ᵀ
      const det = j[0][0] * j[1][1] - j[0][1] * j[1][0];
      const i00 = j[1][1] / det;
      const i01 = -j[0][1] / det;
      const i10 = -j[1][0] / det;
      const i11 = j[0][0] / det;
      const t00 = i00 * sxx + i01 * sxy;
      const t01 = i00 * sxy + i01 * syy;
      const t10 = i10 * sxx + i11 * sxy;
      const t11 = i10 * sxy + i11 * syy;
      const pxx = t00 * i00 + t01 * i01;
      const pxy = t00 * i10 + t01 * i11;
      const pyy = t10 * i10 + t11 * i11;
      mixture = convolveMixtures(galaxyMixture(type, [pxx, pxy, pyy]), psfMix);
    }
    const electrons = flux[k]! * visit.electronsPerNanojansky;
    renderMixture(signal, width, height, x, y, electrons, mixture);
    placed.push({ id, index: k, x, y, mixture, electrons });
  }
  return { signal, placed };
}

/**
 * Simulates one raw exposure of one detector: renders the sources ({@link renderSources}), adds
 * the sky (with its gradient over the focal plane), multiplies by the response (flat field),
 * adds dark current, draws Poisson electrons, adds cosmic rays (about 300 per 2048² frame in 30
 * s, tracks of 1–15 pixels), bleeds charge above the full well along columns, then reads out
 * each amplifier: bias level + row-to-row offset (in data and overscan alike) + bias structure +
 * electrons / gain + read noise, rounded to uint16 and placed in the raw layout.
 *
 * Everything random comes from streams keyed by (seed, visit, detector), so an exposure does not
 * depend on which others are simulated.
 *
 * @param sig - the detector signature
 * @param visit - the visit
 * @param truth - the truth catalog
 * @param seed - the simulation seed
 * @param options - noise, sky and cosmic-ray switches
 * @returns the raw pixels and the exposure's truth
 */
export function simulateExposure(sig: DetectorSignature, visit: VisitPlan, truth: TruthCatalog, seed: number, options: SimulateExposureOptions = {}): ExposureSimulation {
  const noise = options.noise ?? true;
  const withSky = options.sky ?? true;
  const withCosmicRays = options.cosmicRays ?? noise;
  const detector = sig.detector;
  const { width, height } = sig;
  const wcs = new TrueWcs(detector, visit.pointing);
  const psf = new SimPsfModel(visit.seeingFwhmArcsec, visit.psfE1, visit.psfE2);
  const [cfx, cfy] = pixelToFocalPlane(detector, (width - 1) / 2, (height - 1) / 2);
  const psfAtCenter = psf.at(cfx, cfy);
  const { signal, placed } = renderSources(detector, visit, truth, wcs, psf);
  const response = responseImage(sig, visit.band);
  const pixelArea = (SIMCAM_PLATE_SCALE_ARCSEC_PER_MM * SIMCAM_PIXEL_SIZE_MM) ** 2;
  const skyElectrons = withSky ? visit.electronsPerNanojansky * 10 ** (-0.4 * (visit.skyMagPerArcsec2 - AB_NJY_ZERO_POINT)) * pixelArea : 0;
  const [gx, gy] = visit.skyGradientPerMm;
  const n = width * height;
  const expected = new Float64Array(n);
  for (let y = 0; y < height; y++) {
    const [fxa, fya] = pixelToFocalPlane(detector, 0, y);
    const [fxb, fyb] = pixelToFocalPlane(detector, width - 1, y);
    for (let x = 0; x < width; x++) {
      const t = width === 1 ? 0 : x / (width - 1);
      const sky = skyElectrons * (1 + gx * (fxa + t * (fxb - fxa)) + gy * (fya + t * (fyb - fya)));
      const i = y * width + x;
      expected[i] = response[i]! * (sky + signal[i]!) + sig.darkCurrent[i]! * visit.darkTime;
    }
  }
  // Photometric calibration of the ISR-processed image (flat = (R/g) / mean(R/g)).
  let meanRg = 0;
  for (const amp of sig.amps) {
    let s = 0;
    for (let y = 0; y < height; y++) for (let x = amp.x0; x <= amp.x1; x++) s += response[y * width + x]!;
    meanRg += s / amp.gain;
  }
  meanRg /= n;
  const photoCalibMean = 1 / (visit.electronsPerNanojansky * meanRg);
  // Truth per source.
  const sources: ExposureSource[] = [];
  const fullWell = sig.amps.map((a) => (SIMCAM_SATURATION_ADU + 500 - a.biasLevel) * a.gain);
  for (const p of placed) {
    if (!(p.x >= -0.5 && p.x < width - 0.5 && p.y >= -0.5 && p.y < height - 0.5)) continue;
    const ix = Math.min(width - 1, Math.max(0, Math.round(p.x)));
    const iy = Math.min(height - 1, Math.max(0, Math.round(p.y)));
    const i = iy * width + ix;
    const amp = ampForColumn(sig, ix);
    const r = response[i]!;
    const s = p.electrons * r;
    const background = r * skyElectrons + sig.darkCurrent[i]! * visit.darkTime + amp.readNoise * amp.readNoise;
    const nEff = 1 / mixtureSquaredIntegral(p.mixture);
    const peak = s * mixturePeak(p.mixture) + r * skyElectrons;
    const ampIndex = sig.amps.indexOf(amp);
    sources.push({
      id: p.id,
      type: truth.type[p.index]!,
      x: p.x,
      y: p.y,
      fluxNjy: truth.flux[visit.band]![p.index]!,
      electrons: s,
      instFlux: truth.flux[visit.band]![p.index]! / photoCalibMean,
      snr: s / Math.sqrt(s + nEff * background),
      saturated: peak > fullWell[ampIndex]!,
    });
  }
  // Noise.
  const rng = Random.fromKey(seed, 'exposure', visit.exposureId, 'detector', detector.getId());
  const electrons = new Float64Array(n);
  if (noise) {
    for (let i = 0; i < n; i++) electrons[i] = rng.poisson(expected[i]!);
  } else {
    electrons.set(expected);
  }
  const cosmicRays: CosmicRay[] = [];
  if (withCosmicRays) {
    const crRng = Random.fromKey(seed, 'cosmic-rays', visit.exposureId, 'detector', detector.getId());
    const count = crRng.poisson((300 * n * visit.darkTime) / (2048 * 2048 * 31));
    for (let c = 0; c < count; c++) {
      const cr = { x: crRng.uniformRange(0, width), y: crRng.uniformRange(0, height), length: crRng.uniformRange(1, 15), angle: crRng.uniformRange(0, 2 * Math.PI), electrons: 500 * 10 ** crRng.uniformRange(0, 1.6) };
      cosmicRays.push(cr);
      depositTrack(electrons, width, height, cr);
    }
  }
  // Bleed trails: charge above the full well spreads up and down the column.
  for (const amp of sig.amps) bleed(electrons, width, height, amp.x0, amp.x1, fullWell[sig.amps.indexOf(amp)]!);
  // Readout.
  const ext = rawExtent(detector);
  const rawWidth = ext.getX();
  const rawHeight = ext.getY();
  const raw = new Uint16Array(rawWidth * rawHeight);
  const readRng = Random.fromKey(seed, 'readout', visit.exposureId, 'detector', detector.getId());
  detector.getAmplifiers().forEach((amp, a) => {
    const s = sig.amps[a]!;
    const rnAdu = s.readNoise / s.gain;
    const data = amp.rawDataBBox;
    const seg = amp.rawBBox;
    for (let y = 0; y < height; y++) {
      const rowOffset = noise ? readRng.normal(0, s.rowNoise) : 0;
      const level = s.biasLevel + rowOffset;
      for (let rx = seg.getMinX(); rx <= seg.getMaxX(); rx++) {
        let v = level + (noise ? readRng.normal(0, rnAdu) : 0);
        if (rx >= data.getMinX() && rx <= data.getMaxX()) {
          const x = amp.bbox.getMinX() + (rx - data.getMinX());
          const i = y * width + x;
          v += sig.biasStructure[i]! + electrons[i]! / s.gain;
        }
        raw[y * rawWidth + rx] = Math.min(65535, Math.max(0, Math.round(v)));
      }
    }
  });
  return {
    visit,
    detector,
    wcs,
    psf,
    psfAtCenter,
    sources,
    photoCalibMean,
    skyElectrons,
    cosmicRays,
    raw,
    rawWidth,
    rawHeight,
    ...(options.keepElectrons === true && { electrons: expected }),
  };
}

function depositTrack(image: Float64Array, width: number, height: number, cr: CosmicRay): void {
  const steps = Math.max(1, Math.ceil(cr.length / 0.2));
  const per = cr.electrons / steps;
  const dx = (Math.cos(cr.angle) * cr.length) / steps;
  const dy = (Math.sin(cr.angle) * cr.length) / steps;
  for (let s = 0; s < steps; s++) {
    const ix = Math.round(cr.x + dx * (s + 0.5));
    const iy = Math.round(cr.y + dy * (s + 0.5));
    if (ix >= 0 && ix < width && iy >= 0 && iy < height) image[iy * width + ix] = image[iy * width + ix]! + per;
  }
}

function bleed(image: Float64Array, width: number, height: number, x0: number, x1: number, fullWell: number): void {
  for (let x = x0; x <= x1; x++) {
    let any = false;
    for (let y = 0; y < height; y++) {
      if (image[y * width + x]! > fullWell) {
        any = true;
        break;
      }
    }
    if (!any) continue;
    for (let sweep = 0; sweep < 4 * height; sweep++) {
      let changed = false;
      for (let y = 0; y < height; y++) {
        const i = y * width + x;
        const v = image[i]!;
        if (v <= fullWell) continue;
        const excess = v - fullWell;
        image[i] = fullWell;
        if (y > 0) image[i - width] = image[i - width]! + excess / 2;
        if (y < height - 1) image[i + width] = image[i + width]! + excess / 2;
        changed = true;
      }
      if (!changed) break;
    }
  }
}
