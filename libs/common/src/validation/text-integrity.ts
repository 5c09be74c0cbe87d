/**
 * Text PostgreSQL cannot store: NUL (refused in text and in jsonb's `\u0000`) and UTF-16 code
 * units that are not half of a surrogate pair (node-postgres silently turns them into U+FFFD in
 * text, and jsonb refuses their `\ud800` escape). Either would make a row differ from what was
 * sent, or make its insert fail.
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

export function hasUnstorableText(s: string): boolean {
  return UNSTORABLE.test(s);
}

/** The string with each NUL and unpaired surrogate replaced by U+FFFD. */
export function toStorableText(s: string): string {
  return UNSTORABLE.test(s) ? s.replace(UNSTORABLE_ALL, '\uFFFD') : s;
}

/**
 * Path (`a.b[2]`, object keys included) of the first string in a parsed JSON value, query object
 * or params object that holds a NUL or an unpaired surrogate; null when there is none. Walks
 * iteratively: a deeply nested body cannot overflow the stack, nor hide a value below a depth cap.
 */
export function findUnstorableText(value: unknown, root = ''): string | null {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (UNSTORABLE.test(v)) return path || '(value)';
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`]);
      continue;
    }
    const entries = Object.entries(v as Record<string, unknown>);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, child] = entries[i];
      const childPath = path ? `${path}.${k}` : k;
      if (UNSTORABLE.test(k)) return childPath;
      stack.push([child, childPath]);
    }
  }
  return null;
}
