import type { BusApp } from '#contracts';
import { requireConfig, type AppConfig } from '../config/config.schema.js';
import { importBusSigningKey, importBusVerifyKeys } from './bus-keys.js';
import { CallerTokenSigner, CallerTokenVerifier } from './caller-token.js';

/** The signer of an app that sends RPCs; it cannot start without its key. */
export async function callerTokenSigner(config: AppConfig, app: BusApp): Promise<CallerTokenSigner> {
  const { BUS_SIGNING_KEY } = requireConfig(config, 'BUS_SIGNING_KEY');
  return new CallerTokenSigner(app, await importBusSigningKey(BUS_SIGNING_KEY), config.BUS_TOKEN_TTL_SECONDS);
}

/** The verifier of a service; it cannot start without the senders' public keys. */
export async function callerTokenVerifier(config: AppConfig): Promise<CallerTokenVerifier> {
  const { BUS_VERIFY_KEYS } = requireConfig(config, 'BUS_VERIFY_KEYS');
  return new CallerTokenVerifier(await importBusVerifyKeys(BUS_VERIFY_KEYS), config.BUS_TOKEN_TTL_SECONDS);
}
