export interface MessageHeader {
  name: string;
  value: string;
}

/**
 * Headers from `postcat -h -q ID`: postcat frames sections with `*** ... ***` lines; folded lines
 * (leading white space) continue the previous header.
 */
export function parsePostcatHeaders(output: string): MessageHeader[] {
  const headers: MessageHeader[] = [];
  for (const line of output.split('\n')) {
    if (line.startsWith('*** ') || line === '') continue;
    if (/^[ \t]/.test(line)) {
      const last = headers.at(-1);
      if (last) last.value = `${last.value} ${line.trim()}`.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0 || !/^[\x21-\x39\x3b-\x7e]+$/.test(line.slice(0, colon))) continue;
    headers.push({ name: line.slice(0, colon), value: line.slice(colon + 1).trim() });
  }
  return headers;
}
