// What must be decided before Next sees a request, at the HTTP layer:
// - requests Next itself answers with 500 before any page, route or proxy.ts runs: a method it
//   does not know (TRACE, CONNECT, PROPFIND, …) and a path whose percent-encoding does not
//   decode (`/traces/%E0%A4%A`) — a client's mistake, so 405 and 400;
// - slow senders: Next receives a request's whole body before the route runs, so a client that
//   trickles bodies would tie up the server unseen. At most MAX_BODIES_AT_ONCE bodies (uploads
//   aside: they stream to disk under their own cap and idle timeout) are received at once (429
//   beyond), each within BODY_TIMEOUT_MS (408, connection closed); a body declared larger than
//   a JSON body may be is refused with 413 before any of it is read.
// instrumentation.ts installs this once per server process.

import http from 'node:http';
import { maxJsonBytes, METHODS } from './request-guard.ts';

const installed = Symbol.for('pritrace.node-guard');

export const MAX_BODIES_AT_ONCE = 16;
export const BODY_TIMEOUT_MS = 10_000;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** The upload endpoint, which receives its (large) body itself: lib/services/ingest-jobs.ts. */
const UPLOAD_PATH = '/api/traces';
let receiving = 0;

function answer(res: http.ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ error: message });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-store', ...headers });
  res.end(body);
}

/** Counts req while its body arrives; false (and answered 429) when too many already do. */
function watchBody(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  if (!BODY_METHODS.has((req.method ?? '').toUpperCase()) || (req.url ?? '').split('?')[0] === UPLOAD_PATH) return true;
  // Every other body is JSON: one declared over the limit is refused before Next receives it
  // (Next reads a whole body before the route can count it).
  const declared = req.headers['content-length'];
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > maxJsonBytes()) {
    answer(res, 413, `request body exceeds the limit of ${maxJsonBytes()} bytes (PRITRACE_MAX_JSON_BYTES)`);
    // Read and dropped, not cut: a client reusing the connection must not meet a reset socket.
    req.resume();
    return false;
  }
  if (receiving >= MAX_BODIES_AT_ONCE) {
    answer(res, 429, `too many request bodies arriving at once (at most ${MAX_BODIES_AT_ONCE}); try again shortly`, { 'retry-after': '1' });
    return false;
  }
  receiving++;
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    receiving--;
    clearTimeout(timer);
  };
  const timer = setTimeout(() => {
    if (!res.headersSent) answer(res, 408, `the request body did not arrive within ${BODY_TIMEOUT_MS} ms`, { connection: 'close' });
    finish();
    req.destroy();
  }, BODY_TIMEOUT_MS);
  req.once('end', finish);
  req.once('close', finish);
  return true;
}

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
        answer(res, refusal[0], refusal[1], refusal[0] === 405 ? { allow: [...METHODS].join(', ') } : {});
        return true;
      }
      if (!watchBody(req, res)) return true;
    }
    return (emit as (event: string | symbol, ...args: unknown[]) => boolean).apply(this, [event, ...args]);
  } as typeof proto.emit;
}
