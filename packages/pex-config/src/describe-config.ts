import { describeConfigFields, type Config } from './config.js';
import type { FieldDescription } from './field-spec.js';

/**
 * Describes every field of a config, recursively (sub-configs, the configs of configurables,
 * every choice of a choice or registry field): full name, kind, type, default, current value,
 * doc, and the allowed values or range where there are some. For `pipetask --show config`
 * and generated documentation.
 *
 * @example
 * ```ts
 * for (const f of describeConfig(new IsrConfig())) {
 *   console.log(`${f.name} (${f.type}, default ${JSON.stringify(f.default)}): ${f.doc}`);
 * }
 * ```
 * @param config - the config
 * @returns one entry per field, in declaration order
 * @see lsst.pex.config.Config.__doc__ (pex_config builds field docs into the class docstring)
 */
export function describeConfig(config: Config): FieldDescription[] {
  const out: FieldDescription[] = [];
  describeConfigFields(config, out);
  return out;
}
