import { chown, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AppConfig } from '#common';
import { findBinary, requireBinary } from '../exec/command-runner.js';
import { type DovecotBinaries, doveconfCheck, reloadDovecot } from '../dovecot/dovecot.js';
import { dovecotIncludePath, renderDovecotQuota } from '../dovecot/quota.renderer.js';
import { dovecotSqlPath, renderDovecotSql } from '../dovecot/sql-conf.renderer.js';
import { opendkimCheck, opendkimConfPath, reloadOpendkim, signableKey } from '../opendkim/opendkim.js';
import { keysDir, keyTablePath, renderKeyFiles, renderKeyTable, renderSigningTable, signingTablePath } from '../opendkim/tables.renderer.js';
import { renderMainCf, renderSenderTransport, senderTransportPath, smtpdProcessLimit } from '../postfix/main-cf.renderer.js';
import { renderPgsqlMaps } from '../postfix/pgsql-maps.renderer.js';
import { checkTlsFiles } from '../postfix/tls-files.check.js';
import {
  applyMainCf,
  applyOutgoingTransports,
  applySmtpdProcessLimit,
  coolDown,
  defaultNexthop,
  mainCfPath,
  masterCfPath,
  outgoingTransportName,
  type PostfixBinaries,
  postfixCheck,
  reloadPostfix,
} from '../postfix/postfix.js';
import { type RspamdBinaries, reloadRspamd, rspamdCheck } from '../rspamd/rspamd.js';
import {
  greylistConfPath,
  LIST_MAPS,
  rblConfPath,
  renderDomainListsMap,
  renderGlobalsMap,
  renderGreylistConf,
  renderListMaps,
  renderRblConf,
  renderRecipientsMap,
  rspamdMapPath,
} from '../rspamd/rspamd-maps.renderer.js';
import { FileSnapshot, listFiles, pruneEmptyDirs, type RenderedFile } from './file-snapshot.js';
import {
  ReconcileError,
  type MailstackPaths,
  type ReconcileDkimKey,
  type ReconcileInput,
  type ReconcileProgress,
  type ReconcileResult,
} from './reconcile.types.js';
import { anyDiffers, probeDatabase } from './database-probe.js';
import { acquireReconcileLock } from './reconcile-lock.js';
import { StepLog } from './step-log.js';
import { lookupGroup, lookupUser } from './system-users.js';

export function mailstackPathsFrom(config: AppConfig): MailstackPaths {
  return {
    binPath: config.MAILSTACK_BIN_PATH,
    postfixDir: config.POSTFIX_CONFIG_DIR,
    dovecotDir: config.DOVECOT_CONFIG_DIR,
    opendkimDir: config.OPENDKIM_CONFIG_DIR,
    opendkimUser: config.OPENDKIM_USER,
    rspamdDir: config.RSPAMD_CONFIG_DIR,
  };
}

type Daemon = 'postfix' | 'dovecot' | 'opendkim' | 'rspamd';
/** probe, write ×5, check ×4, reload ×4. */
const STEP_COUNT = 14;

function binaries(paths: MailstackPaths): { postfix: PostfixBinaries; dovecot: DovecotBinaries; opendkim: string; rspamd: RspamdBinaries | null } {
  const rspamd = findBinary('rspamd', paths.binPath);
  const rspamadm = findBinary('rspamadm', paths.binPath);
  return {
    postfix: {
      postfix: requireBinary('postfix', paths.binPath),
      postconf: requireBinary('postconf', paths.binPath),
      postmap: findBinary('postmap', paths.binPath),
    },
    dovecot: {
      dovecot: findBinary('dovecot', paths.binPath),
      doveconf: requireBinary('doveconf', paths.binPath),
      doveadm: requireBinary('doveadm', paths.binPath),
    },
    opendkim: requireBinary('opendkim', paths.binPath),
    rspamd: rspamd && rspamadm ? { rspamd, rspamadm } : null,
  };
}

/** Rspamd's rendered files (world-readable: lists and thresholds are no secret, the workers run as _rspamd). */
function renderRspamdFiles(input: ReconcileInput, paths: MailstackPaths): RenderedFile[] {
  if (!input.antispam) return [];
  const dir = paths.rspamdDir;
  const file = (path: string, content: string): RenderedFile => ({ path, content, mode: 0o644, uid: 0, gid: 0 });
  const lists = renderListMaps(input.antispam.entries);
  return [
    file(rspamdMapPath(dir, 'recipients'), renderRecipientsMap(input.antispam.recipients)),
    file(rspamdMapPath(dir, 'globals'), renderGlobalsMap(input.global)),
    file(rspamdMapPath(dir, 'domain_lists'), renderDomainListsMap(input.antispam.entries)),
    ...LIST_MAPS.map((m) => file(rspamdMapPath(dir, m), lists[m])),
    file(greylistConfPath(dir), renderGreylistConf(input.global)),
    file(rblConfPath(dir), renderRblConf(input.global)),
  ];
}

/** Every rendered file of a daemon with its mode and owner (the DB password makes map/SQL files 0640). */
async function renderFiles(
  input: ReconcileInput,
  paths: MailstackPaths,
  dkimKeys: ReconcileDkimKey[],
): Promise<Record<'maps' | 'dovecot' | 'dkimTables' | 'dkimKeys', RenderedFile[]>> {
  const postfixGid = await lookupGroup('postfix');
  const dovecotGid = await lookupGroup('dovecot');
  const dkim = await lookupUser(paths.opendkimUser);
  return {
    maps: renderPgsqlMaps(input.database, paths.postfixDir).map((m) => ({ path: m.path, content: m.content, mode: 0o640, uid: 0, gid: postfixGid })),
    dovecot: [
      { path: dovecotSqlPath(paths.dovecotDir), content: renderDovecotSql(input.database), mode: 0o640, uid: 0, gid: dovecotGid },
      { path: dovecotIncludePath(paths.dovecotDir), content: renderDovecotQuota(), mode: 0o644, uid: 0, gid: 0 },
    ],
    dkimTables: [
      { path: keyTablePath(paths.opendkimDir), content: renderKeyTable(paths.opendkimDir, dkimKeys), mode: 0o640, uid: 0, gid: dkim.gid },
      { path: signingTablePath(paths.opendkimDir), content: renderSigningTable(dkimKeys), mode: 0o640, uid: 0, gid: dkim.gid },
    ],
    dkimKeys: renderKeyFiles(paths.opendkimDir, dkimKeys).map((k) => ({ ...k, mode: 0o600, uid: dkim.uid, gid: dkim.gid })),
  };
}

async function ensureDir(path: string, mode: number, uid: number, gid: number): Promise<void> {
  await mkdir(path, { recursive: true, mode });
  await chown(path, uid, gid);
}

/**
 * Renders what the views do not carry (map definitions, main.cf parameters from the global tier,
 * Dovecot's SQL config and quota, OpenDKIM tables and keys), checks it, rolls back on a failed check
 * (throws ReconcileError), and reloads only the daemons whose files changed.
 * Order: the database settings are proven before anything is written; then each daemon's files are
 * written and checked in turn (Postfix, Dovecot, OpenDKIM); reloads come last, once all checks passed.
 * Throws MailstackMissingError when the host has no mail stack.
 */
export async function reconcileMailstack(input: ReconcileInput, paths: MailstackPaths, onProgress?: ReconcileProgress): Promise<ReconcileResult> {
  const bin = binaries(paths);
  const release = await acquireReconcileLock(join(paths.postfixDir, '.mailplane-reconcile.lock'));
  try {
    return await reconcileLocked(input, paths, bin, onProgress);
  } finally {
    await release();
  }
}

async function reconcileLocked(
  input: ReconcileInput,
  paths: MailstackPaths,
  bin: ReturnType<typeof binaries>,
  onProgress?: ReconcileProgress,
): Promise<ReconcileResult> {
  const t0 = performance.now();
  const log = new StepLog(STEP_COUNT, onProgress);
  const snap = new FileSnapshot();
  const changed = new Set<Daemon>();
  const reloaded: string[] = [];
  const changedFiles: string[] = [];
  const writeAll = async (daemon: Daemon, files: RenderedFile[]) => {
    for (const f of files) {
      if (await snap.write(f)) {
        changed.add(daemon);
        changedFiles.push(f.path);
      }
    }
  };

  try {
    const dkimKeys = input.dkimKeys.filter((k) => signableKey(k.domain, k.privateKeyPem));
    const unsigned = input.dkimKeys.filter((k) => !dkimKeys.includes(k)).map((k) => k.domain);
    const files = await renderFiles(input, paths, dkimKeys);
    const mainCf = renderMainCf(input.global, paths.postfixDir, input.tls, input.policy);

    const mapsDir = files.maps[0];
    await ensureDir(dirname(mapsDir.path), 0o750, 0, mapsDir.gid!);
    await log.run('database.probe', async () => {
      if (!(await anyDiffers([...files.maps, files.dovecot[0]]))) return 'skipped';
      await probeDatabase(bin.postfix, paths.postfixDir, files.maps, input.database);
      return ['ok', `${input.database.user}@${input.database.host}:${input.database.port}/${input.database.dbname}`];
    });
    await log.run('postfix.maps', async () => {
      const before = changedFiles.length;
      await writeAll('postfix', files.maps);
      return changedFiles.length > before ? ['changed', changedFiles.slice(before).join(', ')] : 'unchanged';
    });
    await log.run('postfix.main_cf', async () => {
      const dir = paths.postfixDir;
      await snap.remember(mainCfPath(dir));
      await snap.remember(masterCfPath(dir));
      // master.cf first: Postfix delays reading a file modified within the last second or so, and
      // each of these reads its own file before writing it (coolDown below removes the delay).
      const outgoing = input.outgoing ?? [];
      const services = [
        ...(await applySmtpdProcessLimit(bin.postfix, dir, smtpdProcessLimit(input.global))).map((s) => `${s} process_limit`),
        ...(await applyOutgoingTransports(
          bin.postfix,
          dir,
          outgoing.map((o) => o.ip),
        )),
      ];
      if (services.length) await coolDown([masterCfPath(dir)]);
      const senderMap = renderSenderTransport(outgoing, outgoingTransportName, await defaultNexthop(bin.postfix, dir));
      if (await snap.write({ path: senderTransportPath(dir), content: senderMap, mode: 0o644, uid: 0, gid: 0 })) {
        changed.add('postfix');
        changedFiles.push(senderTransportPath(dir));
      }
      const params = await applyMainCf(bin.postfix, dir, mainCf);
      if (params.length) await coolDown([mainCfPath(dir)]);
      for (const f of [mainCfPath(dir), masterCfPath(dir)]) {
        if (!(await snap.forgetIfUnchanged(f))) {
          changed.add('postfix');
          changedFiles.push(f);
        }
      }
      const what = [...params, ...services];
      return what.length ? ['changed', what.join(', ')] : 'unchanged';
    });
    await log.run('postfix.check', async () => {
      if (!changed.has('postfix')) return 'skipped';
      if (input.tls) await checkTlsFiles(input.tls);
      await postfixCheck(bin.postfix, paths.postfixDir);
      return 'ok';
    });
    await log.run('dovecot.config', async () => {
      const before = changedFiles.length;
      await writeAll('dovecot', files.dovecot);
      return changedFiles.length > before ? ['changed', changedFiles.slice(before).join(', ')] : 'unchanged';
    });
    await log.run('dovecot.check', async () => {
      if (!changed.has('dovecot')) return 'skipped';
      await doveconfCheck(bin.dovecot, paths.dovecotDir);
      return 'ok';
    });
    await log.run('opendkim.keys', async () => {
      const before = changedFiles.length;
      const dkim = await lookupUser(paths.opendkimUser);
      for (const f of files.dkimKeys) await ensureDir(dirname(f.path), 0o700, dkim.uid, dkim.gid);
      await writeAll('opendkim', [...files.dkimKeys, ...files.dkimTables]);
      // Key files of domains that no longer sign go away.
      const keep = new Set(files.dkimKeys.map((f) => f.path));
      for (const f of await listFiles(keysDir(paths.opendkimDir))) {
        if (!keep.has(f) && f.endsWith('.private') && (await snap.remove(f))) {
          changed.add('opendkim');
          changedFiles.push(f);
        }
      }
      await pruneEmptyDirs(keysDir(paths.opendkimDir));
      const note = unsigned.length ? `; not signing ${unsigned.join(', ')}: OpenDKIM 2.11 signs with RSA keys only` : '';
      if (changedFiles.length > before) return ['changed', changedFiles.slice(before).join(', ') + note];
      return note ? ['unchanged', note.slice(2)] : 'unchanged';
    });
    await log.run('opendkim.check', async () => {
      if (!changed.has('opendkim')) return 'skipped';
      await opendkimCheck(bin.opendkim, opendkimConfPath(paths.opendkimDir));
      return 'ok';
    });

    await log.run('rspamd.maps', async () => {
      if (!bin.rspamd) return input.antispam ? ['skipped', 'Rspamd is not installed on this node'] : 'skipped';
      const before = changedFiles.length;
      const files = renderRspamdFiles(input, paths);
      if (files.length) await ensureDir(dirname(files[0].path), 0o750, 0, await lookupGroup('_rspamd'));
      await writeAll('rspamd', files);
      return changedFiles.length > before ? ['changed', changedFiles.slice(before).join(', ')] : 'unchanged';
    });
    await log.run('rspamd.check', async () => {
      if (!changed.has('rspamd') || !bin.rspamd) return 'skipped';
      await rspamdCheck(bin.rspamd, paths.rspamdDir);
      return 'ok';
    });

    await log.run('postfix.reload', async () => {
      if (!changed.has('postfix')) return 'skipped';
      const did = await reloadPostfix(bin.postfix, paths.postfixDir);
      reloaded.push('postfix');
      return ['ok', did];
    });
    await log.run('dovecot.reload', async () => {
      if (!changed.has('dovecot')) return 'skipped';
      const did = await reloadDovecot(bin.dovecot, paths.dovecotDir);
      reloaded.push('dovecot');
      return ['ok', did];
    });
    await log.run('opendkim.reload', async () => {
      if (!changed.has('opendkim')) return 'skipped';
      const did = await reloadOpendkim(bin.opendkim, opendkimConfPath(paths.opendkimDir));
      reloaded.push('opendkim');
      return ['ok', did];
    });
    await log.run('rspamd.reload', async () => {
      if (!changed.has('rspamd') || !bin.rspamd) return 'skipped';
      const did = await reloadRspamd(bin.rspamd);
      reloaded.push('rspamd');
      return ['ok', did];
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    await rollBack(snap, paths, bin, reloaded, log);
    throw new ReconcileError(reason, log.steps);
  }
  return { steps: log.steps, changed: changedFiles, reloaded, duration_ms: Math.round(performance.now() - t0) };
}

/**
 * Puts every file back, proves it, and reloads the daemons this run had already reloaded so they
 * run on the old files again. Daemons not yet reloaded never saw the new files.
 */
async function rollBack(snap: FileSnapshot, paths: MailstackPaths, bin: ReturnType<typeof binaries>, reloaded: string[], log: StepLog): Promise<void> {
  const t = performance.now();
  if (snap.touched.length === 0) return;
  try {
    await snap.restore();
    await coolDown([mainCfPath(paths.postfixDir), masterCfPath(paths.postfixDir)]);
    await pruneEmptyDirs(keysDir(paths.opendkimDir));
    for (const d of reloaded) {
      if (d === 'postfix') await reloadPostfix(bin.postfix, paths.postfixDir);
      if (d === 'dovecot') await reloadDovecot(bin.dovecot, paths.dovecotDir);
      if (d === 'opendkim') await reloadOpendkim(bin.opendkim, opendkimConfPath(paths.opendkimDir));
      if (d === 'rspamd' && bin.rspamd) await reloadRspamd(bin.rspamd);
    }
    log.record('rollback', 'rolled_back', t, `restored ${snap.touched.join(', ')}`);
  } catch (err) {
    log.record('rollback', 'failed', t, err instanceof Error ? err.message : String(err));
  }
}
