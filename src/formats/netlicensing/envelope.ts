/**
 * NetLicensing offline validation files: an XML-DSig enveloped signature
 * (RSA-SHA1 over C14N 1.0, SHA-1 digest) over the whole `netlicensing`
 * document. Exactly this profile is accepted; anything else is a typed error:
 *
 * - one `Signature` (XML-DSig namespace), a child of the root, holding exactly
 *   `SignedInfo` and `SignatureValue` (no `KeyInfo`, no `Object`, no `Id`);
 * - `SignedInfo`: `CanonicalizationMethod` C14N 1.0 (with or without comments:
 *   the reader refuses comments, so both give the same octets), `SignatureMethod`
 *   rsa-sha1, and one `Reference` with `URI=""` whose only transform is the
 *   enveloped signature and whose digest is SHA-1;
 * - no other element of the XML-DSig namespace, and nothing but `infos` and
 *   `items` (at most one each) beside the `Signature` under the root.
 *
 * Verification is XML-DSig core validation: the digest of the canonical
 * document minus the `Signature` is computed here and compared with the
 * `DigestValue` (written canonically: 28 base64 characters, no spaces); the
 * bytes handed to the core's one signature check are the canonical
 * `SignedInfo`. When the digests differ the envelope carries an empty
 * signature, which no backend accepts: any change to the signed content is
 * SIGNATURE_INVALID, like a change to the signature, and nothing of the
 * document is read before the check passed.
 */
import { sha1 } from '@noble/hashes/legacy.js';
import type { SignedEnvelope } from '../../core/envelope.ts';
import { decodeBase64, decodeUtf8, encodeBase64, encodeUtf8 } from '../../lib/bytes.ts';
import { LicenseInputError, UnsupportedFormatError } from '../../lib/errors.ts';
import { canonicalize } from './c14n.ts';
import { attribute, elementChildren, parseXml, textOnly, type XmlDocument, type XmlElement } from './xml.ts';

export { looksLikeXml } from './detect.ts';

export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
export const NETLICENSING_NS = 'http://netlicensing.labs64.com/schema/context';
const C14N = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
const C14N_WITH_COMMENTS = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments';
const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const ENVELOPED_SIGNATURE = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';

/** A NetLicensing envelope: the canonical SignedInfo (with the computed digest), the signature, and the parsed document to read once verified. */
export interface NetLicensingEnvelope extends SignedEnvelope {
  readonly format: 'netlicensing';
  readonly document: XmlDocument;
  /** True when the computed digest equals the `DigestValue` (when false the signature check fails). */
  readonly digestMatches: boolean;
  readonly canonicalizationMethod: string;
}

function invalid(message: string): never {
  throw new LicenseInputError('ERR_ENVELOPE_INVALID', `NetLicensing file: ${message}`);
}

function unsupported(message: string): never {
  throw new UnsupportedFormatError(`NetLicensing file: ${message} (only the NetLicensing XML-DSig profile is verified)`);
}

/** A dsig element with exactly the attributes named (all required) and no text; returns its element children. */
function dsig(element: XmlElement | undefined, localName: string, attributes: readonly string[] = []): XmlElement[] {
  if (!element || element.namespace !== DSIG_NS || element.localName !== localName) invalid(`expected the XML-DSig element ${localName}`);
  if (element.attributes.length !== attributes.length || attributes.some((a) => attribute(element, a) === undefined)) {
    unsupported(`${localName} must have exactly the attributes ${attributes.length === 0 ? '(none)' : attributes.join(', ')}`);
  }
  if (element.children.some((c) => c.type === 'text')) invalid(`${localName} holds text`);
  return elementChildren(element);
}

/** A dsig element that holds only text (DigestValue, SignatureValue). */
function dsigText(element: XmlElement | undefined, localName: string): string {
  if (!element || element.namespace !== DSIG_NS || element.localName !== localName || element.attributes.length !== 0) invalid(`expected ${localName} without attributes`);
  return textOnly(element, localName);
}

function exactly(children: XmlElement[], count: number, where: string): void {
  if (children.length !== count) invalid(`${where} must hold exactly ${count} element${count === 1 ? '' : 's'}, found ${children.length}`);
}

/** Refuses any XML-DSig element (or any `Signature`) outside the one enveloped signature. */
function refuseStraySignatureElements(element: XmlElement, signature: XmlElement): void {
  for (const child of elementChildren(element)) {
    if (child === signature) continue;
    if (child.namespace === DSIG_NS || child.localName === 'Signature') invalid(`a stray ${child.qname} outside the enveloped signature`);
    refuseStraySignatureElements(child, signature);
  }
}

/** Parses a NetLicensing file into its envelope (typed errors for anything outside the profile). */
export function parseNetLicensingEnvelope(input: string | Uint8Array): NetLicensingEnvelope {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    const decoded = decodeUtf8(input);
    if (decoded === null) throw new LicenseInputError('ERR_XML_INVALID', 'XML: the file is not UTF-8');
    text = decoded;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const document = parseXml(text);
  const { root, namespaces } = document;
  if (root.namespace !== NETLICENSING_NS || root.localName !== 'netlicensing') invalid('the root element must be netlicensing in the NetLicensing namespace');
  if (root.children.some((c) => c.type === 'text')) invalid('text directly under the root');
  const top = elementChildren(root);
  const signatures = top.filter((c) => c.localName === 'Signature');
  if (signatures.length !== 1) invalid(`the root must hold exactly one Signature, found ${signatures.length}`);
  const signature = signatures[0]!;
  const seen = new Set<string>();
  for (const child of top) {
    if (child === signature) continue;
    if (child.namespace !== NETLICENSING_NS || (child.localName !== 'infos' && child.localName !== 'items')) invalid(`unexpected ${child.qname} under the root`);
    if (seen.has(child.localName)) invalid(`a second ${child.qname} under the root`);
    seen.add(child.localName);
  }
  refuseStraySignatureElements(root, signature);

  const signatureParts = dsig(signature, 'Signature');
  exactly(signatureParts, 2, 'Signature (SignedInfo, SignatureValue)');
  const [signedInfo, signatureValue] = signatureParts as [XmlElement, XmlElement];
  const infoParts = dsig(signedInfo, 'SignedInfo');
  exactly(infoParts, 3, 'SignedInfo (CanonicalizationMethod, SignatureMethod, Reference)');
  const [c14nMethod, signatureMethod, reference] = infoParts as [XmlElement, XmlElement, XmlElement];
  exactly(dsig(c14nMethod, 'CanonicalizationMethod', ['Algorithm']), 0, 'CanonicalizationMethod');
  const canonicalizationMethod = attribute(c14nMethod, 'Algorithm')!;
  if (canonicalizationMethod !== C14N_WITH_COMMENTS && canonicalizationMethod !== C14N) unsupported(`canonicalization ${canonicalizationMethod}`);
  exactly(dsig(signatureMethod, 'SignatureMethod', ['Algorithm']), 0, 'SignatureMethod');
  if (attribute(signatureMethod, 'Algorithm') !== RSA_SHA1) unsupported(`signature method ${attribute(signatureMethod, 'Algorithm')}`);
  const referenceParts = dsig(reference, 'Reference', ['URI']);
  if (attribute(reference, 'URI') !== '') unsupported('a Reference to anything but the whole document (URI="")');
  exactly(referenceParts, 3, 'Reference (Transforms, DigestMethod, DigestValue)');
  const [transforms, digestMethod, digestValue] = referenceParts as [XmlElement, XmlElement, XmlElement];
  const transformList = dsig(transforms, 'Transforms');
  exactly(transformList, 1, 'Transforms (the enveloped-signature transform)');
  exactly(dsig(transformList[0], 'Transform', ['Algorithm']), 0, 'Transform');
  if (attribute(transformList[0]!, 'Algorithm') !== ENVELOPED_SIGNATURE) unsupported(`transform ${attribute(transformList[0]!, 'Algorithm')}`);
  exactly(dsig(digestMethod, 'DigestMethod', ['Algorithm']), 0, 'DigestMethod');
  if (attribute(digestMethod, 'Algorithm') !== SHA1) unsupported(`digest method ${attribute(digestMethod, 'Algorithm')}`);
  const writtenDigest = dsigText(digestValue, 'DigestValue');
  if (!/^[A-Za-z0-9+/]{27}=$/.test(writtenDigest)) invalid('DigestValue must be the base64 of a SHA-1 digest, written without spaces');
  const signatureText = dsigText(signatureValue, 'SignatureValue').replace(/[ \n\t]/g, '');
  const signatureBytes = decodeBase64(signatureText);
  if (typeof signatureBytes === 'string') throw new LicenseInputError('ERR_BASE64_INVALID', `SignatureValue is not valid base64 (${signatureBytes})`);
  if (signatureBytes.length === 0) invalid('SignatureValue is empty');

  // The reference: the canonical document without the Signature (URI="" carries no comments, and there are none).
  const digest = encodeBase64(sha1(encodeUtf8(canonicalize(root, namespaces, { omit: signature }))));
  const digestMatches = digest === writtenDigest;
  return {
    format: 'netlicensing',
    algorithm: 'RS1',
    keyId: null,
    signedBytes: encodeUtf8(canonicalize(signedInfo, namespaces)),
    // A reference whose digest does not match fails the signature check (no backend accepts an empty signature).
    signature: digestMatches ? signatureBytes : new Uint8Array(0),
    document,
    digestMatches,
    canonicalizationMethod,
  };
}
