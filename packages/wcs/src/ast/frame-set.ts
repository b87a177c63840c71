// AST FrameSets as afw writes them for a SkyWcs: a tree of Frames (PIXELS, FOCAL, IWC, SKY, ...)
// joined by Mappings, and the afw archive entry (`1 SkyWcs 0` + the FrameSet dump) that holds one.
import { RawPersistable, type ArchiveRows } from '@skystack/afw-table';
import { WcsFormatError, WcsInvalidArgumentError } from '../errors.js';
import { invertAstMapping, makeAstMapping, seriesAstMapping, type AstMapping } from './mappings.js';
import { astAttribute, astChild, astNumber, astString, parseAstObjects, type AstObject } from './parse.js';

/**
 * One Frame of a FrameSet: a coordinate system named by its `Domain`.
 *
 * @see Starlink AST `Frame`, `SkyFrame`
 */
export interface AstFrame {
  /** The AST class: `Frame` or `SkyFrame`. */
  readonly className: string;
  /** The domain (`PIXELS`, `FOCAL`, `IWC`, `SKY`, ...); a SkyFrame without one is `SKY`. */
  readonly domain: string;
  /** The number of axes. */
  readonly nAxes: number;
  /** The celestial system of a SkyFrame (`ICRS`, `FK5`, ...); undefined for a plain Frame. */
  readonly system: string | undefined;
  /** The frame's title, when the dump has one. */
  readonly title: string | undefined;
  /** The parsed object, for the attributes this interface does not name. */
  readonly object: AstObject;
}

function readFrame(obj: AstObject, index: number): AstFrame {
  if (obj.className !== 'Frame' && obj.className !== 'SkyFrame') {
    throw new WcsFormatError(`Frame ${index} of the AST FrameSet (line ${obj.line}) is a ${obj.className}; only Frame and SkyFrame are supported.`);
  }
  const sky = obj.className === 'SkyFrame';
  const title = astAttribute(obj, 'Title');
  return {
    className: obj.className,
    domain: astString(obj, 'Domain', sky ? 'SKY' : '').toUpperCase(),
    nAxes: astNumber(obj, 'Naxes', 2),
    system: sky ? astString(obj, 'System', 'ICRS').toUpperCase() : undefined,
    title: typeof title?.value === 'string' ? title.value : undefined,
    object: obj,
  };
}

/**
 * An AST FrameSet: frames joined into a tree by mappings, with a base frame (afw: `PIXELS`, LSST
 * 0-based parent pixels) and a current frame (afw: a `SKY` SkyFrame, ICRS, radians). Mappings
 * between any two frames are found by walking the tree; batched pixel/sky conversions use the
 * base-to-current mapping.
 *
 * @example
 * ```ts
 * const frameSet = AstFrameSet.fromText(dump);
 * const { ra, dec } = frameSet.pixelToSky(Float64Array.of(0, 100), Float64Array.of(0, 200));
 * const iwc = frameSet.getMapping('PIXELS', 'IWC');
 * ```
 * @see Starlink AST `FrameSet`
 * @see lsst.afw.geom.SkyWcs (`getFrameDict`)
 */
export class AstFrameSet {
  /** The frames, in FrameSet order (frame `i` of AST is `frames[i - 1]`). */
  readonly frames: readonly AstFrame[];
  /** The 1-based index of the base frame. */
  readonly base: number;
  /** The 1-based index of the current frame. */
  readonly current: number;
  /** The parsed object. */
  readonly object: AstObject;
  /** Node of each frame (1-based, index `frame - 1`). */
  readonly #frameNode: readonly number[];
  /** Parent node of each node (index `node - 1`; 0 for the root). */
  readonly #parent: readonly number[];
  /** The mapping from a node's parent to the node, with its Inv flag applied. */
  readonly #map: readonly (AstMapping | undefined)[];
  #pixelToSky: AstMapping | undefined;

  private constructor(object: AstObject) {
    this.object = object;
    if (object.className !== 'FrameSet') throw new WcsFormatError(`Expected an AST FrameSet; line ${object.line} begins a ${object.className}.`);
    const int = (name: string, fallback?: number): number => {
      const v = astNumber(object, name, fallback);
      if (!Number.isInteger(v)) throw new WcsFormatError(`AST FrameSet (line ${object.line}): '${name}' should be an integer; it is ${v}.`);
      return v;
    };
    const nFrame = int('Nframe');
    if (nFrame < 1) throw new WcsFormatError(`AST FrameSet (line ${object.line}) has Nframe = ${nFrame}.`);
    const nNode = int('Nnode', nFrame);
    const frames: AstFrame[] = [];
    const frameNode: number[] = [];
    for (let f = 1; f <= nFrame; f++) {
      const obj = astChild(object, `Frm${f}`);
      if (obj === undefined) throw new WcsFormatError(`AST FrameSet (line ${object.line}) says Nframe = ${nFrame} but has no Frm${f}.`);
      frames.push(readFrame(obj, f));
      const node = int(`Nod${f}`, f);
      if (node < 1 || node > nNode) throw new WcsFormatError(`AST FrameSet (line ${object.line}): Nod${f} = ${node} is outside 1..${nNode}.`);
      frameNode.push(node);
    }
    const parent: number[] = [0];
    const map: (AstMapping | undefined)[] = [undefined];
    for (let node = 2; node <= nNode; node++) {
      const link = int(`Lnk${node}`);
      if (link < 1 || link > nNode || link === node) throw new WcsFormatError(`AST FrameSet (line ${object.line}): Lnk${node} = ${link} is not another node of 1..${nNode}.`);
      parent.push(link);
      const m = astChild(object, `Map${node}`);
      if (m === undefined) throw new WcsFormatError(`AST FrameSet (line ${object.line}) has no Map${node} for node ${node}.`);
      const raw = makeAstMapping(m, false);
      map.push(int(`Inv${node}`, 0) !== 0 ? invertAstMapping(raw) : raw);
    }
    // Every node must reach the root without a cycle.
    for (let node = 1; node <= nNode; node++) {
      let n = node;
      for (let steps = 0; n !== 1; steps++) {
        if (steps > nNode) throw new WcsFormatError(`AST FrameSet (line ${object.line}): the Lnk entries form a cycle through node ${node}.`);
        n = parent[n - 1]!;
        if (n === 0) throw new WcsFormatError(`AST FrameSet (line ${object.line}): node ${node} is not linked to node 1.`);
      }
    }
    let base = int('Base', 1);
    let current = int('Currnt', nFrame);
    for (const [name, v] of [['Base', base], ['Currnt', current]] as const) {
      if (v < 1 || v > nFrame) throw new WcsFormatError(`AST FrameSet (line ${object.line}): ${name} = ${v} is outside 1..${nFrame}.`);
    }
    if (int('Invert', 0) !== 0) [base, current] = [current, base];
    this.frames = frames;
    this.base = base;
    this.current = current;
    this.#frameNode = frameNode;
    this.#parent = parent;
    this.#map = map;
  }

  /**
   * Reads a FrameSet from the text of an AST Channel dump (the first object in the text).
   *
   * @param text - the dump, starting at (or before) `Begin FrameSet`
   * @returns the FrameSet
   * @throws {@link WcsFormatError} for malformed text, a first object that is not a FrameSet,
   *   an inconsistent tree or an unsupported mapping class
   */
  static fromText(text: string): AstFrameSet {
    const objects = parseAstObjects(text);
    if (objects.length === 0) throw new WcsFormatError('The AST text holds no object (no \'Begin FrameSet\' line).');
    return new AstFrameSet(objects[0]!);
  }

  /**
   * Builds a FrameSet from a parsed object.
   *
   * @param object - the parsed `FrameSet` object
   * @returns the FrameSet
   * @throws {@link WcsFormatError} as {@link AstFrameSet.fromText}
   */
  static fromObject(object: AstObject): AstFrameSet {
    return new AstFrameSet(object);
  }

  /** The base frame (afw: `PIXELS`). */
  get baseFrame(): AstFrame {
    return this.frames[this.base - 1]!;
  }

  /** The current frame (afw: the `SKY` SkyFrame). */
  get currentFrame(): AstFrame {
    return this.frames[this.current - 1]!;
  }

  /**
   * The 1-based index of a frame given by domain name (case-insensitive) or index.
   *
   * @param frame - a domain (`'PIXELS'`, `'IWC'`, `'SKY'`, ...) or a 1-based index
   * @returns the index
   * @throws {@link WcsInvalidArgumentError} when no frame (or more than one) has that domain, or
   *   the index is out of range
   */
  frameIndex(frame: string | number): number {
    if (typeof frame === 'number') {
      if (!(Number.isInteger(frame) && frame >= 1 && frame <= this.frames.length)) {
        throw new WcsInvalidArgumentError(`Frame ${frame} does not exist; the FrameSet has frames 1..${this.frames.length}.`);
      }
      return frame;
    }
    const want = frame.toUpperCase();
    const hits = this.frames.flatMap((f, i) => (f.domain === want ? [i + 1] : []));
    if (hits.length !== 1) {
      throw new WcsInvalidArgumentError(
        `${hits.length === 0 ? 'No' : 'More than one'} frame of the FrameSet has the domain '${frame}'; the domains are ${this.frames.map((f) => f.domain || '(none)').join(', ')}.`,
      );
    }
    return hits[0]!;
  }

  /**
   * The mapping from one frame to another, through the tree of the FrameSet (inverting the
   * mappings on the way up from `from`, then forward down to `to`).
   *
   * @param from - the source frame: domain or 1-based index
   * @param to - the destination frame: domain or 1-based index
   * @returns the mapping (a UnitMap when both are the same frame)
   * @throws {@link WcsInvalidArgumentError} when a frame is not found
   * @see Starlink AST `astGetMapping`
   */
  getMapping(from: string | number, to: string | number): AstMapping {
    const a = this.#frameNode[this.frameIndex(from) - 1]!;
    const b = this.#frameNode[this.frameIndex(to) - 1]!;
    const up = (node: number): number[] => {
      const path = [node];
      while (node !== 1) {
        node = this.#parent[node - 1]!;
        path.push(node);
      }
      return path;
    };
    const pa = up(a);
    const pb = up(b);
    const common = pa.find((n) => pb.includes(n))!;
    const steps: AstMapping[] = [];
    for (const n of pa) {
      if (n === common) break;
      steps.push(invertAstMapping(this.#map[n - 1]!));
    }
    const down: AstMapping[] = [];
    for (const n of pb) {
      if (n === common) break;
      down.push(this.#map[n - 1]!);
    }
    steps.push(...down.reverse());
    if (steps.length === 0) {
      return makeAstMapping({ className: 'UnitMap', line: 0, sections: [{ isA: 'Mapping', attributes: new Map([['nin', { name: 'Nin', value: this.frames[this.frameIndex(from) - 1]!.nAxes, line: 0 }]]) }] });
    }
    return steps.reduce((acc, m) => seriesAstMapping(acc, m));
  }

  #skyMapping(): AstMapping {
    if (this.#pixelToSky === undefined) {
      const sky = this.currentFrame;
      if (sky.className !== 'SkyFrame') throw new WcsInvalidArgumentError(`The current frame of the FrameSet is a ${sky.className} ('${sky.domain}'), not a SkyFrame.`);
      const map = this.getMapping(this.base, this.current);
      if (map.nIn !== 2 || map.nOut !== 2) throw new WcsInvalidArgumentError(`The base-to-current mapping takes ${map.nIn} and gives ${map.nOut} coordinates; pixel-to-sky needs 2 and 2.`);
      this.#pixelToSky = map;
    }
    return this.#pixelToSky;
  }

  /**
   * Base-frame pixels to the sky (the forward base-to-current mapping), batched. Longitudes are
   * wrapped to [0, 2π), as afw's `SpherePoint`; points with no image give NaN.
   *
   * @param xs - x of each point (afw: LSST 0-based parent pixels)
   * @param ys - y of each point
   * @returns right ascension and declination in radians, in the SkyFrame's system (afw: ICRS)
   * @throws {@link WcsInvalidArgumentError} when the arrays differ in length or the current frame
   *   is not a SkyFrame
   * @see lsst.afw.geom.SkyWcs.pixelToSky
   */
  pixelToSky(
    xs: Float64Array,
    ys: Float64Array,
  ): {
    /** Right ascension of each point, radians in [0, 2π). */
    ra: Float64Array;
    /** Declination of each point, radians. */
    dec: Float64Array;
  } {
    if (xs.length !== ys.length) throw new WcsInvalidArgumentError(`xs and ys must have the same length; got ${xs.length} and ${ys.length}.`);
    const map = this.#skyMapping();
    const ra = new Float64Array(xs.length);
    const dec = new Float64Array(xs.length);
    map.applyForward([xs, ys], [ra, dec], xs.length);
    const twoPi = 2 * Math.PI;
    for (let i = 0; i < ra.length; i++) {
      let a = ra[i]! % twoPi;
      if (a < 0) a += twoPi;
      ra[i] = a;
    }
    return { ra, dec };
  }

  /**
   * The sky to base-frame pixels (the inverse base-to-current mapping), batched. By default this
   * is exactly AST's inverse (what afw's `skyToPixel` gives), which for a PolyMap with fitted
   * inverse coefficients (jointcal) is only as good as that fit; `refine` polishes each point
   * with Newton steps on the forward mapping so that pixel→sky→pixel closes to rounding.
   *
   * @param ra - right ascension of each point, radians
   * @param dec - declination of each point, radians
   * @param options - `refine`: Newton-polish the inverse against the forward mapping (default false)
   * @returns pixel x and y (afw: LSST 0-based parent pixels); NaN where there is no image
   * @throws {@link WcsInvalidArgumentError} when the arrays differ in length, the current frame is
   *   not a SkyFrame, or the mapping has no inverse
   * @see lsst.afw.geom.SkyWcs.skyToPixel
   */
  skyToPixel(
    ra: Float64Array,
    dec: Float64Array,
    options: {
      /** Newton-polish the inverse against the forward mapping. */
      readonly refine?: boolean;
    } = {},
  ): {
    /** Pixel x of each point. */
    x: Float64Array;
    /** Pixel y of each point. */
    y: Float64Array;
  } {
    if (ra.length !== dec.length) throw new WcsInvalidArgumentError(`ra and dec must have the same length; got ${ra.length} and ${dec.length}.`);
    const map = this.#skyMapping();
    const x = new Float64Array(ra.length);
    const y = new Float64Array(ra.length);
    map.applyInverse([ra, dec], [x, y], ra.length);
    if (options.refine === true) refine(map, ra, dec, x, y);
    return { x, y };
  }
}

/** Newton steps on the forward pixel-to-sky mapping (numerical Jacobian), in place on `x`, `y`. */
function refine(map: AstMapping, ra: Float64Array, dec: Float64Array, x: Float64Array, y: Float64Array): void {
  const n = ra.length;
  const h = 1e-3;
  const px = new Float64Array(3 * n);
  const py = new Float64Array(3 * n);
  const sr = new Float64Array(3 * n);
  const sd = new Float64Array(3 * n);
  const wrap = (a: number): number => a - 2 * Math.PI * Math.round(a / (2 * Math.PI));
  // Rounding in the sky coordinates limits closure to ~1e-9 pixel; two steps from AST's inverse
  // usually get there.
  for (let iter = 0; iter < 5; iter++) {
    for (let i = 0; i < n; i++) {
      px[i] = x[i]!;
      py[i] = y[i]!;
      px[n + i] = x[i]! + h;
      py[n + i] = y[i]!;
      px[2 * n + i] = x[i]!;
      py[2 * n + i] = y[i]! + h;
    }
    map.applyForward([px, py], [sr, sd], 3 * n);
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const c = Math.cos(dec[i]!);
      const r0 = wrap(ra[i]! - sr[i]!) * c;
      const d0 = dec[i]! - sd[i]!;
      const a = (wrap(sr[n + i]! - sr[i]!) * c) / h;
      const b = (wrap(sr[2 * n + i]! - sr[i]!) * c) / h;
      const cc = (sd[n + i]! - sd[i]!) / h;
      const d = (sd[2 * n + i]! - sd[i]!) / h;
      const det = a * d - b * cc;
      if (!(det !== 0 && Number.isFinite(det))) continue;
      const dx = (d * r0 - b * d0) / det;
      const dy = (a * d0 - cc * r0) / det;
      x[i] = x[i]! + dx;
      y[i] = y[i]! + dy;
      worst = Math.max(worst, Math.abs(dx), Math.abs(dy));
    }
    if (worst < 1e-9) break;
  }
}

/**
 * The AST form of an afw `SkyWcs` archive entry: the FrameSet, and the FrameSet of its FITS
 * approximation when afw stored one.
 *
 * @see lsst.afw.geom.SkyWcs (`readString`)
 */
export interface AstSkyWcs {
  /** The serialisation version afw wrote (1). */
  readonly version: number;
  /** The FrameSet: base PIXELS (0-based), current SKY (ICRS). */
  readonly frameSet: AstFrameSet;
  /** The FITS approximation (a TAN-SIP-like FrameSet), when the entry has one. */
  readonly fitsApproximation: AstFrameSet | undefined;
}

/**
 * Reads the AST serialisation of an afw `SkyWcs`: the bytes of the `wcs` column (TFORM `1QB`) of
 * its archive catalog, `version SkyWcs hasFitsApproximation` followed by the FrameSet dump (and
 * a second FrameSet for the FITS approximation when the flag is 1).
 *
 * @param source - the archive object (a `RawPersistable` named `SkyWcs`), its rows, the bytes, or
 *   the text
 * @returns the FrameSet(s)
 * @throws {@link WcsFormatError} when the entry is not a SkyWcs, its prefix is malformed, its
 *   frame-set text is malformed or its current frame is not an ICRS SkyFrame
 * @example
 * ```ts
 * const archive = await InputArchive.readFits('jointcal_wcs-0030600-088.fits');
 * const id = archive.ids.find((i) => archive.nameOf(i) === 'SkyWcs')!;
 * const { frameSet } = readAstSkyWcs(archive.get(id) as RawPersistable);
 * ```
 * @see lsst.afw.geom.SkyWcs
 */
export function readAstSkyWcs(source: RawPersistable | ArchiveRows | Uint8Array | string): AstSkyWcs {
  let text: string;
  if (typeof source === 'string') text = source;
  else if (source instanceof Uint8Array) text = new TextDecoder('latin1').decode(source);
  else {
    let rows: ArchiveRows;
    if (source instanceof RawPersistable) {
      if (source.name !== 'SkyWcs') throw new WcsFormatError(`Archive object ${source.id} is a '${source.name}', not a 'SkyWcs'.`);
      const first = source.catalogs[0];
      if (first === undefined) throw new WcsFormatError(`The SkyWcs archive object ${source.id} has no rows.`);
      rows = first;
    } else rows = source;
    if (!rows.has('wcs')) throw new WcsFormatError(`The SkyWcs archive catalog has no 'wcs' column; it has ${rows.columnNames.join(', ')}.`);
    const bytes = rows.array('wcs');
    text = new TextDecoder('latin1').decode(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes as ArrayLike<number>, Number));
  }
  const head = /^\s*(\d+)\s+(\S+)\s+(\d+)\s+/.exec(text);
  if (head === null) {
    throw new WcsFormatError(`The SkyWcs entry does not start with 'version SkyWcs hasFitsApproximation'; it starts with ${JSON.stringify(text.slice(0, 40))}.`);
  }
  if (head[2] !== 'SkyWcs') throw new WcsFormatError(`The archive entry is a '${head[2]}', not a 'SkyWcs'.`);
  const version = Number(head[1]);
  if (version !== 1) throw new WcsFormatError(`The SkyWcs entry has serialisation version ${version}; only version 1 is supported.`);
  const hasApprox = head[3] === '1';
  // Keep the line numbers of the dump: blank out the prefix rather than cutting it off.
  const body = ' '.repeat(head[0].length) + text.slice(head[0].length);
  const objects = parseAstObjects(body);
  if (objects.length < (hasApprox ? 2 : 1)) {
    throw new WcsFormatError(`The SkyWcs entry should hold ${hasApprox ? 'two FrameSets (the WCS and its FITS approximation)' : 'one FrameSet'}; it holds ${objects.length} objects.`);
  }
  const frameSet = AstFrameSet.fromObject(objects[0]!);
  const sky = frameSet.currentFrame;
  if (sky.className !== 'SkyFrame' || sky.system !== 'ICRS') {
    throw new WcsFormatError(`The current frame of the SkyWcs FrameSet is a ${sky.className}${sky.system === undefined ? '' : ` in ${sky.system}`}; afw writes an ICRS SkyFrame.`);
  }
  return { version, frameSet, fitsApproximation: hasApprox ? AstFrameSet.fromObject(objects[1]!) : undefined };
}
