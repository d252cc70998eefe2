// XMP sidecars: locate (darktable/digiKam `photo.jpg.xmp` or Lightroom `photo.xmp`), read and merge-write xmp:Rating plus the workbench's iqa:* score, never touching the image.
import { randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import { DOMParser, type Attr, type Document, type Element, type Node } from '@xmldom/xmldom';

/** Namespaces this module reads or writes. `iqa` is the workbench's own namespace. */
export const XMP_NS = {
  x: 'adobe:ns:meta/',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  xmp: 'http://ns.adobe.com/xap/1.0/',
  iqa: 'https://github.com/iqa-workbench/ns/1.0/',
} as const;

export type SidecarNaming = 'darktable' | 'lightroom';

export interface SidecarScore {
  /** Model output on `scale`. */
  value: number;
  /** Model identifier, e.g. `hyperiqa@koniq`. */
  model: string;
  /** Scale description, e.g. `0-1` or `mos-1-5`. */
  scale: string;
  /** ISO 8601 time of scoring. On write: when omitted it is set to now, unless the stored score is unchanged. */
  scoredAt?: string;
}

/** The technical measures as iqa:Sharpness, iqa:Noise, iqa:ClippedHighlights, iqa:ClippedShadows, iqa:MeanLuminance, iqa:Compression. */
export interface SidecarMeasures {
  sharpness: number;
  noise: number;
  clippedHighlights: number;
  clippedShadows: number;
  meanLuminance: number;
  compression: number;
}

/** Each measure's XMP property in the iqa namespace. */
export const MEASURE_PROPERTIES: Record<keyof SidecarMeasures, string> = {
  sharpness: 'Sharpness',
  noise: 'Noise',
  clippedHighlights: 'ClippedHighlights',
  clippedShadows: 'ClippedShadows',
  meanLuminance: 'MeanLuminance',
  compression: 'Compression',
};

export interface SidecarData {
  /** xmp:Rating: an integer from -1 (rejected) to 5; null when absent or anything else. */
  rating: number | null;
  /** xmp:Label (colour label in Lightroom/darktable/Bridge), when present. */
  label?: string;
  /** iqa:Score and friends, when iqa:Score is present and numeric. */
  score?: SidecarScore;
  /** iqa:Sharpness and the other measures, when all are present and numeric. */
  measures?: SidecarMeasures;
  /** The sidecar text exactly as read. */
  raw: string;
}

/**
 * What to change. `undefined` leaves a field as it is; `null` removes it
 * (`score: null` removes iqa:Score, iqa:ScoreModel, iqa:ScoreScale and iqa:ScoredAt).
 */
export interface SidecarUpdate {
  rating?: number | null;
  /** xmp:Label, the colour label ("Red", "Yellow", ...). */
  label?: string | null;
  score?: SidecarScore | null;
  /** `null` removes every iqa measure property. */
  measures?: SidecarMeasures | null;
}

export interface WriteResult {
  path: string;
  /** False when the file already held exactly these values (no bytes written). */
  changed: boolean;
  /** True when no sidecar existed before. */
  created: boolean;
}

export interface SidecarCandidate {
  naming: SidecarNaming;
  path: string;
  exists: boolean;
}

export interface SidecarLookup {
  /** The sidecar to use: the existing one (the preferred naming when both exist), else null. */
  path: string | null;
  naming: SidecarNaming | null;
  /** True when both `photo.jpg.xmp` and `photo.xmp` exist; the caller may want to warn. */
  both: boolean;
  candidates: SidecarCandidate[];
}

export class XmpError extends Error {
  override name = 'XmpError';
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(file ? `${message} (${file})` : message);
  }
}

// ---------------------------------------------------------------------------------------------
// Naming
// ---------------------------------------------------------------------------------------------

/** darktable/digiKam append `.xmp` (`photo.jpg.xmp`); Lightroom replaces the extension (`photo.xmp`). */
export function sidecarPath(imagePath: string, naming: SidecarNaming): string {
  if (/\.xmp$/i.test(imagePath)) throw new XmpError('an .xmp file is not an image; pass the image path', imagePath);
  if (naming === 'darktable') return `${imagePath}.xmp`;
  const ext = path.extname(imagePath);
  return `${ext ? imagePath.slice(0, -ext.length) : imagePath}.xmp`;
}

/** Looks for both namings next to the image. */
export async function findSidecar(
  imagePath: string,
  options: { prefer?: SidecarNaming } = {},
): Promise<SidecarLookup> {
  const prefer = options.prefer ?? 'darktable';
  const order: SidecarNaming[] = prefer === 'darktable' ? ['darktable', 'lightroom'] : ['lightroom', 'darktable'];
  const candidates: SidecarCandidate[] = [];
  for (const naming of order) {
    const p = sidecarPath(imagePath, naming);
    if (candidates.some((c) => c.path === p)) continue;
    candidates.push({ naming, path: p, exists: await isFile(p) });
  }
  const existing = candidates.filter((c) => c.exists);
  const chosen = existing[0];
  return {
    path: chosen?.path ?? null,
    naming: chosen?.naming ?? null,
    both: existing.length > 1,
    candidates,
  };
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isFile();
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

export async function readSidecar(file: string): Promise<SidecarData> {
  const buf = await fs.readFile(file);
  return parseXmp(decodeUtf8(buf, file), file);
}

/** Parses XMP text (pure). Throws XmpError when it is not an XMP packet. */
export function parseXmp(text: string, file?: string): SidecarData {
  const doc = parseDocument(text, file);
  const descs = topDescriptions(doc, file);
  const out: SidecarData = { rating: parseRating(firstValue(descs, XMP_NS.xmp, 'Rating')), raw: text };
  const label = firstValue(descs, XMP_NS.xmp, 'Label');
  if (label !== null) out.label = label;
  const score = readScore(descs);
  if (score) out.score = score;
  const measures = readMeasures(descs);
  if (measures) out.measures = measures;
  return out;
}

function readMeasures(descs: Element[]): SidecarMeasures | undefined {
  const out: Partial<SidecarMeasures> = {};
  for (const [key, local] of Object.entries(MEASURE_PROPERTIES) as [keyof SidecarMeasures, string][]) {
    const raw = firstValue(descs, XMP_NS.iqa, local);
    const v = raw === null || raw.trim() === '' ? NaN : Number(raw.trim());
    if (!Number.isFinite(v)) return undefined;
    out[key] = v;
  }
  return out as SidecarMeasures;
}

/** xmp:Rating as stars: an integer from -1 (rejected) to 5, as the writer takes; anything else (7, -2, 2.5) is no rating. */
function parseRating(s: string | null): number | null {
  if (s === null || s.trim() === '') return null;
  const n = Number(s.trim());
  return Number.isInteger(n) && n >= -1 && n <= 5 ? n : null;
}

function readScore(descs: Element[]): SidecarScore | undefined {
  const raw = firstValue(descs, XMP_NS.iqa, 'Score');
  if (raw === null || raw.trim() === '') return undefined;
  const value = Number(raw.trim());
  if (!Number.isFinite(value)) return undefined;
  const score: SidecarScore = {
    value,
    model: firstValue(descs, XMP_NS.iqa, 'ScoreModel') ?? '',
    scale: firstValue(descs, XMP_NS.iqa, 'ScoreScale') ?? '',
  };
  const at = firstValue(descs, XMP_NS.iqa, 'ScoredAt');
  if (at !== null) score.scoredAt = at;
  return score;
}

function firstValue(descs: Element[], ns: string, local: string): string | null {
  const occ = findProperty(descs, ns, local)[0];
  if (!occ) return null;
  return occ.kind === 'attr' ? occ.attr.value : (occ.el.textContent ?? '').trim();
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/**
 * Merges `update` into the sidecar at `file` (creating a minimal packet when missing), changing only
 * xmp:Rating, xmp:Label and iqa:* and keeping every other byte. Atomic (temp file + rename); no write when nothing changes.
 */
export async function writeSidecar(file: string, update: SidecarUpdate): Promise<WriteResult> {
  if (!/\.xmp$/i.test(file)) throw new XmpError('refusing to write a sidecar whose name does not end in .xmp', file);
  validateUpdate(update);
  let existing: string | null = null;
  let mode: number | undefined;
  let target = file;
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) throw new XmpError('sidecar path exists and is not a regular file', file);
    target = await fs.realpath(file); // a symlinked sidecar is updated where it points, not replaced by a file
    try {
      await fs.access(target, fsConstants.W_OK);
    } catch {
      throw new XmpError('sidecar is not writable; refusing to replace it', file);
    }
    mode = st.mode & 0o7777;
    existing = decodeUtf8(await fs.readFile(target), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (existing === null && update.rating == null && update.label == null && update.score == null && update.measures == null) {
    return { path: file, changed: false, created: false }; // nothing to set and nothing to remove from
  }
  const next = mergeXmp(existing, update, { file });
  if (existing !== null && next === existing) return { path: file, changed: false, created: false };
  await atomicWrite(target, next, mode);
  return { path: file, changed: true, created: existing === null };
}

/** Our temp files: `.<sidecar>.xmp.<pid>.<12 hex>.tmp`, as atomicWrite names them. */
const TEMP_NAME = /^\..+\.xmp\.(\d+)\.[0-9a-f]{12}\.tmp$/i;
/** A temp file of a dead process is removed after this long; any temp file after STALE_MS (another machine's, a reused pid). */
const DEAD_PID_GRACE_MS = 30_000;
export const STALE_TEMP_MS = 10 * 60_000;
/** Folders swept lately: a write of 1,000 sidecars into one folder lists it once, not 1,000 times. */
const sweptAt = new Map<string, number>();

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temp files a crashed sidecar write left in `dir` (ours only, by name): those of a dead process after
 * a short grace, any of them once older than STALE_TEMP_MS. Runs at most once per folder every STALE_TEMP_MS.
 */
export async function sweepStaleTemps(dir: string, now = Date.now()): Promise<number> {
  const last = sweptAt.get(dir);
  if (last !== undefined && now - last < STALE_TEMP_MS) return 0;
  sweptAt.set(dir, now);
  if (sweptAt.size > 10_000) sweptAt.clear();
  let removed = 0;
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    const m = TEMP_NAME.exec(name);
    if (!m) continue;
    const st = await fs.lstat(path.join(dir, name)).catch(() => null);
    if (!st?.isFile()) continue;
    const age = now - st.mtimeMs;
    if (age > STALE_TEMP_MS || (age > DEAD_PID_GRACE_MS && !processAlive(Number(m[1])))) {
      await fs.rm(path.join(dir, name), { force: true });
      removed++;
    }
  }
  return removed;
}

async function atomicWrite(file: string, text: string, mode: number | undefined): Promise<void> {
  const dir = path.dirname(file);
  await sweepStaleTemps(dir);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, 'wx', mode ?? 0o666);
  try {
    try {
      await handle.writeFile(text, 'utf8');
      if (mode !== undefined) await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

function validateUpdate(update: SidecarUpdate): void {
  const r = update.rating;
  if (r !== undefined && r !== null && !(Number.isInteger(r) && r >= -1 && r <= 5)) {
    throw new XmpError(`xmp:Rating must be an integer from -1 (rejected) to 5, got ${String(r)}`);
  }
  const l = update.label;
  if (l !== undefined && l !== null && (typeof l !== 'string' || l.length > 100 || /[\u0000-\u001f]/.test(l))) {
    throw new XmpError('xmp:Label must be a short single-line string');
  }
  const s = update.score;
  if (s !== undefined && s !== null) {
    if (typeof s.value !== 'number' || !Number.isFinite(s.value)) {
      throw new XmpError(`iqa:Score must be a finite number, got ${String(s.value)}`);
    }
    if (typeof s.model !== 'string' || typeof s.scale !== 'string') {
      throw new XmpError('iqa:ScoreModel and iqa:ScoreScale must be strings');
    }
    if (s.scoredAt !== undefined && (typeof s.scoredAt !== 'string' || Number.isNaN(Date.parse(s.scoredAt)))) {
      throw new XmpError(`iqa:ScoredAt must be an ISO 8601 date, got ${String(s.scoredAt)}`);
    }
  }
  const m = update.measures;
  if (m !== undefined && m !== null) {
    for (const key of Object.keys(MEASURE_PROPERTIES) as (keyof SidecarMeasures)[]) {
      if (typeof m[key] !== 'number' || !Number.isFinite(m[key])) throw new XmpError(`iqa:${MEASURE_PROPERTIES[key]} must be a finite number, got ${String(m[key])}`);
    }
  }
}

interface Desired {
  ns: string;
  local: string;
  prefix: string;
  /** null removes the property. */
  value: string | null;
}

/** Pure merge: returns the new sidecar text. `existing === null` creates a fresh packet. */
export function mergeXmp(
  existing: string | null,
  update: SidecarUpdate,
  options: { file?: string; now?: () => Date } = {},
): string {
  validateUpdate(update);
  const file = options.file;
  const now = options.now ?? (() => new Date());
  const desired: Desired[] = [];
  let current: SidecarData | null = null;
  if (existing !== null) current = parseXmp(existing, file);

  if (update.rating !== undefined) {
    desired.push({ ns: XMP_NS.xmp, local: 'Rating', prefix: 'xmp', value: update.rating === null ? null : String(update.rating) });
  }
  if (update.label !== undefined) desired.push({ ns: XMP_NS.xmp, local: 'Label', prefix: 'xmp', value: update.label });
  if (update.score !== undefined) {
    const s = update.score;
    const iqa = (local: string, value: string | null): Desired => ({ ns: XMP_NS.iqa, local, prefix: 'iqa', value });
    if (s === null) {
      for (const local of ['Score', 'ScoreModel', 'ScoreScale', 'ScoredAt']) desired.push(iqa(local, null));
    } else {
      const old = current?.score;
      const same = !!old && old.value === s.value && old.model === s.model && old.scale === s.scale;
      desired.push(iqa('Score', formatNumber(s.value)), iqa('ScoreModel', s.model), iqa('ScoreScale', s.scale));
      const at = s.scoredAt ?? (same && old?.scoredAt !== undefined ? undefined : now().toISOString());
      if (at !== undefined) desired.push(iqa('ScoredAt', at));
    }
  }

  if (update.measures !== undefined) {
    for (const [key, local] of Object.entries(MEASURE_PROPERTIES) as [keyof SidecarMeasures, string][]) {
      const v = update.measures === null ? null : formatNumber(Number(update.measures[key].toFixed(3)));
      desired.push({ ns: XMP_NS.iqa, local, prefix: 'iqa', value: v });
    }
  }

  let text = existing ?? freshPacket(desired);
  if (desired.length === 0) return text;
  text = ensureDescription(text, file);
  const out = applyDesired(text, desired, file);

  // Defensive: the result must parse and carry exactly the requested values.
  const doc = parseDocument(out, file);
  const descs = topDescriptions(doc, file);
  for (const d of desired) {
    const got = findProperty(descs, d.ns, d.local).map((o) => (o.kind === 'attr' ? o.attr.value : (o.el.textContent ?? '').trim()));
    const ok = d.value === null ? got.length === 0 : got.length > 0 && got.every((g) => g === d.value);
    if (!ok) throw new XmpError(`internal error: merged sidecar does not hold ${d.prefix}:${d.local} as requested`, file);
  }
  return out;
}

function formatNumber(n: number): string {
  // Shortest form that round-trips through Number(); -0 is written as 0.
  return Object.is(n, -0) ? '0' : String(n);
}

function freshPacket(desired: Desired[]): string {
  const decls: string[] = [];
  if (desired.some((d) => d.ns === XMP_NS.xmp && d.value !== null)) decls.push(`\n    xmlns:xmp="${XMP_NS.xmp}"`);
  if (desired.some((d) => d.ns === XMP_NS.iqa && d.value !== null)) decls.push(`\n    xmlns:iqa="${XMP_NS.iqa}"`);
  return (
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>\n' +
    '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="iqa-workbench">\n' +
    ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n' +
    `  <rdf:Description rdf:about=""${decls.join('')}/>\n` +
    ' </rdf:RDF>\n' +
    '</x:xmpmeta>\n' +
    '<?xpacket end="w"?>\n'
  );
}

/** rdf:RDF without any rdf:Description gets an empty one, so there is somewhere to put properties. */
function ensureDescription(text: string, file: string | undefined): string {
  const parsed = analyse(text, file);
  if (parsed.descs.length > 0) return text;
  const rdf = parsed.lex.get(parsed.rdf);
  if (!rdf || rdf.selfClosing || rdf.closeStart < 0) throw new XmpError('rdf:RDF is empty and self-closing; cannot add properties', file);
  const rdfPrefix = parsed.rdf.prefix ? `${parsed.rdf.prefix}:` : '';
  const indent = lineIndent(text, rdf.start);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const insert = `${indent} <${rdfPrefix}Description ${rdfPrefix}about=""/>${eol}${indent}`;
  // Put it on its own line just before </rdf:RDF>, reusing that line's indentation.
  let at = rdf.closeStart;
  while (at > rdf.tagEnd && (text[at - 1] === ' ' || text[at - 1] === '\t')) at--;
  const lead = text[at - 1] === '\n' ? '' : eol;
  return text.slice(0, at) + lead + insert + text.slice(rdf.closeStart);
}

function lineIndent(text: string, pos: number): string {
  const lineStart = text.lastIndexOf('\n', pos - 1) + 1;
  const m = /^[ \t]*/.exec(text.slice(lineStart, pos));
  return m ? m[0] : '';
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

function applyDesired(text: string, desired: Desired[], file: string | undefined): string {
  const { descs, lex } = analyse(text, file);
  const edits: Edit[] = [];
  const target = descs[0];
  if (!target) throw new XmpError('no rdf:Description to write into', file);
  const targetLex = mustLex(lex, target, file);
  const pendingNs = new Map<string, string>(); // prefix -> ns declared by us on target
  const nsInserts: string[] = [];
  const propInserts: string[] = [];
  const quote = targetLex.attrs.at(-1)?.quote ?? '"';

  for (const d of desired) {
    const occs = findProperty(descs, d.ns, d.local);
    if (d.value === null) {
      for (const o of occs) edits.push(removalEdit(text, o, lex, file));
      continue;
    }
    if (occs.length > 0) {
      for (const o of occs) {
        const e = valueEdit(text, o, d.value, lex, file);
        if (e) edits.push(e);
      }
      continue;
    }
    const prefix = prefixFor(target, d.ns, d.prefix, pendingNs, nsInserts, quote);
    propInserts.push(`${prefix}:${d.local}=${quote}${escapeAttr(d.value, quote)}${quote}`);
  }

  if (nsInserts.length > 0 || propInserts.length > 0) {
    const attrs = targetLex.attrs;
    const isNs = (a: LexAttr): boolean => a.qname === 'xmlns' || a.qname.startsWith('xmlns:');
    const lastAttr = attrs.at(-1);
    const lastNs = [...attrs].reverse().find(isNs);
    const lastProp = [...attrs].reverse().find((a) => !isNs(a));
    const withNewline = [...attrs].reverse().find((a) => a.ws.includes('\n'));
    const propWs = lastProp?.ws.includes('\n') ? lastProp.ws : (withNewline?.ws ?? ' ');
    const nsWs = lastNs?.ws ?? propWs;
    const end = lastAttr ? lastAttr.end : targetLex.nameEnd;
    const nsAt = lastNs ? lastNs.end : end;
    if (nsInserts.length > 0) edits.push({ start: nsAt, end: nsAt, text: nsInserts.map((s) => nsWs + s).join('') });
    if (propInserts.length > 0) edits.push({ start: end, end, text: propInserts.map((s) => propWs + s).join('') });
  }
  return applyEdits(text, edits, file);
}

function prefixFor(
  target: Element,
  ns: string,
  preferred: string,
  pending: Map<string, string>,
  nsInserts: string[],
  quote: string,
): string {
  for (const [p, u] of pending) if (u === ns) return p;
  const existing = target.lookupPrefix(ns);
  if (existing) return existing;
  for (let i = 0; ; i++) {
    const p = i === 0 ? preferred : `${preferred}${i}`;
    if (target.lookupNamespaceURI(p) === null && !pending.has(p)) {
      pending.set(p, ns);
      nsInserts.push(`xmlns:${p}=${quote}${escapeAttr(ns, quote)}${quote}`);
      return p;
    }
  }
}

function valueEdit(text: string, o: Occurrence, value: string, lex: Map<Element, LexElement>, file: string | undefined): Edit | null {
  if (o.kind === 'attr') {
    if (o.attr.value === value) return null;
    const le = mustLex(lex, o.desc, file);
    const la = le.attrs.find((a) => a.qname === o.attr.name);
    if (!la) throw new XmpError(`internal error: attribute ${o.attr.name} not found in source`, file);
    return { start: la.valueStart, end: la.valueEnd, text: escapeAttr(value, la.quote) };
  }
  if ((o.el.textContent ?? '').trim() === value) return null;
  if (hasElementChild(o.el)) throw new XmpError(`${o.el.nodeName} has structured content; refusing to overwrite it`, file);
  const le = mustLex(lex, o.el, file);
  if (le.selfClosing) {
    return { start: le.start, end: le.tagEnd, text: `${text.slice(le.start, le.attrsEnd)}>${escapeText(value)}</${le.qname}>` };
  }
  return { start: le.tagEnd, end: le.closeStart, text: escapeText(value) };
}

function removalEdit(text: string, o: Occurrence, lex: Map<Element, LexElement>, file: string | undefined): Edit {
  if (o.kind === 'attr') {
    const le = mustLex(lex, o.desc, file);
    const la = le.attrs.find((a) => a.qname === o.attr.name);
    if (!la) throw new XmpError(`internal error: attribute ${o.attr.name} not found in source`, file);
    return { start: la.start, end: la.end, text: '' };
  }
  const le = mustLex(lex, o.el, file);
  // Take the element's line with it when it sits alone on the line.
  let start = le.start;
  while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
  if (start > 0 && text[start - 1] === '\n') {
    start--;
    if (start > 0 && text[start - 1] === '\r') start--;
  } else {
    start = le.start;
  }
  return { start, end: le.closeEnd >= 0 ? le.closeEnd : le.tagEnd, text: '' };
}

function applyEdits(text: string, edits: Edit[], file: string | undefined): string {
  const sorted = edits.map((e, i) => ({ e, i })).sort((a, b) => a.e.start - b.e.start || a.i - b.i);
  let out = '';
  let cursor = 0;
  for (const { e } of sorted) {
    if (e.start < cursor) throw new XmpError('internal error: overlapping edits', file);
    out += text.slice(cursor, e.start) + e.text;
    cursor = e.end;
  }
  return out + text.slice(cursor);
}

function escapeAttr(s: string, quote: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(quote === '"' ? /"/g : /'/g, quote === '"' ? '&quot;' : '&apos;')
    .replace(/\t/g, '&#x9;')
    .replace(/\n/g, '&#xA;')
    .replace(/\r/g, '&#xD;');
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// ---------------------------------------------------------------------------------------------
// DOM side: strict namespace-aware parse, locate top-level rdf:Description properties
// ---------------------------------------------------------------------------------------------

function decodeUtf8(buf: Buffer, file: string): string {
  const text = buf.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(buf)) throw new XmpError('sidecar is not valid UTF-8; refusing to touch it', file);
  return text;
}

function parseDocument(text: string, file: string | undefined): Document {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let doc: Document;
  try {
    const parser = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    });
    doc = parser.parseFromString(source, 'application/xml');
  } catch (err) {
    throw new XmpError(`not an XMP sidecar: XML does not parse (${(err as Error).message.split('\n')[0]})`, file);
  }
  const root = doc.documentElement;
  if (!root) throw new XmpError('not an XMP sidecar: no root element', file);
  const isMeta = root.namespaceURI === XMP_NS.x && (root.localName === 'xmpmeta' || root.localName === 'xapmeta');
  const isRdf = root.namespaceURI === XMP_NS.rdf && root.localName === 'RDF';
  if (!isMeta && !isRdf) throw new XmpError(`not an XMP sidecar: root element is <${root.nodeName}>, expected x:xmpmeta or rdf:RDF`, file);
  if (!findRdf(doc)) throw new XmpError('not an XMP sidecar: no rdf:RDF element', file);
  return doc;
}

function findRdf(doc: Document): Element | null {
  const root = doc.documentElement;
  if (!root) return null;
  if (root.namespaceURI === XMP_NS.rdf && root.localName === 'RDF') return root;
  return childElements(root).find((c) => c.namespaceURI === XMP_NS.rdf && c.localName === 'RDF') ?? null;
}

function topDescriptions(doc: Document, file: string | undefined): Element[] {
  const rdf = findRdf(doc);
  if (!rdf) throw new XmpError('not an XMP sidecar: no rdf:RDF element', file);
  return childElements(rdf).filter((c) => c.namespaceURI === XMP_NS.rdf && c.localName === 'Description');
}

function childElements(el: Element): Element[] {
  const out: Element[] = [];
  for (let n: Node | null = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

function hasElementChild(el: Element): boolean {
  return childElements(el).length > 0;
}

type Occurrence = { kind: 'attr'; desc: Element; attr: Attr } | { kind: 'elem'; desc: Element; el: Element };

/** Every place a top-level property appears: as an attribute of an rdf:Description or as its child element. */
function findProperty(descs: Element[], ns: string, local: string): Occurrence[] {
  const out: Occurrence[] = [];
  for (const desc of descs) {
    for (let i = 0; i < desc.attributes.length; i++) {
      const attr = desc.attributes.item(i);
      if (attr && attr.namespaceURI === ns && attr.localName === local) out.push({ kind: 'attr', desc, attr });
    }
    for (const el of childElements(desc)) if (el.namespaceURI === ns && el.localName === local) out.push({ kind: 'elem', desc, el });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Source side: a small lexer giving byte positions of tags/attributes, matched to DOM elements by document order
// ---------------------------------------------------------------------------------------------

interface LexAttr {
  qname: string;
  /** Start of the whitespace before the attribute. */
  start: number;
  end: number;
  valueStart: number;
  valueEnd: number;
  quote: '"' | "'";
  ws: string;
}

interface LexElement {
  qname: string;
  start: number;
  nameEnd: number;
  attrs: LexAttr[];
  /** Where `>` or `/>` (with any whitespace before it) begins. */
  attrsEnd: number;
  /** Just after the start tag's `>`. */
  tagEnd: number;
  selfClosing: boolean;
  closeStart: number;
  closeEnd: number;
}

interface Analysis {
  doc: Document;
  rdf: Element;
  descs: Element[];
  lex: Map<Element, LexElement>;
}

function analyse(text: string, file: string | undefined): Analysis {
  const doc = parseDocument(text, file);
  const rdf = findRdf(doc);
  if (!rdf) throw new XmpError('not an XMP sidecar: no rdf:RDF element', file);
  const descs = topDescriptions(doc, file);
  const lexed = lexElements(text, file);
  const domEls: Element[] = [];
  const walk = (el: Element): void => {
    domEls.push(el);
    for (const c of childElements(el)) walk(c);
  };
  if (doc.documentElement) walk(doc.documentElement);
  if (domEls.length !== lexed.length || domEls.some((el, i) => el.nodeName !== lexed[i]?.qname)) {
    throw new XmpError('could not map the XML structure to source positions; refusing to edit', file);
  }
  const lex = new Map<Element, LexElement>();
  domEls.forEach((el, i) => lex.set(el, lexed[i] as LexElement));
  return { doc, rdf, descs, lex };
}

function mustLex(lex: Map<Element, LexElement>, el: Element, file: string | undefined): LexElement {
  const le = lex.get(el);
  if (!le) throw new XmpError(`internal error: no source position for <${el.nodeName}>`, file);
  return le;
}

const RE_NAME = /<([^\s/>!?]+)/y;
const RE_ATTR = /(\s+)([^\s/>=]+)(\s*=\s*)(?:"([^"]*)"|'([^']*)')/y;
const RE_TAG_END = /\s*(\/?)>/y;
const RE_END_TAG = /<\/([^\s>]+)\s*>/y;

function lexElements(text: string, file: string | undefined): LexElement[] {
  const out: LexElement[] = [];
  const stack: LexElement[] = [];
  const fail = (what: string, at: number): never => {
    throw new XmpError(`could not scan XML source (${what} at offset ${at}); refusing to edit`, file);
  };
  let i = 0;
  for (;;) {
    const lt = text.indexOf('<', i);
    if (lt < 0) break;
    if (text.startsWith('<!--', lt)) {
      const e = text.indexOf('-->', lt + 4);
      if (e < 0) fail('unterminated comment', lt);
      i = e + 3;
    } else if (text.startsWith('<![CDATA[', lt)) {
      const e = text.indexOf(']]>', lt + 9);
      if (e < 0) fail('unterminated CDATA', lt);
      i = e + 3;
    } else if (text.startsWith('<?', lt)) {
      const e = text.indexOf('?>', lt + 2);
      if (e < 0) fail('unterminated processing instruction', lt);
      i = e + 2;
    } else if (text.startsWith('<!', lt)) {
      // DOCTYPE, possibly with an internal subset in [...].
      let depth = 0;
      let j = lt + 2;
      for (; j < text.length; j++) {
        const c = text[j];
        if (c === '[') depth++;
        else if (c === ']') depth--;
        else if (c === '>' && depth <= 0) break;
      }
      if (j >= text.length) fail('unterminated declaration', lt);
      i = j + 1;
    } else if (text.startsWith('</', lt)) {
      RE_END_TAG.lastIndex = lt;
      const m = RE_END_TAG.exec(text);
      if (!m) return fail('bad end tag', lt);
      const open = stack.pop();
      if (!open || open.qname !== m[1]) fail('mismatched end tag', lt);
      if (open) {
        open.closeStart = lt;
        open.closeEnd = RE_END_TAG.lastIndex;
      }
      i = RE_END_TAG.lastIndex;
    } else {
      RE_NAME.lastIndex = lt;
      const m = RE_NAME.exec(text);
      if (!m || m[1] === undefined) return fail('bad start tag', lt);
      const el: LexElement = {
        qname: m[1],
        start: lt,
        nameEnd: RE_NAME.lastIndex,
        attrs: [],
        attrsEnd: -1,
        tagEnd: -1,
        selfClosing: false,
        closeStart: -1,
        closeEnd: -1,
      };
      let j = RE_NAME.lastIndex;
      for (;;) {
        RE_ATTR.lastIndex = j;
        const a = RE_ATTR.exec(text);
        if (a && a[1] !== undefined && a[2] !== undefined && a[3] !== undefined) {
          const dq = a[4] !== undefined;
          const valueStart = j + a[1].length + a[2].length + a[3].length + 1;
          const valueLen = (dq ? a[4] : a[5])?.length ?? 0;
          el.attrs.push({
            qname: a[2],
            start: j,
            end: RE_ATTR.lastIndex,
            valueStart,
            valueEnd: valueStart + valueLen,
            quote: dq ? '"' : "'",
            ws: a[1],
          });
          j = RE_ATTR.lastIndex;
          continue;
        }
        RE_TAG_END.lastIndex = j;
        const t = RE_TAG_END.exec(text);
        if (!t) return fail('bad attribute', j);
        el.attrsEnd = j;
        el.tagEnd = RE_TAG_END.lastIndex;
        el.selfClosing = t[1] === '/';
        break;
      }
      out.push(el);
      if (!el.selfClosing) stack.push(el);
      i = el.tagEnd;
    }
  }
  if (stack.length > 0) fail('unclosed element', stack.at(-1)?.start ?? 0);
  return out;
}
