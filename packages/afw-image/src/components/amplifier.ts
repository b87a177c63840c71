// lsst.afw.cameraGeom.Amplifier: one amplifier of a detector, as afw archives it inside a Detector.
import type { ArchiveColumn, ArchiveRecord, ArchiveRows } from '@skystack/afw-table';
import { Box2I, Extent2I } from '@skystack/geom';
import { boxFromCorners } from './chebyshev-bounded-field.js';

/**
 * The corner of the assembled image from which an amplifier is read.
 *
 * @see lsst.afw.cameraGeom.ReadoutCorner
 */
export enum ReadoutCorner {
  /** Lower left. */
  LL = 0,
  /** Lower right. */
  LR = 1,
  /** Upper right. */
  UR = 2,
  /** Upper left. */
  UL = 3,
}

/** The fields of an {@link Amplifier}; what is left out takes the default (0, NaN, empty). */
export interface AmplifierOptions {
  /** Name of the amplifier location in the camera. */
  readonly name?: string;
  /** Box of the amplifier's image data on the assembled image. */
  readonly bbox?: Box2I;
  /** Gain, electron/adu. */
  readonly gain?: number;
  /** Read noise, electron. */
  readonly readNoise?: number;
  /** Level (adu) above which pixels are saturated; NaN when none applies. */
  readonly saturation?: number;
  /** Level (adu) above which pixels are suspect; NaN when none applies. */
  readonly suspectLevel?: number;
  /** Readout corner in the assembled image. */
  readonly readoutCorner?: ReadoutCorner;
  /** Linearity coefficients. */
  readonly linearityCoeffs?: readonly number[];
  /** Linearity model name. */
  readonly linearityType?: string;
  /** Minimum adu level to which linearity is applied. */
  readonly linearityThreshold?: number;
  /** Maximum adu level to which linearity is applied. */
  readonly linearityMaximum?: number;
  /** Input units of the linearity relation. */
  readonly linearityUnits?: string;
  /** Whether raw (untrimmed) amplifier information is available. */
  readonly hasRawInfo?: boolean;
  /** Whole amplifier box on the raw image. */
  readonly rawBBox?: Box2I;
  /** Image data box on the raw image. */
  readonly rawDataBBox?: Box2I;
  /** Flip rows to assemble. */
  readonly rawFlipX?: boolean;
  /** Flip columns to assemble. */
  readonly rawFlipY?: boolean;
  /** Desired xy0 minus raw xy0 when assembling. */
  readonly rawXYOffset?: Extent2I;
  /** Usable horizontal overscan box on the raw image. */
  readonly rawHorizontalOverscanBBox?: Box2I;
  /** Usable vertical overscan box on the raw image. */
  readonly rawVerticalOverscanBBox?: Box2I;
  /** Usable (horizontal) prescan box on the raw image. */
  readonly rawPrescanBBox?: Box2I;
}

/**
 * One amplifier of a detector: geometry on the assembled and raw images, gain, noise,
 * saturation and linearity. Immutable.
 *
 * @see lsst.afw.cameraGeom.Amplifier
 */
export class Amplifier {
  /** Name of the amplifier location in the camera. */
  readonly name: string;
  /** Box of the amplifier's image data on the assembled image. */
  readonly bbox: Box2I;
  /** Gain, electron/adu. */
  readonly gain: number;
  /** Read noise, electron. */
  readonly readNoise: number;
  /** Saturation level, adu (NaN when none). */
  readonly saturation: number;
  /** Suspect level, adu (NaN when none). */
  readonly suspectLevel: number;
  /** Readout corner. */
  readonly readoutCorner: ReadoutCorner;
  /** Linearity coefficients. */
  readonly linearityCoeffs: readonly number[];
  /** Linearity model name. */
  readonly linearityType: string;
  /** Minimum adu level for linearity. */
  readonly linearityThreshold: number;
  /** Maximum adu level for linearity. */
  readonly linearityMaximum: number;
  /** Input units of the linearity relation. */
  readonly linearityUnits: string;
  /** Whether raw amplifier information is available. */
  readonly hasRawInfo: boolean;
  /** Whole amplifier box on the raw image. */
  readonly rawBBox: Box2I;
  /** Image data box on the raw image. */
  readonly rawDataBBox: Box2I;
  /** Flip rows to assemble. */
  readonly rawFlipX: boolean;
  /** Flip columns to assemble. */
  readonly rawFlipY: boolean;
  /** Desired xy0 minus raw xy0 when assembling. */
  readonly rawXYOffset: Extent2I;
  /** Horizontal overscan box on the raw image. */
  readonly rawHorizontalOverscanBBox: Box2I;
  /** Vertical overscan box on the raw image. */
  readonly rawVerticalOverscanBBox: Box2I;
  /** Prescan box on the raw image. */
  readonly rawPrescanBBox: Box2I;

  /**
   * Makes an amplifier.
   *
   * @param options - the fields
   */
  constructor(options: AmplifierOptions = {}) {
    this.name = options.name ?? '';
    this.bbox = options.bbox ?? new Box2I();
    this.gain = options.gain ?? Number.NaN;
    this.readNoise = options.readNoise ?? Number.NaN;
    this.saturation = options.saturation ?? Number.NaN;
    this.suspectLevel = options.suspectLevel ?? Number.NaN;
    this.readoutCorner = options.readoutCorner ?? ReadoutCorner.LL;
    this.linearityCoeffs = Object.freeze([...(options.linearityCoeffs ?? [])]);
    this.linearityType = options.linearityType ?? '';
    this.linearityThreshold = options.linearityThreshold ?? 0;
    this.linearityMaximum = options.linearityMaximum ?? 0;
    this.linearityUnits = options.linearityUnits ?? '';
    this.hasRawInfo = options.hasRawInfo ?? false;
    this.rawBBox = options.rawBBox ?? new Box2I();
    this.rawDataBBox = options.rawDataBBox ?? new Box2I();
    this.rawFlipX = options.rawFlipX ?? false;
    this.rawFlipY = options.rawFlipY ?? false;
    this.rawXYOffset = options.rawXYOffset ?? new Extent2I(0, 0);
    this.rawHorizontalOverscanBBox = options.rawHorizontalOverscanBBox ?? new Box2I();
    this.rawVerticalOverscanBBox = options.rawVerticalOverscanBBox ?? new Box2I();
    this.rawPrescanBBox = options.rawPrescanBBox ?? new Box2I();
  }

  /** The name. */
  getName(): string {
    return this.name;
  }

  /** The box on the assembled image. */
  getBBox(): Box2I {
    return this.bbox;
  }

  /** The gain, electron/adu. */
  getGain(): number {
    return this.gain;
  }

  /** The read noise, electron. */
  getReadNoise(): number {
    return this.readNoise;
  }

  /** `Amplifier(name, bbox)`. */
  toString(): string {
    return `Amplifier(${this.name}, ${this.bbox.toString()})`;
  }
}

/** Box from afw's (min, extent) columns; empty for a non-positive extent. */
function boxFromMinExtent(x: number, y: number, w: number, h: number): Box2I {
  return w > 0 && h > 0 ? boxFromCorners(x, y, x + w - 1, y + h - 1) : new Box2I();
}

const BOXES = [
  ['bbox', 'bbox', 'bbox of amplifier image data on assembled image'],
  ['rawBBox', 'raw_bbox', 'entire amplifier bbox on raw image'],
  ['rawDataBBox', 'raw_databbox', 'image data bbox on raw image'],
  ['rawHorizontalOverscanBBox', 'raw_horizontaloverscanbbox', 'usable horizontal overscan bbox on raw image'],
  ['rawVerticalOverscanBBox', 'raw_verticaloverscanbbox', 'usable vertical overscan region raw image'],
  ['rawPrescanBBox', 'raw_prescanbbox', 'usable (horizontal) prescan bbox on raw image'],
] as const;

function readBox(rows: ArchiveRows, prefix: string, row: number): Box2I {
  return boxFromMinExtent(rows.number(`${prefix}_min_x`, row), rows.number(`${prefix}_min_y`, row), rows.number(`${prefix}_extent_x`, row), rows.number(`${prefix}_extent_y`, row));
}

/**
 * Reads the amplifiers of a Detector (its second catalog), in either afw layout (35 columns
 * with fixed-width strings, or the current 38 with variable-length strings and linearity limits).
 *
 * @internal
 */
export function readAmplifiers(rows: ArchiveRows): Amplifier[] {
  const out: Amplifier[] = [];
  const num = (name: string, row: number, fallback: number): number => (rows.has(name) ? rows.number(name, row) : fallback);
  for (let i = 0; i < rows.length; i++) {
    out.push(
      new Amplifier({
        name: rows.string('name', i),
        bbox: readBox(rows, 'bbox', i),
        gain: rows.number('gain', i),
        readNoise: rows.number('readnoise', i),
        saturation: rows.number('saturation', i),
        suspectLevel: rows.number('suspectlevel', i),
        readoutCorner: rows.number('readoutcorner', i) as ReadoutCorner,
        linearityCoeffs: Array.from(rows.array('linearity_coeffs', i), Number),
        linearityType: rows.string('linearity_type', i),
        linearityThreshold: num('linearityThreshold', i, 0),
        linearityMaximum: num('linearityMaximum', i, 0),
        linearityUnits: rows.has('linearityUnits') ? rows.string('linearityUnits', i) : '',
        hasRawInfo: rows.flag('hasrawinfo', i),
        rawBBox: readBox(rows, 'raw_bbox', i),
        rawDataBBox: readBox(rows, 'raw_databbox', i),
        rawFlipX: rows.flag('raw_flip_x', i),
        rawFlipY: rows.flag('raw_flip_y', i),
        rawXYOffset: new Extent2I(rows.number('raw_xyoffset_x', i), rows.number('raw_xyoffset_y', i)),
        rawHorizontalOverscanBBox: readBox(rows, 'raw_horizontaloverscanbbox', i),
        rawVerticalOverscanBBox: readBox(rows, 'raw_verticaloverscanbbox', i),
        rawPrescanBBox: readBox(rows, 'raw_prescanbbox', i),
      }),
    );
  }
  return out;
}

/**
 * The amplifier catalog layout current afw writes (38 columns and 3 flags) and its rows.
 *
 * @internal
 */
export function amplifierCatalog(amplifiers: readonly Amplifier[]): {
  columns: ArchiveColumn[];
  flags: { name: string; doc: string }[];
  rows: ArchiveRecord[];
} {
  const columns: ArchiveColumn[] = [];
  const boxColumns = (prefix: string, doc: string): void => {
    for (const [part, what] of [['min', 'min point'], ['extent', 'extent']] as const) {
      for (const axis of ['x', 'y']) columns.push({ name: `${prefix}_${part}_${axis}`, format: '1J', unit: 'pixel', doc: `${doc}, ${what}` });
    }
  };
  columns.push({ name: 'name', format: 'QA', doc: 'name of amplifier location in camera' });
  boxColumns('bbox', BOXES[0][2]);
  columns.push(
    { name: 'gain', format: '1D', unit: 'electron adu^-1', doc: 'amplifier gain' },
    { name: 'saturation', format: '1D', unit: 'adu', doc: 'level above which pixels are considered saturated; use `nan` if no such level applies' },
    {
      name: 'suspectlevel',
      format: '1D',
      unit: 'adu',
      doc: 'level above which pixels are considered suspicious, meaning they may be affected by unknown systematics; for example if non-linearity corrections above a certain level are unstable then that would be a useful value for suspectLevel; use `nan` if no such level applies',
    },
    { name: 'readnoise', format: '1D', unit: 'electron', doc: 'amplifier read noise' },
    { name: 'readoutcorner', format: '1J', doc: 'readout corner, in the frame of the assembled image' },
    { name: 'linearity_coeffs', format: 'QD', doc: 'coefficients for linearity fit up to cubic', tccls: 'Array' },
    { name: 'linearity_type', format: 'QA', doc: 'type of linearity model' },
  );
  boxColumns('raw_bbox', BOXES[1][2]);
  boxColumns('raw_databbox', BOXES[2][2]);
  for (const axis of ['x', 'y']) {
    columns.push({ name: `raw_xyoffset_${axis}`, format: '1J', unit: 'pixel', doc: 'offset for assembling a raw CCD image: desired xy0 - raw xy0; 0,0 if raw data comes assembled' });
  }
  boxColumns('raw_horizontaloverscanbbox', BOXES[3][2]);
  boxColumns('raw_verticaloverscanbbox', BOXES[4][2]);
  boxColumns('raw_prescanbbox', BOXES[5][2]);
  columns.push(
    { name: 'linearityThreshold', format: '1D', doc: 'Minimum ADU level to apply linearity.' },
    { name: 'linearityMaximum', format: '1D', doc: 'Maximum ADU level to apply linearity.' },
    { name: 'linearityUnits', format: 'QA', doc: 'Input units for linearity relation.' },
  );
  const flags = [
    { name: 'hasrawinfo', doc: 'is raw amplifier information available (e.g. untrimmed bounding boxes)?' },
    { name: 'raw_flip_x', doc: 'flip row order to make assembled image?' },
    { name: 'raw_flip_y', doc: 'flip column order to make an assembled image?' },
  ];
  const rows = amplifiers.map((a) => {
    const r: Record<string, ArchiveRecord[string]> = {
      hasrawinfo: a.hasRawInfo,
      raw_flip_x: a.rawFlipX,
      raw_flip_y: a.rawFlipY,
      name: a.name,
      gain: a.gain,
      saturation: a.saturation,
      suspectlevel: a.suspectLevel,
      readnoise: a.readNoise,
      readoutcorner: a.readoutCorner,
      linearity_coeffs: Float64Array.from(a.linearityCoeffs),
      linearity_type: a.linearityType,
      raw_xyoffset_x: a.rawXYOffset.x,
      raw_xyoffset_y: a.rawXYOffset.y,
      linearityThreshold: a.linearityThreshold,
      linearityMaximum: a.linearityMaximum,
      linearityUnits: a.linearityUnits,
    };
    for (const [field, prefix] of BOXES) {
      const box = a[field];
      const empty = box.isEmpty();
      r[`${prefix}_min_x`] = empty ? 0 : box.getMinX();
      r[`${prefix}_min_y`] = empty ? 0 : box.getMinY();
      r[`${prefix}_extent_x`] = box.getWidth();
      r[`${prefix}_extent_y`] = box.getHeight();
    }
    return r;
  });
  return { columns, flags, rows };
}
