/**
 * NetLicensing offline validation files (XML-DSig enveloped, RSA-SHA1, C14N
 * 1.0): the real file verifies under rsa_public.pem with WEAK_ALGORITHM, fails
 * under rsa_public_wrong.pem, and is SIGNATURE_EXPIRED past its ttl. The
 * classic wrapping attacks are refused or invalid, never a wrong VALID; one
 * changed character is never valid; arbitrary XML-ish text gives only typed
 * errors. Files signed with a test key cover the mapping (valid → BLOCKED,
 * expires → EXPIRED, modules → entitlements) and the profile's limits.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { isLicenseKitError, netlicensingClaims, verifyLicense, verifyLicenseSync, type Verdict } from '../../../src/index.node.ts';
import { verifyLicenseSync as verifyInBrowserEntry } from '../../../src/netlicensing.ts';
import { verifyLicenseSync as coreVerifyLicenseSync } from '../../../src/index.ts';
import { canonicalize } from '../../../src/formats/netlicensing/c14n.ts';
import { elementChildren, parseXml } from '../../../src/formats/netlicensing/xml.ts';
import { describeWithVectors, VECTORS_DIR } from '../../support/vectors.ts';

const DIR = 'peers/netlicensing-xmldsig';
const BEFORE_TTL = new Date('2020-12-28T00:00:00Z');
const AFTER_TTL = new Date('2020-12-29T00:00:00Z');

function codeOf(run: () => unknown): string {
  try {
    const v = run() as Verdict;
    return v.valid ? 'VALID' : v.reasons.join(',');
  } catch (error) {
    return isLicenseKitError(error) ? error.code : `untyped ${String(error)}`;
  }
}

describeWithVectors(DIR, 'the NetLicensing vector (Isb-DEMO.xml)', () => {
  const xml = readFileSync(join(VECTORS_DIR, DIR, 'Isb-DEMO.xml'), 'utf8');
  const key = readFileSync(join(VECTORS_DIR, DIR, 'rsa_public.pem'), 'utf8');
  const wrongKey = readFileSync(join(VECTORS_DIR, DIR, 'rsa_public_wrong.pem'), 'utf8');
  const check = (text: string | Uint8Array, now = BEFORE_TTL): string => codeOf(() => verifyLicenseSync(text, { key, now }));

  test('verifies under rsa_public.pem before its ttl: valid, WEAK_ALGORITHM, the module mapped', () => {
    const verdict = verifyLicenseSync(xml, { key, now: BEFORE_TTL, requireFeatures: ['Msb-DEMO'] });
    expect([verdict.valid, verdict.reasons, verdict.warnings, verdict.format, verdict.algorithm]).toEqual([true, [], ['WEAK_ALGORITHM'], 'netlicensing', 'RS1']);
    const license = verdict.license!;
    expect([license.product, license.entitlements, license.block, license.expires?.toISOString(), license.signatureExpires?.toISOString()]).toEqual([
      'Msb-DEMO', ['Msb-DEMO'], false, '2021-04-21T20:15:45.694Z', '2020-12-28T22:53:06.681Z',
    ]);
    expect(netlicensingClaims(license)!.productModules).toEqual([
      { productModuleNumber: 'Msb-DEMO', productModuleName: 'Module using "Subscription" licensing model', licensingModel: 'Subscription', valid: true, expires: new Date('2021-04-21T20:15:45.694Z') },
    ]);
  });

  test('the same verdict from bytes, from every backend, and from the licensekit/netlicensing entry', async () => {
    const bytes = new TextEncoder().encode(xml);
    for (const backend of ['node', 'webcrypto', 'purejs', 'forge'] as const) {
      expect((await verifyLicense(bytes, { key, now: BEFORE_TTL, backend })).valid, backend).toBe(true);
    }
    expect(verifyInBrowserEntry(xml, { key, now: BEFORE_TTL }).valid).toBe(true);
  });

  test('the core entry (browser, IIFE) carries no XML reader: an XML file is ERR_FORMAT_UNSUPPORTED naming licensekit/netlicensing', () => {
    expect(codeOf(() => coreVerifyLicenseSync(xml, { key, now: BEFORE_TTL }))).toBe('ERR_FORMAT_UNSUPPORTED');
    expect(() => coreVerifyLicenseSync(xml, { key, now: BEFORE_TTL })).toThrow(/import licensekit\/netlicensing/);
  });

  test('rsa_public_wrong.pem: SIGNATURE_INVALID; past the ttl: SIGNATURE_EXPIRED (and only that)', () => {
    expect(codeOf(() => verifyLicenseSync(xml, { key: wrongKey, now: BEFORE_TTL }))).toBe('SIGNATURE_INVALID');
    expect(check(xml, AFTER_TTL)).toBe('SIGNATURE_EXPIRED');
    expect(check(xml, new Date('2020-12-28T22:53:06.681Z'))).toBe('SIGNATURE_EXPIRED');
    expect(codeOf(() => verifyLicenseSync(xml, { key, now: new Date('2020-12-28T22:53:07Z'), clockToleranceSeconds: 60 }))).toBe('VALID');
  });

  test('the algorithms option can refuse RS1', () => {
    expect(codeOf(() => verifyLicenseSync(xml, { key, now: BEFORE_TTL, algorithms: ['RS256'] }))).toBe('ERR_ALGORITHM_NOT_ALLOWED');
  });

  const signature = /<Signature>.*<\/Signature>/.exec(xml)![0];
  const items = /<ns2:items>.*<\/ns2:items>/.exec(xml)![0];
  const item = /<ns2:item .*<\/ns2:item>/.exec(xml)![0];
  test.each([
    ['a second Signature under the root', xml.replace('<ns2:infos/>', `${signature}<ns2:infos/>`), 'ERR_ENVELOPE_INVALID'],
    ['a Signature nested in the items', xml.replace('<ns2:items>', `<ns2:items>${signature}`), 'ERR_ENVELOPE_INVALID'],
    ['a second items element (a second validation at the root)', xml.replace('</ns2:netlicensing>', `${items.replace('true', 'true')}</ns2:netlicensing>`), 'ERR_ENVELOPE_INVALID'],
    ['a duplicated item', xml.replace(item, item + item), 'SIGNATURE_INVALID'],
    ['the signed content moved under an Object in the Signature, forged content in its place', xml.replace(items, items.replace('2021-04-21', '2099-04-21')).replace('</SignatureValue></Signature>', `</SignatureValue><Object>${items}</Object></Signature>`), 'ERR_ENVELOPE_INVALID'],
    ['a KeyInfo beside the signature value', xml.replace('</SignatureValue>', '</SignatureValue><KeyInfo/>'), 'ERR_ENVELOPE_INVALID'],
    ['a Reference to an Id', xml.replace('<Reference URI="">', '<Reference URI="#x">'), 'ERR_FORMAT_UNSUPPORTED'],
    ['a second Transform', xml.replace('</Transforms>', '<Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></Transforms>'), 'ERR_ENVELOPE_INVALID'],
    ['another signature method', xml.replace('#rsa-sha1', '#hmac-sha1'), 'ERR_FORMAT_UNSUPPORTED'],
    ['a comment inside signed text', xml.replace('>true<', '>tr<!---->ue<'), 'ERR_XML_INVALID'],
    ['a comment between elements', xml.replace('<ns2:infos/>', '<!-- x --><ns2:infos/>'), 'ERR_XML_INVALID'],
    ['whitespace inside signed text', xml.replace('>true<', '> true<'), 'SIGNATURE_INVALID'],
    ['whitespace between elements', xml.replace('<ns2:infos/>', '\n<ns2:infos/>'), 'ERR_ENVELOPE_INVALID'],
    ['a CDATA section for signed text', xml.replace('>true<', '><![CDATA[true]]><'), 'ERR_XML_INVALID'],
    ['a namespace redeclared below the root', xml.replace('<ns2:items>', '<ns2:items xmlns:ns2="http://netlicensing.labs64.com/schema/context">'), 'ERR_XML_INVALID'],
    ['the NetLicensing prefix rebound at the root', xml.replace('xmlns:ns2="http://netlicensing.labs64.com/schema/context"', 'xmlns:ns2="urn:evil"'), 'ERR_ENVELOPE_INVALID'],
    ['the default namespace rebound (the Signature leaves XML-DSig)', xml.replace('xmlns="http://www.w3.org/2000/09/xmldsig#"', 'xmlns="urn:evil"'), 'ERR_ENVELOPE_INVALID'],
    ['a DOCTYPE with an external entity (XXE)', xml.replace('?>', '?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>').replace('>true<', '>&xxe;<'), 'ERR_XML_INVALID'],
    ['billion laughs', xml.replace('?>', `?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${'b'.repeat(i + 1)} "${'&a;'.repeat(10)}">`).join('')}]>`), 'ERR_XML_INVALID'],
    ['an undeclared entity', xml.replace('>true<', '>&t;<'), 'ERR_XML_INVALID'],
    ['a processing instruction', xml.replace('<ns2:infos/>', '<?evil x?><ns2:infos/>'), 'ERR_XML_INVALID'],
    ['valid=false made true... of a module that said false (edited value)', xml.replace('>Subscription</ns2:property>', '>Floating</ns2:property>'), 'SIGNATURE_INVALID'],
    ['an edited expiry', xml.replace('2021-04-21', '2099-04-21'), 'SIGNATURE_INVALID'],
    ['an edited ttl', xml.replace('2020-12-28T22', '2099-12-28T22'), 'SIGNATURE_INVALID'],
    ['a second property of the same name', xml.replace('<ns2:property name="valid">true</ns2:property>', '<ns2:property name="valid">true</ns2:property><ns2:property name="valid">true</ns2:property>'), 'SIGNATURE_INVALID'],
  ])('%s', (_name, edited, expected) => {
    expect(edited).not.toBe(xml);
    expect(check(edited)).toBe(expected);
  });

  test('what XML reads the same is the same document: character references, no declaration, reordered namespace declarations', () => {
    expect(check(xml.replace('>true<', '>&#116;rue<'))).toBe('VALID');
    expect(check(xml.replace(/^<\?xml[^>]*\?>/, ''))).toBe('VALID');
    expect(check(xml.replace('xmlns="http://www.w3.org/2000/09/xmldsig#" xmlns:ns2="http://netlicensing.labs64.com/schema/context"', 'xmlns:ns2="http://netlicensing.labs64.com/schema/context" xmlns="http://www.w3.org/2000/09/xmldsig#"'))).toBe('VALID');
    expect(check(`${xml}\n`)).toBe('VALID');
  });

  test.prop([fc.nat(), fc.integer({ min: 1, max: 0xffff })], { numRuns: 200 })('one changed character is never valid (typed error or SIGNATURE_INVALID)', (at, delta) => {
    const i = at % xml.length;
    const edited = xml.slice(0, i) + String.fromCharCode((xml.charCodeAt(i) + delta) % 0x10000) + xml.slice(i + 1);
    const outcome = check(edited);
    expect(outcome).not.toBe('VALID');
    expect(outcome).not.toMatch(/^untyped/);
  });

  test.prop([fc.nat(), fc.integer({ min: 1, max: 255 })], { numRuns: 100 })('one changed byte of the file is never valid', (at, delta) => {
    const bytes = new TextEncoder().encode(xml);
    bytes[at % bytes.length] = (bytes[at % bytes.length]! + delta) & 0xff;
    const outcome = check(bytes);
    expect(outcome).not.toBe('VALID');
    expect(outcome).not.toMatch(/^untyped/);
  });
});

describe('files signed with a test key', () => {
  const vendor = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = vendor.publicKey.export({ format: 'pem', type: 'spki' }) as string;
  const NS = 'xmlns="http://www.w3.org/2000/09/xmldsig#" xmlns:ns2="http://netlicensing.labs64.com/schema/context"';
  const property = (name: string, value: string): string => `<ns2:property name="${name}">${value}</ns2:property>`;
  const module = (number: string, valid: boolean, expires?: string): string =>
    `<ns2:item type="ProductModuleValidation">${property('productModuleNumber', number)}${property('valid', String(valid))}${expires ? property('expires', expires) : ''}${property('licensingModel', 'Subscription')}</ns2:item>`;

  /** Signs a document the way NetLicensing does: the digest of the canonical document without the Signature, then RSA-SHA1 over the canonical SignedInfo. */
  function signed(body: string, ttl = '2030-01-01T00:00:00.000Z'): string {
    const unsigned = `<ns2:netlicensing ${NS} ttl="${ttl}">${body}</ns2:netlicensing>`;
    const doc = parseXml(unsigned);
    const digest = Buffer.from(createHash('sha1').update(canonicalize(doc.root, doc.namespaces)).digest()).toString('base64');
    const signedInfo = `<SignedInfo><CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"/><SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"/><Reference URI=""><Transforms><Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></Transforms><DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/><DigestValue>${digest}</DigestValue></Reference></SignedInfo>`;
    const withInfo = parseXml(`<ns2:netlicensing ${NS} ttl="${ttl}"><Signature>${signedInfo}</Signature></ns2:netlicensing>`);
    const infoElement = elementChildren(elementChildren(withInfo.root)[0]!)[0]!;
    const value = sign('sha1', Buffer.from(canonicalize(infoElement, withInfo.namespaces)), vendor.privateKey).toString('base64');
    return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>${unsigned.replace(`ttl="${ttl}">`, `ttl="${ttl}"><Signature>${signedInfo}<SignatureValue>${value}</SignatureValue></Signature>`)}`;
  }
  const NOW = new Date('2026-01-01T00:00:00Z');
  const verify = (text: string, extra = {}) => verifyLicenseSync(text, { key, now: NOW, ...extra });

  test('a module NetLicensing says is not valid: BLOCKED; an expired one: EXPIRED; both reported', () => {
    expect(verify(signed(`<ns2:items>${module('M1', true, '2030-01-01T00:00:00.000Z')}</ns2:items>`)).valid).toBe(true);
    expect(verify(signed(`<ns2:items>${module('M1', false)}</ns2:items>`)).reasons).toEqual(['BLOCKED']);
    expect(verify(signed(`<ns2:items>${module('M1', true, '2025-01-01T00:00:00.000Z')}</ns2:items>`)).reasons).toEqual(['EXPIRED']);
    expect(verify(signed(`<ns2:items>${module('M1', true, '2025-01-01T00:00:00.000Z')}</ns2:items>`, '2025-06-01T00:00:00Z')).reasons).toEqual(['EXPIRED', 'SIGNATURE_EXPIRED']);
  });

  test('several modules: the valid ones are entitlements, FEATURE_MISSING names an invalid one', () => {
    const text = signed(`<ns2:infos/><ns2:items>${module('M1', true)}${module('M2', false)}</ns2:items>`);
    const verdict = verify(text, { requireFeatures: ['M1', 'M2'] });
    expect([verdict.reasons, verdict.license!.entitlements, verdict.license!.product, verdict.license!.block]).toEqual([['FEATURE_MISSING'], ['M1'], null, false]);
  });

  test.each([
    ['two validations of one module', `<ns2:items>${module('M1', true)}${module('M1', false)}</ns2:items>`, 'ERR_PAYLOAD_INVALID'],
    ['a valid that is not true or false', `<ns2:items>${module('M1', true).replace('>true<', '>yes<')}</ns2:items>`, 'ERR_PAYLOAD_INVALID'],
    ['two properties of one name', `<ns2:items>${module('M1', true).replace('</ns2:item>', `${property('valid', 'false')}</ns2:item>`)}</ns2:items>`, 'ERR_PAYLOAD_INVALID'],
    ['an element outside the shape', `<ns2:items><ns2:evil/></ns2:items>`, 'ERR_PAYLOAD_INVALID'],
    ['a date that is not UTC ISO', `<ns2:items>${module('M1', true, '2030-01-01')}</ns2:items>`, 'ERR_PAYLOAD_INVALID'],
  ])('signed, but %s', (_name, body, expected) => {
    expect(codeOf(() => verify(signed(body)))).toBe(expected);
  });

  test('limits: depth, attributes, size', () => {
    const deep = `<ns2:items>${'<ns2:item type="x">'.repeat(20)}${'</ns2:item>'.repeat(20)}</ns2:items>`;
    expect(codeOf(() => parseXml(`<a>${deep}</a>`))).toBe('ERR_XML_INVALID');
    expect(codeOf(() => parseXml(`<a ${Array.from({ length: 20 }, (_, i) => `a${i}="1"`).join(' ')}/>`))).toBe('ERR_XML_INVALID');
    expect(codeOf(() => parseXml(`<a>${'x'.repeat(300_000)}</a>`))).toBe('ERR_XML_INVALID');
  });

  const xmlish = fc.stringMatching(/^(<|>|\/|=|"|'|&|;|#|x|[a-z]|:|\?|!|-|\[|\]| |\n|ns2|xmlns|Signature|<!DOCTYPE|<!ENTITY|&amp;|&#x41;|<\?xml version="1.0"\?>)*$/, { maxLength: 200 });
  test.prop([xmlish], { numRuns: 200 })('arbitrary XML-ish text gives only typed errors (or a verdict)', (text) => {
    expect(codeOf(() => verifyLicenseSync(`<${text}`, { key, now: NOW }))).not.toMatch(/^untyped/);
    expect(codeOf(() => parseXml(text))).not.toMatch(/^untyped/);
  });

  test.prop([fc.string({ maxLength: 40 }).filter((s) => !/[<&\]]/.test(s))], { numRuns: 100 })('C14N round trip: the text of a property is read back exactly, and signing it verifies', (value) => {
    const text = signed(`<ns2:items>${module('M1', true).replace('Subscription', () => value.replace(/>/g, '&gt;').replace(/\r/g, '&#xD;'))}</ns2:items>`);
    const verdict = verify(text);
    expect(verdict.valid).toBe(true);
    expect(netlicensingClaims(verdict.license!)!.productModules[0]!.licensingModel).toBe(value);
  });
});
