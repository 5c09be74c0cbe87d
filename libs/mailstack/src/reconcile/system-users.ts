import { readFile } from 'node:fs/promises';

/** uid/gid of a user and gid of a group from /etc/passwd and /etc/group (Node has no getpwnam). */
export async function lookupUser(name: string): Promise<{ uid: number; gid: number }> {
  const line = (await readFile('/etc/passwd', 'utf8')).split('\n').find((l) => l.split(':')[0] === name);
  if (!line) throw new Error(`system user ${name} does not exist`);
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

export async function lookupGroup(name: string): Promise<number> {
  const line = (await readFile('/etc/group', 'utf8')).split('\n').find((l) => l.split(':')[0] === name);
  if (!line) throw new Error(`system group ${name} does not exist`);
  return Number(line.split(':')[2]);
}
