import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { hashAccountPassword, randomToken, sha256Hex, verifyAccountPassword, type AppConfig } from '#common';
import { InjectConfig } from '../../shared/app-config.js';
import { AuthError, AuthErrorCode } from '../../shared/auth.errors.js';
import type { AccessTokenClaims } from './credentials.service.js';
import type { TokenPairDto } from './dto/token-pair.dto.js';
import type { MfaRequiredDto } from '../totp/dto/totp.dto.js';
import { MfaLoginService } from '../totp/mfa-login.service.js';
import { LoginLockoutService } from '../accounts/login-lockout.service.js';
import { assertAccountPassword } from '../accounts/password-policy.js';
import { AccountError, AccountErrorCode } from '../accounts/account.errors.js';
import { ipAllowed } from './ip-allowlist.js';
import { SessionsRepository } from './sessions.repository.js';

@Injectable()
export class AuthService {
  /** Verified against when the email is unknown, so both cases take the same time. */
  private readonly dummyHash: Promise<string>;

  constructor(
    private readonly repo: SessionsRepository,
    private readonly jwt: JwtService,
    @InjectConfig() private readonly config: AppConfig,
    private readonly mfa: MfaLoginService,
    private readonly lockout: LoginLockoutService,
  ) {
    this.dummyHash = hashAccountPassword(randomToken(16));
  }

  async login(email: string, password: string, ip = ''): Promise<TokenPairDto | MfaRequiredDto> {
    // Locked (after repeated failures): 429 before the password is even looked at. From here the
    // attempt counts as failed until the password proves right.
    const attempt = await this.lockout.begin(email, ip);
    const row = await this.repo.loginByEmail(email);
    const ok = await verifyAccountPassword(row?.password_hash ?? (await this.dummyHash), password);
    if (!row || !ok) throw new AuthError(AuthErrorCode.InvalidCredentials, 'The email or password is wrong.');
    // The password is right: whatever follows, this attempt was no guess.
    if (!row.active || !row.tenant_active) {
      await attempt.passed();
      throw new AuthError(AuthErrorCode.AccountDisabled, 'This account is disabled.');
    }
    // No tokens for a login from outside the account's allowlist (they would be refused anyway).
    if (!ipAllowed(ip, row.ip_allowlist)) {
      await attempt.passed();
      throw new AuthError(AuthErrorCode.IpRestricted, `This account may not be used from ${ip || 'this address'}.`);
    }
    // 2FA: no tokens yet, only a challenge for POST /auth/login/2fa. The counter is not reset here
    // but when the second step succeeds, else the password alone would wipe out failed codes.
    const challenge = await this.mfa.challenge(row.id);
    if (challenge) {
      await attempt.passed();
      return challenge;
    }
    await attempt.completed();
    return this.completeLogin(row.id);
  }

  /** Tokens for a fully authenticated login (password, and the second factor when the account has one). */
  async completeLogin(accountId: string): Promise<TokenPairDto> {
    await this.repo.touchLastLogin(accountId);
    return this.repo.transaction((m) => this.issue(m, accountId, randomUUID()));
  }

  /** Rotation: the presented token is spent; presenting a spent one again revokes its whole family. */
  async refresh(token: string): Promise<TokenPairDto> {
    const hash = sha256Hex(token);
    const result = await this.repo.transaction(async (m): Promise<TokenPairDto | 'reused'> => {
      const rt = await this.repo.lockRefreshToken(m, hash);
      if (!rt || rt.revoked_at) throw new AuthError(AuthErrorCode.RefreshInvalid, 'The refresh token is unknown or revoked.');
      if (rt.used_at) {
        // Commit the revocation, then refuse (throwing here would roll it back).
        await this.repo.revokeFamily(rt.family_id, m);
        return 'reused';
      }
      if (new Date(rt.expires_at).getTime() <= Date.now()) throw new AuthError(AuthErrorCode.RefreshInvalid, 'The refresh token has expired.');
      if (!(await this.repo.accountUsable(m, rt.account_id))) throw new AuthError(AuthErrorCode.AccountDisabled, 'This account is disabled.');
      await this.repo.markUsed(m, rt.id);
      return this.issue(m, rt.account_id, rt.family_id);
    });
    if (result === 'reused') {
      throw new AuthError(AuthErrorCode.RefreshReused, 'This refresh token was already used; every session from that login has been revoked.');
    }
    return result;
  }

  /**
   * PUT /auth/password: checks the current password (failures count towards the lockout), applies the
   * policy, revokes every refresh token of the account and returns a fresh pair for this session.
   */
  async changePassword(accountId: string, email: string, current: string, next: string, ip = ''): Promise<TokenPairDto> {
    const attempt = await this.lockout.begin(email, ip);
    const stored = await this.repo.passwordHash(accountId);
    if (!stored || !(await verifyAccountPassword(stored, current))) {
      throw new AccountError(AccountErrorCode.WeakPassword, 'Validation failed', 'current_password is wrong.', [
        { field: 'current_password', message: 'current_password is wrong' },
      ]);
    }
    await attempt.passed();
    assertAccountPassword(next, 'new_password');
    const hash = await hashAccountPassword(next);
    return this.repo.transaction(async (m) => {
      await this.repo.setPasswordHash(m, accountId, hash);
      await this.repo.revokeAccount(m, accountId);
      return this.issue(m, accountId, randomUUID());
    });
  }

  /** POST /auth/logout: the presented refresh token's whole family (that login's session) is revoked. */
  async logout(token: string): Promise<void> {
    const family = await this.repo.familyOf(sha256Hex(token));
    if (!family) throw new AuthError(AuthErrorCode.RefreshInvalid, 'The refresh token is unknown.');
    await this.repo.revokeFamily(family);
  }

  private async issue(m: EntityManager, accountId: string, familyId: string): Promise<TokenPairDto> {
    const claims: AccessTokenClaims = { sub: accountId, typ: 'access' };
    const access = await this.jwt.signAsync(claims, { expiresIn: this.config.JWT_ACCESS_TTL_SECONDS, jwtid: randomUUID() });
    const refresh = `rt_${randomToken(32)}`;
    const ttl = this.config.REFRESH_TOKEN_TTL_SECONDS;
    await this.repo.insertRefreshToken(m, accountId, sha256Hex(refresh), familyId, ttl);
    return {
      access_token: access,
      token_type: 'Bearer',
      expires_in: this.config.JWT_ACCESS_TTL_SECONDS,
      refresh_token: refresh,
      refresh_expires_in: ttl,
    };
  }
}
