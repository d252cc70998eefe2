// XMP sidecars: rating/score read and merge-write against darktable, digiKam, Lightroom, exiftool and legacy Bridge sidecars.
import { chmodSync, constants as fsConstants, copyFileSync, existsSync, lstatSync, mkdirSync, promises as fsPromises, readdirSync, readFileSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOMParser, type Element, type Node } from '@xmldom/xmldom';
import sharp from 'sharp';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  XMP_NS,
  XmpError,
  findSidecar,
  mergeXmp,
  parseXmp,
  readSidecar,
  sidecarPath,
  writeSidecar,
  type SidecarNaming,
} from '../../../src-main/photo/xmp';
import { PHOTO_COLORS } from '../../../src-shared/api/schemas';
import { colorOfLabel, labelOfColor } from '../../../src-main/photo/color-labels';
import { tempDir } from '../../helpers/temp';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/xmp');
const dir = tempDir('iqa-xmp-');

interface Fixture {
  name: string;
  image: string;
  naming: SidecarNaming;
  rating: number;
  label?: string;
}

const fixtures: Fixture[] = [
  { name: 'darktable', image: 'photo.jpg', naming: 'darktable', rating: 3 },
  { name: 'digikam', image: 'photo.jpg', naming: 'darktable', rating: 4 },
  { name: 'lightroom', image: 'photo.raf', naming: 'lightroom', rating: 2, label: 'Red' },
  { name: 'rejected', image: 'photo.jpg', naming: 'darktable', rating: -1 },
  { name: 'exiftool', image: 'photo.jpg', naming: 'lightroom', rating: 1 },
  { name: 'legacy-xap', image: 'photo.nef', naming: 'lightroom', rating: 5, label: 'Select' },
];

const SCORE = { value: 0.734512, model: 'hyperiqa@koniq', scale: '0-1', scoredAt: '2024-05-01T12:00:00.000Z' };

let jpeg: Buffer;
beforeAll(async () => {
  jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 80, b: 30 } } })
    .jpeg()
    .toBuffer();
});

let seq = 0;
/** Copies a fixture next to a fresh "image" in its own temp folder. */
function stage(f: Fixture): { image: string; sidecar: string; original: string; imageBytes: Buffer } {
  const d = join(dir, `${f.name}-${seq++}`);
  mkdirSync(d);
  const image = join(d, f.image);
  const imageBytes = f.image.endsWith('.jpg') ? jpeg : Buffer.from(`fake raw bytes for ${f.name}`);
  writeFileSync(image, imageBytes);
  const src = join(FIXTURES, f.name, sidecarPath(f.image, f.naming));
  const sidecar = sidecarPath(image, f.naming);
  copyFileSync(src, sidecar);
  return { image, sidecar, original: readFileSync(src, 'utf8'), imageBytes };
}

/** Every element (with its text when it is a leaf) and attribute, keyed by namespace-qualified path. */
function facts(xml: string): string[] {
  const doc = new DOMParser().parseFromString(xml.replace(/^\uFEFF/, ''), 'application/xml');
  const out: string[] = [];
  const walk = (el: Element, at: string): void => {
    const here = `${at}/{${el.namespaceURI ?? ''}}${el.localName}`;
    const kids: Element[] = [];
    for (let n: Node | null = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) kids.push(n as Element);
    out.push(kids.length === 0 ? `${here}=${(el.textContent ?? '').trim()}` : here);
    for (let i = 0; i < el.attributes.length; i++) {
      const a = el.attributes.item(i);
      if (a) out.push(`${here}@{${a.namespaceURI ?? ''}}${a.localName}=${a.value}`);
    }
    kids.forEach((k, i) => walk(k, `${here}[${i}]`));
  };
  if (doc.documentElement) walk(doc.documentElement, '');
  return out.sort();
}

const touchesRatingOrIqa = (fact: string): boolean =>
  fact.includes(`{${XMP_NS.xmp}}Rating`) || fact.includes(`{${XMP_NS.MicrosoftPhoto}}Rating`) || fact.includes(`{${XMP_NS.iqa}}`) || fact.endsWith(`=${XMP_NS.iqa}`);

/** Removes iqa:* properties and the xmlns:iqa declaration (attribute form, with their leading whitespace). */
function stripIqa(xml: string): string {
  return xml.replace(/\s+(?:xmlns:iqa\d*|iqa\d*:\w+)=(?:"[^"]*"|'[^']*')/g, '');
}

function maskRating(xml: string): string {
  return xml
    .replace(/((?:xmp|xap|MicrosoftPhoto):Rating=)(?:"[^"]*"|'[^']*')/g, '$1#')
    .replace(/(<(xmp|xap):Rating>)[^<]*(<\/\2:Rating>)/g, '$1#$3');
}

function tmpLeftovers(d: string): string[] {
  return readdirSync(d).filter((n) => n.endsWith('.tmp'));
}

describe('sidecar naming', () => {
  it('darktable/digiKam append .xmp; Lightroom replaces the extension', () => {
    expect(sidecarPath('/p/photo.jpg', 'darktable')).toBe('/p/photo.jpg.xmp');
    expect(sidecarPath('/p/photo.jpg', 'lightroom')).toBe('/p/photo.xmp');
    expect(sidecarPath('/p/IMG_0001.CR3', 'lightroom')).toBe('/p/IMG_0001.xmp');
    expect(sidecarPath('/p/my.trip/photo.tar.NEF', 'lightroom')).toBe('/p/my.trip/photo.tar.xmp');
    expect(sidecarPath('/p/noext', 'lightroom')).toBe('/p/noext.xmp');
    expect(() => sidecarPath('/p/photo.xmp', 'lightroom')).toThrow(XmpError);
  });

  it('findSidecar reports none, either, or both', async () => {
    const d = join(dir, 'find');
    mkdirSync(d);
    const image = join(d, 'photo.jpg');
    writeFileSync(image, jpeg);
    const none = await findSidecar(image);
    expect(none).toMatchObject({ path: null, naming: null, both: false });
    expect(none.candidates.map((c) => c.path)).toEqual([join(d, 'photo.jpg.xmp'), join(d, 'photo.xmp')]);

    copyFileSync(join(FIXTURES, 'lightroom/photo.xmp'), join(d, 'photo.xmp'));
    expect(await findSidecar(image)).toMatchObject({ path: join(d, 'photo.xmp'), naming: 'lightroom', both: false });

    copyFileSync(join(FIXTURES, 'darktable/photo.jpg.xmp'), join(d, 'photo.jpg.xmp'));
    expect(await findSidecar(image)).toMatchObject({ path: join(d, 'photo.jpg.xmp'), naming: 'darktable', both: true });
    expect(await findSidecar(image, { prefer: 'lightroom' })).toMatchObject({ path: join(d, 'photo.xmp'), both: true });
  });
});

describe.each(fixtures)('$name sidecar', (f) => {
  it('reads the rating (and label)', async () => {
    const data = await readSidecar(join(FIXTURES, f.name, sidecarPath(f.image, f.naming)));
    expect(data.rating).toBe(f.rating);
    expect(data.label).toBe(f.label);
    expect(data.score).toBeUndefined();
  });

  it('merges a new rating and score, keeping everything else and the image untouched', async () => {
    const s = stage(f);
    const imageStat = statSync(s.image);
    const newRating = f.rating === 5 ? 0 : 5;
    const res = await writeSidecar(s.sidecar, { rating: newRating, score: SCORE });
    expect(res).toEqual({ path: s.sidecar, changed: true, created: false });
    const after = readFileSync(s.sidecar, 'utf8');

    // (a) values read back
    const back = await readSidecar(s.sidecar);
    expect(back.rating).toBe(newRating);
    expect(back.label).toBe(f.label);
    expect(back.score).toEqual(SCORE);
    // Windows' rating, where the sidecar has one, follows xmp:Rating (digiKam writes both).
    if (s.original.includes('MicrosoftPhoto:Rating')) expect(back.microsoftRating).toBe(newRating === 5 ? 99 : undefined);

    // (b) every other element/attribute is still there with its value, and nothing else was added
    expect(facts(after).filter((x) => !touchesRatingOrIqa(x))).toEqual(facts(s.original).filter((x) => !touchesRatingOrIqa(x)));
    // ... and byte-wise: removing what we inserted and masking the rating value leaves exactly the original.
    expect(maskRating(stripIqa(after))).toBe(maskRating(s.original));
    if (s.original.includes('<?xpacket')) {
      expect(after.startsWith(s.original.slice(0, s.original.indexOf('?>') + 2))).toBe(true);
      expect(after.endsWith(s.original.slice(s.original.lastIndexOf('<?xpacket end')))).toBe(true);
    }

    // (c) a second identical write changes no bytes (with and without an explicit scoredAt)
    expect(await writeSidecar(s.sidecar, { rating: newRating, score: SCORE })).toMatchObject({ changed: false });
    const { scoredAt: _ignored, ...noTime } = SCORE;
    expect(await writeSidecar(s.sidecar, { rating: newRating, score: noTime })).toMatchObject({ changed: false });
    expect(readFileSync(s.sidecar, 'utf8')).toBe(after);

    // (d) the image is byte-identical and was not rewritten; no temp files are left behind
    expect(readFileSync(s.image).equals(s.imageBytes)).toBe(true);
    expect(statSync(s.image).mtimeMs).toBe(imageStat.mtimeMs);
    expect(tmpLeftovers(dirname(s.sidecar))).toEqual([]);
  });

  it('restoring the original rating and removing the score gives back the original bytes', async () => {
    const s = stage(f);
    await writeSidecar(s.sidecar, { rating: f.rating === 5 ? 0 : 5, score: SCORE });
    await writeSidecar(s.sidecar, { rating: f.rating, score: null });
    const after = readFileSync(s.sidecar, 'utf8');
    // The namespace declaration we added stays (harmless); everything else is the original.
    expect(stripIqa(after)).toBe(s.original);
  });
});

describe.each(fixtures)('$name sidecar: colour label', (f) => {
  it('sets xmp:Label, keeping every other byte, and removing it gives back the original', async () => {
    const s = stage(f);
    await writeSidecar(s.sidecar, { label: 'Purple' });
    const back = await readSidecar(s.sidecar);
    expect(back.label).toBe('Purple');
    expect(back.rating).toBe(f.rating);
    expect(await writeSidecar(s.sidecar, { label: 'Purple' })).toMatchObject({ changed: false });
    if (f.label !== undefined) {
      await writeSidecar(s.sidecar, { label: f.label });
      expect(readFileSync(s.sidecar, 'utf8')).toBe(s.original);
    } else {
      await writeSidecar(s.sidecar, { label: null });
      expect((await readSidecar(s.sidecar)).label).toBeUndefined();
    }
  });
});

describe('colour labels', () => {
  it('maps the five colours to xmp:Label and back, in any case; custom labels are no colour', () => {
    expect(PHOTO_COLORS.map(labelOfColor)).toEqual(['Red', 'Yellow', 'Green', 'Blue', 'Purple']);
    expect(['Red', 'yellow', ' GREEN ', 'Blue', 'purple'].map(colorOfLabel)).toEqual([...PHOTO_COLORS]);
    expect(['To Do', 'Approved', '', undefined, null].map(colorOfLabel)).toEqual([null, null, null, null, null]);
  });
  it('refuses a label with a line break or over 100 characters, without writing', async () => {
    const target = join(dir, 'label.jpg.xmp');
    await expect(writeSidecar(target, { label: 'Red\nBlue' })).rejects.toThrow(/single-line/);
    await expect(writeSidecar(target, { label: 'x'.repeat(101) })).rejects.toThrow(/single-line/);
    expect(existsSync(target)).toBe(false);
  });
});

describe('specific formats', () => {
  it('exiftool element form: edits <xmp:Rating> in place and keeps single quotes', () => {
    const original = readFileSync(join(FIXTURES, 'exiftool/photo.xmp'), 'utf8');
    const out = mergeXmp(original, { rating: 4, score: SCORE });
    expect(out).toContain('<xmp:Rating>4</xmp:Rating>');
    expect(out).not.toContain('xmp:Rating=');
    expect(out).toContain(`xmlns:iqa='${XMP_NS.iqa}'`);
    expect(out).toContain(`iqa:Score='0.734512'`);
    expect(parseXmp(out).rating).toBe(4);
  });

  it('legacy xap: prefix is recognised as the xmp namespace and reused', () => {
    const original = readFileSync(join(FIXTURES, 'legacy-xap/photo.xmp'), 'utf8');
    const out = mergeXmp(original, { rating: 2 });
    expect(out).toBe(original.replace('<xap:Rating>5</xap:Rating>', '<xap:Rating>2</xap:Rating>'));
    expect(out).not.toContain('xmlns:xmp=');
  });

  it('adds xmp:Rating with a new declaration when the sidecar has none', () => {
    const src = `<x:xmpmeta xmlns:x="adobe:ns:meta/">\n <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n  <rdf:Description rdf:about=""\n    xmlns:dc="http://purl.org/dc/elements/1.1/"\n   dc:format="image/jpeg"/>\n </rdf:RDF>\n</x:xmpmeta>\n`;
    const out = mergeXmp(src, { rating: 3 });
    expect(out).toContain(`    xmlns:dc="http://purl.org/dc/elements/1.1/"\n    xmlns:xmp="${XMP_NS.xmp}"\n   dc:format="image/jpeg"\n   xmp:Rating="3"/>`);
    expect(parseXmp(out).rating).toBe(3);
  });

  it('does not reuse a prefix bound to another namespace', () => {
    const src = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:iqa="urn:other" iqa:Score="x"/></rdf:RDF></x:xmpmeta>`;
    const out = mergeXmp(src, { score: SCORE });
    expect(out).toContain(`xmlns:iqa1="${XMP_NS.iqa}"`);
    expect(out).toContain('iqa:Score="x"');
    expect(parseXmp(out).score).toEqual(SCORE);
  });

  it('ignores xmp:Rating in nested structures and only reads top-level properties', () => {
    const src = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:xmp="${XMP_NS.xmp}" xmlns:s="urn:s"><s:Struct><rdf:Description xmp:Rating="5"/></s:Struct></rdf:Description></rdf:RDF></x:xmpmeta>`;
    expect(parseXmp(src).rating).toBeNull();
    const out = mergeXmp(src, { rating: 1 });
    expect(out).toContain('<rdf:Description xmp:Rating="5"/>');
    expect(parseXmp(out).rating).toBe(1);
  });

  it.each(['7', '6', '-2', '2.5', '1e1', 'five', ''])('reads xmp:Rating="%s" as no rating (stars are integers from -1 to 5)', (value) => {
    const src = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:xmp="${XMP_NS.xmp}" xmp:Rating="${value}"/></rdf:RDF></x:xmpmeta>`;
    expect(parseXmp(src).rating).toBeNull();
    expect(parseXmp(src.replace(`xmp:Rating="${value}"`, 'xmp:Rating=" 5 "')).rating).toBe(5);
    expect(parseXmp(src.replace(`xmp:Rating="${value}"`, 'xmp:Rating="-1"')).rating).toBe(-1);
  });

  it('keeps CRLF line endings and adds a Description to an empty rdf:RDF', () => {
    const src = '<x:xmpmeta xmlns:x="adobe:ns:meta/">\r\n <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\r\n </rdf:RDF>\r\n</x:xmpmeta>\r\n';
    const out = mergeXmp(src, { rating: 2 });
    expect(parseXmp(out).rating).toBe(2);
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
    expect(mergeXmp(out, { rating: 2 })).toBe(out);
  });

  it('escapes awkward score metadata and reads it back', () => {
    const score = { value: -1.5e-7, model: 'ttl "beta" <v2> & co', scale: "z'score", scoredAt: '2024-05-01T12:00:00.000Z' };
    const out = mergeXmp(null, { score });
    expect(parseXmp(out).score).toEqual(score);
    expect(mergeXmp(out, { score })).toBe(out);
  });

  it('sets iqa:ScoredAt to now for a changed score when none is given', () => {
    const now = () => new Date('2030-01-02T03:04:05.000Z');
    const out = mergeXmp(null, { score: { value: 0.5, model: 'm', scale: '0-1' } }, { now });
    expect(parseXmp(out).score?.scoredAt).toBe('2030-01-02T03:04:05.000Z');
    const later = () => new Date('2031-01-01T00:00:00.000Z');
    expect(mergeXmp(out, { score: { value: 0.5, model: 'm', scale: '0-1' } }, { now: later })).toBe(out);
    expect(parseXmp(mergeXmp(out, { score: { value: 0.6, model: 'm', scale: '0-1' } }, { now: later })).score?.scoredAt).toBe(
      '2031-01-01T00:00:00.000Z',
    );
  });
});

describe('fresh sidecars', () => {
  it('creates a minimal, valid XMP packet that the reader parses (f)', async () => {
    const d = join(dir, 'fresh');
    mkdirSync(d);
    const image = join(d, 'IMG_1.CR3');
    writeFileSync(image, 'raw');
    const side = sidecarPath(image, 'lightroom');
    expect(await writeSidecar(side, { rating: -1, score: SCORE })).toEqual({ path: side, changed: true, created: true });
    const text = readFileSync(side, 'utf8');
    expect(text.startsWith('<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>')).toBe(true);
    expect(text.trimEnd().endsWith('<?xpacket end="w"?>')).toBe(true);
    const errors: string[] = [];
    const doc = new DOMParser({ onError: (level, msg) => void errors.push(`${level}: ${msg}`) }).parseFromString(
      text.replace(/^\uFEFF/, ''),
      'application/xml',
    );
    expect(errors).toEqual([]);
    expect(doc.documentElement?.namespaceURI).toBe(XMP_NS.x);
    const desc = doc.getElementsByTagNameNS(XMP_NS.rdf, 'Description').item(0);
    expect(desc?.getAttributeNS(XMP_NS.rdf, 'about')).toBe('');
    expect(desc?.getAttributeNS(XMP_NS.xmp, 'Rating')).toBe('-1');
    expect(await readSidecar(side)).toMatchObject({ rating: -1, score: SCORE });
    expect(await writeSidecar(side, { rating: -1, score: SCORE })).toMatchObject({ changed: false });
    expect(readFileSync(side, 'utf8')).toBe(text);
    expect(readFileSync(image, 'utf8')).toBe('raw');
  });

  it('does not create a file just to remove fields', async () => {
    const side = join(dir, 'nothing.xmp');
    expect(await writeSidecar(side, { rating: null })).toMatchObject({ changed: false, created: false });
    expect(existsSync(side)).toBe(false);
  });
});

describe('refusals (g)', () => {
  it.each([6, -2, 2.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects rating %s without writing', async (rating) => {
    const s = stage(fixtures[0] as Fixture);
    await expect(writeSidecar(s.sidecar, { rating })).rejects.toThrow(/integer from -1 \(rejected\) to 5/);
    expect(readFileSync(s.sidecar, 'utf8')).toBe(s.original);
    const fresh = join(dirname(s.sidecar), 'other.jpg.xmp');
    await expect(writeSidecar(fresh, { rating })).rejects.toThrow(XmpError);
    expect(existsSync(fresh)).toBe(false);
  });

  it('rejects a non-finite score', async () => {
    await expect(writeSidecar(join(dir, 'nan.xmp'), { score: { ...SCORE, value: Number.NaN } })).rejects.toThrow(/finite/);
    expect(existsSync(join(dir, 'nan.xmp'))).toBe(false);
  });

  const notXmp: [string, string | Buffer][] = [
    ['plain text', 'rating: 5\n'],
    ['empty file', ''],
    ['broken XML', '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF'],
    ['other XML', '<?xml version="1.0"?><html><body>hi</body></html>'],
    ['xmpmeta without rdf:RDF', '<x:xmpmeta xmlns:x="adobe:ns:meta/"><foo/></x:xmpmeta>'],
    ['JPEG bytes', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01])],
  ];
  it.each(notXmp)('refuses to overwrite a non-XMP file (%s)', async (_label, content) => {
    const d = join(dir, `bad-${seq++}`);
    mkdirSync(d);
    const file = join(d, 'photo.jpg.xmp');
    writeFileSync(file, content);
    const before = readFileSync(file);
    await expect(writeSidecar(file, { rating: 3 })).rejects.toThrow(XmpError);
    await expect(writeSidecar(file, { rating: 3 })).rejects.toThrow(/not (an XMP sidecar|valid UTF-8)/);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(readdirSync(d)).toEqual(['photo.jpg.xmp']);
    await expect(readSidecar(file)).rejects.toThrow(XmpError);
  });

  it('refuses a read-only sidecar instead of replacing it', async () => {
    const s = stage(fixtures[2] as Fixture);
    chmodSync(s.sidecar, 0o444);
    // root passes every permission check, so the refusal an ordinary user gets is injected: EACCES for W_OK here.
    const access = vi.spyOn(fsPromises, 'access').mockImplementation(async (file, mode) => {
      if (String(file) === realpathSync(s.sidecar) && mode === fsConstants.W_OK) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    });
    try {
      await expect(writeSidecar(s.sidecar, { rating: 1 })).rejects.toThrow(/not writable/);
      expect(access).toHaveBeenCalledWith(realpathSync(s.sidecar), fsConstants.W_OK);
      expect(readFileSync(s.sidecar, 'utf8')).toBe(s.original);
      expect(readdirSync(dirname(s.sidecar)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    } finally {
      access.mockRestore();
      chmodSync(s.sidecar, 0o644);
    }
  });

  it('updates a symlinked sidecar at its target and keeps the link', async () => {
    const s = stage(fixtures[0] as Fixture);
    const link = join(dirname(s.sidecar), 'linked.jpg.xmp');
    symlinkSync(s.sidecar, link);
    await writeSidecar(link, { rating: 0 });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect((await readSidecar(s.sidecar)).rating).toBe(0);
  });

  it('refuses a target that is not named .xmp (never the image itself)', async () => {
    const s = stage(fixtures[0] as Fixture);
    await expect(writeSidecar(s.image, { rating: 1 })).rejects.toThrow(/\.xmp/);
    expect(readFileSync(s.image).equals(s.imageBytes)).toBe(true);
  });
});

describe('Lightroom flags and Windows ratings in step', () => {
  it('writes digiKam:PickLabel for picks and rejects, MicrosoftPhoto:Rating beside xmp:Rating, and reads them back', () => {
    const fresh = mergeXmp(null, { rating: 4, pick: 'picked' });
    expect(parseXmp(fresh)).toMatchObject({ rating: 4, pick: 'picked' });
    const withMs = mergeXmp(fresh.replace('<rdf:Description rdf:about=""', '<rdf:Description rdf:about="" xmlns:MicrosoftPhoto="http://ns.microsoft.com/photo/1.0/" MicrosoftPhoto:Rating="75"'), { rating: 2, pick: 'rejected' });
    expect(parseXmp(withMs)).toMatchObject({ rating: 2, pick: 'rejected', microsoftRating: 25 });
    expect(parseXmp(mergeXmp(withMs, { rating: -1 })).microsoftRating).toBeUndefined();
    expect(parseXmp(mergeXmp(withMs, { pick: 'none' })).pick).toBe('none');
    expect(() => mergeXmp(null, { pick: 'maybe' as never })).toThrow(/PickLabel/);
  });
});
