/**
 * ScienceSourceSelectorTask on a small catalog whose rows are built to pass or fail each limit.
 */
import { describe, expect, it } from 'vitest';
import { SourceCatalog } from '@skystack/afw-table';
import { ScienceSourceSelectorConfig, ScienceSourceSelectorTask } from './science-source-selector.js';

function catalog(): SourceCatalog {
  const schema = SourceCatalog.makeMinimalSchema();
  schema.addField({ name: 'good_flag', type: 'Flag' });
  schema.addField({ name: 'bad_flag', type: 'Flag' });
  schema.addField({ name: 'f_instFlux', type: 'D' });
  schema.addField({ name: 'f_instFluxErr', type: 'D' });
  schema.addField({ name: 'ext', type: 'D' });
  schema.addField({ name: 'deblend_nChild', type: 'I' });
  const cat = new SourceCatalog(schema);
  // rows: good, bad, S/N, extendedness, parent, nChild
  const rows: [boolean, boolean, number, number, bigint, number][] = [
    [true, false, 300, 0, 0n, 0], // 0 passes everything
    [false, false, 300, 0, 0n, 0], // 1 lacks the good flag
    [true, true, 300, 0, 0n, 0], // 2 has the bad flag
    [true, false, 50, 0, 0n, 0], // 3 S/N too low
    [true, false, 300, 1, 0n, 0], // 4 extended
    [true, false, 300, 0, 7n, 0], // 5 a deblended child
    [true, false, 300, 0, 0n, 2], // 6 a parent with children
    [true, false, 1000, 0, 0n, 0], // 7 S/N at the maximum (excluded: < maximum)
  ];
  rows.forEach(([good, bad, snr, ext, parent, nChild], i) => {
    const r = cat.addNew();
    r.set('id', BigInt(i + 1));
    r.set('good_flag', good);
    r.set('bad_flag', bad);
    r.set('f_instFlux', snr * 10);
    r.set('f_instFluxErr', 10);
    r.set('ext', ext);
    r.set('parent', parent);
    r.set('deblend_nChild', nChild);
  });
  return cat;
}

describe('ScienceSourceSelectorTask', () => {
  it('selects everything when no limit is switched on', () => {
    expect(Array.from(new ScienceSourceSelectorTask().run(catalog()).indices)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('ANDs the flag, S/N, unresolved and isolation limits', () => {
    const config = new ScienceSourceSelectorConfig();
    config.doFlags = true;
    config.flags.good = ['good_flag'];
    config.flags.bad = ['bad_flag'];
    config.doSignalToNoise = true;
    config.signalToNoise.fluxField = 'f_instFlux';
    config.signalToNoise.errField = 'f_instFluxErr';
    config.signalToNoise.minimum = 200;
    config.signalToNoise.maximum = 1000;
    config.doUnresolved = true;
    config.unresolved.name = 'ext';
    config.doIsolated = true;
    expect(Array.from(new ScienceSourceSelectorTask({ config }).run(catalog()).indices)).toEqual([0]);
  });

  it('skips the unresolved limit, with a warning, when the column is not in the schema', () => {
    const config = new ScienceSourceSelectorConfig();
    config.doUnresolved = true;
    const task = new ScienceSourceSelectorTask({ config });
    const warnings: string[] = [];
    task.log.warn = (m: string): void => void warnings.push(m);
    expect(task.run(catalog()).indices.length).toBe(8);
    expect(warnings.join('\n')).toMatch(/no 'base_ClassificationExtendedness_value' field/);
  });

  it('raises for a missing flag column', () => {
    const config = new ScienceSourceSelectorConfig();
    config.doFlags = true;
    config.flags.bad = ['no_such_flag'];
    expect(() => new ScienceSourceSelectorTask({ config }).run(catalog())).toThrow(/no_such_flag/);
  });
});
