import { Agent, request } from 'node:http';

export interface HttpResponse {
  status: number;
  body: string;
}

/**
 * A minimal keep-alive HTTP client: the load generator shares two cores with the service, so it
 * must cost as little as possible per call (fetch/undici costs noticeably more here).
 */
export class HttpClient {
  private readonly agent: Agent;

  constructor(
    private readonly baseUrl: string,
    maxSockets = 256,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  call(method: string, path: string, token?: string, body?: unknown): Promise<HttpResponse> {
    const url = new URL(path, this.baseUrl);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          host: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          method,
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  /** Like call, but throws unless the status is 2xx (a failed call counts as an error in the load). */
  async ok(method: string, path: string, token?: string, body?: unknown): Promise<HttpResponse> {
    const res = await this.call(method, path, token, body);
    if (res.status < 200 || res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${res.body.slice(0, 200)}`);
    return res;
  }

  close(): void {
    this.agent.destroy();
  }
}
