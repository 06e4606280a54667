// The charts webview's script (bundled into dist/webview/charts.js): each
// ChartSpec it is sent becomes one uPlot chart (lines over a numeric x, or
// bars over labelled x), published ranges drawn as shaded bands, in the
// theme's chart colours. Text only ever becomes textContent.

import uPlot from 'uplot';
import type { ChartSpec, ChartsResult } from '../../protocol';

interface VsCodeApi {
  postMessage(message: { type: 'ready' }): void;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const byId = (id: string) => document.getElementById(id)!;
let shown: ChartsResult | undefined;
let plots: uPlot[] = [];

const css = (name: string, fallback: string) => getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
const PALETTE = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'];
const FALLBACK = ['#4fc1ff', '#ce9178', '#89d185', '#c586c0', '#f14c4c', '#dcdcaa'];
const color = (i: number) => css(PALETTE[i % PALETTE.length], FALLBACK[i % FALLBACK.length]);

function alpha(c: string, a: number): string {
  const m = /^#([0-9a-f]{6})$/i.exec(c);
  if (!m) return c;
  const v = parseInt(m[1], 16);
  return `rgba(${v >> 16}, ${(v >> 8) & 255}, ${v & 255}, ${a})`;
}

function bandsPlugin(spec: ChartSpec): uPlot.Plugin {
  return {
    hooks: {
      drawClear: (u) => {
        const ctx = u.ctx;
        ctx.save();
        (spec.bands ?? []).forEach((b, i) => {
          const y0 = u.valToPos(b.high, 'y', true);
          const y1 = u.valToPos(b.low, 'y', true);
          ctx.fillStyle = alpha(color(i), 0.15);
          ctx.fillRect(u.bbox.left, y0, u.bbox.width, Math.max(2, y1 - y0));
        });
        ctx.restore();
      },
    },
  };
}

function chart(spec: ChartSpec, width: number): uPlot {
  const fg = css('--vscode-foreground', '#cccccc');
  const axis = { stroke: fg, grid: { stroke: alpha('#888888', 0.2) }, ticks: { stroke: alpha('#888888', 0.4) } };
  const bars = spec.kind === 'bars';
  const labels = bars ? (spec.x as (string | number)[]).map(String) : [];
  const xs = bars ? labels.map((_l, i) => i) : (spec.x as number[]);
  const allValues = spec.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const bandValues = (spec.bands ?? []).flatMap((b) => [b.low, b.high]);
  const hi = Math.max(0, ...allValues, ...bandValues);
  const wrap = document.createElement('section');
  wrap.className = 'chart';
  wrap.dataset.chart = spec.id;
  wrap.dataset.series = String(spec.series.length);
  byId('charts').append(wrap);
  return new uPlot(
    {
      width,
      height: 240,
      title: spec.title,
      scales: { x: { time: false, ...(bars ? { range: [-0.5, Math.max(0.5, labels.length - 0.5)] as [number, number] } : {}) }, y: { range: [0, hi > 0 ? hi * 1.1 : 1] } },
      series: [
        { label: spec.xLabel, value: bars ? (_u, v) => labels[v] ?? '' : undefined },
        ...spec.series.map((s, i) => ({
          label: s.label,
          stroke: color(i),
          width: 1.5,
          // Bars of several series overlap at each label, each in its colour, see-through.
          ...(bars ? { paths: uPlot.paths.bars!({ size: [0.7, 80] }), fill: alpha(color(i), 0.45) } : { spanGaps: false }),
          value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? '—' : `${Number.isInteger(v) ? v : v.toFixed(3)}${s.unit ? ` ${s.unit}` : ''}`),
        })),
      ],
      axes: [
        { ...axis, label: spec.xLabel, ...(bars ? { splits: () => xs, values: () => labels } : {}) },
        { ...axis, label: spec.yLabel ?? '' },
      ],
      plugins: [bandsPlugin(spec)],
    },
    [xs, ...spec.series.map((s) => s.values)] as uPlot.AlignedData,
    wrap,
  );
}

function draw(r: ChartsResult): void {
  for (const p of plots) p.destroy();
  plots = [];
  byId('charts').replaceChildren();
  byId('title').textContent = r.title;
  const width = Math.max(360, document.body.clientWidth - 24);
  plots = r.charts.map((c) => chart(c, width));
  byId('charts').dataset.count = String(r.charts.length);
  const notes = byId('notes');
  notes.replaceChildren(
    ...[...(r.error ? [r.error] : []), ...r.notes, ...r.charts.flatMap((c) => (c.bands ?? []).map((b) => `${c.title}: band ${b.low}–${b.high}, ${b.label}`))].map((t) => {
      const li = document.createElement('li');
      li.textContent = t;
      return li;
    }),
  );
}

window.addEventListener('message', (e: MessageEvent<{ type: 'charts'; charts: ChartsResult; state: unknown }>) => {
  if (e.data?.type !== 'charts') return;
  shown = e.data.charts;
  vscode.setState(e.data.state);
  draw(shown);
});
window.addEventListener('resize', () => shown && draw(shown));
vscode.postMessage({ type: 'ready' });
