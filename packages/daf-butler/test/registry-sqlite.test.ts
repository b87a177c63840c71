// The registry conformance suite on SQLite: a fresh in-memory database for every test.
import { createRegistry } from '../src/registry/sql/sql-registry.js';
import { defineRegistryConformanceTests } from './registry-conformance.js';
import { defineQuerySemanticsTests } from './query-semantics.js';

defineRegistryConformanceTests('sqlite', () => createRegistry('sqlite://'));

defineQuerySemanticsTests('sqlite', () => createRegistry('sqlite://'));
