import { Angle, SpherePoint } from '@skystack/geom';

/** A unit vector as a plain triple. */
export type Vec3 = readonly [number, number, number];

const G = (1 + Math.sqrt(5)) / 2;

function normalize(v: Vec3): Vec3 {
  const n = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / n, v[1] / n, v[2] / n];
}

function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

/** Every sign combination of the non-zero components of each base vector, normalised. */
function allSigns(bases: readonly Vec3[]): Vec3[] {
  const out: Vec3[] = [];
  for (const b of bases) {
    const opts = b.map((c) => (c === 0 ? [0] : [c, -c]));
    for (const z of opts[2]!) for (const y of opts[1]!) for (const x of opts[0]!) out.push(normalize([x, y, z]));
  }
  return out;
}

/** Python's `round(x, n)` for the values met here (no exact ties). */
function roundTo(x: number, n: number): number {
  const f = 10 ** n;
  return Math.round(x * f) / f;
}

/**
 * A rotation whose rows map `v0` to +z and put `v1` in the x–z plane, on the +x side (or the −x
 * side when `v1NegativeX`).
 */
function frame(v0: Vec3, v1: Vec3, v1NegativeX: boolean): [Vec3, Vec3, Vec3] {
  const d = dot(v0, v1);
  let e1 = normalize([v1[0] - d * v0[0], v1[1] - d * v0[1], v1[2] - d * v0[2]]);
  if (v1NegativeX) e1 = [-e1[0], -e1[1], -e1[2]];
  return [e1, cross(v0, e1), v0];
}

/** The nearest other vector of the list to `list[0]`. */
function nearestTo0(list: readonly Vec3[]): Vec3 {
  let best = 1;
  for (let i = 2; i < list.length; i++) if (dot(list[i]!, list[0]!) > dot(list[best]!, list[0]!)) best = i;
  return list[best]!;
}

/**
 * A regular dodecahedron inscribed in the unit sphere, oriented as lsst.skymap's
 * `detail.Dodecahedron`: with a vertex on each pole (default) or a face centred on each pole,
 * and the faces numbered by decreasing latitude band, then increasing longitude.
 *
 * The orientation is fixed up to the dodecahedron's symmetry (its rotation group acts simply
 * transitively on directed edges), so it does not depend on which vertex or face pair is used
 * to build it.
 *
 * @example
 * ```ts
 * const d = new Dodecahedron(false);
 * d.getFaceInd(SpherePoint.fromDegrees(0, 90).getVector()); // 0, 1 or 2 (the north faces)
 * ```
 * @see lsst.skymap.detail.Dodecahedron
 */
export class Dodecahedron {
  readonly #withFacesOnPoles: boolean;
  readonly #faces: readonly Vec3[];
  readonly #vertices: readonly Vec3[];

  /**
   * Builds the dodecahedron.
   *
   * @param withFacesOnPoles - if true a face is centred on each pole, else a vertex is on each pole
   */
  constructor(withFacesOnPoles = false) {
    this.#withFacesOnPoles = withFacesOnPoles;
    // Face centres: the vertices of the dual icosahedron, (0, ±1, ±g) and cyclic permutations.
    const faces = allSigns([
      [0, 1, G],
      [1, G, 0],
      [G, 0, 1],
    ]);
    // Vertices: the cube (±1, ±1, ±1) and (0, ±g, ±1/g) with cyclic permutations.
    const vertices = allSigns([
      [1, 1, 1],
      [0, G, 1 / G],
      [1 / G, 0, G],
      [G, 1 / G, 0],
    ]);
    const rot = withFacesOnPoles ? frame(faces[0]!, nearestTo0(faces), false) : frame(vertices[0]!, nearestTo0(vertices), true);
    const apply = (v: Vec3): Vec3 => [dot(rot[0], v), dot(rot[1], v), dot(rot[2], v)];
    this.#vertices = Object.freeze(vertices.map(apply));
    const keyed = faces.map(apply).map((v) => {
      let ang = roundTo(Math.atan2(v[1], v[0]), 2);
      if (ang < 0) ang += 2 * Math.PI;
      return { band: -roundTo(v[2], 1), ang, v };
    });
    keyed.sort((a, b) => a.band - b.band || a.ang - b.ang);
    this.#faces = Object.freeze(keyed.map((k) => k.v));
  }

  /** @returns whether a face is centred on each pole */
  getWithFacesOnPoles(): boolean {
    return this.#withFacesOnPoles;
  }

  /** @returns the unit vectors of the 12 face centres, in face order */
  getFaceVectorList(): readonly Vec3[] {
    return this.#faces;
  }

  /**
   * @param ind - face index, 0–11
   * @returns the unit vector of the centre of the face
   */
  getFaceCtr(ind: number): Vec3 {
    return this.#faces[ind]!;
  }

  /**
   * @param ind - face index, 0–11
   * @returns the 5 vertices of the face (unit vectors)
   */
  getVertices(ind: number): Vec3[] {
    const f = this.#faces[ind]!;
    const d = this.#vertices.map((v) => roundTo(dot(v, f), 2));
    const max = Math.max(...d);
    return this.#vertices.filter((_, i) => d[i] === max);
  }

  /**
   * The face containing a direction: the face whose centre is nearest (the first on a border).
   *
   * @param vec - a direction (need not be normalised)
   * @returns the face index
   */
  getFaceInd(vec: { readonly x: number; readonly y: number; readonly z: number }): number {
    let best = 0;
    let bestDot = -Infinity;
    for (let i = 0; i < this.#faces.length; i++) {
      const f = this.#faces[i]!;
      const d = f[0] * vec.x + f[1] * vec.y + f[2] * vec.z;
      if (d > bestDot) {
        best = i;
        bestDot = d;
      }
    }
    return best;
  }
}

/**
 * The ICRS point of a unit vector; at a pole (|x|, |y| < 1e-12) its RA is `defRa`
 * (lsst.skymap's `detail.coordFromVec`).
 *
 * @param v - the vector
 * @param defRa - the RA to use at a pole
 * @returns the point
 */
export function coordFromVec(v: Vec3, defRa: Angle): SpherePoint {
  if (Math.abs(v[0]) < 1e-12 && Math.abs(v[1]) < 1e-12) return new SpherePoint(defRa, Angle.fromDegrees(v[2] > 0 ? 90 : -90));
  return SpherePoint.fromVector(v[0], v[1], v[2]);
}
