// `pnpm demo`: what SkyStack can do today, end to end on embedded defaults.
// Today that is sky geometry with @skystack/geom; it grows into the full pipeline demo
// (simulate -> ingest -> pipetask run -> coadd) as those packages land.
import { Angle, HtmPixelization, SpherePoint } from '@skystack/geom';
import { COSMOS_POINTING, detectorFootprint } from './sky-geometry.js';

const out = (line = '') => process.stdout.write(`${line}\n`);

out('SkyStack demo: sky geometry with @skystack/geom');
out('================================================');
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
out('Done. Next: FITS images, the Butler, pipelines (see README.md).');
