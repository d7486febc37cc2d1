/**
 * Cryptolens' .NET-style `<RSAKeyValue>` public keys, read by a small strict
 * XML reader (not regular expressions): whitespace, line breaks, an XML
 * declaration and comments are tolerated; anything else that is not this one
 * document shape is refused. Private XML keys (with `<D>`, `<P>`…) are refused
 * with `ERR_KEY_PRIVATE`.
 */
import { decodeBase64 } from '../lib/bytes.ts';
import { KeyError } from '../lib/errors.ts';
import { createRsaPublicKey, type PublicKey } from './public-key.ts';

interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

const PRIVATE_PARTS = new Set(['D', 'P', 'Q', 'DP', 'DQ', 'InverseQ']);
const MAX_XML = 64 * 1024;

/** True when the text looks like an XML key (starts with `<` after whitespace/BOM). */
export function looksLikeXml(text: string): boolean {
  return /^\uFEFF?\s*</.test(text) && !text.includes('-----BEGIN ');
}

function fail(message: string): never {
  throw new KeyError('ERR_KEY_INVALID', `RSAKeyValue XML: ${message}`);
}

/** Parses a tiny XML subset: elements (attributes ignored), text, comments, a declaration. */
function parseXml(text: string): XmlElement {
  let pos = 0;
  const skipMisc = (): void => {
    for (;;) {
      while (pos < text.length && /\s/.test(text[pos]!)) pos++;
      if (text.startsWith('<!--', pos)) {
        const end = text.indexOf('-->', pos + 4);
        if (end < 0) fail('unterminated comment');
        pos = end + 3;
      } else if (text.startsWith('<?', pos)) {
        const end = text.indexOf('?>', pos + 2);
        if (end < 0) fail('unterminated declaration');
        pos = end + 2;
      } else return;
    }
  };
  const readElement = (depth: number): XmlElement => {
    if (depth > 4) fail('nested too deeply');
    const open = /^<([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/.exec(text.slice(pos, pos + 512));
    if (!open) fail(`expected an element at offset ${pos}`);
    pos += open[0].length;
    const element: XmlElement = { name: open[1]!, children: [], text: '' };
    if (open[3] === '/') return element;
    for (;;) {
      const lt = text.indexOf('<', pos);
      if (lt < 0) fail(`element <${element.name}> is not closed`);
      element.text += text.slice(pos, lt);
      pos = lt;
      if (text.startsWith('<!--', pos)) {
        const end = text.indexOf('-->', pos + 4);
        if (end < 0) fail('unterminated comment');
        pos = end + 3;
      } else if (text.startsWith('</', pos)) {
        const close = /^<\/([A-Za-z_][\w.-]*)\s*>/.exec(text.slice(pos, pos + 256));
        if (!close || close[1] !== element.name) fail(`mismatched closing tag for <${element.name}>`);
        pos += close[0].length;
        return element;
      } else {
        element.children.push(readElement(depth + 1));
      }
    }
  };
  skipMisc();
  const root = readElement(0);
  skipMisc();
  if (pos !== text.length) fail('unexpected content after the root element');
  return root;
}

function base64Field(element: XmlElement): Uint8Array {
  if (element.children.length > 0) fail(`<${element.name}> must contain only base64 text`);
  const body = element.text.replace(/[\s]/g, '');
  if (body.length === 0) fail(`<${element.name}> is empty`);
  const bytes = decodeBase64(body);
  if (typeof bytes === 'string') fail(`<${element.name}> is not valid base64 (${bytes})`);
  return bytes;
}

/** Imports a `<RSAKeyValue><Modulus>…</Modulus><Exponent>…</Exponent></RSAKeyValue>` public key. */
export function importRsaKeyValueXml(text: string): PublicKey {
  if (text.length > MAX_XML) fail(`larger than ${MAX_XML} characters`);
  const root = parseXml(text.replace(/^\uFEFF/, ''));
  if (root.name !== 'RSAKeyValue') fail(`root element is <${root.name}>, expected <RSAKeyValue>`);
  if (root.text.trim() !== '') fail('stray text inside <RSAKeyValue>');
  let modulus: Uint8Array | undefined;
  let exponent: Uint8Array | undefined;
  for (const child of root.children) {
    if (PRIVATE_PARTS.has(child.name)) {
      throw new KeyError('ERR_KEY_PRIVATE', 'RSAKeyValue contains private parameters; ship only <Modulus> and <Exponent>');
    }
    if (child.name === 'Modulus') {
      if (modulus) fail('duplicate <Modulus>');
      modulus = base64Field(child);
    } else if (child.name === 'Exponent') {
      if (exponent) fail('duplicate <Exponent>');
      exponent = base64Field(child);
    } else fail(`unexpected element <${child.name}>`);
  }
  if (!modulus || !exponent) fail('needs both <Modulus> and <Exponent>');
  return createRsaPublicKey(modulus, exponent);
}
