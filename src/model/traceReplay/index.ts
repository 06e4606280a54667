// Replay of a QEMU VT-d trace into the state of QEMU's model over time: the
// IOTLB, the context cache, the ATS flow per device and the interrupt routes.

export { replayTrace, TRACE_LIMITS, type ReplayOptions } from './replay';
export { IOTLB_MAX_SIZE, gfnOf, leafLevel } from './iotlb';
export { CONTEXT_CACHE_GEN_MAX } from './contextCache';
export { contextEnablesDeviceTlb, NO_COMPLETION_EVENT, NO_TRANSLATION_REQUEST_EVENT, MAX_ATS_EVENTS_PER_DEVICE } from './atsFlow';
export type * from './types';
