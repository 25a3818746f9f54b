import { gql } from '../api';
import { h, noData } from '../dom';
import { errorText, failureText, type FieldError } from '../entry';
import type { Panel } from '../panel';

/** One inbox item as the panel reads it. */
interface InboxRow {
  id: string;
  kind: string;
  kindLabel: string;
  title: string;
  summary: string;
  dueDate: string | null;
  dueState: 'GREEN' | 'YELLOW' | 'RED' | null;
  createdAt: string;
  readAt: string | null;
}

interface InboxPage {
  inbox: { totalCount: number; unreadCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: InboxRow[] };
}

interface MarkPayload {
  markInboxRead: { items: { id: string; readAt: string | null }[] | null; unreadCount: number | null; userErrors: FieldError[] };
}

const PAGE_SIZE = 20;
const ITEM_FIELDS = 'id kind kindLabel title summary dueDate dueState createdAt readAt';
const LIST = `query DashboardInbox($first: Int, $after: String) {
  inbox(first: $first, after: $after) { totalCount unreadCount pageInfo { hasNextPage endCursor } nodes { ${ITEM_FIELDS} } }
}`;
const MARK = `mutation DashboardInboxMarkRead($input: MarkInboxReadInput!) {
  markInboxRead(input: $input) { items { id readAt } unreadCount userErrors { field message messageZh code } }
}`;

const DUE_LABEL: Record<string, string> = { RED: '已逾期', YELLOW: '临期', GREEN: '' };

/**
 * 待办的未读数, in the page header: shown once the panel has read the inbox; a click goes to the panel.
 * One element for the page (the header is rebuilt on every area, the count stays).
 */
export const inboxBadge = h(
  'button',
  {
    type: 'button',
    class: 'inbox-badge',
    'data-testid': 'inbox-badge',
    hidden: true,
    onclick: () => document.querySelector('[data-panel="inbox"]')?.scrollIntoView({ behavior: 'smooth', block: 'start' }),
  },
  '',
);

function showUnread(count: number) {
  inboxBadge.hidden = false;
  inboxBadge.textContent = count ? `待办 ${count}` : '待办 0';
  inboxBadge.classList.toggle('has-unread', count > 0);
  inboxBadge.setAttribute('aria-label', `待办：${count} 条未读`);
}

/**
 * 待办 (issue 31 item 4), for every signed-in role: the caller's own reminders (交办给我、即将到期、已逾期、
 * 进度滞后、延期待批、延期已批复), newest first, 20 at a time (加载更多); each with its kind, title, summary and
 * due date coloured by urgency (yellow within 3 days, red when past), 标为已读 per item and 全部已读. The unread
 * count shows in the header too. Whatever the area shown: an inbox is the person's, not the area's.
 */
export const inboxPanel: Panel = {
  id: 'inbox',
  title: '待办',
  form: true,
  requires: ['Query.inbox', 'Mutation.markInboxRead'],
  offered: (viewer) => viewer !== null,
  async render(_ctx, body) {
    const list = h('ul', { class: 'inbox-list', 'data-testid': 'inbox-list' });
    const status = h('p', { class: 'panel-note', 'data-testid': 'inbox-status', role: 'status' });
    const problems = h('p', { class: 'field-error', role: 'alert' });
    const more = h('button', { type: 'button', class: 'inbox-more', hidden: true }, '加载更多');
    const allRead = h('button', { type: 'button', class: 'inbox-all-read', 'data-testid': 'inbox-all-read', disabled: true }, '全部已读');
    let after: string | null = null;
    let unread = 0;
    let total = 0;

    const counted = (count: number) => {
      unread = count;
      showUnread(count);
      allRead.disabled = count === 0;
      status.textContent = total ? `共 ${total} 条，未读 ${count} 条` : '';
    };

    const mark = async (input: Record<string, unknown>): Promise<MarkPayload['markInboxRead'] | null> => {
      problems.textContent = '';
      try {
        const { markInboxRead } = await gql<MarkPayload, unknown>(MARK, { input });
        if (markInboxRead.userErrors.length) {
          problems.textContent = markInboxRead.userErrors.map(errorText).join('；');
          return null;
        }
        if (markInboxRead.unreadCount !== null) counted(markInboxRead.unreadCount);
        return markInboxRead;
      } catch (error) {
        problems.textContent = failureText(error);
        return null;
      }
    };

    const markedRead = (li: HTMLElement) => {
      li.classList.remove('unread');
      li.dataset.read = 'true';
      li.querySelector('button.inbox-read')?.remove();
    };

    const row = (item: InboxRow): HTMLElement => {
      const read = h(
        'button',
        {
          type: 'button',
          class: 'inbox-read',
          'data-testid': 'inbox-mark-read',
          onclick: () =>
            void mark({ ids: [item.id] }).then((payload) => {
              if (payload) markedRead(li);
            }),
        },
        '标为已读',
      );
      const due = item.dueDate
        ? h(
            'span',
            { class: `inbox-due due-${(item.dueState ?? 'GREEN').toLowerCase()}`, 'data-due-state': item.dueState ?? '' },
            `期限 ${item.dueDate}`,
            item.dueState && DUE_LABEL[item.dueState] ? `（${DUE_LABEL[item.dueState]}）` : '',
          )
        : '';
      const li = h(
        'li',
        { class: item.readAt ? 'inbox-item' : 'inbox-item unread', 'data-kind': item.kind, 'data-read': item.readAt ? 'true' : 'false', 'data-id': item.id },
        h(
          'div',
          { class: 'inbox-head' },
          h('span', { class: `inbox-kind kind-${item.kind.toLowerCase()}` }, item.kindLabel),
          h('strong', { class: 'inbox-title' }, item.title),
        ),
        h('div', { class: 'inbox-summary' }, item.summary),
        h('div', { class: 'inbox-foot' }, due, item.readAt ? '' : read),
      );
      return li;
    };

    const load = async (reset: boolean) => {
      if (reset) after = null;
      const { inbox } = await gql<InboxPage, unknown>(LIST, { first: PAGE_SIZE, after });
      if (reset) list.replaceChildren();
      list.append(...inbox.nodes.map(row));
      after = inbox.pageInfo.endCursor;
      more.hidden = !inbox.pageInfo.hasNextPage;
      total = inbox.totalCount;
      counted(inbox.unreadCount);
      if (!total) list.replaceChildren(h('li', { class: 'inbox-empty' }, noData('暂无待办')));
    };
    more.addEventListener('click', () => void load(false).catch((error: unknown) => (problems.textContent = failureText(error))));
    allRead.addEventListener('click', () => {
      void mark({ all: true }).then((payload) => {
        if (!payload) return;
        for (const li of list.querySelectorAll<HTMLElement>('li.inbox-item')) markedRead(li);
        counted(0);
      });
    });

    await load(true);
    body.replaceChildren(h('div', { class: 'inbox-actions' }, status, allRead), problems, list, more);
    if (!unread) allRead.disabled = true;
  },
};
