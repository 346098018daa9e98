// Event kinds as the small integer codes the decoder stores (index into EVENT_KINDS).

import { EVENT_KINDS, type EventKind } from '../../schema.ts';

export const KIND_CODE = Object.fromEntries(EVENT_KINDS.map((k, i) => [k, i])) as Record<EventKind, number>;
