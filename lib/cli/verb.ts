// A command that needs the database, split so that either process can run it: `prepare` checks
// the arguments (in the CLI, and again in the server for a handed-over command, so both refuse
// the same things with the same words), `execute` does the work on whichever process holds the
// database and returns the JSON-able result the CLI prints. Only the CLI writes files: output
// a verb produces (a report, an export) goes through ctx.emit.

import os from 'node:os';
import { DatabaseBusyError } from '../core/errors.ts';
import type { Db } from '../db/instance.ts';
import { resolveDbPath } from '../db/path.ts';
import { findServer } from '../services/server-handoff.ts';
import type { Emit } from '../postmortem/paged-rows.ts';
import { withDatabase } from './database.ts';
import { askServer } from './server-client.ts';

export interface VerbContext {
  emit: Emit;
  /** Worker threads a sweep may use: every core in the CLI, one in the server (pages keep a core). */
  threads: number;
  /** True when the dashboard server runs the verb for a CLI beside it. */
  onServer: boolean;
}

export interface Prepared<Op> {
  op: Op;
  db: string | undefined;
  json: boolean;
}

export interface DbVerb<Op, R> {
  name: string;
  prepare(argv: string[]): Prepared<Op>;
  execute(db: Db, op: Op, ctx: VerbContext): Promise<R>;
}

const discard: Emit = () => undefined;

/**
 * Runs the verb on the database file; when the dashboard server holds it (DuckDB lets one
 * process open a file), hands the same arguments to the server, which answers the same result.
 */
export async function runVerb<Op, R>(verb: DbVerb<Op, R>, argv: string[], prepared: Prepared<Op>, emit: Emit = discard): Promise<R> {
  try {
    return await withDatabase(prepared.db, (db) => verb.execute(db, prepared.op, { emit, threads: os.availableParallelism(), onServer: false }));
  } catch (e) {
    if (!(e instanceof DatabaseBusyError)) throw e;
    const server = findServer(resolveDbPath(prepared.db));
    if (!server) throw e;
    return (await askServer(server.url, verb.name, argv, emit)) as R;
  }
}

/** The server's side of a handed-over command: arguments checked, then work bound to a database. */
export function serverSide<Op, R>(verb: DbVerb<Op, R>): (argv: string[]) => (db: Db, ctx: VerbContext) => Promise<R> {
  return (argv) => {
    const { op } = verb.prepare(argv);
    return (db, ctx) => verb.execute(db, op, ctx);
  };
}
