import { Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { NatsContext } from '@nestjs/microservices';
import { BusError, type CallerContext } from '#contracts';
import { CALLER_TOKEN_HEADER, type CallerTokenVerifier } from './caller-token.js';

/**
 * Runs before every message handler of a NATS service: the request's caller context must be signed
 * by a sender the bus catalog allows on this subject (see CallerTokenVerifier). A refusal is
 * answered with a BusError (403) and logged at warn: it means a misconfigured or hostile client.
 */
export class BusCallerGuard implements CanActivate {
  private readonly logger = new Logger('BusCallerGuard');

  constructor(private readonly verifier: CallerTokenVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'rpc') return true;
    const rpc = context.switchToRpc();
    const nats = rpc.getContext<NatsContext>();
    const subject = nats.getSubject();
    const token = nats.getHeaders()?.get(CALLER_TOKEN_HEADER) || undefined;
    const data = rpc.getData<{ ctx?: CallerContext | null } | undefined>();
    try {
      await this.verifier.verify(token, subject, data && typeof data === 'object' ? data.ctx : undefined);
      return true;
    } catch (err) {
      if (err instanceof BusError) {
        this.logger.warn(
          { subject, code: err.moduleCode, detail: err.detail, request_id: data?.ctx?.request_id },
          'request refused: caller context not accepted',
        );
      }
      throw err;
    }
  }
}
