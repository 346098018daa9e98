// IOMMU events kept as context for the timeline: map/unmap (both text eras), group and domain
// membership, Intel cache tags (v6.10+). Their text is stored as is; nothing is paired.

import type { FtraceEventFormat } from './event-format.ts';

const f = 'ctx';

export const iommuContext: FtraceEventFormat = {
  id: f,
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
  pattern: '^(.*)$',
  captures: ['text'],
  columns: {
    kind: "'context'",
    detail: `${f}.text`,
  },
  valid: 'true',
  invalid: '',
};
