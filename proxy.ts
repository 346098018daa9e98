// Every request but the upload goes through the request guard (lib/http/request-guard.ts)
// before a page or route sees it: a foreign Host is 421, a cross-site mutation 403, an unknown
// method 405. The upload route (/api/traces) is left out of the matcher because a proxy
// matching it buffers the body and silently cuts it at 10 MB; that route calls the same guard
// itself.

import { RequestRefusedError } from '@/lib/core/errors.ts';
import { NextResponse, type NextRequest } from 'next/server';
import { guardRequest } from './lib/http/request-guard.ts';

export function proxy(request: NextRequest): NextResponse {
  try {
    guardRequest(request);
  } catch (e) {
    if (!(e instanceof RequestRefusedError)) throw e;
    return NextResponse.json({ error: e.message }, { status: e.status, headers: { 'cache-control': 'no-store' } });
  }
  return NextResponse.next();
}

export const config = {
  matcher: ['/((?!api/traces$).*)'],
};
