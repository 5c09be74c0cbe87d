/**
 * Where the state of the object a mutation addresses can be read: the GET route at the same path
 * (PATCH/PUT/DELETE `/domains/{domain}` → GET `/domains/{domain}`), or, when the route ends in a
 * literal after a parameter (`/api-keys/{id}/rotate`, `/mailboxes/{mailbox}/password`,
 * `/queue/items/{id}/hold`), the GET of that parameter's object. A POST on a collection creates:
 * there is no "before" (and GET there is the list, not an object).
 */
export interface ObjectStateUrl {
  /** Path and query of the GET to issue. */
  url: string;
  /** True when the GET addresses the request's own path: a PATCH/PUT response then is the new state. */
  samePath: boolean;
}

export function objectStateUrl(
  method: string,
  routePattern: string,
  rawUrl: string,
  hasGet: (pattern: string) => boolean,
): ObjectStateUrl | null {
  const [path, query] = splitUrl(rawUrl);
  if (method !== 'POST' && hasGet(routePattern)) return { url: rawUrl, samePath: true };
  const segments = routePattern.split('/');
  const last = segments.at(-1) ?? '';
  const parent = segments.at(-2) ?? '';
  if (last === '' || last.startsWith(':') || !parent.startsWith(':')) return null;
  const parentPattern = segments.slice(0, -1).join('/');
  if (!hasGet(parentPattern)) return null;
  const parentPath = path.slice(0, path.lastIndexOf('/'));
  return { url: query === undefined ? parentPath : `${parentPath}?${query}`, samePath: false };
}

function splitUrl(rawUrl: string): [string, string | undefined] {
  const i = rawUrl.indexOf('?');
  return i < 0 ? [rawUrl, undefined] : [rawUrl.slice(0, i), rawUrl.slice(i + 1)];
}
