// The formatter of the `Camera` storage class: obs-base's Camera (detectors, amplifiers, plate
// scale, radial distortion) as a JSON document.
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@skystack/base';
import { Amplifier, Detector, DetectorType, Orientation, type ReadoutCorner } from '@skystack/afw-image';
import type { Formatter, FormatterReadContext, FormatterWriteContext } from '@skystack/daf-butler';
import { Angle, Box2I, Extent2D, Extent2I, Point2D, Point2I } from '@skystack/geom';
import { Camera } from '../camera.js';
import { ObsBaseFormatterError } from '../errors.js';

/** The `format` value of a camera JSON document. */
export const CAMERA_JSON_FORMAT = 'skystack-camera';
/** The `version` of the camera JSON documents this package writes. */
export const CAMERA_JSON_VERSION = 1;

/** A box as `[minX, minY, maxX, maxY]` (inclusive corners), or null for an empty box. */
type BoxJson = [number, number, number, number] | null;

const boxJson = (b: Box2I): BoxJson => (b.isEmpty() ? null : [b.getMinX(), b.getMinY(), b.getMaxX(), b.getMaxY()]);
const boxFrom = (v: unknown, where: string): Box2I => {
  if (v === null || v === undefined) return new Box2I();
  if (!Array.isArray(v) || v.length !== 4 || !v.every((x) => Number.isInteger(x))) {
    throw new ObsBaseFormatterError(`Camera JSON: ${where} must be [minX, minY, maxX, maxY] integers or null; given ${JSON.stringify(v)}.`);
  }
  return new Box2I(new Point2I(v[0] as number, v[1] as number), new Point2I(v[2] as number, v[3] as number));
};
/** NaN and infinities survive JSON as strings. */
const num = (v: number): number | string => (Number.isFinite(v) ? v : String(v));
const numFrom = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN);

function amplifierJson(a: Amplifier): Record<string, unknown> {
  return {
    name: a.name,
    bbox: boxJson(a.bbox),
    gain: num(a.gain),
    readNoise: num(a.readNoise),
    saturation: num(a.saturation),
    suspectLevel: num(a.suspectLevel),
    readoutCorner: a.readoutCorner,
    linearityCoeffs: a.linearityCoeffs.map(num),
    linearityType: a.linearityType,
    linearityThreshold: num(a.linearityThreshold),
    linearityMaximum: num(a.linearityMaximum),
    linearityUnits: a.linearityUnits,
    hasRawInfo: a.hasRawInfo,
    rawBBox: boxJson(a.rawBBox),
    rawDataBBox: boxJson(a.rawDataBBox),
    rawFlipX: a.rawFlipX,
    rawFlipY: a.rawFlipY,
    rawXYOffset: [a.rawXYOffset.x, a.rawXYOffset.y],
    rawHorizontalOverscanBBox: boxJson(a.rawHorizontalOverscanBBox),
    rawVerticalOverscanBBox: boxJson(a.rawVerticalOverscanBBox),
    rawPrescanBBox: boxJson(a.rawPrescanBBox),
  };
}

function amplifierFrom(o: Record<string, unknown>, where: string): Amplifier {
  const off = (o['rawXYOffset'] as number[] | undefined) ?? [0, 0];
  return new Amplifier({
    name: String(o['name'] ?? ''),
    bbox: boxFrom(o['bbox'], `${where}.bbox`),
    gain: numFrom(o['gain']),
    readNoise: numFrom(o['readNoise']),
    saturation: numFrom(o['saturation']),
    suspectLevel: numFrom(o['suspectLevel']),
    readoutCorner: Number(o['readoutCorner'] ?? 0) as ReadoutCorner,
    linearityCoeffs: ((o['linearityCoeffs'] as unknown[] | undefined) ?? []).map(numFrom),
    linearityType: String(o['linearityType'] ?? ''),
    linearityThreshold: numFrom(o['linearityThreshold'] ?? 0),
    linearityMaximum: numFrom(o['linearityMaximum'] ?? 0),
    linearityUnits: String(o['linearityUnits'] ?? ''),
    hasRawInfo: o['hasRawInfo'] === true,
    rawBBox: boxFrom(o['rawBBox'], `${where}.rawBBox`),
    rawDataBBox: boxFrom(o['rawDataBBox'], `${where}.rawDataBBox`),
    rawFlipX: o['rawFlipX'] === true,
    rawFlipY: o['rawFlipY'] === true,
    rawXYOffset: new Extent2I(off[0] ?? 0, off[1] ?? 0),
    rawHorizontalOverscanBBox: boxFrom(o['rawHorizontalOverscanBBox'], `${where}.rawHorizontalOverscanBBox`),
    rawVerticalOverscanBBox: boxFrom(o['rawVerticalOverscanBBox'], `${where}.rawVerticalOverscanBBox`),
    rawPrescanBBox: boxFrom(o['rawPrescanBBox'], `${where}.rawPrescanBBox`),
  });
}

/**
 * A camera as a plain JSON-able document: `format`, `version`, `name`, `plateScaleArcsecPerMm`,
 * `radialCoeffs` and, per detector, its identity (`id`, `name`, `type` as afw's DetectorType name,
 * `serial`, `physicalType`), `bbox` (`[minX, minY, maxX, maxY]`), `pixelSize` (mm),
 * `orientation` (`fpPosition` mm, `refPoint` pixels, `yawDeg`, `pitchDeg`, `rollDeg`), the
 * crosstalk matrix (row-major or null) and its amplifiers with every afw Amplifier field. A
 * detector's `transformMap` (an AST transform of afw) is not kept.
 *
 * @param camera - the camera
 * @returns the document
 * @example
 * ```ts
 * const text = JSON.stringify(cameraToJson(camera));
 * const back = cameraFromJson(JSON.parse(text));
 * ```
 * @see lsst.afw.cameraGeom.Camera (persisted as a FITS archive in LSST)
 */
export function cameraToJson(camera: Camera): Record<string, unknown> {
  return {
    format: CAMERA_JSON_FORMAT,
    version: CAMERA_JSON_VERSION,
    name: camera.name,
    plateScaleArcsecPerMm: camera.plateScale.asArcseconds(),
    radialCoeffs: [...camera.radialCoeffs],
    detectors: [...camera].map((d) => ({
      id: d.id,
      name: d.name,
      type: DetectorType[d.type] ?? 'SCIENCE',
      serial: d.serial,
      physicalType: d.physicalType,
      bbox: boxJson(d.bbox),
      pixelSize: [num(d.pixelSize.x), num(d.pixelSize.y)],
      orientation: {
        fpPosition: [d.orientation.fpPosition.x, d.orientation.fpPosition.y],
        refPoint: [d.orientation.refPoint.x, d.orientation.refPoint.y],
        yawDeg: d.orientation.yaw.asDegrees(),
        pitchDeg: d.orientation.pitch.asDegrees(),
        rollDeg: d.orientation.roll.asDegrees(),
      },
      crosstalk: d.crosstalk === null ? null : Array.from(d.crosstalk),
      amplifiers: d.amplifiers.map(amplifierJson),
    })),
  };
}

/**
 * The camera of a document written by {@link cameraToJson}.
 *
 * @param doc - the parsed document
 * @returns the camera
 * @throws ObsBaseFormatterError when the document is not a camera document of a known version
 * @example
 * ```ts
 * const camera = cameraFromJson(JSON.parse(await readFile('camera.json', 'utf8')));
 * ```
 */
export function cameraFromJson(doc: unknown): Camera {
  if (doc === null || typeof doc !== 'object' || (doc as Record<string, unknown>)['format'] !== CAMERA_JSON_FORMAT) {
    throw new ObsBaseFormatterError(`Not a camera document: expected an object with format '${CAMERA_JSON_FORMAT}'.`);
  }
  const o = doc as Record<string, unknown>;
  if (o['version'] !== CAMERA_JSON_VERSION) {
    throw new ObsBaseFormatterError(`Camera document version ${JSON.stringify(o['version'])} is not supported; this package reads version ${CAMERA_JSON_VERSION}.`);
  }
  const dets = o['detectors'];
  if (!Array.isArray(dets)) throw new ObsBaseFormatterError('Camera document: detectors must be a list.');
  const detectors = dets.map((raw: unknown, i) => {
    const d = raw as Record<string, unknown>;
    const where = `detectors[${i}]`;
    const or = (d['orientation'] ?? {}) as Record<string, unknown>;
    const fp = (or['fpPosition'] as number[] | undefined) ?? [0, 0];
    const ref = (or['refPoint'] as number[] | undefined) ?? [-0.5, -0.5];
    const ps = (d['pixelSize'] as unknown[] | undefined) ?? [Number.NaN, Number.NaN];
    const type = DetectorType[String(d['type'] ?? 'SCIENCE') as keyof typeof DetectorType];
    const xt = d['crosstalk'];
    return new Detector({
      id: Number(d['id']),
      name: String(d['name']),
      type: type ?? DetectorType.SCIENCE,
      serial: String(d['serial'] ?? ''),
      physicalType: String(d['physicalType'] ?? ''),
      bbox: boxFrom(d['bbox'], `${where}.bbox`),
      pixelSize: new Extent2D(numFrom(ps[0]), numFrom(ps[1])),
      orientation: new Orientation(
        new Point2D(fp[0]!, fp[1]!),
        new Point2D(ref[0]!, ref[1]!),
        Angle.fromDegrees(Number(or['yawDeg'] ?? 0)),
        Angle.fromDegrees(Number(or['pitchDeg'] ?? 0)),
        Angle.fromDegrees(Number(or['rollDeg'] ?? 0)),
      ),
      crosstalk: Array.isArray(xt) ? Float32Array.from(xt.map(numFrom)) : null,
      amplifiers: ((d['amplifiers'] as Record<string, unknown>[] | undefined) ?? []).map((a, k) => amplifierFrom(a, `${where}.amplifiers[${k}]`)),
    });
  });
  return new Camera({
    name: String(o['name']),
    detectors,
    plateScaleArcsecPerMm: Number(o['plateScaleArcsecPerMm']),
    radialCoeffs: (o['radialCoeffs'] as number[] | undefined) ?? [0, 1],
  });
}

/**
 * Reads and writes obs-base {@link Camera}s as JSON documents ({@link cameraToJson}): the
 * `camera` dataset every instrument writes with its curated calibrations. `registerFormatters`
 * maps the `Camera` storage class to this formatter. LSST persists cameras as afw FITS archives
 * (with AST transforms); SkyStack's cameras are the detectors, the plate scale and the radial
 * polynomial, which this JSON keeps exactly. Files are written to a temporary name and renamed.
 *
 * @example
 * ```ts
 * const camera = (await butler.get('camera', { instrument: 'SimCam' }, { collections: 'SimCam/calib', timespan })) as Camera;
 * ```
 * @see lsst.obs.base.formatters.fitsGeneric.FitsGenericFormatter (LSST's formatter of cameras)
 */
export class CameraFormatter implements Formatter {
  /** `CameraFormatter`. */
  readonly name = 'CameraFormatter';
  /** `.json`. */
  readonly extension = '.json';

  /**
   * Writes the camera.
   *
   * @param obj - a {@link Camera}
   * @param path - the file
   * @param ctx - storage class and dataset type
   * @throws ObsBaseFormatterError when `obj` is not a Camera
   */
  async write(obj: unknown, path: string, ctx: FormatterWriteContext): Promise<void> {
    if (!(obj instanceof Camera)) {
      const what = obj === null ? 'null' : typeof obj === 'object' ? `a ${obj.constructor?.name ?? 'object'}` : typeof obj;
      throw new ObsBaseFormatterError(`CameraFormatter cannot write '${ctx.datasetTypeName}' (storage class ${ctx.storageClass.name}): it writes obs-base Cameras, and was given ${what}.`);
    }
    await writeFileAtomic(path, `${JSON.stringify(cameraToJson(obj), null, 1)}\n`);
  }

  /**
   * Reads the camera.
   *
   * @param path - the file
   * @param _ctx - the storage class
   * @returns the {@link Camera}
   * @throws ObsBaseFormatterError when the file is not a camera document
   */
  async read(path: string, _ctx: FormatterReadContext): Promise<unknown> {
    let doc: unknown;
    try {
      doc = JSON.parse(await readFile(path, 'utf8'));
    } catch (e) {
      throw new ObsBaseFormatterError(`Cannot read the camera file ${path}: ${(e as Error).message}`, { cause: e });
    }
    return cameraFromJson(doc);
  }

  /**
   * Cameras have no components read separately.
   *
   * @param _component - the component
   * @returns false
   */
  canReadComponent(_component: string): boolean {
    return false;
  }
}
