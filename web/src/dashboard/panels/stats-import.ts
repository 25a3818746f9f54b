import { SESSION_EXPIRED, SessionExpiredError, authorizedFetch, download } from '../api';
import { h } from '../dom';
import { field, FieldErrors } from '../entry';

/** One problem of an upload, as `POST /imports/observations` answers it (docs/api.md, spreadsheet exchange). */
export interface ImportProblem {
  /** Row in the sheet (the header is row 1); null for the whole file. */
  row: number | null;
  /** The column's header as written in the file; null for the whole row or file. */
  column: string | null;
  code: string;
  /** 中文说明, prefixed with 第 n 行 … 列. */
  message: string;
  messageEn: string;
}

/** The route's answer: rows that changed something, rows already as the file says, and the problems (then nothing was written). */
export interface ImportAnswer {
  applied: number;
  unchanged: number;
  errors: ImportProblem[];
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The problem's text without the 第 n 行 … 列 the table already shows in its own columns. */
export function problemText(p: ImportProblem): string {
  const where = p.row === null ? (p.column === null ? '' : `${p.column} 列: `) : p.column === null ? `第 ${p.row} 行: ` : `第 ${p.row} 行 ${p.column} 列: `;
  return where && p.message.startsWith(where) ? p.message.slice(where.length) : p.message;
}

/** Sends a spreadsheet to the import route with the bearer token; the answer, or a Chinese reason it could not be sent. */
async function uploadObservations(file: File, month: string): Promise<{ status: number; answer: ImportAnswer } | { failure: string }> {
  let response: Response;
  try {
    // A refused access token is refreshed once and the file sent again.
    response = await authorizedFetch(`/imports/observations?period=${encodeURIComponent(month)}`, {
      method: 'POST',
      headers: { 'content-type': /\.csv$/i.test(file.name) ? 'text/csv' : XLSX },
      body: file,
    });
  } catch (error) {
    return { failure: error instanceof SessionExpiredError ? SESSION_EXPIRED : '无法连接服务器，请检查网络后重试' };
  }
  const answer = (await response.json().catch(() => null)) as ImportAnswer | null;
  if (response.status === 401) return { failure: '登录已失效，请重新登录后再上传' };
  if (!answer || !Array.isArray(answer.errors)) return { failure: `上传未成功（HTTP ${response.status}），请稍后重试` };
  return { status: response.status, answer };
}

/**
 * 表格导入 (issue 30 item 4): the template pre-filled with the operator's villages
 * (`GET /templates/observations.xlsx`), filled in Excel and uploaded back for one
 * month (`POST /imports/observations`). All or nothing, as the CLI and the route:
 * with any problem nothing is written, and each problem is shown at its row
 * (第 n 行), in Chinese. After a good upload `onImported` re-reads the figures.
 */
export function statsImportSection(months: string[], onImported: () => Promise<void> | void): HTMLElement {
  const errors = new FieldErrors();
  const month = h(
    'select',
    { name: 'import-period' },
    months.map((m) => h('option', { value: m }, m)),
  );
  const file = h('input', { type: 'file', name: 'import-file', accept: '.xlsx,.csv', 'aria-label': '选择要上传的表格（.xlsx 或 .csv）' });
  const submit = h('button', { type: 'submit', class: 'primary' }, '上传导入');
  const templateButton = h('button', { type: 'button', 'data-testid': 'import-template' }, '下载模板（本辖区各村）');
  const message = h('div', { class: 'entry-message', 'data-testid': 'import-message', role: 'status' });
  const problems = h('div', { class: 'import-problems', 'data-testid': 'import-problems' });

  templateButton.addEventListener('click', () => {
    errors.clear();
    download('/templates/observations.xlsx', '统计数据模板.xlsx').catch(() => errors.set('form', '模板下载失败，请稍后重试'));
  });

  const show = (answer: ImportAnswer) => {
    const byRow = [...answer.errors].sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
    problems.replaceChildren(
      h(
        'table',
        { class: 'list import-problems-table' },
        h('tr', {}, h('th', {}, '行'), h('th', {}, '列'), h('th', {}, '问题')),
        byRow.map((p) =>
          h(
            'tr',
            { 'data-row': p.row ?? 'file', 'data-code': p.code },
            h('td', { class: 'num' }, p.row === null ? '整个文件' : `第 ${p.row} 行`),
            h('td', {}, p.column ?? '—'),
            h('td', { class: 'problem' }, problemText(p)),
          ),
        ),
      ),
    );
  };

  const save = async () => {
    errors.clear();
    message.textContent = '';
    problems.replaceChildren();
    const chosen = file.files?.[0];
    if (!chosen) return void errors.set('import-file', '请先选择填好的表格（.xlsx 或 .csv）');
    submit.disabled = true;
    try {
      const sent = await uploadObservations(chosen, month.value);
      if ('failure' in sent) return void errors.set('form', sent.failure);
      const { answer } = sent;
      if (answer.errors.length) {
        message.textContent = `未导入：发现 ${answer.errors.length} 处问题，整个文件都没有写入，请改正后重新上传`;
        return show(answer);
      }
      message.textContent = `已导入 ${month.value}：${answer.applied} 个村（社区）有更新，${answer.unchanged} 个无变化`;
      file.value = '';
      await onImported();
    } finally {
      submit.disabled = false;
    }
  };

  return h(
    'form',
    {
      class: 'entry entry-import',
      'data-testid': 'entry-import-form',
      novalidate: true,
      onsubmit: (event: Event) => (event.preventDefault(), void save()),
    },
    h('h3', { class: 'entry-subtitle' }, '表格导入'),
    h(
      'p',
      { class: 'panel-note' },
      '下载模板（已列出本辖区各村），在 Excel 中填好一个月的数据后上传。空白格表示不变；只要有一处问题，整个文件都不写入，问题按行列在下方。',
    ),
    h('div', { class: 'entry-actions' }, templateButton),
    h('div', { class: 'entry-head' }, field('月份', month, errors, 'import-period'), field('表格文件', file, errors, 'import-file')),
    h('div', { class: 'entry-actions' }, submit, message, errors.slot('form')),
    problems,
  );
}
