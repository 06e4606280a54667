// The place for the sidebar tree views' UI checks (context tables, page
// tables, IOTLB, ATS flow, GSI routing, simulator: see VIEW_IDS in
// src/protocol.ts). The extension contributes no view yet; the issue that adds
// the views adds their checks here, in the shape of ./checks.mjs:
//   { title: 'the Context Tables view lists dmar0 > 00:05.0', async run(page, shots) { ... } }
export const sidebarViewChecks = [];
