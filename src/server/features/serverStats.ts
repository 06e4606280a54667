// viommu/serverStats: the server's memory use (for the bench and for users
// who wonder what a huge dump costs) and its process id.

import { onRequest } from '../onRequest';
import { ServerStatsRequest } from '../../protocol';
import type { Feature } from './feature';

export const serverStatsFeature: Feature = {
  capabilities: {},
  register: ({ connection, workspace }) => {
    onRequest(connection, ServerStatsRequest, () => {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (gc) {
        // V8 frees the backing stores of dead array buffers (the JSON-RPC
        // message buffers of a 50 MB document, for one) on a background
        // sweep that a collection only starts: `external` still counts them
        // until the next collection waits for that sweep. Hence two.
        gc();
        gc();
      }
      const m = process.memoryUsage();
      const held = { ...workspace.cacheSizes(), largeFiles: [...workspace.largeFiles] };
      return { pid: process.pid, rssBytes: m.rss, heapUsedBytes: m.heapUsed, externalBytes: m.external, collected: gc !== undefined, held };
    });
  },
};
