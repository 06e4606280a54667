// QEMU trace logs: VT-d / x86-iommu events and KVM MSI-route events, with
// their arguments read back into exact values.

export { parseQemuTrace, parseQemuTraceAppended, QemuTraceStream, eachTraceEvent, looksLikeQemuTrace, MAX_TRACE_LINE, QEMU_MESSAGE, type TraceEvent } from './parseQemuTrace';
export { TRACE_EVENT_FORMATS, TRACED_FAMILIES, type TraceEventFormat, type TraceEventVariant } from './eventFormats';
export { compileTemplate, matchTemplate, type ArgValue, type FieldType, type CompiledTemplate, type MatchResult } from './template';
export { FINDINGS_PER_CODE } from '../findingLimit';
export { TraceColumns } from './inPlace';
