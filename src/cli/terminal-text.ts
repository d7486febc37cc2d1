/**
 * Text for a terminal from strings nobody vouched for (claims of an unverified
 * license, parser messages quoting a file, file names). Control characters
 * could move the cursor, recolour or retitle the terminal, or erase a line to
 * forge a verdict; bidirectional overrides could reorder what is read. They
 * are shown as visible escapes instead. `--json` output is never passed
 * through here: JSON.stringify already escapes C0 controls, and the rest of it
 * stays byte-exact for programs.
 */

// C0 controls (newline and tab included: one value stays on one line of a table), DEL, C1 controls,
// and the bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069).
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every control character and bidirectional override replaced by
 * a visible escape (`\x1b`, `\n`, `\u202e`); everything else, backslashes
 * included, unchanged.
 *
 * @example
 * terminalSafe('ok\x1b[2K\rVALID') // 'ok\\x1b[2K\\rVALID'
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}
