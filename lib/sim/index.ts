// The simulator's public surface for the CLI and the pages: simulate() and the three
// writers, plus the raw traffic generator the benches use.

export { writeSimCsv, SIM_CSV_HEADER } from './csv.ts';
export { ftraceTimestamp, pageGroupResponseQw0, pageGroupResponseQw1, writeIntelFtrace } from './intel-ftrace.ts';
export { writeSimJsonl } from './jsonl.ts';
export { KIND_REQUEST, KIND_RESPONSE, simulate, type SimEvents, type SimGroups, type SimResult, type SimulateOptions } from './simulate.ts';
export { generateTraffic, simDevice, TRAFFIC_DEFAULTS, type SimTraffic, type TrafficOptions } from './traffic.ts';
