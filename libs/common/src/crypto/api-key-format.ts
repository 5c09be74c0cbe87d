import { randomBytes } from 'node:crypto';
import { sha256Hex } from './tokens.js';

/** `mp_<16 hex key id>_<43 char base64url secret>` (8 + 32 random bytes). */
const API_KEY = /^mp_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface GeneratedApiKey {
  keyId: string;
  secretSha256: string;
  /** Shown once, never stored. */
  fullKey: string;
}

export function generateApiKey(): GeneratedApiKey {
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { keyId, secretSha256: sha256Hex(secret), fullKey: `mp_${keyId}_${secret}` };
}

export function parseApiKey(value: string): { keyId: string; secret: string } | null {
  const m = API_KEY.exec(value);
  return m ? { keyId: m[1], secret: m[2] } : null;
}

export function looksLikeApiKey(value: string): boolean {
  return value.startsWith('mp_');
}
