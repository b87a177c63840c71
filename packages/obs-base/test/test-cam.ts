// A tiny test instrument: 2 detectors of 64x64 pixels, each read by 2 amplifiers with serial
// overscan (raw 80x64), a 200"/mm plate scale, and raw files written per the raw-file contract.
import { Amplifier, Detector, Orientation, ReadoutCorner } from '@skystack/afw-image';
import { Header, writeFits } from '@skystack/fits';
import { Angle, Box2I, Extent2D, Extent2I, Point2D, Point2I } from '@skystack/geom';
import { Camera } from '../src/camera.js';
import { FilterDefinitionCollection } from '../src/filters.js';
import { Instrument, type CuratedCalibration } from '../src/instrument.js';
import type { ModuleImporter } from '../src/module-loader.js';
import { SkyStackTranslator } from '../src/observation-info.js';
import { FitsRawFormatter } from '../src/raw-formatter.js';

/** The module specifier the tests give this file (mapped by {@link testImporter}). */
export const TEST_CAM_MODULE = 'obs-base-test-cam';

const box = (x0: number, y0: number, x1: number, y1: number): Box2I => new Box2I(new Point2I(x0, y0), new Point2I(x1, y1));

function amplifiers(): Amplifier[] {
  return [
    new Amplifier({
      name: 'A',
      bbox: box(0, 0, 31, 63),
      gain: 1.5,
      readNoise: 5,
      readoutCorner: ReadoutCorner.LL,
      hasRawInfo: true,
      rawBBox: box(0, 0, 39, 63),
      rawDataBBox: box(0, 0, 31, 63),
      rawHorizontalOverscanBBox: box(32, 0, 39, 63),
      rawXYOffset: new Extent2I(0, 0),
    }),
    new Amplifier({
      name: 'B',
      bbox: box(32, 0, 63, 63),
      gain: 1.6,
      readNoise: 5,
      readoutCorner: ReadoutCorner.LR,
      hasRawInfo: true,
      rawBBox: box(40, 0, 79, 63),
      rawDataBBox: box(48, 0, 79, 63),
      rawHorizontalOverscanBBox: box(40, 0, 47, 63),
      rawFlipX: true,
      rawXYOffset: new Extent2I(40, 0),
    }),
  ];
}

/** Pixel size, mm. */
export const PIXEL_SIZE_MM = 0.015;
/** Plate scale, arcsec/mm. */
export const PLATE_SCALE = 200;
/** Detector 0: centre at (-0.6, 0) mm, no rotation; detector 1: centre at (0.6, 0.1) mm, yaw 90°. */
export const DETECTOR_LAYOUT = [
  { id: 0, name: 'D0', fp: new Point2D(-0.6, 0), yawDeg: 0 },
  { id: 1, name: 'D1', fp: new Point2D(0.6, 0.1), yawDeg: 90 },
] as const;

/** The test camera. */
export function makeTestCamera(): Camera {
  const detectors = DETECTOR_LAYOUT.map(
    (d) =>
      new Detector({
        name: d.name,
        id: d.id,
        bbox: box(0, 0, 63, 63),
        pixelSize: new Extent2D(PIXEL_SIZE_MM, PIXEL_SIZE_MM),
        orientation: new Orientation(d.fp, new Point2D(31.5, 31.5), Angle.fromDegrees(d.yawDeg)),
        amplifiers: amplifiers(),
      }),
  );
  return new Camera({ name: 'TestCam', detectors, plateScaleArcsecPerMm: PLATE_SCALE });
}

/** The test instrument. */
export class TestCam extends Instrument {
  readonly name = 'TestCam';
  readonly className: string = `${TEST_CAM_MODULE}#TestCam`;
  readonly filterDefinitions = new FilterDefinitionCollection([
    { physical_filter: 'TestCam-g', band: 'g' },
    { physical_filter: 'TestCam-r', band: 'r' },
    { physical_filter: 'TestCam-empty', band: null },
  ]);
  readonly translator = new SkyStackTranslator({ instrument: 'TestCam' });
  override readonly detectorMax = 2;
  readonly #camera = makeTestCamera();
  getCamera(): Camera {
    return this.#camera;
  }
  getRawFormatter(): FitsRawFormatter {
    return new TestCamRawFormatter();
  }
  override getCuratedCalibrationNames(): Set<string> {
    return new Set(['testcal']);
  }
  override async makeCuratedCalibrations(): Promise<readonly CuratedCalibration[]> {
    return [0, 1].map((detector) => ({ datasetTypeName: 'testcal', dimensions: ['instrument', 'detector'], storageClass: 'StructuredDataDict', dataId: { detector }, object: { detector, gain: 1.5 } }));
  }
}

/** The raw formatter of {@link TestCam}. */
export class TestCamRawFormatter extends FitsRawFormatter {
  constructor() {
    super(new TestCam(), `${TEST_CAM_MODULE}#TestCamRawFormatter`);
  }
}

/** An importer that knows this module and obs-base itself. */
export const testImporter: ModuleImporter = async (spec) => {
  if (spec === TEST_CAM_MODULE) return import('./test-cam.js');
  if (spec === '@skystack/obs-base') return import('../src/index.js');
  return import(spec);
};

/** One observation's header values. */
export interface RawSpec {
  readonly expId: number;
  readonly detector: number;
  readonly raDeg: number;
  readonly decDeg: number;
  readonly rotDeg: number;
  readonly filter?: string;
  readonly obsType?: string;
  readonly dateObs?: string;
  readonly expTime?: number;
  readonly airmass?: number;
  readonly uint16?: boolean;
}

/** The primary header of a raw, per the contract. */
export function rawHeader(s: RawSpec): Header {
  const dayObs = Math.floor(s.expId / 100000);
  const seq = s.expId % 100000;
  const expTime = s.expTime ?? 30;
  const dateObs = s.dateObs ?? '2025-03-02T03:04:05.000';
  const end = new Date(Date.parse(`${dateObs}Z`) + expTime * 1000).toISOString().slice(0, 23);
  const h = new Header();
  const det = DETECTOR_LAYOUT[s.detector]!;
  const entries: [string, string | number][] = [
    ['INSTRUME', 'TestCam'],
    ['TELESCOP', 'TestTel'],
    ['OBSTYPE', s.obsType ?? 'science'],
    ['OBJECT', 'field1'],
    ['EXPID', s.expId],
    ['DAYOBS', dayObs],
    ['SEQNUM', seq],
    ['GROUP', String(s.expId)],
    ['DATE-OBS', dateObs],
    ['DATE-END', end],
    ['TIMESYS', 'TAI'],
    ['MJD-OBS', Date.parse(`${dateObs}Z`) / 86400000 + 40587],
    ['EXPTIME', expTime],
    ['DARKTIME', expTime + 1],
    ['FILTER', s.filter ?? 'TestCam-r'],
    ['RA', s.raDeg],
    ['DEC', s.decDeg],
    ['ROTPA', s.rotDeg],
    ['AIRMASS', s.airmass ?? 1.2],
    ['ALTITUDE', 56.4],
    ['AZIMUTH', 120.5],
    ['DETECTOR', s.detector],
    ['DETNAME', det.name],
    ['OBSID', `TC_O_${dayObs}_${String(seq).padStart(6, '0')}`],
    ['SCIPROG', 'test'],
  ];
  for (const [k, v] of entries) h.set(k, v);
  return h;
}

/** The raw pixel value at (x, y) of a detector: a bias level plus a ramp. */
export function rawPixel(x: number, y: number, detector: number): number {
  return 1000 + x + 100 * y + 7 * detector;
}

/** Writes a raw file (primary header + IMAGE HDU of 80x64 pixels). */
export async function writeRaw(path: string, s: RawSpec): Promise<void> {
  const width = 80;
  const height = 64;
  const data = s.uint16 ? new Uint16Array(width * height) : new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = rawPixel(x, y, s.detector);
  const image = new Header();
  image.set('EXTNAME', 'IMAGE');
  image.set('DETECTOR', s.detector);
  await writeFits(path, [{ header: rawHeader(s) }, { header: image, data: { data, width, height } }]);
}
