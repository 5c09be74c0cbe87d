/**
 * The policy service's Redis keys (apps/policy-service). Renaming one loses the state under the old
 * name (today's send counts, open transactions): it needs a migration plan, not a rename.
 */
export const PolicyRedisKeys = {
  /** `<prefix><address>:<YYYY-MM-DD UTC>`: messages the mailbox sent that day. */
  SentPerDay: 'mailplane:policy:sent:',
  /** `<prefix><instance>`: recipients accepted so far in one SMTP transaction (Postfix's `instance`). */
  TransactionRecipients: 'mailplane:policy:rcpts:',
} as const;

/** Seconds a day's counter and a transaction's recipients are kept. */
export const POLICY_SENT_TTL_SECONDS = 2 * 86_400;
export const POLICY_TRANSACTION_TTL_SECONDS = 600;
