import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { DkimAlgorithm } from '#contracts';

const generate = promisify(generateKeyPair);

export interface GeneratedDkimKey {
  /** PKCS#8 PEM: what OpenDKIM 2.11 loads for RSA and Ed25519 alike. */
  privateKeyPem: string;
  /** The DNS `p=` value. */
  publicKey: string;
}

/** The `p=` value of a public key: base64 SubjectPublicKeyInfo for RSA, the raw 32 bytes for Ed25519 (RFC 8463 §4). */
export function dkimPublicValue(key: KeyObject): string {
  if (key.asymmetricKeyType === 'ed25519') return Buffer.from(key.export({ format: 'jwk' }).x as string, 'base64url').toString('base64');
  return key.export({ type: 'spki', format: 'der' }).toString('base64');
}

/** The `p=` value belonging to a private key in PEM. */
export function dkimPublicValueOfPrivate(privateKeyPem: string): string {
  return dkimPublicValue(createPublicKey(createPrivateKey(privateKeyPem)));
}

/** Generates a key pair off the event loop (RSA-2048 takes 50–200 ms of CPU). */
export async function generateDkimKey(algorithm: DkimAlgorithm): Promise<GeneratedDkimKey> {
  const { privateKey, publicKey } =
    algorithm === 'ed25519' ? await generate('ed25519') : await generate('rsa', { modulusLength: algorithm === 'rsa-1024' ? 1024 : 2048 });
  return { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, publicKey: dkimPublicValue(publicKey) };
}
