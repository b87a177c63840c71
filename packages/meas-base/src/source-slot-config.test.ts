import { SourceCatalog } from '@skystack/afw-table';
import { describe, expect, it } from 'vitest';
import { SourceSlotConfig } from './source-slot-config.js';

describe('SourceSlotConfig.setupSchema', () => {
  it('sets the configured slots and leaves the aliases of slots set to null alone, as meas_base', () => {
    const schema = SourceCatalog.makeMinimalSchema();
    const first = new SourceSlotConfig();
    first.setupSchema(schema);
    expect(schema.getAliasMap().get('slot_Centroid')).toBe('base_SdssCentroid');
    expect(schema.getAliasMap().get('slot_CalibFlux')).toBe('base_CircularApertureFlux_12_0');
    // A second measurement over the same schema with no slots of its own (calibrate's
    // post-calibration measurement) must keep the first one's slots.
    const second = new SourceSlotConfig();
    for (const k of ['centroid', 'shape', 'psfShape', 'apFlux', 'modelFlux', 'psfFlux', 'gaussianFlux', 'calibFlux'] as const) second[k] = null;
    second.setupSchema(schema);
    expect(schema.getAliasMap().get('slot_Centroid')).toBe('base_SdssCentroid');
    expect(schema.getAliasMap().get('slot_PsfFlux')).toBe('base_PsfFlux');
    const third = new SourceSlotConfig();
    third.psfFlux = 'base_GaussianFlux';
    third.setupSchema(schema);
    expect(schema.getAliasMap().get('slot_PsfFlux')).toBe('base_GaussianFlux');
  });
});
