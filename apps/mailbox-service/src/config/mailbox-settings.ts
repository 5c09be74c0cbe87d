import type { AppConfig } from '#common';
import type { MailPasswordScheme } from '#mailstack';

/** What the mailbox module needs from the configuration. */
export interface MailboxSettings {
  passwordScheme: MailPasswordScheme;
  passwordMinLength: number;
  passwordMinClasses: number;
}

export const MAILBOX_SETTINGS = Symbol('MAILBOX_SETTINGS');

export function mailboxSettingsFrom(config: AppConfig): MailboxSettings {
  return {
    passwordScheme: config.MAILBOX_PASSWORD_SCHEME,
    passwordMinLength: config.MAILBOX_PASSWORD_MIN_LENGTH,
    passwordMinClasses: config.MAILBOX_PASSWORD_MIN_CLASSES,
  };
}
