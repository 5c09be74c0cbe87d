import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, runCommand } from '#mailstack';

/** The host's opendkim binary, or null when OpenDKIM is not installed. */
export function opendkimBinary(): string | null {
  return findBinary('opendkim', process.env.MAILSTACK_BIN_PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin');
}

const MESSAGE = (domain: string) =>
  [
    `From: alice@${domain}`,
    'To: bob@example.org',
    'Subject: dkim probe',
    'Date: Sat, 21 Nov 2026 07:00:00 +0000',
    `Message-ID: <probe@${domain}>`,
    '',
    'hello',
    '',
  ].join('\r\n');

export interface OpendkimRun {
  /** The DKIM-Signature value OpenDKIM added, if any. */
  signature: string | null;
  output: string;
  /** Whether OpenDKIM, verifying the signed message against `record`, says dkim=pass. */
  verified: boolean;
}

/**
 * Signs a message with `opendkim -t` (test mode: the milter's own code, no MTA) using the given
 * private key, then verifies the result with OpenDKIM against the given TXT record. Key files live
 * in a temporary folder, so RequireSafeKeys is off: this checks key formats, not file modes.
 */
export async function opendkimSignAndVerify(opts: {
  binary: string;
  domain: string;
  selector: string;
  privateKeyPem: string;
  txtValue: string;
  signatureAlgorithm: 'rsa-sha256' | 'ed25519-sha256';
}): Promise<OpendkimRun> {
  const dir = mkdtempSync(join(tmpdir(), 'mp-opendkim-'));
  try {
    const file = (name: string, content: string) => {
      writeFileSync(join(dir, name), content, { mode: 0o600 });
      return join(dir, name);
    };
    const key = file('key.private', opts.privateKeyPem);
    const keyName = `${opts.selector}._domainkey.${opts.domain}`;
    const keyTable = file('KeyTable', `${keyName} ${opts.domain}:${opts.selector}:${key}\n`);
    const signingTable = file('SigningTable', `*@${opts.domain} ${keyName}\n`);
    const dns = file('dns', `${keyName} ${opts.txtValue}\n`);
    const message = file('message', MESSAGE(opts.domain));
    const common = ['Syslog no', 'RequireSafeKeys false', 'Canonicalization relaxed/relaxed', `TestDNSData file:${dns}`];
    const signConf = file(
      'sign.conf',
      [...common, 'Mode s', `SignatureAlgorithm ${opts.signatureAlgorithm}`, `KeyTable file:${keyTable}`, `SigningTable refile:${signingTable}`, ''].join('\n'),
    );
    const signed = await runCommand(opts.binary, ['-x', signConf, '-t', message, '-vvv']);
    const output = signed.stdout + signed.stderr;
    const m = /### INSHEADER: idx=\d+ hname='DKIM-Signature' hvalue='([^']*)'/.exec(output);
    if (!m) return { signature: null, output, verified: false };
    const signedMessage = file('signed', `DKIM-Signature: ${m[1].replace(/\r?\n/g, '\r\n')}\r\n${MESSAGE(opts.domain)}`);
    const verifyConf = file('verify.conf', [...common, 'Mode v', ''].join('\n'));
    const verified = await runCommand(opts.binary, ['-x', verifyConf, '-t', signedMessage, '-vv']);
    return { signature: m[1], output, verified: /dkim=pass/.test(verified.stdout + verified.stderr) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
