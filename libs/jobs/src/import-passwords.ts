import type { SecretBox } from '#common';
import type { CreateMailboxDto } from '#contracts';
import type { ImportRowInput } from './job-data.js';

/**
 * Binds a sealed password to its purpose and row: a value copied onto another row, or into another
 * sealed field, does not open.
 */
const aadOf = (row: number) => `mailbox-import:row:${row}`;

/**
 * An import row as it goes to Redis: the password sealed with SecretBox (AES-256-GCM under
 * MAILPLANE_SECRET_KEY), so neither Redis, its persistence files nor a replica ever hold it in clear.
 * Sealing rather than hashing: mailbox-service hashes in the tenant's scheme and checks the
 * policy when it creates the mailbox, exactly as for POST /mailboxes.
 */
export function sealImportRow(box: SecretBox, row: number, address: string | undefined, body: CreateMailboxDto): ImportRowInput {
  const { password, ...rest } = body;
  return { row, ...(address ? { address } : {}), body: rest, password_sealed: box.seal(password, aadOf(row)) };
}

/** The body POST /mailboxes takes, with the password opened again (worker side). */
export function openImportRow(box: SecretBox, input: ImportRowInput): CreateMailboxDto {
  return { ...input.body, password: box.open(input.password_sealed, aadOf(input.row)) };
}
