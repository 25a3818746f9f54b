type Child = Node | string | number | null | undefined | false | Child[];
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/** A tiny element builder: `h('div', { class: 'x', onclick }, 'text', child)`. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  setAttrs(element, attrs);
  append(element, children);
  return element;
}

const SVG = 'http://www.w3.org/2000/svg';

/** The same for inline SVG (charts). */
export function s(tag: string, attrs: Attrs = {}, ...children: Child[]): SVGElement {
  const element = document.createElementNS(SVG, tag);
  setAttrs(element, attrs);
  append(element, children);
  return element;
}

function setAttrs(element: Element, attrs: Attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(key.replace(/^on/, ''), value);
    else element.setAttribute(key, value === true ? '' : String(value));
  }
}

function append(element: Element, children: Child[]) {
  for (const child of children.flat(Infinity as 1) as Child[]) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

const integer = new Intl.NumberFormat('zh-CN');
const money = new Intl.NumberFormat('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** 12,345 (integers) or 12,345.60 (decimal strings such as money). */
export function fmt(value: number | string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value);
  return typeof value === 'string' && value.includes('.') ? money.format(n) : integer.format(n);
}

const wanFormat = new Intl.NumberFormat('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/**
 * A figure as a leader reads it: from 10,000 up in 万 (20,289,740.06 元 →
 * 2,028.97 万元, 188,076 人 → 18.81 万人), smaller ones as they are; `exact` is
 * the whole figure with its unit, for a title attribute.
 */
export function wan(value: number | string | null | undefined, unit: string): { text: string; unit: string; exact: string } {
  const n = Number(value);
  if (value === null || value === undefined || value === '' || !Number.isFinite(n)) return { text: '—', unit, exact: '—' };
  const exact = `${fmt(value)} ${unit}`;
  if (Math.abs(n) < 10_000) return { text: fmt(value), unit, exact };
  return { text: wanFormat.format(n / 10_000), unit: `万${unit}`, exact };
}

/** 「暂无数据」 with the reason in small print (a field the server lacks, an error). */
export function noData(reason?: string): HTMLElement {
  return h('div', { class: 'no-data' }, '暂无数据', reason ? h('small', {}, reason) : null);
}

/** A panel whose area came back null (outside the viewer's reach, or gone): said as such, never as an empty list. */
export const UNREAD_AREA = '无法读取本区划的数据';

/** This month on the device's calendar, as `YYYY-MM` (a month input's value). */
export function thisMonth(): string {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`;
}
