import { BlockList, isIP } from 'node:net';
import { checkCidr, type FieldError } from '#contracts';

/** `::ffff:10.1.2.3` (an IPv4 peer on a dual-stack socket) is matched as the IPv4 address it is. */
function plainIp(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m ? m[1] : ip;
}

function blockListOf(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const c of cidrs) {
    const [net, prefix] = c.split('/');
    list.addSubnet(net, Number(prefix), isIP(net) === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

/** Whether `ip` (the client IP as resolved with TRUST_PROXY) is inside one of the CIDR blocks; null = anywhere. */
export function ipAllowed(ip: string, cidrs: readonly string[] | null): boolean {
  if (cidrs === null) return true;
  const addr = plainIp(ip);
  const family = isIP(addr);
  if (family === 0) return false;
  return blockListOf(cidrs).check(addr, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * Canonical CIDR blocks (network address, host bits refused — the antispam `cidr` rules), duplicates
 * dropped; or the field errors. An empty list is refused: it would lock the key out everywhere.
 */
export function parseIpAllowlist(values: unknown, field: string): { ok: true; value: string[] } | { ok: false; fields: FieldError[] } {
  if (!Array.isArray(values) || values.length === 0 || values.length > 256) {
    return { ok: false, fields: [{ field, message: `${field} must be null or a list of 1..256 CIDR blocks` }] };
  }
  const out: string[] = [];
  const fields: FieldError[] = [];
  values.forEach((v, i) => {
    const r = checkCidr(v);
    if (r.ok) out.push(r.value);
    else fields.push({ field: `${field}[${i}]`, message: `${String(v)}: ${r.reason}` });
  });
  return fields.length ? { ok: false, fields } : { ok: true, value: [...new Set(out)] };
}

/** Every block of `inner` lies inside some block of `outer` (null outer = anywhere; null inner = anywhere). */
export function cidrsWithin(outer: readonly string[] | null, inner: readonly string[] | null): boolean {
  if (outer === null) return true;
  if (inner === null) return false;
  const outerPrefix = (fam: number) => outer.filter((c) => isIP(c.split('/')[0]) === fam);
  return inner.every((c) => {
    const [net, p] = c.split('/');
    const fam = isIP(net);
    // Aligned blocks: if the network address is inside a block no longer than this one, all of it is.
    return outerPrefix(fam).some((o) => Number(o.split('/')[1]) <= Number(p) && ipAllowed(net, [o]));
  });
}
