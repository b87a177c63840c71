// lsst.afw.math.convolve of a MaskedImage with a (spatially varying) Kernel, with afw's
// ConvolutionControl (doNormalize, maxInterpolationDistance) and linear interpolation of the
// kernel image between grid nodes (afw's convolveWithInterpolation).
import { Image, LinearCombinationKernel, MaskedImage, type Kernel, type PixelArray } from '@skystack/afw-image';
import { IpDiffimInvalidArgumentError } from './errors.js';

/** Options of {@link convolveMaskedImageSpatial} (afw's `ConvolutionControl`). */
export interface SpatialConvolutionControl {
  /** Divide by the kernel sum at each pixel (default `true`). */
  readonly doNormalize?: boolean;
  /**
   * Spacing (pixels) of the grid on which a spatially varying kernel is evaluated; between nodes
   * the kernel image is interpolated linearly (afw's default 10). `≤ 1` evaluates the kernel at
   * every pixel (exact, slow).
   */
  readonly maxInterpolationDistance?: number;
  /** Mask plane set on edge pixels (default `'EDGE'`). */
  readonly edgeMaskPlane?: string;
}

/** Evaluates kernel images at positions, fast for LinearCombinationKernels. */
class KernelEvaluator {
  readonly #kernel: Kernel;
  readonly #basis: Float64Array[] | undefined;
  readonly #n: number;

  constructor(kernel: Kernel) {
    this.#kernel = kernel;
    this.#n = kernel.width * kernel.height;
    if (kernel instanceof LinearCombinationKernel) {
      this.#basis = kernel.getKernelList().map((k) => {
        const v = new Float64Array(this.#n);
        k.computeImageInto(new Image(v, k.width, k.height), false);
        return v;
      });
    }
  }

  /** Writes the unnormalised kernel at (x, y) into `out` and returns its sum. */
  evaluate(out: Float64Array, x: number, y: number): number {
    if (this.#basis === undefined) {
      const img = new Image(out, this.#kernel.width, this.#kernel.height);
      return this.#kernel.computeImageInto(img, false, x, y);
    }
    const a = (this.#kernel as LinearCombinationKernel).getKernelParameters(x, y);
    out.fill(0);
    for (let b = 0; b < a.length; b++) {
      const ab = a[b]!;
      if (ab === 0) continue;
      const v = this.#basis[b]!;
      for (let i = 0; i < this.#n; i++) out[i]! += ab * v[i]!;
    }
    let sum = 0;
    for (let i = 0; i < this.#n; i++) sum += out[i]!;
    return sum;
  }
}

function contiguousF32(view: { data: ArrayLike<number>; width: number; height: number; stride: number }): Float32Array {
  if (view.data instanceof Float32Array && view.stride === view.width && view.data.length === view.width * view.height) return view.data;
  const out = new Float32Array(view.width * view.height);
  for (let y = 0; y < view.height; y++) for (let x = 0; x < view.width; x++) out[y * view.width + x] = view.data[y * view.stride + x]!;
  return out;
}

function nodes(first: number, last: number, step: number): number[] {
  const out: number[] = [];
  for (let p = first; p < last; p += step) out.push(p);
  out.push(last);
  return out;
}

/**
 * Convolves a masked image with a kernel (afw's `convolve(out, in, kernel, convolutionControl)`):
 * image ⊗ k, variance ⊗ k² (independent pixels), mask = OR of the input mask over the kernel box.
 * Output pixel (x, y) is `Σ_ij k(i, j) in(x − ctrX + i, y − ctrY + j)` (afw's orientation: the
 * kernel is not flipped), the kernel evaluated at the PARENT position of the output pixel. Pixels
 * closer to the border than the kernel reaches are edge pixels: image NaN, variance +∞, mask the
 * EDGE bit only. With `doNormalize` the image is divided by the kernel sum and the variance by
 * its square.
 *
 * A spatially varying kernel is evaluated on a grid of nodes `maxInterpolationDistance` apart
 * (plus the last good row/column) and interpolated linearly (bilinearly between the four nodes of
 * a block) at each pixel, as afw does by default; the kernel sum is interpolated the same way
 * (exact for a LinearCombinationKernel, whose sum is linear in its coefficients).
 *
 * @param input - the masked image (any pixel type)
 * @param kernel - the kernel (fixed or spatially varying)
 * @param control - `doNormalize`, `maxInterpolationDistance`, `edgeMaskPlane`
 * @returns a new float32 masked image with the input's bbox and mask planes
 * @throws {@link IpDiffimInvalidArgumentError} when the edge mask plane is missing or the control is invalid
 * @example
 * ```ts
 * const out = convolveMaskedImageSpatial(exposure.maskedImage, matchingKernel, { doNormalize: true });
 * ```
 * @see lsst.afw.math.convolve, lsst.afw.math.ConvolutionControl
 */
export function convolveMaskedImageSpatial(
  input: MaskedImage<PixelArray>,
  kernel: Kernel,
  control: SpatialConvolutionControl = {},
): MaskedImage<Float32Array> {
  const doNormalize = control.doNormalize ?? true;
  const maxDist = control.maxInterpolationDistance ?? 10;
  if (!Number.isInteger(maxDist)) throw new IpDiffimInvalidArgumentError(`maxInterpolationDistance must be an integer; got ${maxDist}.`);
  const bbox = input.getBBox();
  const out = MaskedImage.make('float32', bbox, input.mask.planeDict);
  const planeName = control.edgeMaskPlane ?? 'EDGE';
  if (!input.mask.planeDict.hasPlane(planeName)) {
    throw new IpDiffimInvalidArgumentError(`The mask has no '${planeName}' plane to flag edge pixels.`, { hint: 'Add the plane or choose another edgeMaskPlane.' });
  }
  const edgeBit = input.mask.getPlaneBitMask(planeName);
  const W = input.getWidth();
  const H = input.getHeight();
  const x0Parent = bbox.getMinX();
  const y0Parent = bbox.getMinY();
  // Contiguous float32 planes: one element type in the hot loop (a union of typed arrays there
  // makes V8's element access polymorphic and several times slower).
  const img = contiguousF32(input.image.array);
  const vari = contiguousF32(input.variance.array);
  const sI = W;
  const sV = W;
  const { data: msk, stride: sM } = input.mask.array;
  const oImg = out.image.array.data;
  const oVar = out.variance.array.data;
  const oMsk = out.mask.array.data;
  oImg.fill(Number.NaN);
  oVar.fill(Number.POSITIVE_INFINITY);
  oMsk.fill(edgeBit);

  const kw = kernel.width;
  const kh = kernel.height;
  const cx = kernel.getCtr().getX();
  const cy = kernel.getCtr().getY();
  const gx0 = cx;
  const gx1 = W - kw + cx;
  const gy0 = cy;
  const gy1 = H - kh + cy;
  if (gx1 < gx0 || gy1 < gy0) return out;

  // Mask: OR over the kernel box, separably (rows, then columns).
  const rowOr = new Int32Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = gx0; x <= gx1; x++) {
      let m = 0;
      const o = y * sM + x - cx;
      for (let i = 0; i < kw; i++) m |= msk[o + i]!;
      rowOr[y * W + x] = m;
    }
  }
  for (let y = gy0; y <= gy1; y++) {
    for (let x = gx0; x <= gx1; x++) {
      let m = 0;
      for (let j = 0; j < kh; j++) m |= rowOr[(y - cy + j) * W + x]!;
      oMsk[y * W + x] = m;
    }
  }

  const n = kw * kh;
  const evaluator = new KernelEvaluator(kernel);
  const varying = kernel.isSpatiallyVarying();
  const step = varying ? Math.max(1, maxDist) : Math.max(gx1 - gx0, gy1 - gy0, 1);
  const nodesX = nodes(gx0, gx1, step);
  const nodesY = nodes(gy0, gy1, step);
  const nx = nodesX.length;
  const evalRow = (y: number, values: Float64Array, sums: Float64Array): void => {
    for (let c = 0; c < nx; c++) sums[c] = evaluator.evaluate(values.subarray(c * n, (c + 1) * n), nodesX[c]! + x0Parent, y + y0Parent);
  };
  let top = new Float64Array(nx * n);
  let topSum = new Float64Array(nx);
  let bot = new Float64Array(nx * n);
  let botSum = new Float64Array(nx);
  evalRow(nodesY[0]!, top, topSum);
  const kL = new Float64Array(n);
  const kR = new Float64Array(n);
  const dk = new Float64Array(n);

  const convolveRow = (y: number, fy: number): void => {
    for (let c = 0; c + 1 < nx || (nx === 1 && c === 0); c++) {
      const xL = nodesX[c]!;
      const xR = nx === 1 ? xL : nodesX[c + 1]!;
      const cR = nx === 1 ? c : c + 1;
      const oL = c * n;
      const oR = cR * n;
      for (let i = 0; i < n; i++) {
        kL[i] = top[oL + i]! + fy * (bot[oL + i]! - top[oL + i]!);
        kR[i] = top[oR + i]! + fy * (bot[oR + i]! - top[oR + i]!);
      }
      const sL = topSum[c]! + fy * (botSum[c]! - topSum[c]!);
      const sR = topSum[cR]! + fy * (botSum[cR]! - topSum[cR]!);
      const span = xR - xL;
      const lastX = c + 2 >= nx ? xR : xR - 1;
      if (span > 0) for (let i = 0; i < n; i++) dk[i] = (kR[i]! - kL[i]!) / span;
      else dk.fill(0);
      const dSum = span > 0 ? (sR - sL) / span : 0;
      let kSum = sL;
      for (let x = xL; x <= lastX; x++) {
        let s = 0;
        let v = 0;
        const t = x - xL;
        for (let j = 0; j < kh; j++) {
          const oi = (y - cy + j) * sI + x - cx;
          const ov = (y - cy + j) * sV + x - cx;
          const ok = j * kw;
          for (let i = 0; i < kw; i++) {
            const kv = kL[ok + i]! + t * dk[ok + i]!;
            s += kv * img[oi + i]!;
            v += kv * kv * vari[ov + i]!;
          }
        }
        if (doNormalize) {
          s /= kSum;
          v /= kSum * kSum;
        }
        oImg[y * W + x] = s;
        oVar[y * W + x] = v;
        kSum += dSum;
      }
    }
  };

  for (let r = 0; r < nodesY.length; r++) {
    const yTop = nodesY[r]!;
    if (r + 1 === nodesY.length) {
      if (nodesY.length === 1) {
        bot.set(top);
        botSum.set(topSum);
        convolveRow(yTop, 0);
      }
      break;
    }
    const yBot = nodesY[r + 1]!;
    evalRow(yBot, bot, botSum);
    const lastY = r + 2 >= nodesY.length ? yBot : yBot - 1;
    for (let y = yTop; y <= lastY; y++) convolveRow(y, (y - yTop) / (yBot - yTop));
    [top, bot] = [bot, top];
    [topSum, botSum] = [botSum, topSum];
  }
  return out;
}
