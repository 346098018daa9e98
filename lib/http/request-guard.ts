// What every request must satisfy before a page or route sees it, so that a web page the user
// happens to visit cannot reach the dashboard on 127.0.0.1:
// - Host names this server (an IP literal, localhost, or PRITRACE_ALLOWED_HOSTS): a DNS-rebound
//   name (evil.example resolving to 127.0.0.1) gets 421 and never reads a trace;
// - a mutating method (POST, PUT, PATCH, DELETE) comes from this origin: a browser sends Origin
//   and Sec-Fetch-Site on a cross-site request, and either one pointing elsewhere is 403;
//   non-browser clients (the CLI hand-off, curl) send neither and pass;
// - the method is one the app answers (TRACE, CONNECT, … are 405);
// - JSON bodies are application/json (a cross-site form can only send text/plain,
//   urlencoded or multipart without a preflight) and at most PRITRACE_MAX_JSON_BYTES, counted
//   before parsing (413).
// Functions over the web Request; proxy.ts and the route handlers call them, and
// app/api/_http.ts maps RequestRefusedError to its status.

import { RequestRefusedError } from '../core/errors.ts';
import { envNumber, envText } from '../core/config.ts';

export const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const IPV6 = /^\[[0-9a-f:.]+\]$/i;

/** The host name of a Host header value, lower-cased, without port or trailing dot; null if malformed. */
export function hostName(host: string): string | null {
  const h = host.trim().toLowerCase();
  const m = /^(\[[^\]]*\]|[^:[\]]+)(?::\d{1,5})?$/.exec(h);
  if (!m) return null;
  return m[1]!.replace(/\.$/, '');
}

function extraHosts(): string[] {
  return (envText('PRITRACE_ALLOWED_HOSTS') ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
}

/**
 * An IP literal cannot be DNS-rebound (the browser connected to exactly that address), and
 * localhost resolves to loopback in browsers; any other name must be listed.
 */
export function isAllowedHost(host: string | null): boolean {
  if (host === null) return false;
  const name = hostName(host);
  if (name === null) return false;
  if (IPV4.test(name) || IPV6.test(name)) return true;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  return extraHosts().includes(name);
}

export function checkHost(request: Request): void {
  const host = request.headers.get('host');
  if (!isAllowedHost(host)) {
    throw new RequestRefusedError(
      421,
      `this server does not answer for host ${JSON.stringify(host ?? '')}; use its IP address or localhost, or list the name in PRITRACE_ALLOWED_HOSTS`,
    );
  }
}

export function checkMethod(request: Request): void {
  if (!METHODS.has(request.method.toUpperCase())) throw new RequestRefusedError(405, `method ${request.method} is not allowed`);
}

/** A mutating request must come from a page of this server (or from a client that is not a browser). */
export function checkSameOrigin(request: Request): void {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return;
  const site = request.headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin' && site !== 'none') {
    throw new RequestRefusedError(403, `cross-site ${request.method} refused (Sec-Fetch-Site: ${site})`);
  }
  const origin = request.headers.get('origin');
  if (origin === null) return;
  const host = request.headers.get('host') ?? '';
  let originHost: string | null = null;
  try {
    const u = new URL(origin);
    if (u.protocol === 'http:' || u.protocol === 'https:') originHost = u.host;
  } catch {
    originHost = null;
  }
  if (originHost === null || originHost.toLowerCase() !== host.trim().toLowerCase()) {
    throw new RequestRefusedError(403, `cross-origin ${request.method} refused (Origin ${JSON.stringify(origin)} is not this server)`);
  }
}

/** Host, method and origin together: what proxy.ts applies to every request it sees. */
export function guardRequest(request: Request): void {
  checkHost(request);
  checkMethod(request);
  checkSameOrigin(request);
}

const DEFAULT_MAX_JSON_BYTES = 1 << 20;

/** Largest JSON request body, bytes: PRITRACE_MAX_JSON_BYTES, default 1 MiB. */
export function maxJsonBytes(): number {
  return envNumber('PRITRACE_MAX_JSON_BYTES', DEFAULT_MAX_JSON_BYTES, 'positive integer');
}

function tooLarge(limit: number): RequestRefusedError {
  return new RequestRefusedError(413, `request body exceeds the limit of ${limit} bytes (PRITRACE_MAX_JSON_BYTES)`, limit);
}

/**
 * The body of a JSON request, parsed, after the checks above: application/json, at most
 * `limit` bytes (refused from Content-Length before reading, or as soon as the count passes
 * it), valid JSON (400). How many bodies arrive at once and how long one may take is
 * lib/http/node-guard.ts's business: Next receives a body before the route runs.
 */
export async function readJsonBody(request: Request, limit = maxJsonBytes()): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new RequestRefusedError(415, `send the body as application/json (Content-Type was ${JSON.stringify(type)})`);
  }
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > limit) throw tooLarge(limit);
  if (!request.body) throw new RequestRefusedError(400, 'body must be JSON');
  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    parts.push(value);
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(parts))) as unknown;
  } catch {
    throw new RequestRefusedError(400, 'body must be JSON');
  }
}
