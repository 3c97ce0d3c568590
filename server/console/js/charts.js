// Plain SVG charts. Each chart is an image with a text alternative; the
// tables next to them hold the same figures for screen readers.

import { s, h } from './dom.js';
import { num, reasonName } from './format.js';

// barChart draws horizontal bars, one row per label, stacked when there are
// several series: series = [{name, values: [..], cls}].
export function barChart({ title, labels, series, format = (v) => num(v), id }) {
  const rowH = 22, labelW = 150, width = 640, barW = width - labelW - 70;
  const totals = labels.map((_, i) => series.reduce((sum, se) => sum + (se.values[i] || 0), 0));
  const max = Math.max(1, ...totals);
  const height = labels.length * rowH + 30;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, class: 'chart', id, preserveAspectRatio: 'xMinYMin meet' },
    s('title', {}, title));
  labels.forEach((label, i) => {
    const y = i * rowH + 4;
    svg.append(s('text', { x: labelW - 6, y: y + 14, 'text-anchor': 'end', class: 'lbl' }, label));
    let x = labelW;
    for (const se of series) {
      const v = se.values[i] || 0;
      const w = (v / max) * barW;
      if (w > 0) {
        svg.append(s('rect', { x, y, width: Math.max(w, 1), height: rowH - 6, class: 'bar ' + (se.cls || '') },
          s('title', {}, `${label} — ${se.name}: ${format(v)}`)));
      }
      x += w;
    }
    svg.append(s('text', { x: x + 4, y: y + 14, class: 'val' }, format(totals[i])));
  });
  const legendY = labels.length * rowH + 20;
  let lx = labelW;
  if (series.length > 1) {
    for (const se of series) {
      svg.append(s('rect', { x: lx, y: legendY - 9, width: 10, height: 10, class: 'bar ' + (se.cls || '') }));
      svg.append(s('text', { x: lx + 14, y: legendY, class: 'lbl' }, se.name));
      lx += 14 + se.name.length * 7 + 16;
    }
  }
  return h('figure', { class: 'chart-fig' }, h('figcaption', {}, title), svg);
}

// timeline draws an agent's day: state segments on a band, calls as ticks,
// pre-shift checks as markers, between from and to (ms).
export function timeline({ title, segments, calls, prechecks, from, to, stateLabel, id }) {
  const width = 900, left = 10, right = 10, bandY = 26, bandH = 26;
  const span = Math.max(1, to - from);
  const x = (ms) => left + ((ms - from) / span) * (width - left - right);
  const svg = s('svg', { viewBox: `0 0 ${width} 96`, role: 'img', 'aria-label': title, class: 'chart timeline', id }, s('title', {}, title));
  // Hour ticks.
  const hour = 3600e3;
  for (let tms = Math.ceil(from / hour) * hour; tms <= to; tms += hour) {
    const d = new Date(tms);
    svg.append(s('line', { x1: x(tms), x2: x(tms), y1: 18, y2: 86, class: 'grid' }));
    svg.append(s('text', { x: x(tms) + 2, y: 14, class: 'lbl small' }, String(d.getHours()).padStart(2, '0') + 'h'));
  }
  for (const seg of segments) {
    const a = Date.parse(seg.from), b = Date.parse(seg.to);
    svg.append(s('rect', { x: x(a), y: bandY, width: Math.max(1, x(b) - x(a)), height: bandH, class: 'seg st-' + seg.state },
      s('title', {}, `${stateLabel(seg.state)}${seg.reason ? ' (' + reasonName(seg.reason) + ')' : ''}: ${new Date(a).toLocaleTimeString()} – ${new Date(b).toLocaleTimeString()}`)));
  }
  for (const c of calls) {
    const a = Date.parse(c.answered_at || c.started_at), b = Date.parse(c.ended_at);
    svg.append(s('rect', { x: x(a), y: bandY + bandH + 6, width: Math.max(2, x(b) - x(a)), height: 10, class: 'call-mark' + (c.answered_at ? '' : ' missed') },
      s('title', {}, `${c.direction} ${c.number} ${new Date(a).toLocaleTimeString()}${c.quality && c.quality.mos ? ' MOS ' + c.quality.mos : ''}`)));
  }
  for (const p of prechecks) {
    const a = Date.parse(p.at);
    svg.append(s('circle', { cx: x(a), cy: bandY - 6, r: 4, class: p.passed ? 'pc-ok' : 'pc-bad' },
      s('title', {}, new Date(a).toLocaleTimeString())));
  }
  return h('figure', { class: 'chart-fig' }, h('figcaption', {}, title), svg);
}
