import { generateKeyPairSync } from 'node:crypto';
import { importPKCS8, importSPKI, type CryptoKey } from 'jose';
import { isBusApp, type BusApp } from '#contracts';
import { ConfigError } from '../config/config.schema.js';

/** The one signature algorithm of the bus: Ed25519 (JWS `EdDSA`). */
export const BUS_ALG = 'EdDSA';

/** A PEM as is; otherwise base64 (or base64url) of the DER, one line for .env files and secrets. */
function toPem(value: string, label: 'PRIVATE KEY' | 'PUBLIC KEY'): string {
  const v = value.trim();
  if (v.startsWith('-----BEGIN')) return v.replace(/\\n/g, '\n');
  const b64 = Buffer.from(v, v.includes('-') || v.includes('_') ? 'base64url' : 'base64').toString('base64');
  return `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;
}

export async function importBusSigningKey(value: string): Promise<CryptoKey> {
  try {
    return await importPKCS8(toPem(value, 'PRIVATE KEY'), BUS_ALG);
  } catch (err) {
    throw new ConfigError(`Invalid configuration:\n  BUS_SIGNING_KEY: not an Ed25519 PKCS8 private key (${(err as Error).message})`);
  }
}

/** `issuer=key,issuer=key`: each issuer must be a bus app (libs/contracts bus catalog). */
export async function importBusVerifyKeys(value: string): Promise<Map<BusApp, CryptoKey>> {
  const keys = new Map<BusApp, CryptoKey>();
  for (const entry of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const at = entry.indexOf('=');
    const issuer = entry.slice(0, at);
    if (at < 1 || !isBusApp(issuer)) throw new ConfigError(`Invalid configuration:\n  BUS_VERIFY_KEYS: "${issuer}" is not a bus app`);
    try {
      keys.set(issuer, await importSPKI(toPem(entry.slice(at + 1), 'PUBLIC KEY'), BUS_ALG));
    } catch (err) {
      throw new ConfigError(`Invalid configuration:\n  BUS_VERIFY_KEYS: the key of ${issuer} is not an Ed25519 SPKI public key (${(err as Error).message})`);
    }
  }
  return keys;
}

/** A new sender key pair, as the one-line base64 DER values BUS_SIGNING_KEY and BUS_VERIFY_KEYS take. */
export function generateBusKeyPair(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  };
}
