/**
 * A strict, small XML 1.0 reader for signed documents: exactly what an
 * XML-DSig enveloped signature over a whole document needs, and nothing that
 * lets the bytes say two things.
 *
 * Accepted: an optional XML declaration (version 1.0, encoding UTF-8), one
 * root element, elements, attributes, text, the five predefined entities and
 * numeric character references. Namespace declarations only on the root (so
 * no redeclaration can move a prefix), every prefix declared, no `xml:*`
 * attributes. Refused with `ERR_XML_INVALID`: malformed XML, a DOCTYPE or any
 * other entity (no XXE, no entity expansion), processing instructions,
 * comments, CDATA sections, characters XML forbids, duplicate attributes, and
 * anything beyond the limits on size, depth, elements and attributes.
 *
 * The markup itself is read in one spelling only, the one NetLicensing
 * writes: one space before each attribute, `name="value"` with double quotes
 * and no spaces around `=`, nothing else inside tags, no whitespace around
 * the root but one line end after the declaration and at the end, and no
 * literal TAB or line end inside attribute values (write `&#x9;`, `&#xA;`).
 * Markup XML would read the same in other spellings is thus refused rather
 * than canonicalised away: one changed character of a file is never the same
 * document. Line ends are normalised as XML requires (CR LF and CR to LF).
 */
import { LicenseInputError } from '../../lib/errors.ts';

/** One element of the tree: its qualified name, namespace, attributes (in document order) and children. */
export interface XmlElement {
  readonly type: 'element';
  /** The name as written (`ns2:item`). */
  readonly qname: string;
  readonly prefix: string | null;
  readonly localName: string;
  /** The namespace URI the prefix (or the default namespace) resolves to, `null` for none. */
  readonly namespace: string | null;
  readonly attributes: readonly XmlAttribute[];
  /** Namespace declarations written on this element (only the root has any): prefix (`''` for the default) → URI. */
  readonly namespaceDeclarations: ReadonlyMap<string, string>;
  readonly children: readonly XmlNode[];
}

export interface XmlAttribute {
  readonly name: string;
  /** The attribute's value after entity decoding and XML's attribute-value normalisation. */
  readonly value: string;
}

export interface XmlText {
  readonly type: 'text';
  readonly text: string;
}

export type XmlNode = XmlElement | XmlText;

/** A parsed document: the root, and the namespaces in scope everywhere (declared on the root). */
export interface XmlDocument {
  readonly root: XmlElement;
  readonly namespaces: ReadonlyMap<string, string>;
}

/** Limits of the reader. */
export interface XmlLimits {
  readonly maxChars: number;
  readonly maxDepth: number;
  readonly maxElements: number;
  readonly maxAttributes: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = Object.freeze({ maxChars: 256 * 1024, maxDepth: 16, maxElements: 4096, maxAttributes: 16 });

function fail(message: string, at?: number): never {
  throw new LicenseInputError('ERR_XML_INVALID', at === undefined ? `XML: ${message}` : `XML: ${message} (at character ${at})`);
}

const NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;
const NAME_CHAR = /[A-Za-z0-9._:-]/;
const PREDEFINED: Readonly<Record<string, string>> = Object.freeze({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" });

/** True for a character XML 1.0 allows (§2.2), by code point. */
function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** Refuses characters XML forbids, lone surrogates included. */
function checkChars(text: string): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) fail('a lone surrogate', i);
      i++;
    } else if ((c >= 0xdc00 && c <= 0xdfff) || !isXmlChar(c)) fail(`character U+${c.toString(16).padStart(4, '0')} is not allowed`, i);
  }
}

const XML_DECLARATION = /^<\?xml version="1\.0"(?: encoding="UTF-8")?(?: standalone="(?:yes|no)")?\?>\n?/;

class Reader {
  private i = 0;
  private elements = 0;
  private rootNamespaces: Map<string, string> = new Map();
  constructor(private readonly s: string, private readonly limits: XmlLimits) {}

  private name(): string {
    const start = this.i;
    while (this.i < this.s.length && NAME_CHAR.test(this.s[this.i]!)) this.i++;
    const name = this.s.slice(start, this.i);
    const parts = name.split(':');
    if (parts.length > 2 || !parts.every((p) => NAME.test(p))) fail(`"${name}" is not a name this reader accepts (ASCII, at most one prefix)`, start);
    return name;
  }

  /** Decodes entity and character references; `attribute` also normalises literal whitespace to spaces. */
  private decode(raw: string, at: number, attribute: boolean): string {
    let out = '';
    for (let k = 0; k < raw.length; k++) {
      const c = raw[k]!;
      if (c === '&') {
        const end = raw.indexOf(';', k);
        if (end < 0 || end - k > 12) fail('an unterminated reference', at + k);
        const ref = raw.slice(k + 1, end);
        if (ref.startsWith('#')) {
          const m = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(ref);
          if (!m) fail(`"&${ref};" is not a character reference`, at + k);
          const cp = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2]!, 10);
          if (!isXmlChar(cp)) fail(`"&${ref};" names a character XML does not allow`, at + k);
          out += String.fromCodePoint(cp);
        } else {
          const value = Object.hasOwn(PREDEFINED, ref) ? PREDEFINED[ref] : undefined;
          if (value === undefined) fail(`the entity "&${ref};" is not one of the five predefined ones`, at + k);
          out += value;
        }
        k = end;
      } else if (attribute && (c === '\t' || c === '\n')) fail('a literal TAB or line end in an attribute value (write it as a character reference)', at + k);
      else if (attribute && c === '<') fail('"<" in an attribute value', at + k);
      else out += c;
    }
    return out;
  }

  document(): XmlDocument {
    const s = this.s;
    const decl = XML_DECLARATION.exec(s);
    if (decl) this.i = decl[0].length;
    else if (s.startsWith('<?xml')) fail('an XML declaration other than <?xml version="1.0" encoding="UTF-8" standalone="yes|no"?> (each part optional)', 0);
    if (s.startsWith('<!DOCTYPE', this.i) || s.startsWith('<!doctype', this.i)) fail('a DOCTYPE (DTDs and entities are refused)', this.i);
    if (s.startsWith('<!--', this.i)) fail('a comment (not part of the profile)', this.i);
    if (s.startsWith('<?', this.i)) fail('a processing instruction', this.i);
    if (s[this.i] !== '<') fail('no root element', this.i);
    const root = this.element(1, true);
    if (s[this.i] === '\n') this.i++;
    if (this.i !== s.length) fail('content after the root element', this.i);
    return { root, namespaces: this.rootNamespaces };
  }

  private element(depth: number, isRoot: boolean): XmlElement {
    const s = this.s;
    if (depth > this.limits.maxDepth) fail(`deeper than ${this.limits.maxDepth} elements`, this.i);
    if (++this.elements > this.limits.maxElements) fail(`more than ${this.limits.maxElements} elements`, this.i);
    const start = this.i;
    this.i++; // '<'
    const qname = this.name();
    const attributes: XmlAttribute[] = [];
    const declarations = new Map<string, string>();
    const seen = new Set<string>();
    for (;;) {
      if (s.startsWith('/>', this.i) || s[this.i] === '>') break;
      if (s[this.i] !== ' ') fail('inside a tag: one space before each attribute, and nothing else', this.i);
      this.i++;
      const at = this.i;
      const name = this.name();
      if (!s.startsWith('="', this.i)) fail(`attribute "${name}" must be written ${name}="value"`, this.i);
      this.i++;
      const quote = '"';
      const end = s.indexOf(quote, this.i + 1);
      if (end < 0) fail(`attribute "${name}" is not closed`, this.i);
      const value = this.decode(s.slice(this.i + 1, end), this.i + 1, true);
      this.i = end + 1;
      if (seen.has(name)) fail(`attribute "${name}" appears twice`, at);
      seen.add(name);
      if (seen.size > this.limits.maxAttributes) fail(`more than ${this.limits.maxAttributes} attributes`, at);
      if (name === 'xmlns' || name.startsWith('xmlns:')) {
        if (!isRoot) fail('a namespace declaration below the root element (only the root may declare namespaces)', at);
        const prefix = name === 'xmlns' ? '' : name.slice(6);
        if (value === '') fail(`"${name}" declares an empty namespace`, at);
        if (prefix === 'xml' || prefix === 'xmlns') fail(`"${name}" redeclares a reserved prefix`, at);
        declarations.set(prefix, value);
      } else {
        if (name.startsWith('xml:') || name.startsWith('xml')) fail(`attribute "${name}" (xml-prefixed attributes are not part of the profile)`, at);
        attributes.push({ name, value });
      }
    }
    if (isRoot) this.rootNamespaces = declarations;
    const resolve = (prefix: string | null, what: string): string | null => {
      const uri = this.rootNamespaces.get(prefix ?? '');
      if (prefix !== null && uri === undefined) fail(`${what} uses the undeclared prefix "${prefix}"`, start);
      return uri ?? null;
    };
    for (const a of attributes) if (a.name.includes(':')) resolve(a.name.split(':')[0]!, `attribute "${a.name}"`);
    const colon = qname.indexOf(':');
    const prefix = colon < 0 ? null : qname.slice(0, colon);
    const localName = colon < 0 ? qname : qname.slice(colon + 1);
    const namespace = resolve(prefix, `element "${qname}"`);
    const children: XmlNode[] = [];
    const element: XmlElement = { type: 'element', qname, prefix, localName, namespace, attributes, namespaceDeclarations: declarations, children };
    if (s.startsWith('/>', this.i)) {
      this.i += 2;
      return element;
    }
    this.i++; // '>'
    for (;;) {
      const lt = s.indexOf('<', this.i);
      if (lt < 0) fail(`element "${qname}" is not closed`, start);
      if (lt > this.i) {
        const raw = s.slice(this.i, lt);
        if (raw.includes(']]>')) fail('"]]>" in text', this.i);
        children.push({ type: 'text', text: this.decode(raw, this.i, false) });
      }
      this.i = lt;
      if (s.startsWith('</', lt)) {
        this.i += 2;
        const end = this.name();
        if (end !== qname) fail(`"</${end}>" closes "<${qname}>"`, lt);
        if (s[this.i] !== '>') fail(`"</${end}" is not closed by ">"`, this.i);
        this.i++;
        return element;
      }
      if (s.startsWith('<!--', lt)) fail('a comment (not part of the profile)', lt);
      if (s.startsWith('<![CDATA[', lt)) fail('a CDATA section (not part of the profile)', lt);
      if (s.startsWith('<!', lt)) fail('a declaration inside the document (DTDs and entities are refused)', lt);
      if (s.startsWith('<?', lt)) fail('a processing instruction', lt);
      children.push(this.element(depth + 1, false));
    }
  }
}

/**
 * Parses a document under the limits. `text` is the decoded document (a BOM
 * already removed); line ends are normalised here.
 */
export function parseXml(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlDocument {
  if (text.length > limits.maxChars) fail(`the document is longer than ${limits.maxChars} characters`);
  checkChars(text);
  return new Reader(text.replace(/\r\n?/g, '\n'), limits).document();
}

/** The element children of an element. */
export function elementChildren(element: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of element.children) if (c.type === 'element') out.push(c);
  return out;
}

/** The concatenated text of an element that must hold text only (no child elements). */
export function textOnly(element: XmlElement, what: string): string {
  let out = '';
  for (const c of element.children) {
    if (c.type === 'element') fail(`${what} must hold text only`);
    out += c.text;
  }
  return out;
}

/** An attribute's value, or `undefined`. */
export function attribute(element: XmlElement, name: string): string | undefined {
  for (const a of element.attributes) if (a.name === name) return a.value;
  return undefined;
}
