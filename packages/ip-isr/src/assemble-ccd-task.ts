// lsst.ip.isr.assembleCcdTask.AssembleCcdTask: put the amplifiers of an untrimmed raw exposure
// into their places on the detector (afw's assembleAmplifierImage / assembleAmplifierRawImage).
import { Exposure, Image, Mask, MaskedImage } from '@skystack/afw-image';
import type { Amplifier, PixelArray } from '@skystack/afw-image';
import { Box2I, Point2I } from '@skystack/geom';
import { Config, Field, ListField } from '@skystack/pex-config';
import { Task } from '@skystack/pipe-base';
import type { TaskOptions } from '@skystack/pipe-base';
import { IpIsrGeometryError } from './errors.js';

/**
 * Configuration of {@link AssembleCcdTask} (LSST's fields and defaults).
 *
 * @see lsst.ip.isr.assembleCcdTask.AssembleCcdConfig
 */
export class AssembleCcdConfig extends Config {
  /** Trim to the data boxes (default true); otherwise keep prescan and overscan pixels. */
  doTrim = Field.bool({ doc: 'trim out non-data regions?', default: true });
  /** Metadata keys removed from the assembled exposure (default none). */
  keysToRemove = ListField({ doc: 'FITS headers to remove (in addition to DATASEC, BIASSEC, TRIMSEC and perhaps GAIN)', dtype: 'str', default: [] });
}

/** A typed-array plane view: what {@link copyFlipped} copies between. */
interface PlaneView {
  readonly data: PixelArray | Int32Array;
  readonly stride: number;
}

/**
 * Copies a box of a plane into another box of the same size, mirrored in x and/or y (row copies
 * with `TypedArray.set`, mirrored rows reversed in place).
 *
 * @internal
 */
function copyFlipped(src: PlaneView, srcX0: number, srcY0: number, dst: PlaneView, dstX0: number, dstY0: number, width: number, height: number, flipX: boolean, flipY: boolean): void {
  const sameType = src.data.constructor === dst.data.constructor;
  for (let y = 0; y < height; y++) {
    const sy = flipY ? srcY0 + height - 1 - y : srcY0 + y;
    const so = sy * src.stride + srcX0;
    const d = (dstY0 + y) * dst.stride + dstX0;
    if (sameType) {
      (dst.data as Float32Array).set((src.data as Float32Array).subarray(so, so + width), d);
      if (flipX) dst.data.subarray(d, d + width).reverse();
    } else {
      const sd = src.data;
      const dd = dst.data;
      for (let x = 0; x < width; x++) dd[d + x] = sd[so + (flipX ? width - 1 - x : x)]!;
    }
  }
}

/**
 * Assembles an untrimmed raw exposure into a detector exposure: each amplifier's data box
 * (`rawDataBBox`, or the whole `rawBBox` with `doTrim = false`) is mirrored as `rawFlipX` /
 * `rawFlipY` say and copied to its box on the detector (`bbox`, or `rawBBox` moved by
 * `rawXYOffset`). All three planes are copied; the ExposureInfo is kept (metadata without
 * `keysToRemove`).
 *
 * @example
 * ```ts
 * const assembled = new AssembleCcdTask().assembleCcd(raw); // detector bbox, amplifiers in place
 * ```
 * @see lsst.ip.isr.assembleCcdTask.AssembleCcdTask
 */
export class AssembleCcdTask extends Task<AssembleCcdConfig> {
  /** {@link AssembleCcdConfig}. */
  static override ConfigClass = AssembleCcdConfig;
  /** `assembleCcd`. */
  static override _DefaultName: string | undefined = 'assembleCcd';

  /**
   * Makes the task (top-level, or as a subtask of IsrTask).
   *
   * @param options - config, name, parentTask, log
   */
  constructor(options: TaskOptions<AssembleCcdConfig> = {}) {
    super(options);
  }

  /**
   * Assembles the amplifiers.
   *
   * @param exposure - the untrimmed raw exposure, with a Detector whose amplifiers have raw geometry
   * @returns a new exposure covering the detector (trimmed) or the amplifiers' raw boxes laid out
   *   with their offsets (untrimmed)
   * @throws {@link IpIsrGeometryError} when there is no detector, or a box does not fit
   * @see lsst.ip.isr.assembleCcdTask.AssembleCcdTask.assembleCcd
   */
  assembleCcd<A extends PixelArray>(exposure: Exposure<A>): Exposure<A> {
    const detector = exposure.getDetector();
    if (detector === null || detector.amplifiers.length === 0) {
      throw new IpIsrGeometryError('Cannot assemble an exposure without a Detector with amplifiers.', { hint: 'Attach the camera geometry (exposure.setDetector).' });
    }
    const trim = this.config.doTrim;
    const inBBox = exposure.getBBox();
    const places = detector.amplifiers.map((amp) => this.#placement(amp, trim, inBBox));
    let outBBox: Box2I;
    if (trim) {
      outBBox = detector.bbox;
    } else {
      let minX = Infinity;
      let minY = Infinity;
      let maxX = -Infinity;
      let maxY = -Infinity;
      for (const p of places) {
        minX = Math.min(minX, p.dst.minX);
        minY = Math.min(minY, p.dst.minY);
        maxX = Math.max(maxX, p.dst.maxX);
        maxY = Math.max(maxY, p.dst.maxY);
      }
      outBBox = new Box2I(new Point2I(minX, minY), new Point2I(maxX, maxY));
    }
    for (const p of places) {
      if (!outBBox.contains(p.dst)) {
        throw new IpIsrGeometryError(`Amplifier '${p.amp.name}' goes to ${p.dst.toString()}, outside the assembled image ${outBBox.toString()}.`);
      }
    }
    const src = exposure.maskedImage;
    const image = Image.make(src.image.pixelType, outBBox) as Image<A>;
    const mask = Mask.make(outBBox, { planeDict: src.mask.planeDict.clone() });
    const variance = Image.make('float32', outBBox);
    for (const p of places) {
      const sx = p.src.minX - inBBox.minX;
      const sy = p.src.minY - inBBox.minY;
      const dx = p.dst.minX - outBBox.minX;
      const dy = p.dst.minY - outBBox.minY;
      const w = p.src.width;
      const h = p.src.height;
      const fx = p.amp.rawFlipX;
      const fy = p.amp.rawFlipY;
      copyFlipped(src.image.array, sx, sy, image.array, dx, dy, w, h, fx, fy);
      copyFlipped(src.mask.array, sx, sy, mask.array, dx, dy, w, h, fx, fy);
      copyFlipped(src.variance.array, sx, sy, variance.array, dx, dy, w, h, fx, fy);
    }
    const info = exposure.getInfo().clone();
    const md = info.getMetadata();
    for (const key of this.config.keysToRemove) if (md.has(key)) md.delete(key);
    return new Exposure(new MaskedImage(image, mask, variance), info);
  }

  #placement(amp: Amplifier, trim: boolean, inBBox: Box2I): { amp: Amplifier; src: Box2I; dst: Box2I } {
    if (!amp.hasRawInfo && amp.rawBBox.isEmpty()) {
      throw new IpIsrGeometryError(`Amplifier '${amp.name}' has no raw geometry (hasRawInfo is false and rawBBox is empty).`);
    }
    const src = trim ? amp.rawDataBBox : amp.rawBBox;
    const dst = trim ? amp.bbox : amp.rawBBox.shiftedBy(amp.rawXYOffset);
    if (!inBBox.contains(src)) {
      throw new IpIsrGeometryError(`Amplifier '${amp.name}': its raw box ${src.toString()} is not inside the exposure ${inBBox.toString()}.`, {
        hint: 'Is the exposure already assembled? Set doAssembleCcd=false for assembled images.',
      });
    }
    if (src.width !== dst.width || src.height !== dst.height) {
      throw new IpIsrGeometryError(`Amplifier '${amp.name}': the raw box ${src.toString()} and the assembled box ${dst.toString()} differ in size.`);
    }
    return { amp, src, dst };
  }
}
