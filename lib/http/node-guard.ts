// Requests Next itself answers with 500 before any page, route or proxy.ts sees them: a method
// it does not know (TRACE, CONNECT, PROPFIND, …) and a path whose percent-encoding does not
// decode (`/traces/%E0%A4%A`). They are a client's mistake, so the server answers 405 and 400
// at the HTTP layer. instrumentation.ts installs this once per server process.

import http from 'node:http';
import { METHODS } from './request-guard.ts';

const installed = Symbol.for('pritrace.node-guard');

/** Why req is malformed, as [status, message], or null when Next may have it. */
export function malformedRequest(method: string | undefined, url: string | undefined): [400 | 405, string] | null {
  if (!METHODS.has((method ?? '').toUpperCase())) return [405, `method ${method ?? ''} is not allowed`];
  const path = (url ?? '/').split('?')[0]!;
  try {
    decodeURIComponent(path);
  } catch {
    return [400, 'the request path is not valid percent-encoded UTF-8'];
  }
  return null;
}

export function installNodeGuard(): void {
  const proto = http.Server.prototype as http.Server & { [installed]?: true };
  if (proto[installed]) return;
  proto[installed] = true;
  const emit = proto.emit;
  proto.emit = function guardedEmit(this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'request') {
      const [req, res] = args as [http.IncomingMessage, http.ServerResponse];
      const refusal = malformedRequest(req.method, req.url);
      if (refusal) {
        const body = JSON.stringify({ error: refusal[1] });
        res.writeHead(refusal[0], {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'cache-control': 'no-store',
          ...(refusal[0] === 405 ? { allow: [...METHODS].join(', ') } : {}),
        });
        res.end(body);
        return true;
      }
    }
    return (emit as (event: string | symbol, ...args: unknown[]) => boolean).apply(this, [event, ...args]);
  } as typeof proto.emit;
}
