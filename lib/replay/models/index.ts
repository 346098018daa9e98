// The registry of handling models, by the names the CLI, the pages and saved runs use.
// modelByName turns an unknown name into a ReplayConfigError naming the known ones.

import { ReplayConfigError } from '../../core/errors.ts';
import { MODEL_NAMES, type ModelName } from '../types.ts';
import { domainWideModel } from './domain-wide.ts';
import { perDeviceModel } from './per-device.ts';
import type { HandlingModel } from './types.ts';

export const MODELS: Readonly<Record<ModelName, HandlingModel>> = {
  'per-device': perDeviceModel,
  'domain-wide': domainWideModel,
};

export function modelByName(name: string): HandlingModel {
  const m = (MODELS as Record<string, HandlingModel | undefined>)[name];
  if (!m) throw new ReplayConfigError('model', `unknown model ${JSON.stringify(name)}; known: ${MODEL_NAMES.join(', ')}`);
  return m;
}
