import { randomBytes } from 'node:crypto';
import { chmod, chown, readdir, readFile, rename, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** A file reconcile renders: content, mode and owner (numeric ids; null = leave as created). */
export interface RenderedFile {
  path: string;
  content: string;
  mode: number;
  uid?: number;
  gid?: number;
}

interface Previous {
  path: string;
  /** null: the file did not exist before this run. */
  content: Buffer | null;
  mode: number;
  uid: number;
  gid: number;
}

async function readIfExists(path: string): Promise<{ content: Buffer; mode: number; uid: number; gid: number } | null> {
  try {
    const [content, st] = await Promise.all([readFile(path), stat(path)]);
    return { content, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Writes through a temp file in the same folder and a rename, so a reader never sees half a file. */
export async function writeAtomic(path: string, content: string | Buffer, mode: number, uid?: number, gid?: number): Promise<void> {
  const tmp = join(dirname(path), `.${randomBytes(6).toString('hex')}.mailplane-tmp`);
  try {
    await writeFile(tmp, content, { mode });
    await chmod(tmp, mode); // the umask may have narrowed it
    if (uid !== undefined && gid !== undefined) await chown(tmp, uid, gid);
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/**
 * Every file this run touched, with what it held before, so a failed check can put all of them back.
 * Files are written only when content, mode or owner differ.
 */
export class FileSnapshot {
  private readonly previous = new Map<string, Previous>();

  get touched(): string[] {
    return [...this.previous.keys()];
  }

  /** Remembers the current state of `path` (once per run) before something else modifies it. */
  async remember(path: string): Promise<void> {
    if (this.previous.has(path)) return;
    const cur = await readIfExists(path);
    this.previous.set(path, cur ? { path, ...cur } : { path, content: null, mode: 0, uid: 0, gid: 0 });
  }

  /** Forgets a remembered file whose content turned out identical (e.g. postconf wrote nothing new). */
  async forgetIfUnchanged(path: string): Promise<boolean> {
    const prev = this.previous.get(path);
    if (!prev) return true;
    const cur = await readIfExists(path);
    const same = prev.content === null ? cur === null : cur !== null && cur.content.equals(prev.content);
    if (same) this.previous.delete(path);
    return same;
  }

  /** Writes `file` if it differs; returns whether it did. */
  async write(file: RenderedFile): Promise<boolean> {
    const cur = await readIfExists(file.path);
    const want = Buffer.from(file.content);
    const ownerOk = file.uid === undefined || (cur?.uid === file.uid && cur?.gid === file.gid);
    if (cur && cur.content.equals(want) && cur.mode === file.mode && ownerOk) return false;
    await this.remember(file.path);
    await writeAtomic(file.path, want, file.mode, file.uid, file.gid);
    return true;
  }

  /** Deletes `path` if it exists; returns whether it did. */
  async remove(path: string): Promise<boolean> {
    const cur = await readIfExists(path);
    if (!cur) return false;
    await this.remember(path);
    await unlink(path);
    return true;
  }

  /** Puts every touched file back as it was and proves it by reading them again. */
  async restore(): Promise<void> {
    for (const prev of this.previous.values()) {
      if (prev.content === null) await unlink(prev.path).catch(() => undefined);
      else await writeAtomic(prev.path, prev.content, prev.mode, prev.uid, prev.gid);
    }
    const wrong: string[] = [];
    for (const prev of this.previous.values()) {
      const cur = await readIfExists(prev.path);
      const ok = prev.content === null ? cur === null : cur !== null && cur.content.equals(prev.content) && cur.mode === prev.mode;
      if (!ok) wrong.push(prev.path);
    }
    if (wrong.length) throw new Error(`restoring the previous configuration failed for ${wrong.join(', ')}`);
  }
}

/** Files below `dir` (recursive); an absent folder has none. */
export async function listFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else out.push(p);
  }
  return out;
}

/** Removes empty sub-folders of `dir` (not `dir` itself). */
export async function pruneEmptyDirs(dir: string): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const p = join(dir, e.name);
    await pruneEmptyDirs(p);
    if ((await readdir(p)).length === 0) await rmdir(p).catch(() => undefined);
  }
}
