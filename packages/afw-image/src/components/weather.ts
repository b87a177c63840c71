// lsst.afw.coord.Weather: the weather at a telescope.
import { sameNumber } from './observatory.js';

/**
 * Basic weather at an observation: air temperature (°C), air pressure (Pa) and relative
 * humidity (%). Unknown values are NaN, as in afw.
 *
 * @see lsst.afw.coord.Weather
 */
export class Weather {
  /** Outside air temperature, °C. */
  readonly airTemperature: number;
  /** Outside air pressure, Pa. */
  readonly airPressure: number;
  /** Relative humidity, %. */
  readonly humidity: number;

  /**
   * Makes a weather record.
   *
   * @param airTemperature - °C
   * @param airPressure - Pa
   * @param humidity - %
   */
  constructor(airTemperature: number, airPressure: number, humidity: number) {
    this.airTemperature = airTemperature;
    this.airPressure = airPressure;
    this.humidity = humidity;
  }

  /** The air temperature, °C. */
  getAirTemperature(): number {
    return this.airTemperature;
  }

  /** The air pressure, Pa. */
  getAirPressure(): number {
    return this.airPressure;
  }

  /** The relative humidity, %. */
  getHumidity(): number {
    return this.humidity;
  }

  /**
   * Whether another record is the same (NaN equals NaN).
   *
   * @param other - the other one
   * @returns whether they are equal
   */
  equals(other: unknown): boolean {
    return (
      other instanceof Weather &&
      sameNumber(other.airTemperature, this.airTemperature) &&
      sameNumber(other.airPressure, this.airPressure) &&
      sameNumber(other.humidity, this.humidity)
    );
  }

  /** `Weather(airTemperature=..., airPressure=..., humidity=...)`. */
  toString(): string {
    return `Weather(airTemperature=${this.airTemperature}, airPressure=${this.airPressure}, humidity=${this.humidity})`;
  }
}
