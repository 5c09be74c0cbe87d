import { Init1763700000000 } from './1763700000000-Init.js';
import { ApiKeyLineage1763700000001 } from './1763700000001-ApiKeyLineage.js';
import { MailboxesAliasesConfig1763800000000 } from './1763800000000-MailboxesAliasesConfig.js';
import { MailstackViews1763800000001 } from './1763800000001-MailstackViews.js';
import { MailstackAliasesFirstMatch1763800000002 } from './1763800000002-MailstackAliasesFirstMatch.js';
import { Jobs1763900000000 } from './1763900000000-Jobs.js';
import { DkimKeys1763900000001 } from './1763900000001-DkimKeys.js';
import { RateLimits1764000000000 } from './1764000000000-RateLimits.js';
import { KeyPatchIpAllowlists1764000000001 } from './1764000000001-KeyPatchIpAllowlists.js';
import { TenantSuspension1764000000002 } from './1764000000002-TenantSuspension.js';
import { Totp1764000000003 } from './1764000000003-Totp.js';
import { AuditLog1764000000004 } from './1764000000004-AuditLog.js';
import { Accounts1764000000005 } from './1764000000005-Accounts.js';
import { AuditBefore1764100000000 } from './1764100000000-AuditBefore.js';
import { MailNodeRole1764200000000 } from './1764200000000-MailNodeRole.js';
import { Oidc1764300000000 } from './1764300000000-Oidc.js';
import { MailboxForwarding1764400000000 } from './1764400000000-MailboxForwarding.js';
import { MailboxVacation1764400000001 } from './1764400000001-MailboxVacation.js';
import { RequireTls1764400000002 } from './1764400000002-RequireTls.js';
import { MailboxSpamDelivery1764500000001 } from './1764500000001-MailboxSpamDelivery.js';
import { DomainAntispamLists1764500000002 } from './1764500000002-DomainAntispamLists.js';
import { PolicyLimits1764500000003 } from './1764500000003-PolicyLimits.js';
import { MailNodeAntispamReads1764500000004 } from './1764500000004-MailNodeAntispamReads.js';

/** Every migration, oldest first. Add new ones here (no globbing: works the same in every build). */
export const MIGRATIONS = [
  Init1763700000000,
  ApiKeyLineage1763700000001,
  MailboxesAliasesConfig1763800000000,
  MailstackViews1763800000001,
  MailstackAliasesFirstMatch1763800000002,
  Jobs1763900000000,
  DkimKeys1763900000001,
  RateLimits1764000000000,
  KeyPatchIpAllowlists1764000000001,
  TenantSuspension1764000000002,
  Totp1764000000003,
  AuditLog1764000000004,
  Accounts1764000000005,
  AuditBefore1764100000000,
  MailNodeRole1764200000000,
  Oidc1764300000000,
  MailboxForwarding1764400000000,
  MailboxVacation1764400000001,
  RequireTls1764400000002,
  MailboxSpamDelivery1764500000001,
  DomainAntispamLists1764500000002,
  PolicyLimits1764500000003,
  MailNodeAntispamReads1764500000004,
];
