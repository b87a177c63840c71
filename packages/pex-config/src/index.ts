// @skystack/pex-config: lsst.pex.config for TypeScript (typed, documented, freezable configs
// with history and LSST-style overrides).

// Errors
export {
  FieldValidationError,
  FrozenConfigError,
  ConfigDefinitionError,
  UnknownFieldError,
  OverrideSyntaxError,
  UnsupportedOverrideError,
} from './errors.js';

// Configs
export { Config, ConfigField } from './config.js';
export type {
  ConfigClass,
  ConfigValues,
  CompareConfigOptions,
  ConfigComparison,
  SaveOptions,
  LoadOptions,
  ConfigFieldOptions,
} from './config.js';
export type { BaseFieldOptions, ConfigDifference, FieldDescription } from './field-spec.js';

// Scalar, list and dict fields
export { Field, RangeField, ChoiceField } from './field.js';
export type {
  ScalarDType,
  DTypeValue,
  ScalarFieldOptions,
  FieldOptions,
  FieldFactory,
  RangeFieldOptions,
  ChoiceFieldOptions,
} from './field.js';
export { ListField } from './list-field.js';
export type { ListFieldOptions } from './list-field.js';
export { DictField } from './dict-field.js';
export type { DictFieldOptions } from './dict-field.js';

// Config-valued fields
export { ConfigurableField, ConfigurableHandle } from './configurable-field.js';
export type { ConfigurableTarget, ConfigurableInstance, ConfigurableFieldOptions } from './configurable-field.js';
export { ConfigChoiceField, ConfigChoiceInstance } from './config-choice-field.js';
export type { ConfigChoice, ConfigTypeMap, ConfigChoiceFieldOptions, ChoiceFieldBaseOptions } from './config-choice-field.js';
export { Registry, makeRegistry, RegistryField, RegistryInstance } from './registry.js';
export type { RegistryEntry, RegistryFieldOptions } from './registry.js';
export { ConfigDictField } from './config-dict-field.js';
export type { ConfigDictFieldOptions } from './config-dict-field.js';

// History, overrides, descriptions
export { withHistoryLabel } from './history.js';
export type { HistoryEntry } from './history.js';
export {
  applyOverrides,
  applyOverrideMapping,
  loadOverrideFile,
  parseConfigOverrideOption,
} from './overrides.js';
export type { LoadResult, FieldOverride, ApplyOverridesOptions, ConfigOverrideOption } from './overrides.js';
export { describeConfig } from './describe-config.js';
