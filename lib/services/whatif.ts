// `whatif` on a stored trace: replays it through two model/era pairs (each run saved with its
// K seeds, so the replay page can show the same comparison) and compares them (lib/replay/whatif).

import type { ModelName } from '../replay/types.ts';
import { compareRuns, type WhatifResult } from '../replay/whatif.ts';
import type { Db } from '../db/instance.ts';
import { sideOfRun } from '../queries/replay-runs.ts';
import { runReplayForTrace } from './replay-runs.ts';

export interface WhatifSideSpec {
  model: ModelName;
  /** Kernel era; default the model's own. */
  preset?: string;
}

export interface WhatifOptions {
  a: WhatifSideSpec;
  b: WhatifSideSpec;
  seed?: number;
  seeds?: number;
  threads?: number;
}

export async function whatifForTrace(db: Db, traceId: number, opts: WhatifOptions): Promise<WhatifResult> {
  const common = { seed: opts.seed, seeds: opts.seeds, threads: opts.threads };
  const runA = await runReplayForTrace(db, traceId, { ...opts.a, ...common });
  const runB = await runReplayForTrace(db, traceId, { ...opts.b, ...common });
  return compareRuns(sideOfRun(runA)!, sideOfRun(runB)!);
}
