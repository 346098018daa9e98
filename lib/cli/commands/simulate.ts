// `pritrace simulate [--model M] [--preset P] [--groups N] [--devices D] [--pasids P] [--seed S]
// --out FILE [--format csv|jsonl|ftrace]`: generates PRI traffic through a model and writes a
// simulator trace (CSV / JSON Lines) or Intel ftrace text, streamed to the file.

import fs from 'node:fs';
import path from 'node:path';
import { CliError } from '../../core/errors.ts';
import { simulate, writeIntelFtrace, writeSimCsv, writeSimJsonl, type SimEvents } from '../../sim/index.ts';
import { KERNEL_ERAS, type KernelEra } from '../../replay/presets.ts';
import { parse, printJson } from '../args.ts';
import { parseModel, parseSeed } from './replay.ts';

const USAGE =
  'pritrace simulate [--model per-device|domain-wide] [--preset ERA] [--groups N] [--devices D] [--pasids P] [--iommus I] [--seed S] [--param name=value]... --out FILE [--format csv|jsonl|ftrace] [--json]';

const WRITERS: Record<string, (ev: SimEvents, emit: (chunk: string) => void) => void> = {
  csv: writeSimCsv,
  jsonl: writeSimJsonl,
  ftrace: writeIntelFtrace,
};

function formatFromName(file: string): string | null {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl') return 'jsonl';
  if (ext === '.trace' || ext === '.txt') return 'ftrace';
  return null;
}

function positiveInt(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new CliError(`--${name} must be a positive integer, got ${JSON.stringify(text)}`, 2);
  return Number(text);
}

export async function simulateCommand(argv: string[]): Promise<void> {
  const { values } = parse(
    argv,
    {
      model: { type: 'string' },
      preset: { type: 'string' },
      groups: { type: 'string' },
      devices: { type: 'string' },
      pasids: { type: 'string' },
      iommus: { type: 'string' },
      seed: { type: 'string' },
      param: { type: 'string', multiple: true },
      out: { type: 'string' },
      format: { type: 'string' },
    },
    USAGE,
  );
  if (!values.out) throw new CliError(`missing --out FILE\nusage: ${USAGE}`, 2);
  const format = values.format ?? formatFromName(values.out);
  if (!format || !WRITERS[format])
    throw new CliError(`cannot tell the output format of ${values.out}: use .csv, .jsonl, .trace/.txt or --format csv|jsonl|ftrace`, 2);
  if (values.preset && !(KERNEL_ERAS as readonly string[]).includes(values.preset)) {
    throw new CliError(`--preset must be one of ${KERNEL_ERAS.join(', ')}, got ${JSON.stringify(values.preset)}`, 2);
  }
  const iommus = positiveInt('iommus', values.iommus, 1);
  const devices = positiveInt('devices', values.devices, 2);
  const sim = simulate({
    seed: parseSeed(values.seed) ?? 1,
    groups: positiveInt('groups', values.groups, 10_000),
    iommus,
    devicesPerIommu: Math.ceil(devices / iommus),
    pasidsPerDevice: positiveInt('pasids', values.pasids, 4),
    model: parseModel(values.model, false),
    preset: values.preset as KernelEra | undefined,
    overrides: values.param ?? [],
  });
  const fd = fs.openSync(values.out, 'w');
  let bytes = 0;
  try {
    WRITERS[format]!(sim.events, (chunk) => {
      bytes += fs.writeSync(fd, chunk);
    });
  } finally {
    fs.closeSync(fd);
  }
  const out = { file: values.out, format, events: sim.events.count, groups: sim.groups.count, bytes, summary: sim.replay };
  if (values.json) return printJson(out);
  process.stdout.write(`${values.out}: ${out.events} events, ${out.groups} groups, ${bytes} bytes (${format})\n`);
}
