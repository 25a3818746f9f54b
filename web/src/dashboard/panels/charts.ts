import { h, s, fmt } from '../dom';

/** A horizontal bar chart as inline SVG (one bar per row, value at the end). */
export function barChart(rows: { label: string; value: number; key?: string }[], options: { onSelect?: (key: string) => void } = {}): Element {
  // Drawn 360 wide with 14 px text: scaled down to a 360 px phone's panel the text still reads at 12 px and more.
  const rowHeight = 22;
  const labelWidth = 84;
  const width = 360;
  const barSpace = width - labelWidth - 48;
  const max = Math.max(1, ...rows.map((row) => row.value));
  const svg = s(
    'svg',
    { viewBox: `0 0 ${width} ${rows.length * rowHeight + 4}`, class: 'bar-chart', role: 'img', 'aria-label': '按乡镇分布' },
    rows.map((row, i) => {
      const y = i * rowHeight + 2;
      const barWidth = Math.max(row.value > 0 ? 2 : 0, (row.value / max) * barSpace);
      const group = s(
        'g',
        { class: options.onSelect && row.key ? 'bar clickable' : 'bar' },
        s('title', {}, `${row.label}：${fmt(row.value)}`),
        s('text', { x: labelWidth - 6, y: y + 15, 'text-anchor': 'end', class: 'bar-label' }, row.label),
        s('rect', { x: labelWidth, y: y + 4, width: barWidth, height: rowHeight - 8, rx: 2, class: 'bar-rect' }),
        s('text', { x: labelWidth + barWidth + 4, y: y + 15, class: 'bar-value' }, fmt(row.value)),
      );
      if (options.onSelect && row.key) group.addEventListener('click', () => options.onSelect!(row.key!));
      return group;
    }),
  );
  return svg;
}

/** A progress bar; `share` from 0 to 1. */
export function progressBar(share: number, text?: string): HTMLElement {
  const pct = Math.round(Math.min(1, Math.max(0, share)) * 100);
  return h(
    'div',
    { class: 'progress', title: text ?? `${pct}%` },
    h('div', { class: 'progress-fill', style: `width:${pct}%` }),
    h('span', { class: 'progress-text' }, text ?? `${pct}%`),
  );
}
