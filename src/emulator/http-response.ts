import type { ServerResponse } from 'node:http';

/** Headers the real service sends on every JSON response. */
export function standardHeaders(now: number): Record<string, string> {
  return {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-cache',
    Pragma: 'no-cache',
    Expires: '-1',
    Server: 'Microsoft-IIS/10.0',
    'X-AspNet-Version': '4.0.30319',
    'X-Powered-By': 'ASP.NET',
    Date: new Date(now).toUTCString(),
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  now: number,
  extraHeaders: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...standardHeaders(now), ...extraHeaders, 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/** 200 with an empty body (subscription stop). */
export function sendEmpty(res: ServerResponse, now: number): void {
  const headers = standardHeaders(now);
  delete headers['Content-Type'];
  res.writeHead(200, { ...headers, 'Content-Length': '0' });
  res.end();
}

/** decodeURIComponent that keeps malformed input as-is (it is then rejected as invalid, not as a crash). */
export function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
