import type { UnitVector3d } from './unit-vector3d.js';

/**
 * A vector in ℝ³ with double-precision components, immutable.
 *
 * Results of arithmetic on unit vectors (sums, differences, cross products) are `Vector3d`s;
 * turn one back into a direction with `UnitVector3d.fromVector`.
 *
 * @example
 * ```ts
 * const v = new Vector3d(1, 2, 2);
 * v.getNorm(); // 3
 * v.cross(new Vector3d(0, 0, 1)); // Vector3d(2, -1, 0)
 * ```
 * @see lsst.sphgeom.Vector3d
 */
export class Vector3d {
  /** The x component. */
  readonly x: number;
  /** The y component. */
  readonly y: number;
  /** The z component. */
  readonly z: number;

  /**
   * Makes the vector (x, y, z).
   *
   * @param x - x component
   * @param y - y component
   * @param z - z component
   */
  constructor(x: number, y: number, z: number) {
    this.x = x;
    this.y = y;
    this.z = z;
  }

  /**
   * @param v - another vector
   * @returns the inner product of this vector and `v`
   */
  dot(v: Vector3d | UnitVector3d): number {
    return this.x * v.x + this.y * v.y + this.z * v.z;
  }

  /**
   * @param v - another vector
   * @returns the cross product `this × v`
   */
  cross(v: Vector3d | UnitVector3d): Vector3d {
    return new Vector3d(this.y * v.z - this.z * v.y, this.z * v.x - this.x * v.z, this.x * v.y - this.y * v.x);
  }

  /**
   * @param v - another vector
   * @returns the component-wise sum
   */
  add(v: Vector3d | UnitVector3d): Vector3d {
    return new Vector3d(this.x + v.x, this.y + v.y, this.z + v.z);
  }

  /**
   * @param v - another vector
   * @returns the component-wise difference `this − v`
   */
  subtract(v: Vector3d | UnitVector3d): Vector3d {
    return new Vector3d(this.x - v.x, this.y - v.y, this.z - v.z);
  }

  /**
   * @param s - scale factor
   * @returns this vector scaled by `s`
   */
  multiply(s: number): Vector3d {
    return new Vector3d(this.x * s, this.y * s, this.z * s);
  }

  /**
   * @param s - divisor
   * @returns this vector divided by `s`
   */
  divide(s: number): Vector3d {
    return new Vector3d(this.x / s, this.y / s, this.z / s);
  }

  /** @returns the negated vector */
  negate(): Vector3d {
    return new Vector3d(-this.x, -this.y, -this.z);
  }

  /** @returns the squared Euclidean norm `x² + y² + z²` */
  getSquaredNorm(): number {
    return this.x * this.x + this.y * this.y + this.z * this.z;
  }

  /** @returns the Euclidean norm */
  getNorm(): number {
    return Math.sqrt(this.getSquaredNorm());
  }

  /** @returns true if all components are zero */
  isZero(): boolean {
    return this.x === 0 && this.y === 0 && this.z === 0;
  }

  /**
   * @param v - another vector
   * @returns true if the components are exactly equal
   */
  equals(v: Vector3d | UnitVector3d): boolean {
    return this.x === v.x && this.y === v.y && this.z === v.z;
  }

  /** @returns `Vector3d(x, y, z)` with full precision */
  toString(): string {
    return `Vector3d(${this.x}, ${this.y}, ${this.z})`;
  }
}
