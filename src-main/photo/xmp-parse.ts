// XMP parsing: a strict namespace-aware parse of a packet and the top-level rdf:Description properties it holds.
import { DOMParser, type Attr, type Document, type Element, type Node } from '@xmldom/xmldom';
import { MEASURE_PROPERTIES, XMP_NS, XmpError, type SidecarData, type SidecarMeasures, type SidecarScore } from './xmp-model';

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
export function parseRating(s: string | null): number | null {
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

export function decodeUtf8(buf: Buffer, file: string): string {
  const text = buf.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(buf)) throw new XmpError('sidecar is not valid UTF-8; refusing to touch it', file);
  return text;
}

export function parseDocument(text: string, file: string | undefined): Document {
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

export function findRdf(doc: Document): Element | null {
  const root = doc.documentElement;
  if (!root) return null;
  if (root.namespaceURI === XMP_NS.rdf && root.localName === 'RDF') return root;
  return childElements(root).find((c) => c.namespaceURI === XMP_NS.rdf && c.localName === 'RDF') ?? null;
}

export function topDescriptions(doc: Document, file: string | undefined): Element[] {
  const rdf = findRdf(doc);
  if (!rdf) throw new XmpError('not an XMP sidecar: no rdf:RDF element', file);
  return childElements(rdf).filter((c) => c.namespaceURI === XMP_NS.rdf && c.localName === 'Description');
}

export function childElements(el: Element): Element[] {
  const out: Element[] = [];
  for (let n: Node | null = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

export function hasElementChild(el: Element): boolean {
  return childElements(el).length > 0;
}

export type Occurrence = { kind: 'attr'; desc: Element; attr: Attr } | { kind: 'elem'; desc: Element; el: Element };

/** Every place a top-level property appears: as an attribute of an rdf:Description or as its child element. */
export function findProperty(descs: Element[], ns: string, local: string): Occurrence[] {
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
