// XMP source positions: a small lexer giving the offsets of tags and attributes, matched to the DOM elements by document order, so edits keep every other byte.
import type { Document, Element } from '@xmldom/xmldom';
import { XmpError } from './xmp-model';
import { childElements, findRdf, parseDocument, topDescriptions } from './xmp-parse';

export interface LexAttr {
  qname: string;
  /** Start of the whitespace before the attribute. */
  start: number;
  end: number;
  valueStart: number;
  valueEnd: number;
  quote: '"' | "'";
  ws: string;
}

export interface LexElement {
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

export interface Analysis {
  doc: Document;
  rdf: Element;
  descs: Element[];
  lex: Map<Element, LexElement>;
}

export function analyse(text: string, file: string | undefined): Analysis {
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

export function mustLex(lex: Map<Element, LexElement>, el: Element, file: string | undefined): LexElement {
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
