// The real afw file ticketdm26260.fits.fz (GZIP_2, row tiles, lossless float32) must decode to
// the same pixels as the uncompressed ticketdm26260.fits (which is a whole-file gzip).

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BinaryTable } from '../src/bintable.js';
import { tiledImageSource } from '../src/compressed-image-hdu.js';
import { decodeTiledImage, readTiledImageParams, type TiledImageSource } from '../src/compression/tiled-image.js';
import { FitsFile } from '../src/fits-file.js';
import { Header } from '../src/header.js';
import { afwFixture } from './support.js';

const FZ = afwFixture('ticketdm26260.fits.fz');
const PLAIN = afwFixture('ticketdm26260.fits');

describe.skipIf(FZ === undefined || PLAIN === undefined)('afw ticketdm26260.fits.fz', () => {
  const load = async (): Promise<TiledImageSource> => {
    const fits = await FitsFile.open(FZ!);
    const table = BinaryTable.decode(fits.hdus[1]!.header, await fits.readData(1));
    await fits.close();
    return tiledImageSource(table);
  };

  /** The plain image: gunzip the file, then read BITPIX -32 big-endian pixels with a DataView. */
  const plain = () => {
    const gz = new Uint8Array(readFileSync(PLAIN!));
    expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b]);
    const bytes = new Uint8Array(gunzipSync(gz));
    const { header, byteLength } = Header.parse(bytes);
    expect(header.get('BITPIX')).toBe(-32);
    const w = Number(header.get('NAXIS1'));
    const h = Number(header.get('NAXIS2'));
    const view = new DataView(bytes.buffer, bytes.byteOffset + byteLength, w * h * 4);
    const px = new Float32Array(w * h);
    for (let i = 0; i < w * h; i++) px[i] = view.getFloat32(4 * i);
    return { w, h, px };
  };

  it('has the keywords the fixture README describes', async () => {
    const p = readTiledImageParams((await load()).header);
    expect(p.compression).toBe('GZIP_2');
    expect(p.bitpix).toBe(-32);
    expect(p.axes).toEqual([512, 512]);
    expect(p.tile).toEqual([512, 1]);
    expect(p.quantize).toBe('NONE');
  });

  it('decodes bit-identically to the uncompressed file', async () => {
    const { w, h, px } = plain();
    const img = decodeTiledImage(await load());
    expect(img.shape).toEqual([w, h]);
    expect(img.data).toBeInstanceOf(Float32Array);
    const a = new Uint32Array((img.data as Float32Array).buffer);
    const b = new Uint32Array(px.buffer);
    let mismatches = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) mismatches++;
    expect(mismatches).toBe(0);
    // Not a trivial image.
    expect(new Set(px).size).toBeGreaterThan(1000);
  });

  it('decodes a bbox from only the rows it needs', async () => {
    const { w, px } = plain();
    const box = { minX: 100, minY: 200, width: 37, height: 15 };
    const cut = decodeTiledImage(await load(), { bbox: box });
    expect(cut.tilesDecoded).toBe(15);
    for (let y = 0; y < box.height; y++) {
      for (let x = 0; x < box.width; x++) {
        expect(Object.is(cut.data[y * box.width + x], px[(y + box.minY) * w + x + box.minX])).toBe(true);
      }
    }
  });
});
