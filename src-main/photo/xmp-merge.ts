// XMP merge: the new packet text for an update, editing only the properties asked for and keeping every other byte.
import type { Element } from '@xmldom/xmldom';
import { MEASURE_PROPERTIES, XMP_NS, XmpError, type SidecarData, type SidecarMeasures, type SidecarUpdate } from './xmp-model';
import { findProperty, hasElementChild, parseDocument, parseXmp, topDescriptions, type Occurrence } from './xmp-parse';
import { analyse, mustLex, type LexAttr, type LexElement } from './xmp-source';

export function validateUpdate(update: SidecarUpdate): void {
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
