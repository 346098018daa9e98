// POST {"verb": "stats", "argv": ["3", "--json"]}: a `pritrace` command run by this server for a
// CLI beside it — DuckDB lets one process hold the database file, and while the dashboard holds
// it the CLI hands over every verb that needs it (lib/cli/verb.ts; ingest streams its file to
// /api/traces instead). The arguments are checked here by the same code as in the CLI. The
// answer streams as JSON lines: {"chunk": text}… for a report's or export's output, then
// {"result": …} or {"error": "…", "exit": code} with the CLI's own message and exit code.
// The request guard (proxy.ts) already refused foreign hosts and cross-site posts.

import { bigintReplacer } from '@/lib/cli/args.ts';
import { describeError } from '@/lib/cli/describe-error.ts';
import { SERVER_VERBS } from '@/lib/cli/server-verbs.ts';
import { withDb } from '../../_data/db.ts';
import { badRequest, jsonBody } from '../_http.ts';

export const dynamic = 'force-dynamic';

const MAX_ARGS = 200;
const MAX_ARG_CHARS = 4096;

function parseBody(body: unknown): { verb: string; argv: string[] } | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be {"verb": "<command>", "argv": ["<argument>", …]}';
  const { verb, argv } = body as Record<string, unknown>;
  if (typeof verb !== 'string' || !Object.hasOwn(SERVER_VERBS, verb)) return `verb must be one of ${Object.keys(SERVER_VERBS).join(', ')}`;
  if (!Array.isArray(argv) || argv.length > MAX_ARGS || !argv.every((a) => typeof a === 'string' && a.length <= MAX_ARG_CHARS)) {
    return `argv must be a list of at most ${MAX_ARGS} strings of at most ${MAX_ARG_CHARS} characters`;
  }
  return { verb, argv: argv as string[] };
}

export async function POST(request: Request): Promise<Response> {
  const body = await jsonBody(request);
  if (body instanceof Response) return body;
  const call = parseBody(body);
  if (typeof call === 'string') return badRequest(call);

  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  const frame = (value: unknown) => writer.write(encoder.encode(`${JSON.stringify(value, bigintReplacer)}\n`));
  void (async () => {
    try {
      const work = SERVER_VERBS[call.verb]!(call.argv);
      const result = await withDb((db) => work(db, { emit: (chunk) => frame({ chunk }), threads: 1, onServer: true }));
      await frame({ result });
    } catch (e) {
      const d = describeError(e);
      if (!d.expected) console.error(e);
      await frame({ error: d.message, exit: d.code });
    }
    await writer.close();
  })().catch(() => writer.abort().catch(() => undefined));
  return new Response(readable, { status: 200, headers: { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' } });
}
