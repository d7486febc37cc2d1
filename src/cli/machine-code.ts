/**
 * The product salt and `--machine-code CODE|auto`, one rule for every command
 * (fingerprint, verify, issue). The salt is `--product SALT`; when it is not
 * given it is the `--product-id` value where the command has one, else
 * {@link DEFAULT_PRODUCT_SALT}. So `licensekit fingerprint --product 1001`
 * prints the code that `issue --product-id 1001 --machine-code auto` binds and
 * `verify --product-id 1001 --machine-code auto` checks, and what a program
 * calling `machineCode({ product: '1001' })` computes. "auto" is this machine's
 * code under that salt; a fingerprint that cannot be derived is a usage error
 * (exit 2), never a stack trace.
 */
import { CliExit, EXIT, type CliIo } from './io.ts';
import { FingerprintError } from '../lib/errors.ts';

/** The salt when neither `--product` nor `--product-id` is given. */
export const DEFAULT_PRODUCT_SALT = 'licensekit';

/** The flag, and the old name that is refused with a pointer to it. */
export const PRODUCT_FLAG = { product: { type: 'string', value: 'SALT' } } as const;
export const RENAMED_SALT_FLAG = Object.freeze({ 'fingerprint-salt': 'product' });

/** The salt a command uses: `--product`, else the product id, else {@link DEFAULT_PRODUCT_SALT}; 1 to 256 characters. */
export function productSalt(product: string | undefined, productId?: number): string {
  const salt = product ?? (productId !== undefined ? String(productId) : DEFAULT_PRODUCT_SALT);
  if (salt.length === 0 || salt.length > 256) throw new CliExit(EXIT.USAGE, `--product SALT must be 1 to 256 characters, got ${salt.length}`);
  return salt;
}

/** How the salt was chosen, for the output: `product salt "1001" (from --product-id)`. */
export function describeSalt(product: string | undefined, productId: number | undefined): string {
  const salt = productSalt(product, productId);
  const source = product !== undefined ? 'from --product' : productId !== undefined ? 'from --product-id' : 'the default; give --product SALT for your product';
  return `product salt ${JSON.stringify(salt)} (${source})`;
}

/**
 * The machine code a `--machine-code` value stands for (`undefined` when not
 * given). For "auto" it says on standard error which salt it used and the
 * code it got, so the code can be compared with what `licensekit fingerprint`
 * printed.
 */
export async function resolveMachineCodeFlag(value: string | undefined, product: string | undefined, productId: number | undefined, io: CliIo): Promise<string | undefined> {
  if (value !== 'auto' && !CRYPTOLENS_COMPAT.includes(value as CryptolensCompat)) return value;
  const { machineCode } = await import('../fingerprint/index.ts');
  let code: string;
  try {
    code = value === 'auto' ? await machineCode({ product: productSalt(product, productId) }) : await machineCode({ compat: value as CryptolensCompat });
  } catch (error) {
    if (error instanceof FingerprintError) throw new CliExit(EXIT.USAGE, `--machine-code ${value}: [${error.code}] ${error.message}`);
    throw error;
  }
  io.stderr(
    value === 'auto'
      ? `note: --machine-code auto is ${code}, this machine under ${describeSalt(product, productId)}`
      : `note: --machine-code ${value} is ${code}, the official Cryptolens Node client's code for this machine (not salted)`,
  );
  return code;
}

/** `--machine-code` values that stand for the official Cryptolens clients' codes of this machine. */
export const CRYPTOLENS_COMPAT = ['cryptolens-node', 'cryptolens-node-short'] as const;
type CryptolensCompat = (typeof CRYPTOLENS_COMPAT)[number];
