// @skystack/afw-display: images, masks and markers rendered to PNG, and small report plots
// (lsst.afw.display for people who would rather look than read).

// Display
export { Display, DEFAULT_MASK_PLANE_COLORS } from './display.js';
export type { DisplayData, DisplayOptions, MtvOptions, ScaleOptions, DotOptions, LineOptions, RgbImage, PngPosition } from './display.js';

// Scaling
export { zscale } from './zscale.js';
export type { ScaleLimits, ZScaleOptions, ZScaleInput } from './zscale.js';
export { linearStretch, asinhStretch, asinhSaturation, logStretch, sqrtStretch, makeStretch } from './stretch.js';
export type { Stretch, StretchAlgorithm, StretchOptions } from './stretch.js';

// Colours
export { parseColor, COLOR_NAMES, WHITE, BLACK, RED, GREEN, BLUE, CYAN, MAGENTA, YELLOW, ORANGE, IGNORE } from './color.js';
export type { Rgb } from './color.js';

// Plots
export { Figure } from './figure.js';
export type { FigureOptions, HistogramOptions, HistogramResult, ScatterOptions, MarkOptions, PlotArea, FigureLimits } from './figure.js';
export { niceTicks, formatTick } from './nice-ticks.js';
export type { NiceTicks } from './nice-ticks.js';

// Errors
export { AfwDisplayInvalidArgumentError, AfwDisplayStateError, AfwDisplayWriteError } from './errors.js';
