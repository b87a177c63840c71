// `pnpm demo`: what SkyStack can do today, end to end on embedded defaults.
// Today that is sky geometry, a sky map, a WCS, an exposure and a catalog written and read
// back, and a Butler registry queried in the where language; it grows into the full pipeline demo (simulate -> ingest -> pipetask run -> coadd) as
// those packages land.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Exposure, ExposureFitsReader, FilterLabel, PhotoCalib, VisitInfo } from '@skystack/afw-image';
import { SourceCatalog, readParquet, writeParquet } from '@skystack/afw-table';
import { Butler, CollectionType, DatasetType, Timespan, exportYaml, taiNsFromIsoTai } from '@skystack/daf-butler';
import { Angle, Box2I, ConvexPolygon, Extent2I, HtmPixelization, LonLat, Point2D, Point2I, SpherePoint, UnitVector3d } from '@skystack/geom';
import { makeSkyMap } from '@skystack/skymap';
import { makeCdMatrix, makeSkyWcs } from '@skystack/wcs';
import { COSMOS_POINTING, detectorFootprint } from './sky-geometry.js';

const out = (line = '') => process.stdout.write(`${line}\n`);

out('SkyStack demo: sky geometry, sky maps, WCS, exposures, catalogs and the Butler registry');
out('=======================================================================================');
out();
out('1. Separations and bearings (bearing: 0 = east, 90 = north, as lsst.geom)');
const objects: Array<[string, SpherePoint]> = [
  ['M31', SpherePoint.fromDegrees(10.6847, 41.269)],
  ['M33', SpherePoint.fromDegrees(23.4621, 30.6599)],
  ['LMC', SpherePoint.fromDegrees(80.8942, -69.7561)],
  ['SMC', SpherePoint.fromDegrees(13.1867, -72.8286)],
  ['COSMOS', SpherePoint.fromDegrees(150.1191, 2.2058)],
];
for (const [[nameA, a], [nameB, b]] of [
  [objects[0]!, objects[1]!],
  [objects[2]!, objects[3]!],
  [objects[0]!, objects[4]!],
] as const) {
  out(`   ${nameA.padEnd(6)} -> ${nameB.padEnd(6)}  separation ${a.separation(b).asDegrees().toFixed(4).padStart(9)} deg   bearing ${a.bearingTo(b).asDegrees().toFixed(3).padStart(8)} deg`);
}
const antipode = SpherePoint.fromDegrees(150.1191 + 180, -2.2058 + 1e-9);
out(`   COSMOS -> its antipode moved 1e-9 deg: separation 180 deg - ${(180 - objects[4]![1].separation(antipode).asDegrees()).toExponential(3)} deg`);
out();

const pointing = COSMOS_POINTING;
const fp = detectorFootprint(pointing);
out('2. A 4096 x 4096 detector at 0.2 arcsec/pixel on COSMOS, +y at position angle 30 deg (TAN projection)');
out(`   pixel box           ${pointing.bbox.toString()}`);
out(`   boresight           ${pointing.boresight.toString()}`);
fp.corners.forEach((c, i) => out(`   corner ${i}            ${c.toString()}`));
const expectedEdge = Angle.fromArcseconds(4096 * 0.2);
out(`   edges on the sky    ${fp.edgeLengths.map((e) => e.asArcseconds().toFixed(3)).join(' x ')} arcsec (${expectedEdge.asArcseconds().toFixed(3)} at the tangent point)`);
out();

out(`3. HTM indexing, as the Butler registry indexes regions (level ${fp.htm.getLevel()}, "htm7")`);
const envelopeCount = fp.envelope.reduce((n, [a, b]) => n + (b - a), 0);
out(`   envelope            ${envelopeCount} trixels in ${fp.envelope.length} ranges: ${fp.envelope.map(([a, b]) => (b - a === 1 ? `${a}` : `${a}..${b - 1}`)).join(', ')}`);
const names = fp.envelope.flatMap(([a, b]) => Array.from({ length: b - a }, (_, k) => HtmPixelization.asString(a + k)));
out(`   trixel names        ${names.join(' ')}`);
const centreTrixel = fp.htm.index(pointing.boresight.toUnitVector());
out(`   boresight trixel    ${centreTrixel} (${HtmPixelization.asString(centreTrixel)}), inside the envelope: ${fp.envelope.some(([a, b]) => centreTrixel >= a && centreTrixel < b)}`);
const interiorCount = fp.interiorLevel10.reduce((n, [a, b]) => n + (b - a), 0);
out(`   interior, level 10  ${interiorCount} trixels entirely inside the footprint`);
out();

out('4. The hsc_rings_v1 sky map (lsst.skymap numbering): where is COSMOS?');
const skyMap = makeSkyMap('hsc_rings_v1');
const tract = skyMap.findTract(objects[4]![1]);
const patch = tract.findPatch(objects[4]![1]);
out(`   ${skyMap.length} tracts; COSMOS is in tract ${tract.getId()}, patch (${patch.getIndex().x}, ${patch.getIndex().y}) = ${patch.getSequentialIndex()}`);
out(`   sky map identity    sha1 ${Buffer.from(skyMap.getSha1()).toString('base64')} (lsst.skymap: 4p/p8QCONZ82o2d+fWnMQ5N20eY=)`);
out();

const dir = mkdtempSync(join(tmpdir(), 'skystack-demo-'));
try {
  out('5. An exposure with a WCS, a PhotoCalib, a filter and a VisitInfo, written in afw\'s FITS layout');
  const bbox = Box2I.fromCorner(new Point2I(1000, 2000), new Extent2I(512, 512));
  const exposure = Exposure.make('float32', bbox);
  const { data } = exposure.image.array;
  for (let i = 0; i < data.length; i++) data[i] = 100 + (i % 512) * 0.01;
  exposure.variance.set(100);
  exposure.setWcs(makeSkyWcs(new Point2D(1256, 2256), pointing.boresight, makeCdMatrix(Angle.fromArcseconds(0.2))));
  exposure.setPhotoCalib(new PhotoCalib(0.57, 0.001));
  exposure.setFilter(FilterLabel.fromBandPhysical('r', 'SIM-R'));
  exposure.setVisitInfo(new VisitInfo({ exposureTime: 30, darkTime: 30, boresightRaDec: pointing.boresight }));
  const path = join(dir, 'calexp.fits');
  await exposure.writeFits(path);
  out(`   wrote ${path.split('/').pop()} (${statSync(path).size} bytes, checksums, atomic rename)`);
  const reader = await ExposureFitsReader.open(path);
  try {
    const visitInfo = reader.readVisitInfo();
    const wcs = await reader.readWcs();
    out(`   read without pixels: bbox ${reader.readBBox().toString()}, exposure time ${visitInfo?.exposureTime} s, filter ${String(await reader.readFilter())}`);
    out(`   pixel (1256, 2256) -> ${wcs?.pixelToSky(1256, 2256).toString()}; 1000 counts = ${(await reader.readPhotoCalib())?.instFluxToNanojansky(1000).toFixed(1)} nJy`);
  } finally {
    await reader.close();
  }
  out();

  out('6. A source catalog as an Arrow table and a Parquet file, read back two columns only');
  const schema = SourceCatalog.makeMinimalSchema();
  schema.addField({ name: 'base_PsfFlux_instFlux', type: 'D', doc: 'PSF flux', units: 'count' });
  const catalog = new SourceCatalog(schema);
  for (let i = 0; i < 1000; i++) {
    const record = catalog.addNew();
    record.set('id', BigInt(i + 1));
    record.set('coord_ra', pointing.boresight.getRa().asRadians() + i * 1e-6);
    record.set('coord_dec', pointing.boresight.getDec().asRadians());
    record.set('base_PsfFlux_instFlux', 1000 + i);
  }
  const parquet = join(dir, 'src.parquet');
  await writeParquet(parquet, catalog.toArrow());
  const two = await readParquet(parquet, { columns: ['id', 'base_PsfFlux_instFlux'] });
  out(`   ${catalog.length} rows, ${catalog.schema.getNames().length} columns -> ${parquet.split('/').pop()} (${statSync(parquet).size} bytes); read back ${two.numCols} columns x ${two.numRows} rows`);
  out();

  out('7. A Butler repository (SQLite registry + file datastore): dimensions with regions, collections, datasets, where-language queries');
  await Butler.makeRepo(join(dir, 'repo'));
  const butler = await Butler.from(join(dir, 'repo'), { writeable: true, instrument: 'SimCam' });
  const registry = butler.registry;
  try {
    const u = registry.universe;
    await registry.insertDimensionData('instrument', [{ name: 'SimCam', visit_max: 1_000_000, exposure_max: 1_000_000, detector_max: 4, visit_system: 0, class_name: '@skystack/obs-sim#SimCam' }]);
    await registry.insertDimensionData('physical_filter', ['g', 'r', 'i'].map((b) => ({ instrument: 'SimCam', name: `SIM-${b.toUpperCase()}`, band: b })));
    await registry.insertDimensionData('detector', [0, 1, 2, 3].map((id) => ({ instrument: 'SimCam', id, full_name: `D${id}`, purpose: 'SCIENCE' })));
    await registry.insertDimensionData('skymap', [{ name: 'hsc_rings_v1', hash: skyMap.getSha1(), tract_max: skyMap.length, patch_nx_max: 9, patch_ny_max: 9 }]);
    const nearby = [...skyMap].filter((t) => t.getCtrCoord().separation(objects[4]![1]).asDegrees() < 4);
    await registry.insertDimensionData('tract', nearby.map((t) => ({ skymap: 'hsc_rings_v1', id: t.getId(), region: t.getOuterSkyPolygon() })));
    await registry.insertDimensionData('patch', [...tract].map((p) => ({ skymap: 'hsc_rings_v1', tract: tract.getId(), id: p.getSequentialIndex(), cell_x: p.getIndex().x, cell_y: p.getIndex().y, region: p.getOuterSkyPolygon() })));
    // 12 visits dithered around COSMOS: 1 x 1 degree footprints, 30 s, g/r/i in turn, one night.
    await registry.insertDimensionData('day_obs', [{ instrument: 'SimCam', id: 20250301 }]);
    const square = (raDeg: number, decDeg: number, halfDeg: number) =>
      new ConvexPolygon([[-1, -1], [1, -1], [1, 1], [-1, 1]].map(([dx, dy]) =>
        UnitVector3d.fromLonLat(LonLat.fromDegrees(raDeg + (dx! * halfDeg) / Math.cos((decDeg * Math.PI) / 180), decDeg + dy! * halfDeg))));
    const visits = Array.from({ length: 12 }, (_, i) => {
      const ra = 150.1191 + 1.6 * Math.cos((i * Math.PI) / 6);
      const dec = 2.2058 + 1.6 * Math.sin((i * Math.PI) / 6);
      const begin = taiNsFromIsoTai(`2025-03-02 0${Math.floor(i / 6)}:${String((i % 6) * 10).padStart(2, '0')}:00`);
      return { instrument: 'SimCam', id: 100 + i, name: `V${100 + i}`, physical_filter: `SIM-${'GRI'[i % 3]}`, day_obs: 20250301, exposure_time: i < 6 ? 30 : 15, region: square(ra, dec, 0.5), timespan: Timespan.fromNs(begin, begin + 30_000_000_000n) };
    });
    await registry.insertDimensionData('visit', visits);
    const calexp = new DatasetType('calexp', ['instrument', 'visit', 'detector'], 'ExposureF', { universe: u });
    await registry.registerDatasetType(calexp);
    await registry.registerRun('SimCam/runs/demo/1');
    await registry.registerRun('SimCam/runs/demo/2');
    const ids = visits.flatMap((v) => [0, 1, 2, 3].map((detector) => ({ instrument: 'SimCam', visit: v.id, detector })));
    await registry.insertDatasets(calexp, ids, 'SimCam/runs/demo/1');
    await registry.insertDatasets(calexp, ids.filter((d) => d.detector === 0), 'SimCam/runs/demo/2');
    await registry.registerCollection('SimCam/defaults', CollectionType.CHAINED, 'Latest run first');
    await registry.setCollectionChain('SimCam/defaults', ['SimCam/runs/demo/2', 'SimCam/runs/demo/1']);
    out(`   ${nearby.length} tracts within 4 deg of COSMOS and the ${tract.getNumPatchesTotal()} patches of tract ${tract.getId()}, ${visits.length} visits, ${ids.length + 12} calexp datasets in 2 RUNs under a CHAINED collection`);
    const overlapping = await registry.queryDataIds(['visit'], { dataId: { skymap: 'hsc_rings_v1', tract: tract.getId() } }).orderBy('visit').toArray();
    const tractPolygon = tract.getOuterSkyPolygon();
    const bruteForce = visits.filter((v) => !v.region.isDisjointFrom(tractPolygon)).length;
    out(`   visits overlapping tract ${tract.getId()} (spatial join through htm7): ${overlapping.map((d) => d.get('visit')).join(', ')} (${overlapping.length}; brute force ${bruteForce})`);
    const [found] = await registry.queryDataIds(['patch'], { dataId: { skymap: 'hsc_rings_v1', tract: tract.getId() }, where: 'patch.region OVERLAPS POINT(150.1191, 2.2058)' }).toArray();
    out(`   patch containing COSMOS, by a registry query: ${String(found?.get('patch'))} (findPatch above: ${patch.getSequentialIndex()})`);
    const where = "band = 'i' AND detector IN (0..2) AND visit.exposure_time > 20";
    const refs = await registry.queryDatasets('calexp', { collections: 'SimCam/defaults', where, findFirst: true }).toArray();
    const runs = new Map<string, number>();
    for (const r of refs) runs.set(r.run, (runs.get(r.run) ?? 0) + 1);
    out(`   calexp where "${where}", find-first in SimCam/defaults: ${refs.length} (${[...runs].map(([r, n]) => `${n} from ${r}`).join(', ')})`);
    try {
      await registry.queryDatasets('calExp', { collections: 'SimCam/defaults' }).toArray();
    } catch (e) {
      out(`   a typo gets a hint: ${(e as Error).message}`);
    }
    const yaml = await exportYaml(registry, { datasets: refs });
    out(`   export of those datasets in daf_butler's YAML format: ${yaml.length} characters, ${yaml.split('\n').length} lines`);
    // The catalog of step 6 through the Butler: a Parquet file at a templated path, read back
    // with a column projection.
    await registry.registerDatasetType(new DatasetType('sourceTable', ['instrument', 'visit'], 'ArrowTable', { universe: u }));
    const stored = await butler.put(catalog.toArrow(), 'sourceTable', { visit: 102 }, { run: 'SimCam/runs/demo/1' });
    const uri = await butler.getURI(stored);
    const columns = (await butler.get('sourceTable', { visit: 102 }, { collections: 'SimCam/defaults', parameters: { columns: ['id', 'coord_ra'] } })) as { numCols: number; numRows: number };
    out(`   butler.put(sourceTable) -> ${uri.slice(uri.indexOf('/repo/') + 6)}`);
    out(`   butler.get(sourceTable, columns id, coord_ra) -> ${columns.numCols} columns x ${columns.numRows} rows`);
  } finally {
    await butler.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
out();
out('Done. Next: tasks and pipelines (pipetask), the simulated camera and single-frame processing (see README.md).');
