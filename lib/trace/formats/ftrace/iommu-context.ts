// IOMMU events kept as context for the timeline: map/unmap (both text eras), group and domain
// membership, Intel cache tags (v6.10+). Their text is stored as is; nothing is paired.

import type { EventFields, FtraceEventFormat } from './event-format.ts';
import { KIND_CODE } from './kind-codes.ts';

export const iommuContext: FtraceEventFormat = {
  id: 'ctx',
  describes: 'iommu map/unmap, group/domain membership and intel_iommu cache_tag_* events (context)',
  events: [
    'map',
    'unmap',
    'add_device_to_group',
    'remove_device_from_group',
    'attach_device_to_domain',
    'detach_device_from_domain',
    'cache_tag_assign',
    'cache_tag_unassign',
    'cache_tag_flush_all',
    'cache_tag_flush_range',
    'cache_tag_flush_range_np',
  ],
  decode(msg: string, out: EventFields) {
    if (msg === '') return 'malformed';
    out.kind = KIND_CODE.context;
    out.detail = msg;
    return 'ok';
  },
  invalid: '',
};
