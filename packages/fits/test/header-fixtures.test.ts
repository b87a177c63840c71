/**
 * Headers of real files written by the LSST software (`../shared/fixtures/afw`): every header
 * of every HDU must parse, write back byte for byte, and give the keyword values astropy
 * gives (astropy is run once through `/usr/bin/python3`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Header, dataByteLength, paddedByteLength } from '../src/header.js';
import { AFW, afwAvailable, astropyAvailable, normaliseTag, PY_TAG, runPython, tagValue, type TaggedValue } from './support.js';

const afw = AFW;
const present = afwAvailable();

/** Every FITS file of the fixtures: plain, tile-compressed (`.fz`) and gzip-compressed. */
const files = present
  ? readdirSync(afw)
      .filter((f) => f.endsWith('.fits') || f.endsWith('.fits.fz') || f.endsWith('.fits.gz'))
      .sort()
  : [];

/** Reads a fixture, gunzipping whole-file gzip (`*.fits.gz`, and `ticketdm26260.fits`). */
function readFixture(name: string): Uint8Array {
  const bytes = readFileSync(resolve(afw, name));
  return bytes[0] === 0x1f && bytes[1] === 0x8b ? new Uint8Array(gunzipSync(bytes)) : new Uint8Array(bytes);
}

interface Hdu {
  offset: number;
  byteLength: number;
  header: Header;
}

/** Walks the HDUs of a file: parse a header, skip its (padded) data unit, repeat. */
function walk(bytes: Uint8Array, file: string): Hdu[] {
  const hdus: Hdu[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const { header, byteLength } = Header.parse(bytes, { offset, file, hdu: hdus.length });
    hdus.push({ offset, byteLength, header });
    offset += byteLength + paddedByteLength(dataByteLength(header));
  }
  expect(offset).toBe(bytes.length);
  return hdus;
}

type Tagged = TaggedValue;

/**
 * Prints `{path: [[hdu, keyword, tagged value, comment], ...]}` for every card astropy reads.
 *
 * astropy 5.2 (Debian's) misreads a continued string when one of its parts holds an escaped
 * quote followed by a blank (`'n'' method ...'`: its CONTINUE regex stops at the escaped
 * quote). For those cards only, the value and comment are rebuilt from astropy's single-card
 * parser applied to each part (as `KEYWORD = 'part'`), joined as the CONTINUE convention says.
 */
const ASTROPY_SCRIPT = String.raw`
import json, sys, warnings
warnings.simplefilter('ignore')
from astropy.io import fits
${PY_TAG}

def continued(card):
    img = card._image
    values, comments = [], []
    for i in range(0, len(img), 80):
        part = fits.Card.fromstring('DUMMY   = ' + img[i + 10:i + 80])
        v = part.value.rstrip()
        values.append(v[:-1] if v.endswith('&') else v)
        if part.comment: comments.append(part.comment)
    return ''.join(values).rstrip(), ' '.join(comments)

out = {}
for path in sys.argv[1:]:
    rows = []
    with fits.open(path, disable_image_compression=True, lazy_load_hdus=False) as hdul:
        for i, hdu in enumerate(hdul):
            for card in hdu.header.cards:
                v, comment = card.value, card.comment
                if card._image is not None and len(card._image) > 80 and "''" in card._image:
                    v, comment = continued(card)
                rows.append([i, card.keyword, tag(v), comment])
    out[path] = rows
json.dump(out, sys.stdout)
`;

/** Runs astropy on all fixture files; `undefined` when /usr/bin/python3 has no astropy. */
function astropyCards(): Record<string, [number, string, Tagged, string][]> | undefined {
  if (!astropyAvailable()) return undefined;
  const paths = files.map((f) => resolve(afw, f));
  const json = runPython(ASTROPY_SCRIPT, { args: paths });
  const byPath = JSON.parse(json) as Record<string, [number, string, Tagged, string][]>;
  const byName: Record<string, [number, string, Tagged, string][]> = {};
  for (const f of files) byName[f] = byPath[resolve(afw, f)] ?? [];
  return byName;
}

/**
 * Cards that astropy 5.2 misreads even card by card: `CONTINUE  ''  / ''` (an empty string
 * followed by a comment holding two quotes) is taken for the string `'  / '`. Expected
 * values written by hand from the card images (ticket42210.fits, HDU 1, cards 249-251):
 *
 * ```
 * TTYPE25 = 'deblend_blendedness&'
 * CONTINUE  '&'                  / The Bosch et al. 2018 metric for ''blendedness.
 * CONTINUE  ''                   / ''
 * ```
 */
const ASTROPY_MISREADS: Record<string, Record<string, [Tagged, string]>> = {
  'ticket42210.fits': {
    '1 TTYPE25': [['str', 'deblend_blendedness'], "The Bosch et al. 2018 metric for ''blendedness. ''"],
  },
};

describe.skipIf(!present)('headers of the afw fixture files', () => {
  it('finds the fixture files', () => {
    expect(files.length).toBeGreaterThan(40);
    expect(files).toContain('ticket2905.fits');
  });

  it.each(files)('%s: every header parses and writes back byte for byte', (name) => {
    const bytes = readFixture(name);
    const hdus = walk(bytes, name);
    expect(hdus.length).toBeGreaterThan(0);
    for (const hdu of hdus) {
      const original = bytes.subarray(hdu.offset, hdu.offset + hdu.byteLength);
      expect(Header.findEnd(bytes, hdu.offset)).toBe(hdu.byteLength);
      expect(Buffer.from(hdu.header.toBytes()).equals(Buffer.from(original))).toBe(true);
      // The clone round-trips too, and re-parsing what we wrote gives the same cards.
      const again = Header.parse(hdu.header.clone().toBytes()).header;
      expect(again.toImages()).toEqual(hdu.header.toImages());
    }
  });

  const reference = present ? astropyCards() : undefined;

  describe.skipIf(reference === undefined)('keywords, values and comments agree with astropy', () => {
    it.each(files)('%s', (name) => {
      const expected = reference![name]!;
      expect(expected.length).toBeGreaterThan(0);
      const actual: [number, string, Tagged, string][] = [];
      walk(readFixture(name), name).forEach((hdu, i) => {
        for (const card of hdu.header) {
          // astropy's comment of a commentary card is '' (the text is its value); of a card without one, ''.
          const comment = card.isCommentary ? '' : (card.comment ?? '');
          actual.push([i, card.keyword, tagValue(card.value, card.comment, card.isFloat), comment]);
        }
      });
      const fixes = ASTROPY_MISREADS[name] ?? {};
      const want = expected.map(([h, k, t, c]): [number, string, Tagged, string] => {
        const fix = fixes[`${h} ${k}`];
        return fix === undefined ? [h, k, normaliseTag(t), c] : [h, k, fix[0], fix[1]];
      });
      expect(actual).toEqual(want);
    });
  });

  describe('specific fixtures', () => {
    const header = (name: string, hdu = 0): Header => walk(readFixture(name), name)[hdu]!.header;

    it("ticket2905.fits: 'INR-STR = 2E-05' is the float 2e-5", () => {
      const h = header('ticket2905.fits');
      expect(h.get('INR-STR')).toBe(2e-5);
      expect(h.getCard('INR-STR')!.isFloat).toBe(true);
      expect(h.getNumber('inr-str')).toBe(0.00002);
    });

    it('ticket18864.fits: duplicated keywords are kept in order, the first wins, undefined values are null', () => {
      const h = header('ticket18864.fits');
      expect(h.getAll('ADC-STR').map((c) => c.value)).toEqual([22.01, null]);
      expect(h.get('ADC-STR')).toBe(22.01);
      expect(h.getAll('DOM-WND').map((c) => c.value)).toEqual([null, 4.8]);
      expect(h.get('DOM-WND')).toBeNull();
      expect(h.getNumber('DOM-WND')).toBeUndefined();
      expect(() => h.requireNumber('DOM-WND')).toThrow(/undefined value/);
    });

    it('ticket20143.fits: blank-keyword commentary cards', () => {
      const h = header('ticket20143.fits');
      const blanks = h.getAll('');
      expect(blanks.length).toBeGreaterThan(0);
      expect(blanks.every((c) => c.isCommentary && c.value === undefined)).toBe(true);
      expect(blanks.map((c) => c.comment!.trim())).toContain('---- Checksums ----');
      expect(h.get('OBSTYPE')).toBeNull();
    });

    it('ticket42210.fits: long strings with CONTINUE, comments on the trailing CONTINUE cards', () => {
      const h = header('ticket42210.fits', 1);
      const ttype9 = h.getCard('TTYPE9')!;
      expect(ttype9.value).toBe('deblend_nPeaks');
      expect(ttype9.raw).toHaveLength(3);
      expect(ttype9.comment).toBe(
        'Number of initial peaks in the blend. This incl udes peaks that may have been culled during deb lending or failed to deblend',
      );
      const ttype13 = h.getCard('TTYPE13')!;
      expect(ttype13.value).toBe('deblend_peakId');
      expect(ttype13.comment).toBe('ID of the peak in the parent footprint. This is not unique, but the combination of');
      expect(h.has('CONTINUE')).toBe(false);
    });

    it('multi_extension_metadata.fits: keywords of each HDU', () => {
      const hdus = walk(readFixture('multi_extension_metadata.fits'), 'multi_extension_metadata.fits');
      expect(hdus).toHaveLength(3);
      expect(hdus[0]!.header.has('BLEEP')).toBe(true);
      expect(hdus[0]!.header.has('BLOOP')).toBe(true);
      expect(hdus[1]!.header.get('EXTNAME')).toBe('EXTRA_IM');
      expect(hdus[1]!.header.has('BLORP')).toBe(true);
      expect(hdus[2]!.header.get('EXTNAME')).toBe('EXTRA_TAB');
      expect(hdus[2]!.header.get('XTENSION')).toBe('BINTABLE');
      expect(hdus[2]!.header.has('FVALUE')).toBe(true);
    });

    it('deepCoadd_meas_HSC_v2.fits: HIERARCH keywords keep their case and are found case-insensitively', () => {
      const h = header('deepCoadd_meas_HSC_v2.fits', 1);
      const radii = h.getAll('base_CircularApertureFlux_radii');
      expect(radii.map((c) => c.value)).toEqual([3, 4.5, 6, 9, 12, 17, 25, 35, 50, 70]);
      expect(radii.every((c) => c.isHierarch && c.keyword === 'base_CircularApertureFlux_radii')).toBe(true);
      expect(h.get('HIERARCH BASE_CIRCULARAPERTUREFLUX_RADII')).toBe(3);
    });
  });
});
