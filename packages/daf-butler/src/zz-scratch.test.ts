import { readFileSync, readdirSync } from 'node:fs';
import { parse } from 'yaml';
import { it } from 'vitest';
import { DimensionUniverse } from './dimensions/universe.js';
import { DataCoordinate } from './dimensions/data-coordinate.js';
const base = '/work/shared/fixtures/daf_butler/';
it('scratch', () => {
  const files = [
    ...readdirSync(base + 'python/lsst/daf/butler/configs/old_dimensions').map((f) => base + 'python/lsst/daf/butler/configs/old_dimensions/' + f),
    ...readdirSync(base + 'tests/config/dimensions').map((f) => base + 'tests/config/dimensions/' + f),
    base + 'python/lsst/daf/butler/configs/dimensions.yaml',
  ];
  for (const f of files) {
    try {
      const u = new DimensionUniverse(parse(readFileSync(f, 'utf8')));
      console.log('OK', f.split('/').pop(), u.version, u.namespace, u.elements.map((e) => e.name).join(' '));
    } catch (e) {
      console.log('FAIL', f.split('/').pop(), (e as Error).constructor.name, (e as Error).message);
    }
  }
  const u = DimensionUniverse.default();
  console.log(u.elements.map((e) => `${e.name}:${e.index}`).join(' '));
  const g = u.conform(['visit', 'detector']);
  console.log(g.names, g.required, g.implied, g.elements, g.governors, [...g.spatial.keys()], [...g.temporal.keys()]);
  console.log(u.conform(['exposure','visit']).elements);
  console.log(u.conform(['patch']).required, u.conform(['htm7']).names, u.conform(['htm7', 'visit']).elements, [...u.conform(['htm7', 'patch']).spatial.entries()].map(([k,v])=>k+':'+v.name));
  try { u.conform(['vist']); } catch (e) { console.log((e as Error).message, (e as any).code); }
  try { u.getElement('htm25'); } catch (e) { console.log((e as Error).message, (e as any).code); }
  try { DataCoordinate.standardize({ instrument: 'HSC', vist: 1 }, { universe: u }); } catch (e) { console.log((e as Error).message); }
  try { DataCoordinate.standardize({ instrument: 'HSC', visit: 1.5 }, { universe: u }); } catch (e) { console.log((e as Error).message); }
  try { DataCoordinate.standardize({ instrument: 3 }, { universe: u }); } catch (e) { console.log((e as Error).message); }
  try { DataCoordinate.standardize({ instrument: 'HSC' }, { universe: u, dimensions: ['visit', 'detector'] }); } catch (e) { console.log((e as Error).message); }
  const d = DataCoordinate.standardize({ instrument: 'HSC', visit: '903342', detector: 10n }, { universe: u });
  console.log(d.toString(), d.key, d.hasFull(), d.hasRecords(), d.dimensions.names);
  console.log(DataCoordinate.standardize({ visit: 903342, physical_filter: 'HSC-I' }, { universe: u, defaults: { instrument: 'HSC' } }).toString());
});
