/**
 * Whether input is a NetLicensing file, by its first character: what Node's
 * `licensekit` keeps at hand while the XML reader itself loads on first use
 * (src/lazy/).
 */

/** True when the input looks like XML: its first non-blank character is `<` (a UTF-8 BOM tolerated). */
export function looksLikeXml(input: string | Uint8Array): boolean {
  if (typeof input === 'string') {
    // '{' or '-' first (a JSON or armoured license) is none of a BOM, white space or '<': no slice, no regular expression.
    const first = input.charCodeAt(0);
    return first !== 0x7b && first !== 0x2d && /^\uFEFF?\s*</.test(input.slice(0, 64));
  }
  let i = input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? 3 : 0;
  while (i < input.length && (input[i] === 0x20 || input[i] === 0x0a || input[i] === 0x0d || input[i] === 0x09)) i++;
  return input[i] === 0x3c;
}
