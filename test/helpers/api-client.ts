/** Minimal HTTP client for the suites: JSON in, JSON out, nothing hidden. */
export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly credential?: string,
    private readonly mode: 'bearer' | 'x-api-key' = 'bearer',
  ) {}

  withApiKeyHeader(): ApiClient {
    return new ApiClient(this.baseUrl, this.credential, 'x-api-key');
  }

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
    const h: Record<string, string> = { ...headers };
    if (this.credential) {
      if (this.mode === 'bearer') h.authorization = `Bearer ${this.credential}`;
      else h['x-api-key'] = this.credential;
    }
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
    }
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers: h, body: payload });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request('GET', path, undefined, headers);
  }
  post(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request('POST', path, body, headers);
  }
  patch(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request('PATCH', path, body, headers);
  }
  delete(path: string, headers?: Record<string, string>) {
    return this.request('DELETE', path, undefined, headers);
  }
}

/** Asserts the error envelope (docs/architecture.md#api-conventions) and returns it. */
export function expectError(
  res: ApiResponse,
  status: number,
  code: string,
): { error: string; detail: string; code: string; fields?: { field: string; message: string }[] } {
  if (res.status !== status || res.body?.code !== code || typeof res.body?.error !== 'string' || typeof res.body?.detail !== 'string') {
    throw new Error(`expected ${status} ${code}, got ${res.status} ${res.text}`);
  }
  if (/at .*\.js:\d+|SELECT |INSERT |stack/i.test(res.text)) throw new Error(`error body leaks internals: ${res.text}`);
  return res.body;
}
