/** What postsuper says on stderr after acting; it exits 0 whether or not a message matched. */
export type PostsuperOp = 'hold' | 'release' | 'requeue' | 'delete';

const SUMMARY: Record<PostsuperOp, RegExp> = {
  delete: /\bDeleted: (\d+) messages?/,
  hold: /\bPlaced on hold: (\d+) messages?/,
  release: /\bReleased from hold: (\d+) messages?/,
  requeue: /\bRequeued: (\d+) messages?/,
};

export const POSTSUPER_FLAG: Record<PostsuperOp, string> = { delete: '-d', hold: '-h', release: '-H', requeue: '-r' };

/** Messages the operation affected; postsuper prints no summary line when it matched nothing, so absent = 0. */
export function postsuperCount(op: PostsuperOp, stderr: string): number {
  const m = SUMMARY[op].exec(stderr);
  return m ? Number(m[1]) : 0;
}
