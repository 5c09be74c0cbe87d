import { LRUCache } from 'lru-cache';

/**
 * The in-process caches of credentials and budgets (lru-cache): entries live `ttlMs`
 * (AUTH_CACHE_TTL_MS, so a change reaches every replica that fast) and the least recently used go
 * first once `max` is reached, so a flood of distinct keys cannot grow memory. 0 turns caching off.
 */
export function authCache<K extends object | string, V extends object | number | boolean>(ttlMs: number, max = 10_000): LRUCache<K, V> {
  return new LRUCache<K, V>({ max, ttl: Math.max(1, ttlMs) });
}

/** Drops every entry whose value matches (a tenant or account changed). */
export function forgetWhere<K extends object | string, V extends object | number | boolean>(cache: LRUCache<K, V>, match: (value: V) => boolean): void {
  const doomed: K[] = [];
  for (const [key, value] of cache.entries()) if (match(value)) doomed.push(key);
  for (const key of doomed) cache.delete(key);
}
