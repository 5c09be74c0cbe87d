import { randomUUID } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import { BusError, BusErrorCode, mayRequest, type BusApp, type CallerContext } from '#contracts';
import { BUS_ALG } from './bus-keys.js';

/** The NATS header that carries the signed caller context of a request. */
export const CALLER_TOKEN_HEADER = 'Mailplane-Caller';

/** Clock skew between the sender's and the service's hosts that is still accepted. */
const CLOCK_TOLERANCE_S = 5;

interface CallerClaims extends JWTPayload {
  /** The caller context exactly as sent in the payload; null for requests without one (pings). */
  ctx: CallerContext | null;
  /** The request id, so a log line can be matched to the token. */
  rid?: string;
}

/** Key order does not matter: the payload's ctx and the signed one are compared by content. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * Signs the caller context of each request a sender (gateway, worker) makes: a short-lived Ed25519
 * JWT bound to the subject (`aud`), the context and a one-time id, so a service can tell who sent
 * it and that it was not altered or moved to another subject.
 */
export class CallerTokenSigner {
  constructor(
    readonly issuer: BusApp,
    private readonly key: CryptoKey,
    private readonly ttlSeconds: number,
  ) {}

  sign(subject: string, ctx: CallerContext | null): Promise<string> {
    const claims: CallerClaims = { ctx };
    if (ctx?.request_id) claims.rid = ctx.request_id;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: BUS_ALG, kid: this.issuer })
      .setIssuer(this.issuer)
      .setAudience(subject)
      .setIssuedAt(now)
      .setExpirationTime(now + this.ttlSeconds)
      .setJti(randomUUID())
      .sign(this.key);
  }
}

/** Who sent an accepted request. */
export interface VerifiedCaller {
  issuer: BusApp;
  jti: string;
}

/**
 * A service's check of a request's signed context: known issuer whose key verifies it, allowed by
 * the bus catalog to send this subject, signed for this subject, still valid, its context equal to
 * the payload's, and not seen before (by this replica).
 */
export class CallerTokenVerifier {
  private readonly seen: LRUCache<string, true>;

  constructor(
    private readonly keys: ReadonlyMap<BusApp, CryptoKey>,
    private readonly ttlSeconds: number,
  ) {
    this.seen = new LRUCache({ max: 200_000, ttl: (ttlSeconds + 2 * CLOCK_TOLERANCE_S) * 1000 });
  }

  async verify(token: string | undefined, subject: string, ctx: CallerContext | null | undefined): Promise<VerifiedCaller> {
    if (!token) throw new BusError(BusErrorCode.CallerUnsigned, 'Forbidden', `The request on ${subject} carries no signed caller context.`);
    let payload: CallerClaims;
    let issuer: BusApp;
    try {
      const result = await jwtVerify<CallerClaims>(
        token,
        (header) => {
          const key = header.kid ? this.keys.get(header.kid as BusApp) : undefined;
          if (!key)
            throw new BusError(BusErrorCode.CallerForged, 'Forbidden', `The caller context is signed by an unknown sender (${header.kid ?? 'none named'}).`);
          return key;
        },
        {
          algorithms: [BUS_ALG],
          audience: subject,
          clockTolerance: CLOCK_TOLERANCE_S,
          // A token that claims a longer life than this service grants is refused too.
          maxTokenAge: this.ttlSeconds + CLOCK_TOLERANCE_S,
          requiredClaims: ['iss', 'aud', 'iat', 'exp', 'jti'],
        },
      );
      payload = result.payload;
      issuer = result.protectedHeader.kid as BusApp;
    } catch (err) {
      throw refusal(err, subject);
    }
    if (payload.iss !== issuer) throw new BusError(BusErrorCode.CallerForged, 'Forbidden', 'The caller context names another issuer than its key.');
    // maxTokenAge bounds only the age: a fresh token valid for an hour would otherwise be accepted.
    if (payload.exp! - payload.iat! > this.ttlSeconds + CLOCK_TOLERANCE_S) {
      throw new BusError(BusErrorCode.CallerExpired, 'Forbidden', `The signed caller context claims a longer life than the ${this.ttlSeconds} s accepted.`);
    }
    if (!mayRequest(issuer, subject)) {
      throw new BusError(BusErrorCode.SenderNotAllowed, 'Forbidden', `${issuer} may not send requests on ${subject}.`);
    }
    if (canonical(payload.ctx) !== canonical(ctx ?? null)) {
      throw new BusError(BusErrorCode.CallerMismatch, 'Forbidden', 'The caller context differs from the one that was signed.');
    }
    const jti = payload.jti!;
    if (this.seen.has(jti)) throw new BusError(BusErrorCode.CallerMismatch, 'Forbidden', 'The signed caller context was already used once.');
    this.seen.set(jti, true);
    return { issuer, jti };
  }
}

function refusal(err: unknown, subject: string): BusError {
  if (err instanceof BusError) return err;
  if (err instanceof joseErrors.JWTExpired) return new BusError(BusErrorCode.CallerExpired, 'Forbidden', 'The signed caller context has expired.');
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'aud')
      return new BusError(BusErrorCode.CallerMismatch, 'Forbidden', `The caller context was signed for another subject than ${subject}.`);
    if (err.claim === 'iat') return new BusError(BusErrorCode.CallerExpired, 'Forbidden', 'The signed caller context has expired (issued too long ago).');
  }
  return new BusError(BusErrorCode.CallerForged, 'Forbidden', 'The caller context signature is not valid.');
}
