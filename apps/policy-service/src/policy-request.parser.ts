/** One request of Postfix's policy delegation protocol: `name=value` lines (SMTPD_POLICY_README). */
export type PolicyRequest = ReadonlyMap<string, string>;

/**
 * Splits a connection's bytes into requests: each ends with an empty line; Postfix sends `\n`, other
 * clients may send `\r\n`. Returns the complete requests and what is left for the next read.
 */
export function takeRequests(buffer: string): { requests: PolicyRequest[]; rest: string } {
  const text = buffer.replace(/\r\n/g, '\n');
  const requests: PolicyRequest[] = [];
  let start = 0;
  for (;;) {
    const end = text.indexOf('\n\n', start);
    if (end < 0) break;
    requests.push(parseRequest(text.slice(start, end)));
    start = end + 2;
  }
  return { requests, rest: text.slice(start) };
}

/** `name=value` per line; the value may itself hold `=`; names are case-sensitive, lines without `=` are skipped. */
export function parseRequest(block: string): PolicyRequest {
  const attrs = new Map<string, string>();
  for (const line of block.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) attrs.set(line.slice(0, i), line.slice(i + 1));
  }
  return attrs;
}

/** The reply Postfix reads: one `action=` line, then an empty line. */
export function formatReply(action: string): string {
  return `action=${action.replace(/[\r\n]+/g, ' ')}\n\n`;
}
