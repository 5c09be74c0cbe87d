import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ReconcileTls } from '../reconcile/reconcile.types.js';

/**
 * Postfix accepts any path in smtpd_tls_cert_file/key_file and only fails at the first STARTTLS
 * (`postfix check` does not read them): make sure both files parse and belong together first.
 */
export async function checkTlsFiles(tls: ReconcileTls): Promise<void> {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(await readFile(tls.certFile));
  } catch (err) {
    throw new Error(`TLS certificate ${tls.certFile} is not readable PEM: ${(err as Error).message}`);
  }
  let matches: boolean;
  try {
    matches = cert.checkPrivateKey(createPrivateKey(await readFile(tls.keyFile)));
  } catch (err) {
    throw new Error(`TLS key ${tls.keyFile} is not a readable private key: ${(err as Error).message}`);
  }
  if (!matches) throw new Error(`TLS key ${tls.keyFile} does not belong to certificate ${tls.certFile}`);
  if (Date.parse(cert.validTo) < Date.now()) throw new Error(`TLS certificate ${tls.certFile} expired on ${cert.validTo}`);
}
