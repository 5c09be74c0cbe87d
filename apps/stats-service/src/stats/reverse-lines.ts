import { open } from 'node:fs/promises';

const CHUNK = 64 * 1024;

/**
 * Yields a file's lines from the last to the first, reading 64 KiB chunks from the end: a caller
 * that only wants the recent past stops early and never reads (or holds) the rest of a large log.
 */
export async function* linesFromEnd(path: string): AsyncGenerator<string> {
  const file = await open(path, 'r');
  try {
    let position = (await file.stat()).size;
    let rest = Buffer.alloc(0);
    while (position > 0) {
      const size = Math.min(CHUNK, position);
      position -= size;
      const chunk = Buffer.alloc(size);
      await file.read(chunk, 0, size, position);
      let buf = Buffer.concat([chunk, rest]);
      // Split on bytes (not decoded text) so a multi-byte character across chunks stays whole.
      let end = buf.length;
      for (let i = buf.length - 1; i >= 0; i--) {
        if (buf[i] !== 0x0a) continue;
        if (end > i + 1) yield buf.toString('utf8', i + 1, end);
        end = i;
      }
      rest = buf.subarray(0, end);
      buf = Buffer.alloc(0);
    }
    if (rest.length) yield rest.toString('utf8');
  } finally {
    await file.close();
  }
}
