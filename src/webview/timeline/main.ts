// The trace-timeline webview's script (bundled by scripts/build.mjs into
// dist/webview/timeline.js): two uPlot charts on one x axis, the rates above
// (IOTLB hit rate, invalidations, faults) and the lanes below (one row per
// requester and per event family, each column shaded by its count), drawn
// on canvas from the columns the server made: never one element per event.
// Click a column or drag a range: the extension opens those trace lines and
// replays the views to them. Trace text only ever becomes textContent.

import uPlot from 'uplot';
import type { TraceTimelineResult } from '../../protocol';
import type { FromTimelineWebview, ToTimelineWebview } from './messages';
import { shade, timelineSvg, type SvgColors } from './render';

interface VsCodeApi {
  postMessage(message: FromTimelineWebview): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const byId = (id: string) => document.getElementById(id)!;
let timeline: TraceTimelineResult | undefined;
let marker = -1;
let charts: uPlot[] = [];

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function colors(): SvgColors {
  return {
    foreground: cssVar('--vscode-foreground', '#cccccc'),
    background: cssVar('--vscode-editor-background', '#1e1e1e'),
    hitRate: cssVar('--vscode-charts-blue', '#4fc1ff'),
    invalidations: cssVar('--vscode-charts-orange', '#ce9178'),
    faults: cssVar('--vscode-charts-red', '#f14c4c'),
    device: cssVar('--vscode-charts-green', '#89d185'),
    family: cssVar('--vscode-charts-purple', '#c586c0'),
  };
}

function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m) return color;
  const v = parseInt(m[1], 16);
  return `rgba(${v >> 16}, ${(v >> 8) & 255}, ${v & 255}, ${alpha.toFixed(2)})`;
}

function reveal(from: number, to: number): void {
  const t = timeline;
  if (!t) return;
  let line = -1;
  let end = -1;
  for (let i = Math.max(0, from); i <= Math.min(to, t.firstLine.length - 1); i++) {
    if (t.firstLine[i] >= 0 && line < 0) line = t.firstLine[i];
    if (t.lastLine[i] >= 0) end = t.lastLine[i];
  }
  if (line >= 0) vscode.postMessage({ type: 'reveal', line, endLine: Math.max(line, end) });
}

function markerPlugin(): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const t = timeline;
        if (!t || marker < 0 || marker >= t.x.length) return;
        const x = u.valToPos(t.x[marker] + t.width / 2, 'x', true);
        const ctx = u.ctx;
        ctx.save();
        ctx.strokeStyle = cssVar('--vscode-editorCursor-foreground', '#ffffff');
        ctx.lineWidth = 2 * devicePixelRatio;
        ctx.beginPath();
        ctx.moveTo(x, u.bbox.top);
        ctx.lineTo(x, u.bbox.top + u.bbox.height);
        ctx.stroke();
        ctx.restore();
      },
    },
  };
}

/** Clicks open the column's lines; a dragged range (uPlot zooms to it) opens the range's. */
function clickPlugin(): uPlot.Plugin {
  return {
    hooks: {
      ready: (u) => {
        u.over.addEventListener('click', () => {
          const i = u.cursor.idx;
          if (i !== null && i !== undefined && u.select.width === 0) reveal(i, i);
        });
      },
      setSelect: (u) => {
        if (u.select.width <= 0) return;
        const a = u.posToIdx(u.select.left);
        const b = u.posToIdx(u.select.left + u.select.width);
        reveal(a, b);
      },
    },
  };
}

/** Zoom and pan on one chart move the other. */
function syncScales(): uPlot.Plugin {
  return {
    hooks: {
      setScale: (u, key) => {
        if (key !== 'x') return;
        const { min, max } = u.scales.x;
        for (const other of charts) if (other !== u && (other.scales.x.min !== min || other.scales.x.max !== max)) other.setScale('x', { min: min!, max: max! });
      },
    },
  };
}

function draw(t: TraceTimelineResult): void {
  for (const c of charts) c.destroy();
  charts = [];
  const c = colors();
  const width = Math.max(400, document.body.clientWidth - 24);
  const xs = t.x.map((x) => x + t.width / 2);
  const axis = { stroke: c.foreground, grid: { stroke: withAlpha(c.foreground, 0.12) }, ticks: { stroke: withAlpha(c.foreground, 0.3) } };
  const xLabel = t.axis === 'time' ? 'seconds since the first event' : 'trace line';
  const sync = { key: 'viommu-timeline', setSeries: false };
  const rates = new uPlot(
    {
      width,
      height: 200,
      title: 'Rates',
      cursor: { sync, drag: { x: true, y: false, setScale: true } },
      scales: { x: { time: false }, rate: { range: [0, 1] }, inv: {} },
      series: [
        { label: xLabel },
        { label: 'IOTLB hit rate', scale: 'rate', stroke: c.hitRate, width: 1.5, spanGaps: false },
        { label: t.axis === 'time' ? 'invalidations / s' : 'invalidations / 1000 lines', scale: 'inv', stroke: c.invalidations, width: 1 },
        { label: 'faults', scale: 'inv', stroke: c.faults, width: 1, paths: uPlot.paths.bars!({ size: [0.9, 8] }), fill: withAlpha(c.faults, 0.5) },
      ],
      axes: [{ ...axis, label: xLabel }, { ...axis, scale: 'rate', label: 'hit rate' }, { ...axis, scale: 'inv', side: 1, label: 'per column' }],
      plugins: [markerPlugin(), clickPlugin(), syncScales()],
    },
    [xs, t.rates.hitRate, t.rates.invalidationRate, t.rates.faults] as uPlot.AlignedData,
    byId('rates'),
  );
  const laneCount = t.lanes.length;
  const laneColors = t.lanes.map((l) => (l.kind === 'device' ? c.device : c.family));
  const maxima = t.lanes.map((l) => Math.max(0, ...l.counts));
  const lanes = new uPlot(
    {
      width,
      height: Math.max(120, 26 * laneCount + 60),
      title: 'Lanes: requesters, then event families',
      cursor: { sync, drag: { x: true, y: false, setScale: true }, points: { show: false } },
      legend: { show: false },
      scales: { x: { time: false }, y: { range: [0, Math.max(1, laneCount)] } },
      series: [{}, { show: false, scale: 'y' }],
      axes: [
        { ...axis, label: xLabel },
        {
          ...axis,
          size: 170,
          splits: () => t.lanes.map((_l, k) => laneCount - k - 0.5),
          values: (_u, splits) => splits.map((s) => t.lanes[laneCount - Math.round(s + 0.5)]?.label ?? ''),
          grid: { show: false },
        },
      ],
      hooks: {
        draw: [
          (u) => {
            const ctx = u.ctx;
            ctx.save();
            const rowH = Math.abs(u.valToPos(0, 'y', true) - u.valToPos(1, 'y', true));
            t.lanes.forEach((lane, k) => {
              const y = u.valToPos(laneCount - k, 'y', true);
              lane.counts.forEach((n, i) => {
                const o = shade(n, maxima[k]);
                if (o <= 0) return;
                const x0 = u.valToPos(t.x[i], 'x', true);
                const x1 = u.valToPos(t.x[i] + t.width, 'x', true);
                if (x1 < u.bbox.left || x0 > u.bbox.left + u.bbox.width) return;
                ctx.fillStyle = withAlpha(laneColors[k], o);
                ctx.fillRect(x0, y + 1, Math.max(1, x1 - x0), rowH - 2);
              });
            });
            ctx.restore();
          },
        ],
      },
      plugins: [markerPlugin(), clickPlugin(), syncScales()],
    },
    [xs, xs.map(() => null)] as uPlot.AlignedData,
    byId('lanes'),
  );
  charts = [rates, lanes];
  // What the lane checks read: how many lanes and series were drawn.
  const root = byId('charts');
  root.dataset.lanes = String(laneCount);
  root.dataset.series = String(rates.series.length - 1);
  root.dataset.columns = String(t.x.length);
  byId('title').textContent = `Trace timeline: ${t.name}`;
  byId('summary').textContent = `${t.events.toLocaleString('en-US')} events (${t.drawn.toLocaleString('en-US')} drawn) in ${t.x.length} columns of ${t.axis === 'time' ? `${(t.width * 1000).toPrecision(3)} ms` : `${t.width} lines`} · click a column or drag a range to open its lines`;
}

function exportPng(): void {
  const canvases = [...document.querySelectorAll<HTMLCanvasElement>('#charts canvas')];
  if (!canvases.length) return;
  const out = document.createElement('canvas');
  out.width = Math.max(...canvases.map((c) => c.width));
  out.height = canvases.reduce((h, c) => h + c.height, 0);
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = colors().background;
  ctx.fillRect(0, 0, out.width, out.height);
  let y = 0;
  for (const c of canvases) {
    ctx.drawImage(c, 0, y);
    y += c.height;
  }
  vscode.postMessage({ type: 'export', format: 'png', data: out.toDataURL('image/png').replace(/^data:image\/png;base64,/, '') });
}

byId('export-svg').addEventListener('click', () => {
  if (timeline) vscode.postMessage({ type: 'export', format: 'svg', data: timelineSvg(timeline, colors()) });
});
byId('export-png').addEventListener('click', exportPng);

window.addEventListener('message', (event: MessageEvent<ToTimelineWebview>) => {
  const m = event.data;
  if (m.type === 'timeline') {
    timeline = m.timeline;
    vscode.setState({ uri: m.timeline.uri });
    byId('error').hidden = true;
    draw(m.timeline);
  } else if (m.type === 'marker') {
    marker = m.column;
    for (const c of charts) c.redraw(false);
  } else if (m.type === 'error') {
    byId('error').textContent = m.message;
    byId('error').hidden = false;
  }
});

let resizeTimer: number | undefined;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(() => timeline && draw(timeline), 150);
});

vscode.postMessage({ type: 'ready' });
