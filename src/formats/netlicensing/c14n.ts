/**
 * Canonical XML 1.0 (https://www.w3.org/TR/2001/REC-xml-c14n-20010315) for
 * the trees `xml.ts` accepts: elements, attributes and text only (no
 * comments, PIs or CDATA exist there, so the "with comments" variant is the
 * same output), with every namespace declared on the root.
 *
 * - An element is `<qname` + its namespace declarations + its attributes + `>`
 *   + content + `</qname>` (empty elements too). Namespace declarations come
 *   first, the default one (`xmlns`) before the others, sorted by prefix;
 *   attributes are sorted by namespace URI (none first), then local name.
 * - Inclusive canonicalisation: the apex of what is canonicalised (the root for
 *   the whole document, `SignedInfo` for the signature) carries every
 *   namespace in scope; below it none is repeated (none can be redeclared).
 * - Attribute values escape `& < "` and TAB, LF, CR as character references;
 *   text escapes `& < >` and CR.
 * - An element may be left out (the enveloped `Signature`).
 */
import type { XmlElement } from './xml.ts';

/** What to canonicalise differently from the tree. */
export interface C14nOptions {
  /** An element left out with everything under it (the enveloped-signature transform). */
  readonly omit?: XmlElement;
}

function escapeText(text: string): string {
  return text.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#xD;'));
}

function escapeAttribute(value: string): string {
  return value.replace(/[&<"\t\n\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '"' ? '&quot;' : c === '\t' ? '&#x9;' : c === '\n' ? '&#xA;' : '&#xD;'));
}

/** Code-unit order, as the specification's lexicographic order on UCS code points for these ASCII names. */
const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function namespaceOf(name: string, namespaces: ReadonlyMap<string, string>): string {
  const colon = name.indexOf(':');
  return colon < 0 ? '' : namespaces.get(name.slice(0, colon)) ?? '';
}

function write(element: XmlElement, namespaces: ReadonlyMap<string, string>, apex: boolean, options: C14nOptions, out: string[]): void {
  out.push('<', element.qname);
  if (apex) {
    const prefixes = [...namespaces.keys()].sort(byCodeUnits);
    for (const prefix of prefixes) out.push(prefix === '' ? ' xmlns="' : ` xmlns:${prefix}="`, escapeAttribute(namespaces.get(prefix)!), '"');
  }
  const attributes = [...element.attributes].sort((a, b) => {
    const byNamespace = byCodeUnits(namespaceOf(a.name, namespaces), namespaceOf(b.name, namespaces));
    return byNamespace !== 0 ? byNamespace : byCodeUnits(a.name.slice(a.name.indexOf(':') + 1), b.name.slice(b.name.indexOf(':') + 1));
  });
  for (const a of attributes) out.push(' ', a.name, '="', escapeAttribute(a.value), '"');
  out.push('>');
  for (const child of element.children) {
    if (child.type === 'text') out.push(escapeText(child.text));
    else if (child !== options.omit) write(child, namespaces, false, options, out);
  }
  out.push('</', element.qname, '>');
}

/**
 * The canonical form of `element` and everything under it, as text (encode
 * it as UTF-8 for the octets). `namespaces` are those in scope at `element`
 * (the document's, all declared on the root).
 */
export function canonicalize(element: XmlElement, namespaces: ReadonlyMap<string, string>, options: C14nOptions = {}): string {
  const out: string[] = [];
  write(element, namespaces, true, options, out);
  return out.join('');
}
