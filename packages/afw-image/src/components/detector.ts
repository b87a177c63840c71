// lsst.afw.cameraGeom.Detector (summary): identity, geometry, amplifiers and crosstalk, with archive persistence.
import type { RawPersistable} from '@skystack/afw-table';
import { type ArchiveRows, type OutputArchiveHandle, type Persistable } from '@skystack/afw-table';
import type { Box2I} from '@skystack/geom';
import { Angle, Extent2D, Point2D } from '@skystack/geom';
import { AfwImageInvalidArgumentError } from '../errors.js';
import type { Amplifier} from './amplifier.js';
import { amplifierCatalog, readAmplifiers } from './amplifier.js';
import { boxFromCorners } from './chebyshev-bounded-field.js';
import { AfwImageArchiveFormatError, AfwImageNotFoundError } from './errors.js';
import { Orientation } from './orientation.js';

/**
 * The kind of a detector.
 *
 * @see lsst.afw.cameraGeom.DetectorType
 */
export enum DetectorType {
  /** A science sensor. */
  SCIENCE = 0,
  /** A focus sensor. */
  FOCUS = 1,
  /** A guide sensor. */
  GUIDER = 2,
  /** A wavefront sensor. */
  WAVEFRONT = 3,
}

/** The fields of a {@link Detector}. */
export interface DetectorOptions {
  /** Name (`'R22_S11'`). */
  readonly name: string;
  /** Integer ID. */
  readonly id: number;
  /** Kind (science by default). */
  readonly type?: DetectorType;
  /** Serial name. */
  readonly serial?: string;
  /** Pixel bounding box. */
  readonly bbox: Box2I;
  /** Physical pixel size, mm. */
  readonly pixelSize?: Extent2D;
  /** Position in the focal plane. */
  readonly orientation?: Orientation;
  /** Physical type (`'CCD'`, `'ITL'`, `'E2V'`). */
  readonly physicalType?: string;
  /** Amplifiers. */
  readonly amplifiers?: readonly Amplifier[];
  /** Crosstalk matrix, flattened row-major (`n × n` for `n` amplifiers), or `null`. */
  readonly crosstalk?: Float32Array | null;
  /**
   * The camera-geometry TransformMap: kept as what the archive gave (usually an undecoded
   * `RawPersistable` from `@skystack/afw-table`) and written back by reference; `null` for none.
   */
  readonly transformMap?: Persistable | RawPersistable | null;
}

/**
 * A detector of a camera, as an exposure carries it: name, ID, type, serial, pixel box, pixel
 * size, focal-plane orientation, amplifiers and crosstalk. The coordinate transforms
 * (TransformMap) are carried, not evaluated. Immutable.
 *
 * @see lsst.afw.cameraGeom.Detector
 */
export class Detector {
  /** Persistence name in afw archives. */
  readonly persistenceName = 'Detector';
  /** Python module afw records for it. */
  readonly pythonModule = 'lsst.afw.cameraGeom';
  /** Name. */
  readonly name: string;
  /** Integer ID. */
  readonly id: number;
  /** Kind. */
  readonly type: DetectorType;
  /** Serial name. */
  readonly serial: string;
  /** Pixel bounding box. */
  readonly bbox: Box2I;
  /** Pixel size, mm. */
  readonly pixelSize: Extent2D;
  /** Focal-plane orientation. */
  readonly orientation: Orientation;
  /** Physical type. */
  readonly physicalType: string;
  /** Amplifiers. */
  readonly amplifiers: readonly Amplifier[];
  /** Crosstalk matrix, flattened row-major, or `null`. */
  readonly crosstalk: Float32Array | null;
  /** The TransformMap as read (or `null`). */
  readonly transformMap: Persistable | RawPersistable | null;

  /**
   * Makes a detector.
   *
   * @param options - the fields
   * @throws AfwImageInvalidArgumentError when amplifier names repeat or the crosstalk matrix is
   *   not `n × n` for `n` amplifiers
   */
  constructor(options: DetectorOptions) {
    this.name = options.name;
    this.id = options.id;
    this.type = options.type ?? DetectorType.SCIENCE;
    this.serial = options.serial ?? '';
    this.bbox = options.bbox;
    this.pixelSize = options.pixelSize ?? new Extent2D(Number.NaN, Number.NaN);
    this.orientation = options.orientation ?? new Orientation();
    this.physicalType = options.physicalType ?? '';
    this.amplifiers = Object.freeze([...(options.amplifiers ?? [])]);
    this.crosstalk = options.crosstalk ?? null;
    this.transformMap = options.transformMap ?? null;
    const names = new Set(this.amplifiers.map((a) => a.name));
    if (names.size !== this.amplifiers.length) throw new AfwImageInvalidArgumentError(`Detector '${this.name}': amplifier names are not unique.`);
    const n = this.amplifiers.length;
    if (this.crosstalk !== null && this.crosstalk.length !== n * n) {
      throw new AfwImageInvalidArgumentError(`Detector '${this.name}': a crosstalk matrix of ${this.crosstalk.length} elements is not ${n} x ${n} for ${n} amplifiers.`);
    }
  }

  /** The name. */
  getName(): string {
    return this.name;
  }

  /** The integer ID. */
  getId(): number {
    return this.id;
  }

  /** The kind. */
  getType(): DetectorType {
    return this.type;
  }

  /** The serial name. */
  getSerial(): string {
    return this.serial;
  }

  /** The pixel bounding box. */
  getBBox(): Box2I {
    return this.bbox;
  }

  /** The pixel size, mm. */
  getPixelSize(): Extent2D {
    return this.pixelSize;
  }

  /** The focal-plane orientation. */
  getOrientation(): Orientation {
    return this.orientation;
  }

  /** The physical type. */
  getPhysicalType(): string {
    return this.physicalType;
  }

  /** The amplifiers. */
  getAmplifiers(): readonly Amplifier[] {
    return this.amplifiers;
  }

  /** Whether there is a crosstalk matrix. */
  hasCrosstalk(): boolean {
    return this.crosstalk !== null;
  }

  /** The crosstalk matrix as rows, or `null`. */
  getCrosstalk(): number[][] | null {
    const c = this.crosstalk;
    if (c === null) return null;
    const n = this.amplifiers.length;
    return Array.from({ length: n }, (_, i) => Array.from(c.subarray(i * n, (i + 1) * n)));
  }

  /**
   * The amplifier of a name.
   *
   * @param name - the amplifier name
   * @returns the amplifier
   * @throws AfwImageNotFoundError when there is none
   */
  getAmplifier(name: string): Amplifier {
    const amp = this.amplifiers.find((a) => a.name === name);
    if (amp === undefined) throw new AfwImageNotFoundError(`Unknown amplifier "${name}" in detector '${this.name}'; it has ${this.amplifiers.map((a) => a.name).join(', ')}.`);
    return amp;
  }

  /** `Detector(name, id)`. */
  toString(): string {
    return `Detector(${this.name}, id=${this.id}, type=${DetectorType[this.type] ?? this.type}, serial=${this.serial})`;
  }

  /**
   * Writes the detector in afw's current layout: the detector row (20 columns) and the
   * amplifier rows (38 columns, 3 flags); the TransformMap is written by reference (`0` when
   * there is none).
   *
   * @param handle - where to write
   */
  writeToArchive(handle: OutputArchiveHandle): void {
    const transformMap = handle.put(this.transformMap);
    const pixel = (name: string, doc: string) => ({ name, format: '1J', unit: 'pixel', doc });
    const mm = (name: string, doc: string, unit = 'mm') => ({ name, format: '1D', unit, doc });
    const angle = (name: string, doc: string) => ({ name, format: '1D', unit: 'rad', doc, tccls: 'Angle' });
    handle.saveCatalog(
      {
        columns: [
          { name: 'name', format: 'QA', doc: 'Name of the detector' },
          { name: 'id', format: '1J', doc: 'Integer ID for the detector' },
          { name: 'type', format: '1J', doc: 'Raw DetectorType enum value' },
          { name: 'serial', format: 'QA', doc: 'Serial name of the detector' },
          pixel('bbox_min_x', 'Detector bounding box (minimum)'),
          pixel('bbox_min_y', 'Detector bounding box (minimum)'),
          pixel('bbox_max_x', 'Detector bounding box (maximum)'),
          pixel('bbox_max_y', 'Detector bounding box (maximum)'),
          mm('pixelSize_x', 'Physical pixel size'),
          mm('pixelSize_y', 'Physical pixel size'),
          mm('fpPosition_x', 'Focal plane position of reference point'),
          mm('fpPosition_y', 'Focal plane position of reference point'),
          mm('refPoint_x', 'Pixel position of reference point', 'pixel'),
          mm('refPoint_y', 'Pixel position of reference point', 'pixel'),
          angle('yaw', 'Rotation about Z (X to Y), 1st rotation'),
          angle('pitch', "Rotation about Y' (Z'=Z to X'), 2nd rotation"),
          angle('roll', "Rotation about X'' (Y''=Y' to Z''), 3rd rotation"),
          { name: 'transformMap', format: '1J', doc: 'Archive ID of TransformMap' },
          { name: 'crosstalk', format: 'QE', doc: 'Crosstalk matrix, flattened', tccls: 'Array' },
          { name: 'physicalType', format: 'QA', doc: 'Physical type of the detector' },
        ],
      },
      [
        {
          name: this.name,
          id: this.id,
          type: this.type,
          serial: this.serial,
          bbox_min_x: this.bbox.getMinX(),
          bbox_min_y: this.bbox.getMinY(),
          bbox_max_x: this.bbox.getMaxX(),
          bbox_max_y: this.bbox.getMaxY(),
          pixelSize_x: this.pixelSize.x,
          pixelSize_y: this.pixelSize.y,
          fpPosition_x: this.orientation.fpPosition.x,
          fpPosition_y: this.orientation.fpPosition.y,
          refPoint_x: this.orientation.refPoint.x,
          refPoint_y: this.orientation.refPoint.y,
          yaw: this.orientation.yaw.asRadians(),
          pitch: this.orientation.pitch.asRadians(),
          roll: this.orientation.roll.asRadians(),
          transformMap,
          crosstalk: this.crosstalk ?? new Float32Array(0),
          physicalType: this.physicalType,
        },
      ],
    );
    const amps = amplifierCatalog(this.amplifiers);
    handle.saveCatalog({ columns: amps.columns, flags: amps.flags }, amps.rows);
  }
}

/**
 * Reads a Detector: its row, then its amplifier rows; the TransformMap it refers to is taken
 * from the archive as it comes (decoded or raw).
 *
 * @internal
 */
export function readDetector(catalogs: readonly ArchiveRows[], archive: { get(id: number): unknown }): Detector {
  const d = catalogs[0];
  if (d === undefined || d.length !== 1 || catalogs.length > 2) {
    throw new AfwImageArchiveFormatError(`A Detector is one detector row and a catalog of amplifiers; got ${catalogs.length} catalog(s).`);
  }
  const amplifiers = catalogs[1] === undefined ? [] : readAmplifiers(catalogs[1]);
  const crosstalkValues = d.array('crosstalk');
  const tmId = d.number('transformMap');
  const tm = tmId === 0 ? null : archive.get(tmId);
  return new Detector({
    name: d.string('name'),
    id: d.number('id'),
    type: d.number('type') as DetectorType,
    serial: d.string('serial'),
    bbox: boxFromCorners(d.number('bbox_min_x'), d.number('bbox_min_y'), d.number('bbox_max_x'), d.number('bbox_max_y')),
    pixelSize: new Extent2D(d.number('pixelSize_x'), d.number('pixelSize_y')),
    orientation: new Orientation(
      new Point2D(d.number('fpPosition_x'), d.number('fpPosition_y')),
      new Point2D(d.number('refPoint_x'), d.number('refPoint_y')),
      Angle.fromRadians(d.number('yaw')),
      Angle.fromRadians(d.number('pitch')),
      Angle.fromRadians(d.number('roll')),
    ),
    physicalType: d.has('physicalType') ? d.string('physicalType') : '',
    amplifiers,
    crosstalk: crosstalkValues.length === 0 ? null : Float32Array.from(crosstalkValues, Number),
    transformMap: (tm ?? null) as Persistable | RawPersistable | null,
  });
}

