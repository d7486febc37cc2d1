/**
 * Security review of the NetLicensing reader (issue 11), on the real file: spellings XML reads the same (a BOM,
 * CR LF line ends, character references in the ttl or the DigestValue) are the same document and stay VALID;
 * every other spelling is refused or SIGNATURE_INVALID (a second prefix bound to XML-DSig, single quotes, a
 * duplicated ttl, a `ds:`-prefixed Signature the root never declared, a BOM twice); the largest inputs the reader
 * accepts take well under a second.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { isLicenseKitError, verifyLicenseSync } from '../../../src/index.node.ts';
import { describeWithVectors, VECTORS_DIR } from '../../support/vectors.ts';

const DIR = 'peers/netlicensing-xmldsig';

describeWithVectors(DIR, 'NetLicensing review: what the holder of the file can change', () => {
  const xml = readFileSync(join(VECTORS_DIR, DIR, 'Isb-DEMO.xml'), 'utf8');
  const key = readFileSync(join(VECTORS_DIR, DIR, 'rsa_public.pem'), 'utf8');
  const check = (text: string | Uint8Array): string => {
    try {
      const v = verifyLicenseSync(text, { key, now: new Date('2020-12-28T00:00:00Z') });
      return v.valid ? 'VALID' : v.reasons.join(',');
    } catch (error) {
      return isLicenseKitError(error) ? error.code : `untyped ${String(error)}`;
    }
  };
  const DSIG = 'xmlns="http://www.w3.org/2000/09/xmldsig#"';

  test.each([
    ['a UTF-8 BOM (bytes)', new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(xml)]), 'VALID'],
    ['CR LF after the declaration and at the end', xml.replace('?>', '?>\r\n') + '\r\n', 'VALID'],
    ['a character reference in the ttl', xml.replace('ttl="2020', 'ttl="&#50;020'), 'VALID'],
    ['a character reference in the DigestValue', xml.replace('<DigestValue>I', '<DigestValue>&#73;'), 'VALID'],
    ['two BOMs', `\uFEFF\uFEFF${xml}`, 'ERR_XML_INVALID'],
    ['a second prefix bound to XML-DSig on the root', xml.replace(DSIG, `${DSIG} xmlns:ds="http://www.w3.org/2000/09/xmldsig#"`), 'SIGNATURE_INVALID'],
    ['the Signature under an undeclared ds: prefix', xml.replace('<Signature>', '<ds:Signature>').replace('</Signature>', '</ds:Signature>'), 'ERR_XML_INVALID'],
    ['a ttl in single quotes', xml.replace(/ttl="([^"]*)"/, "ttl='$1'"), 'ERR_XML_INVALID'],
    ['a duplicated ttl (a later one)', xml.replace(/ttl="([^"]*)"/, 'ttl="$1" ttl="2099-01-01T00:00:00.000Z"'), 'ERR_XML_INVALID'],
    ['a namespaced ttl beside the ttl', xml.replace(/ttl="([^"]*)"/, 'ttl="$1" ns2:ttl="2099-01-01T00:00:00.000Z"'), 'SIGNATURE_INVALID'],
    ['a second attribute on an item', xml.replace('type="ProductModuleValidation"', 'type="ProductModuleValidation" ns2:type="x"'), 'SIGNATURE_INVALID'],
    ['an item in a re-declared prefix for the same namespace', xml.replace('xmlns:ns2=', 'xmlns:ns3="http://netlicensing.labs64.com/schema/context" xmlns:ns2=').replace(/ns2:item([ >])/g, 'ns3:item$1'), 'SIGNATURE_INVALID'],
  ] as const)('%s: %s', (_name, edited, expected) => {
    expect(check(edited)).toBe(expected);
  });

  test('the largest inputs the reader takes (256 Ki characters; 4096 elements) are typed errors or verdicts in well under a second', () => {
    const inputs = [
      xml.replace('>true<', `>${'&amp;'.repeat(50_000)}<`),
      xml.replace('type="ProductModuleValidation"', `type="${'&#x41;'.repeat(40_000)}"`),
      xml.replace('<ns2:infos/>', `<ns2:infos>${'<ns2:info id="x" type="y">aaaa</ns2:info>'.repeat(4000)}</ns2:infos>`),
      xml.replace('<ns2:infos/>', `<ns2:infos>${'<a/>'.repeat(60_000)}</ns2:infos>`),
      xml.replace('>true<', `>${']]'.repeat(120_000)}<`),
      `<${'a'.repeat(250_000)}`,
      `<a b="${'a'.repeat(250_000)}`,
      '<a>'.repeat(80_000),
    ];
    for (const input of inputs) {
      const started = performance.now();
      expect(check(input)).not.toMatch(/^(untyped|VALID)/);
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });
});
