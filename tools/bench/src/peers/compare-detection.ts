// Runs the detection + measurement comparison by itself and prints its table (--in-turns: N rounds
// of one run of each tool, rather than each tool's N runs one after another):
//   pnpm exec tsx --conditions=@skystack/source tools/bench/src/peers/compare-detection.ts [--smoke] [--runs N] [--tools sextractor,sep,skystack] [--in-turns]
import { parseArgs } from 'node:util';
import { COMPARISON_TOOLS, runDetectionComparison, type ComparisonTool } from './detection-comparison.js';

const { values } = parseArgs({ options: { smoke: { type: 'boolean', default: false }, runs: { type: 'string' }, tools: { type: 'string' }, 'in-turns': { type: 'boolean', default: false } } });
const runs = Number(values.runs ?? (values.smoke ? 1 : 3));
if (!(Number.isInteger(runs) && runs >= 1)) throw new Error(`--runs must be a positive integer, got '${values.runs}'.`);
const tools = (values.tools?.split(',') ?? [...COMPARISON_TOOLS]) as ComparisonTool[];
for (const t of tools) if (!COMPARISON_TOOLS.includes(t)) throw new Error(`Unknown tool '${t}'; expected some of ${COMPARISON_TOOLS.join(', ')}.`);
const { table } = await runDetectionComparison({ smoke: values.smoke, runs, tools, inTurns: values['in-turns'] });
console.log(table);
