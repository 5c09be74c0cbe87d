import { stdin, stderr } from 'node:process';

const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const BACKSPACE = new Set(['\u007f', '\b']);

/** Reads a password typed at the terminal without echoing it. Ctrl-C aborts (exit 130). */
export function promptPassword(prompt: string): Promise<string> {
  return new Promise((resolve) => {
    stderr.write(prompt);
    let value = '';
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.resume();
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === CTRL_C) {
          stdin.setRawMode(false);
          stderr.write('\n');
          process.exit(130);
        }
        if (ch === '\r' || ch === '\n' || ch === CTRL_D) {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          stderr.write('\n');
          resolve(value);
          return;
        }
        if (BACKSPACE.has(ch)) value = [...value].slice(0, -1).join('');
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** All of stdin (a pipe or file); one trailing newline, as `echo` or a here-string adds, is dropped. */
export async function readPasswordFromPipe(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * The password for --password-stdin: typed at a prompt (twice, no echo) when stdin is a terminal,
 * else read from the pipe. Never from argv, where every user of the host can read it (ps, /proc)
 * and the shell's history keeps it.
 */
export async function readPassword(): Promise<{ password: string } | { mismatch: true }> {
  if (!stdin.isTTY) return { password: await readPasswordFromPipe() };
  const first = await promptPassword('New password: ');
  const second = await promptPassword('Repeat it: ');
  return first === second ? { password: first } : { mismatch: true };
}
