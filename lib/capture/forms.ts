// The capture guide (/capture page, README "Recording PRI traffic"): the ways to record PRI
// traffic that this tool reads, each with the exact commands, the format `pritrace ingest`
// detects in the result, and the bundled sample of that form (traces/) — tests ingest every
// sample and check the format and counts, so a command shown here is one the ingest reads.
// Event names and kernel versions: /work/shared/reference/kernel-pri.md §1.1, §1.4, §1.5.

import type { TraceFormat } from '../trace/schema.ts';

export interface CaptureForm {
  id: string;
  title: string;
  /** When to use it and what the file holds. */
  about: string;
  /** Shell lines, run as root (or with sudo) on the machine under test. */
  commands: string[];
  /** The format `pritrace ingest` detects in the file the commands write. */
  format: TraceFormat;
  /** The bundled sample of this form, in traces/. */
  sample: string;
  /** What this form cannot show, if anything. */
  limits?: string;
}

export const WORKLOAD = './your-workload';

export const CAPTURE_FORMS: readonly CaptureForm[] = [
  {
    id: 'trace-cmd-record',
    title: 'Intel VT-d with trace-cmd (recommended)',
    about:
      'Records the page requests (intel_iommu:prq_report, kernel v5.14+) and the page-group responses (intel_iommu:qi_submit, v5.12+) into a binary trace.dat, with a 16 MiB ring buffer per CPU so bursts are not dropped. Ingest the .dat as it is.',
    commands: [
      `trace-cmd record -b 16384 -e intel_iommu:prq_report -e intel_iommu:qi_submit -e iommu:io_page_fault -o pri.dat -- ${WORKLOAD}`,
      'pritrace ingest pri.dat',
    ],
    format: 'trace-dat',
    sample: 'intel-v6.dat',
  },
  {
    id: 'trace-cmd-report',
    title: 'trace-cmd report text',
    about:
      'The same recording as text, for reading or sharing. An older libtraceevent prints prq_report as [FAILED TO PARSE] with raw dw0…dw3 fields; the ingest decodes those too.',
    commands: ['trace-cmd report -i pri.dat > pri.txt', 'pritrace ingest pri.txt'],
    format: 'trace-cmd',
    sample: 'intel-trace-cmd-report.txt',
  },
  {
    id: 'tracefs-trace',
    title: 'Raw tracefs, no trace-cmd',
    about:
      'Enables the two events by hand and saves the ring buffer once the workload is done. On kernels before v4.1, or where tracefs is not mounted there, the folder is /sys/kernel/debug/tracing.',
    commands: [
      'cd /sys/kernel/tracing',
      'echo 16384 > buffer_size_kb',
      'echo 1 > events/intel_iommu/prq_report/enable',
      'echo 1 > events/intel_iommu/qi_submit/enable',
      'echo > trace',
      WORKLOAD,
      'cat trace > ~/pri.trace',
      'echo 0 > events/intel_iommu/enable',
      'pritrace ingest ~/pri.trace',
    ],
    format: 'ftrace',
    sample: 'intel-v6.9-trace.txt',
  },
  {
    id: 'tracefs-pipe',
    title: 'Raw tracefs, streamed (long runs)',
    about:
      'trace_pipe hands each event over once and frees its slot, so a capture can run for hours without the buffer wrapping; stop it with Ctrl+C. The file has no header; lost events show as [LOST N EVENTS] lines and are counted.',
    commands: [
      'cd /sys/kernel/tracing',
      'echo 1 > events/intel_iommu/prq_report/enable',
      'echo 1 > events/intel_iommu/qi_submit/enable',
      'cat trace_pipe > ~/pri.trace',
      'pritrace ingest ~/pri.trace',
    ],
    format: 'ftrace',
    sample: 'intel-trace-pipe.txt',
  },
  {
    id: 'gzip',
    title: 'Compressed text',
    about: 'Any of the text forms may be gzipped before it is copied off the machine; the ingest reads .gz directly.',
    commands: ['gzip -k ~/pri.trace', 'pritrace ingest ~/pri.trace.gz'],
    format: 'ftrace',
    sample: 'intel-v6.9-trace.txt.gz',
  },
  {
    id: 'amd-arm',
    title: 'AMD and ARM SMMUv3',
    about:
      'Mainline has no tracepoint for AMD PPR or SMMUv3 PRI traffic. What can be recorded is iommu:io_page_fault, the unrecoverable faults (AMD IO_PAGE_FAULT events, SMMU faults), with iommu:map/unmap as context.',
    commands: [
      'cd /sys/kernel/tracing',
      'echo 1 > events/iommu/io_page_fault/enable',
      'echo 1 > events/iommu/map/enable',
      'echo 1 > events/iommu/unmap/enable',
      'cat trace_pipe > ~/faults.trace',
      'pritrace ingest ~/faults.trace',
    ],
    format: 'ftrace',
    sample: 'amd-io-page-fault.txt',
    limits: 'Faults only: no page requests or responses, so no groups and no latency.',
  },
  {
    id: 'vendor',
    title: 'Vendor trees with dev_fault / dev_page_response',
    about:
      'Some vendor and distribution trees carry the IOMMU-core events iommu:dev_fault and iommu:dev_page_response (never merged upstream); they trace PRI on any IOMMU driver, AMD and ARM included.',
    commands: [
      'cd /sys/kernel/tracing',
      'echo 1 > events/iommu/dev_fault/enable',
      'echo 1 > events/iommu/dev_page_response/enable',
      'cat trace_pipe > ~/pri.trace',
      'pritrace ingest ~/pri.trace',
    ],
    format: 'ftrace',
    sample: 'vendor-dev-fault-b.txt',
  },
];
