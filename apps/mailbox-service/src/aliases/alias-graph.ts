import type { EntityManager } from 'typeorm';
import { splitAddress } from '#contracts';

/** How far alias chains are followed before the write is refused as too deep to reason about. */
export const MAX_ALIAS_DEPTH = 16;
/** Alias nodes visited at most per check. */
export const MAX_ALIAS_NODES = 2000;

export type LoopVerdict = { kind: 'ok' } | { kind: 'self'; destination: string } | { kind: 'cycle'; path: string[] } | { kind: 'too_deep' };

/**
 * Reads the alias graph as Postfix would resolve it: exact source first, then the domain's catch-all.
 * A mailbox that forwards (`forward_to`) is a node too: its destinations are its forwards.
 */
export interface AliasGraph {
  destinationsOf(source: string): Promise<string[] | undefined>;
  isMailbox(address: string): Promise<boolean>;
}

export function dbAliasGraph(tx: EntityManager): AliasGraph {
  return {
    async destinationsOf(source) {
      const rows: { destinations: string[] }[] = await tx.query(`SELECT destinations FROM aliases WHERE source = $1`, [source]);
      if (rows[0]) return rows[0].destinations;
      return mailboxForwards(tx, source);
    },
    async isMailbox(address) {
      return (await tx.query(`SELECT 1 FROM mailboxes WHERE address = $1`, [address])).length > 0;
    },
  };
}

/**
 * Would the alias `source → destinations` (replacing any stored alias with that source) let mail
 * loop? Follows every destination through other aliases, including catch-alls, up to a bound.
 */
export async function findAliasLoop(source: string, destinations: string[], graph: AliasGraph): Promise<LoopVerdict> {
  for (const d of destinations) if (d.toLowerCase() === source) return { kind: 'self', destination: d };
  const queue = destinations.map((d) => ({ addr: d.toLowerCase(), path: [source, d.toLowerCase()] }));
  const expanded = new Set<string>([source]);
  while (queue.length) {
    const { addr, path } = queue.shift()!;
    if (addr === source) return { kind: 'cycle', path };
    let via: string | undefined;
    let next = await graph.destinationsOf(addr);
    if (next) via = addr;
    else if (!(await graph.isMailbox(addr))) {
      const catchAll = `@${splitAddress(addr)?.domain ?? ''}`;
      if (catchAll === source) return { kind: 'cycle', path: [...path, catchAll] };
      next = await graph.destinationsOf(catchAll);
      if (next) via = catchAll;
    }
    if (!via || !next || expanded.has(via)) continue;
    expanded.add(via);
    if (path.length > MAX_ALIAS_DEPTH || expanded.size > MAX_ALIAS_NODES) return { kind: 'too_deep' };
    const viaPath = via === addr ? path : [...path, via];
    for (const d of next) queue.push({ addr: d.toLowerCase(), path: [...viaPath, d.toLowerCase()] });
  }
  return { kind: 'ok' };
}

/**
 * The effective `forward_to` of the mailbox at `address` (its overrides, else the mailbox defaults; the
 * same resolution as the mailstack.virtual_aliases view), without the mailbox itself; undefined when it
 * forwards nowhere or is no mailbox.
 */
async function mailboxForwards(tx: EntityManager, address: string): Promise<string[] | undefined> {
  const rows: { targets: unknown }[] = await tx.query(
    `SELECT COALESCE(CASE WHEN jsonb_typeof(mo.settings -> 'forward_to') = 'array' THEN mo.settings -> 'forward_to' END,
                     CASE WHEN jsonb_typeof(md.settings -> 'forward_to') = 'array' THEN md.settings -> 'forward_to' END) AS targets
       FROM mailboxes m
       LEFT JOIN mailbox_overrides mo ON mo.mailbox_id = m.id
       LEFT JOIN mailbox_defaults md ON md.id = 1
      WHERE m.address = $1`,
    [address],
  );
  const targets = Array.isArray(rows[0]?.targets) ? (rows[0].targets as string[]).filter((t) => t.toLowerCase() !== address) : [];
  return targets.length ? targets : undefined;
}
