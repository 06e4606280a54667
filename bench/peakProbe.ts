// Loaded with `node --require` before a command the bench runs: at exit it
// writes the process's peak resident memory to the file VIOMMU_PEAK_OUT names.
// VmHWM of /proc/self/status, not getrusage's maxrss: Linux keeps maxrss
// across execve, so a child would report its parent's peak.

import { readFileSync, writeFileSync } from 'node:fs';

const out = process.env.VIOMMU_PEAK_OUT;
if (out) {
  process.on('exit', () => {
    let kib = process.resourceUsage().maxRSS;
    try {
      const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
      if (m) kib = Number(m[1]);
    } catch {
      // not Linux: maxrss it is
    }
    const u = process.resourceUsage();
    writeFileSync(out, JSON.stringify({ maxRssKiB: kib, majorFaults: u.majorPageFault, minorFaults: u.minorPageFault }));
  });
}
