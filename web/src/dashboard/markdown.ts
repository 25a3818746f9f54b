import { h } from './dom';

/**
 * A small Markdown reader for the monthly report (src/modules/report/report.render.ts
 * writes it): headings, paragraphs, ordered and unordered lists, pipe tables,
 * `**bold**` and `` `code` ``. It builds DOM nodes and puts every piece of text in
 * as text (never innerHTML), so whatever a title or a detail holds — `<script>`,
 * `<img onerror>`, a stray `|` — shows as the characters it is. Anything it does
 * not know is a paragraph.
 */
export function renderMarkdown(markdown: string): HTMLElement {
  const doc = h('div', { class: 'markdown-doc' });
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i++;
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      // The report's # is the document title; inside a panel it sits under the panel's h2.
      const level = Math.min(6, heading[1].length + 2) as 3 | 4 | 5 | 6;
      doc.append(h(`h${level}`, {}, inline(heading[2].replace(/\s+#+\s*$/, ''))));
      i++;
      continue;
    }
    if (isTableRow(line) && i + 1 < lines.length && /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/.test(lines[i + 1])) {
      const head = cells(line);
      const rows: string[][] = [];
      i += 2;
      while (i < lines.length && isTableRow(lines[i])) rows.push(cells(lines[i++]));
      doc.append(
        h(
          'div',
          { class: 'table-scroll' },
          h(
            'table',
            { class: 'mini' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                head.map((cell) => h('th', {}, inline(cell))),
              ),
            ),
            h(
              'tbody',
              {},
              rows.map((row) =>
                h(
                  'tr',
                  {},
                  row.map((cell) => h('td', {}, inline(cell))),
                ),
              ),
            ),
          ),
        ),
      );
      continue;
    }
    const item = /^\s*(?:(\d+)[.)]|[-*+])\s+(.*)$/.exec(line);
    if (item) {
      const ordered = item[1] !== undefined;
      const list = ordered ? h('ol', { start: Number(item[1]) }) : h('ul', {});
      while (i < lines.length) {
        const next = /^\s*(?:(\d+)[.)]|[-*+])\s+(.*)$/.exec(lines[i]);
        if (!next || (next[1] !== undefined) !== ordered) break;
        list.append(h('li', {}, inline(next[2])));
        i++;
      }
      doc.append(list);
      continue;
    }
    const paragraph: string[] = [];
    while (i < lines.length && lines[i].trim() && !/^(#{1,6})\s/.test(lines[i]) && !/^\s*(?:\d+[.)]|[-*+])\s+/.test(lines[i]))
      paragraph.push(lines[i++].trim());
    doc.append(h('p', {}, inline(paragraph.join(' '))));
  }
  return doc;
}

function isTableRow(line: string): boolean {
  return /^\s*\|.*\|\s*$/.test(line);
}

/** The cells of `| a | b |` (a `\|` is a bar inside a cell). */
function cells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, '|'));
}

/** `**bold**` and `` `code` `` as elements, the rest as text nodes. */
function inline(text: string): (Node | string)[] {
  const out: (Node | string)[] = [];
  const pattern = /\*\*(.+?)\*\*|`([^`]+)`/g;
  let last = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    if (match.index > last) out.push(text.slice(last, match.index));
    out.push(match[1] !== undefined ? h('strong', {}, match[1]) : h('code', {}, match[2]));
    last = match.index + match[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
