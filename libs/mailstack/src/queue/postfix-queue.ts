import { requireBinary, runCommand } from '../exec/command-runner.js';
import { parsePostqueueJson, type QueuedMessage } from '../postfix/postqueue.parser.js';
import { parsePostcatHeaders, type MessageHeader } from './postcat-headers.js';
import { POSTSUPER_FLAG, postsuperCount, type PostsuperOp } from './postsuper-output.js';
import { isValidQueueId } from './queue-id.js';

/** A Postfix queue command exited non-zero (mail system down, permission, bad config). */
export class PostfixCommandError extends Error {
  constructor(
    readonly command: string,
    readonly code: number,
    readonly output: string,
  ) {
    super(`${command} exited with ${code}: ${output || '(no output)'}`);
    this.name = 'PostfixCommandError';
  }
}

export interface PostfixQueueOptions {
  binPath: string;
  configDir: string;
  timeoutMs?: number;
}

/**
 * The Postfix queue through its own tools (`postqueue`, `postsuper`, `postcat`), always with
 * `-c configDir`. Queue IDs are validated here too: nothing unchecked reaches postsuper.
 */
export class PostfixQueue {
  constructor(private readonly options: PostfixQueueOptions) {}

  async list(): Promise<QueuedMessage[]> {
    const r = await this.run('postqueue', ['-j']);
    if (r.code !== 0) throw new PostfixCommandError('postqueue -j', r.code, firstLines(r.stderr));
    return parsePostqueueJson(r.stdout).messages;
  }

  async find(queueId: string): Promise<QueuedMessage | null> {
    this.checkId(queueId);
    return (await this.list()).find((m) => m.queue_id === queueId) ?? null;
  }

  /** Headers of a queued message, or null when postcat cannot read it (e.g. it left the queue meanwhile). */
  async headers(queueId: string): Promise<MessageHeader[] | null> {
    this.checkId(queueId);
    const r = await this.run('postcat', ['-h', '-q', queueId]);
    return r.code === 0 ? parsePostcatHeaders(r.stdout) : null;
  }

  /** Runs `postsuper -d|-h|-H|-r ID` and returns how many messages it says it acted on. */
  async postsuper(op: PostsuperOp, queueId: string): Promise<number> {
    this.checkId(queueId);
    const n = await this.postsuperRaw(op, queueId);
    // A requeued message waits in maildrop until pickup's next scan (up to a minute): wake it now.
    // Best effort: without it the message still moves on at the next scan.
    if (op === 'requeue' && n > 0) await this.run('postkick', ['public', 'pickup', 'W']).catch(() => undefined);
    return n;
  }

  /** `postsuper -d ALL`: the number of messages deleted. */
  deleteAll(): Promise<number> {
    return this.postsuperRaw('delete', 'ALL');
  }

  /** `postqueue -f`: asks qmgr to retry every deferred message now (fails while Postfix is stopped). */
  async flush(): Promise<void> {
    const r = await this.run('postqueue', ['-f']);
    if (r.code !== 0) throw new PostfixCommandError('postqueue -f', r.code, firstLines(r.stderr));
  }

  private async postsuperRaw(op: PostsuperOp, target: string): Promise<number> {
    const r = await this.run('postsuper', [POSTSUPER_FLAG[op], target]);
    if (r.code !== 0) throw new PostfixCommandError(`postsuper ${POSTSUPER_FLAG[op]}`, r.code, firstLines(r.stderr));
    return postsuperCount(op, r.stderr);
  }

  private checkId(queueId: string): void {
    if (!isValidQueueId(queueId)) throw new Error(`refusing an invalid queue id ${JSON.stringify(queueId).slice(0, 60)}`);
  }

  private run(program: string, args: string[]) {
    const bin = requireBinary(program, this.options.binPath);
    return runCommand(bin, ['-c', this.options.configDir, ...args], { timeoutMs: this.options.timeoutMs ?? 30_000 });
  }
}

function firstLines(text: string): string {
  return text.trim().split('\n').slice(0, 3).join(' / ').slice(0, 500);
}
