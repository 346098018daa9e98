// The verbs a CLI beside the dashboard hands to the server (POST /api/cli): every command that
// opens the database except ingest, which streams its file to the upload route instead.

import { exportVerb } from './commands/export.ts';
import { listVerb } from './commands/list.ts';
import { publishVerb } from './commands/publish.ts';
import { renameVerb } from './commands/rename.ts';
import { replayVerb } from './commands/replay.ts';
import { reportVerb } from './commands/report.ts';
import { rmVerb } from './commands/rm.ts';
import { statsVerb } from './commands/stats.ts';
import { sensitivityVerb } from './commands/sensitivity.ts';
import { sweepVerb } from './commands/sweep.ts';
import { whatifVerb } from './commands/whatif.ts';
import { serverSide, type VerbContext } from './verb.ts';
import type { Db } from '../db/instance.ts';

type ServerVerb = (argv: string[]) => (db: Db, ctx: VerbContext) => Promise<unknown>;

export const SERVER_VERBS: Readonly<Record<string, ServerVerb>> = {
  list: serverSide(listVerb),
  stats: serverSide(statsVerb),
  rename: serverSide(renameVerb),
  rm: serverSide(rmVerb),
  replay: serverSide(replayVerb),
  sweep: serverSide(sweepVerb),
  whatif: serverSide(whatifVerb),
  sensitivity: serverSide(sensitivityVerb),
  report: serverSide(reportVerb),
  export: serverSide(exportVerb),
  publish: serverSide(publishVerb),
};
