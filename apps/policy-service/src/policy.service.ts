import type { LimitsRepository } from './limits.repository.js';
import type { PolicyRequest } from './policy-request.parser.js';
import type { SendCounter } from './send-counter.js';

export const DUNNO = 'DUNNO';
/** What Postfix gets when the database or Redis does not answer: try later, never a silent pass. */
export const TEMPORARY_FAILURE = 'DEFER_IF_PERMIT 4.3.0 Policy service temporarily unavailable, try again later';

const lower = (v: string | undefined) => (v ?? '').trim().toLowerCase();
const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1);

/**
 * The decisions (docs/architecture.md#mail-stack): at RCPT the recipient cap of the authenticated
 * sender and any size declared with SIZE=; at END-OF-MESSAGE the real size against the sender's and
 * every recipient's limits, then the sender's daily count. Anything unknown is DUNNO: Postfix's own
 * restrictions decide.
 */
export class PolicyService {
  constructor(
    private readonly limits: LimitsRepository,
    private readonly counter: SendCounter,
  ) {}

  async decide(req: PolicyRequest): Promise<string> {
    const state = req.get('protocol_state');
    if (state === 'RCPT') return this.atRecipient(req);
    if (state === 'END-OF-MESSAGE') return this.atEndOfMessage(req);
    return DUNNO;
  }

  private async atRecipient(req: PolicyRequest): Promise<string> {
    const user = lower(req.get('sasl_username'));
    const recipient = lower(req.get('recipient'));
    const instance = req.get('instance');
    const sender = user ? await this.limits.mailbox(user) : null;
    if (sender && instance) {
      // Postfix sends recipient_count only from DATA on: count this transaction's recipients ourselves.
      const accepted = await this.counter.recipientCount(instance);
      if (accepted >= sender.maxRecipients) {
        return `452 4.5.3 Too many recipients: ${user} may send to at most ${sender.maxRecipients} per message`;
      }
    }
    const declared = Number(req.get('size') ?? 0);
    if (declared > 0) {
      const tooBig = await this.sizeRefusal(declared, user, recipient ? [recipient] : []);
      if (tooBig) return tooBig;
    }
    if (instance && recipient) await this.counter.addRecipient(instance, recipient);
    return DUNNO;
  }

  private async atEndOfMessage(req: PolicyRequest): Promise<string> {
    const user = lower(req.get('sasl_username'));
    const instance = req.get('instance');
    const recipients = instance ? await this.counter.takeRecipients(instance) : [];
    const single = lower(req.get('recipient'));
    if (single && !recipients.includes(single)) recipients.push(single);
    const tooBig = await this.sizeRefusal(Number(req.get('size') ?? 0), user, recipients);
    if (tooBig) return tooBig;
    const sender = user ? await this.limits.mailbox(user) : null;
    if (sender && sender.maxSendPerDay > 0 && !(await this.counter.tryCount(user, sender.maxSendPerDay))) {
      return `450 4.7.1 Daily sending limit reached: ${user} may send ${sender.maxSendPerDay} messages per day`;
    }
    return DUNNO;
  }

  /** The first limit `size` exceeds: the sender's, then each recipient's mailbox and domain. */
  private async sizeRefusal(size: number, user: string, recipients: readonly string[]): Promise<string | null> {
    if (!(size > 0)) return null;
    const refuse = (who: string, limit: number) => `552 5.3.4 Message too big for ${who} (limit ${limit} bytes)`;
    if (user) {
      const sender = await this.limits.mailbox(user);
      if (sender && size > sender.messageSizeLimit) return refuse(user, sender.messageSizeLimit);
    }
    for (const rcpt of recipients) {
      const mailbox = await this.limits.mailbox(rcpt);
      if (mailbox && size > mailbox.messageSizeLimit) return refuse(rcpt, mailbox.messageSizeLimit);
      const domain = domainOf(rcpt);
      const domainLimit = await this.limits.domainSizeLimit(domain);
      if (domainLimit !== null && size > domainLimit) return refuse(domain, domainLimit);
    }
    return null;
  }
}
