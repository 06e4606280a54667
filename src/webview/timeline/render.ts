// The trace timeline as an SVG document (the panel's "Export SVG"), drawn
// from the columns, never from the events: rates on top (IOTLB hit rate,
// invalidations, faults), then one lane per requester and per event family,
// a column's shade growing with its count. Every piece of text is escaped.
// Pure: the webview and the tests use it.

import type { TraceTimelineResult } from '../../protocol';

const esc = (t: string) => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface SvgColors {
  foreground: string;
  background: string;
  hitRate: string;
  invalidations: string;
  faults: string;
  device: string;
  family: string;
}

const DEFAULT_COLORS: SvgColors = {
  foreground: '#cccccc',
  background: '#1e1e1e',
  hitRate: '#4fc1ff',
  invalidations: '#ce9178',
  faults: '#f14c4c',
  device: '#89d185',
  family: '#c586c0',
};

/** Opacity of a column with `count` events when the lane's busiest has `max` (log scale, so rare events stay visible). */
export function shade(count: number, max: number): number {
  if (count <= 0 || max <= 0) return 0;
  return 0.25 + (0.75 * Math.log1p(count)) / Math.log1p(max);
}

export function timelineSvg(t: TraceTimelineResult, colors: SvgColors = DEFAULT_COLORS, width = 1200): string {
  const n = Math.max(1, t.x.length);
  const labelW = 190;
  const plotW = width - labelW - 10;
  const laneH = 14;
  const rateH = 90;
  const top = 30;
  const lanesTop = top + rateH + 20;
  const height = lanesTop + t.lanes.length * laneH + 30;
  const colW = plotW / n;
  const xOf = (i: number) => labelW + i * colW;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="${width}" height="${height}" fill="${esc(colors.background)}"/>`);
  parts.push(`<text x="8" y="18" fill="${esc(colors.foreground)}" font-size="13">${esc(`${t.name}: ${t.events} events, ${t.x.length} columns of ${t.axis === 'time' ? `${(t.width * 1000).toPrecision(3)} ms` : `${t.width} lines`}`)}</text>`);
  // Rates: hit rate (0..1), invalidations and faults scaled to their maximum.
  const line = (values: (number | null)[], max: number, color: string, name: string) => {
    const pts: string[] = [];
    values.forEach((v, i) => {
      if (v === null) return;
      pts.push(`${(xOf(i) + colW / 2).toFixed(1)},${(top + rateH - (max > 0 ? (v / max) * rateH : 0)).toFixed(1)}`);
    });
    return pts.length ? `<polyline data-series="${esc(name)}" fill="none" stroke="${esc(color)}" stroke-width="1.2" points="${pts.join(' ')}"/>` : '';
  };
  parts.push(`<text x="8" y="${top + 12}" fill="${esc(colors.hitRate)}">IOTLB hit rate</text>`);
  parts.push(`<text x="8" y="${top + 26}" fill="${esc(colors.invalidations)}">invalidations</text>`);
  parts.push(`<text x="8" y="${top + 40}" fill="${esc(colors.faults)}">faults</text>`);
  parts.push(line(t.rates.hitRate, 1, colors.hitRate, 'hit-rate'));
  parts.push(line(t.rates.invalidationRate, Math.max(0, ...t.rates.invalidationRate), colors.invalidations, 'invalidations'));
  parts.push(line(t.rates.faults, Math.max(0, ...t.rates.faults), colors.faults, 'faults'));
  // Lanes.
  t.lanes.forEach((lane, k) => {
    const y = lanesTop + k * laneH;
    const color = lane.kind === 'device' ? colors.device : colors.family;
    parts.push(`<g data-lane="${esc(lane.id)}"><text x="8" y="${y + 10}" fill="${esc(colors.foreground)}">${esc(lane.label)}</text>`);
    const max = Math.max(0, ...lane.counts);
    lane.counts.forEach((c, i) => {
      const o = shade(c, max);
      if (o > 0) parts.push(`<rect x="${xOf(i).toFixed(1)}" y="${y + 1}" width="${Math.max(colW, 0.8).toFixed(2)}" height="${laneH - 2}" fill="${esc(color)}" fill-opacity="${o.toFixed(2)}"/>`);
    });
    parts.push('</g>');
  });
  parts.push(`<text x="${labelW}" y="${height - 8}" fill="${esc(colors.foreground)}">${esc(t.axis === 'time' ? 'seconds since the first event' : 'trace line')}</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}
