// `pnpm demo`: what SkyStack can do today, end to end on embedded defaults.
// Today that is sky geometry, a sky map, a WCS, an exposure and a catalog written and read
// back; it grows into the full pipeline demo (simulate -> ingest -> pipetask run -> coadd) as
// those packages land.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Exposure, ExposureFitsReader, FilterLabel, PhotoCalib, VisitInfo } from '@skystack/afw-image';
import { SourceCatalog, readParquet, writeParquet } from '@skystack/afw-table';
import { Angle, Box2I, Extent2I, HtmPixelization, Point2D, Point2I, SpherePoint } from '@skystack/geom';
import { makeSkyMap } from '@skystack/skymap';
import { makeCdMatrix, makeSkyWcs } from '@skystack/wcs';
import { COSMOS_POINTING, detectorFootprint } from './sky-geometry.js';

const out = (line = '') => process.stdout.write(`${line}\n`);

out('SkyStack demo: sky geometry, sky maps, WCS, exposures and catalogs');
out('===================================================================');
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
} finally {
  rmSync(dir, { recursive: true, force: true });
}
out();
out('Done. Next: the Butler, pipelines, single-frame processing (see README.md).');
