import {
  ProgressFeedDocument as query,
  ProgressHistoryDocument,
  type ProgressFeedSubscription,
  type ProgressHistoryQuery,
} from '../../../graphql/generated/graphql';
import { GraphQLRequestError, SESSION_EXPIRED, gql, refreshNow, sessionLost, ws, type GqlError } from '../api';
import { h, noData } from '../dom';
import { failureText } from '../entry';
import { actionLabel } from './labels';
import type { Panel } from '../panel';

/** One event as web/graphql/progress.graphql selects it. */
type ProgressEvent = ProgressFeedSubscription['progressUpdated'];

const MAX_ITEMS = 50;
/**
 * Pages of stored events (100 each) read on opening. The connection runs oldest
 * first, so the newest are on its last page; past this many pages the
 * subscription's replay after the last cursor read brings the rest.
 */
const HISTORY_PAGES = 10;

/**
 * 实时动态: `progressUpdated(area, includeDescendants: true, after)` — progress
 * events in the selected area's subtree as they commit. After a dropped
 * connection it resubscribes with `after` = the cursor of the last event it
 * showed: the server replays what was missed, then goes live (it also drops any
 * repeat by sequence). It opens with the latest stored events (`progressUpdates`,
 * read to its end) and subscribes after the last of them, so nothing is missed
 * or shown twice between the two. Until the server offers the subscription it
 * shows 「暂无数据」.
 */
class LiveFeed {
  private last: bigint | null = null;
  private cursor: string | null = null;
  private stop: (() => void) | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retries = 0;
  private disposed = false;
  /** The server refused this session once already (4401/4403) since the last connection. */
  private refused = false;

  constructor(
    private readonly area: string,
    private readonly list: HTMLElement,
    private readonly status: HTMLElement,
    private readonly onEvent: () => void,
    private readonly onUnsupported: (reason: string) => void,
  ) {}

  /** The stored events, newest on top; the subscription then continues after the last one. */
  async history(): Promise<void> {
    const events: ProgressEvent[] = [];
    let after: string | null = null;
    try {
      for (let page = 0; page < HISTORY_PAGES; page++) {
        const data: ProgressHistoryQuery = await gql(ProgressHistoryDocument, { area: this.area, after });
        const { nodes, pageInfo } = data.progressUpdates;
        events.push(...nodes);
        events.splice(0, Math.max(0, events.length - MAX_ITEMS));
        after = nodes.at(-1)?.cursor ?? after;
        if (!pageInfo.hasNextPage) break;
      }
    } catch {
      // No history to show (the server lacks the query, the viewer may not read it): the subscription says why.
    }
    if (this.disposed) return;
    for (const event of events) this.show(event, false);
    if (after) this.cursor = after;
  }

  start() {
    if (this.disposed) return;
    this.setStatus('connecting', '连接中…');
    this.stop = ws().subscribe<ProgressFeedSubscription>(
      { query: query.toString(), variables: { area: this.area, includeDescendants: true, after: this.cursor } },
      {
        next: (result) => {
          if (result.errors?.length) return this.fail(new GraphQLRequestError(result.errors as GqlError[]));
          const event = result.data?.progressUpdated;
          if (event) this.show(event);
        },
        error: (error) => {
          if (Array.isArray(error)) return this.fail(new GraphQLRequestError(error as GqlError[]));
          const code = (error as { code?: unknown } | null)?.code;
          if (code === 4401 || code === 4403) return this.sessionRefused();
          this.reconnect();
        },
        complete: () => this.reconnect(),
      },
    );
    // graphql-ws has no "subscribed" callback; the socket opening is close enough for the badge.
    const off = ws().on('connected', () => {
      off();
      this.retries = 0;
      this.refused = false;
      if (!this.disposed) this.setStatus('live', '实时');
    });
  }

  private show(event: ProgressEvent, live = true) {
    const sequence = BigInt(event.sequence);
    if (this.last !== null && sequence <= this.last) return;
    this.last = sequence;
    this.cursor = event.cursor;
    if (live) this.setStatus('live', '实时');
    const time = new Date(event.occurredAt);
    const item = h(
      'li',
      { 'data-sequence': event.sequence },
      h('time', { datetime: event.occurredAt, title: event.occurredAt }, when(time)),
      h('span', { class: 'feed-area' }, event.area.shortName),
      // A notice of the date sweep (提醒: turned lagging, overdue, due soon) is marked apart from the changes.
      event.action === 'ALERTED' && h('span', { class: 'feed-alert', 'data-action': event.action }, actionLabel(event.action)),
      h('span', { class: 'feed-summary' }, event.summary),
    );
    this.list.querySelector('.feed-empty')?.remove();
    this.list.prepend(item);
    while (this.list.children.length > MAX_ITEMS) this.list.lastElementChild!.remove();
    if (live) this.onEvent();
  }

  private fail(error: GraphQLRequestError) {
    this.stop?.();
    this.stop = null;
    if (error.unsupported) return this.onUnsupported('服务端尚未提供 progressUpdated 订阅');
    if (error.errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) return this.sessionRefused();
    this.setStatus('error', failureText(error));
    this.reconnect();
  }

  /**
   * The server closed the socket for the session (4403: signed out, revoked, the
   * account disabled; 4401: not authenticated). No reconnecting: one refresh (an
   * access token that merely expired gets a new one and the feed goes on), else
   * the session has ended and the page says so (登录已过期，请重新登录).
   */
  private sessionRefused() {
    this.stop = null;
    clearTimeout(this.retryTimer);
    this.setStatus('ended', SESSION_EXPIRED);
    if (this.disposed) return;
    if (this.refused) return sessionLost();
    this.refused = true;
    void refreshNow()
      .catch(() => null)
      .then((account) => {
        if (this.disposed) return;
        if (account) this.start();
        else sessionLost();
      });
  }

  private reconnect() {
    if (this.disposed) return;
    this.stop = null;
    clearTimeout(this.retryTimer);
    const delay = Math.min(10_000, 500 * 2 ** this.retries++);
    this.setStatus('reconnecting', '连接中断，正在重连…');
    this.retryTimer = setTimeout(() => this.start(), delay);
  }

  private setStatus(state: string, text: string) {
    this.status.dataset.state = state;
    this.status.textContent = text;
  }

  dispose() {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    this.stop?.();
  }
}

/** 09:30:00 today; 11-27 09:30 on another day (the stored events the feed opens with may be older). */
function when(time: Date): string {
  if (Number.isNaN(time.getTime())) return '';
  const clock = time.toLocaleTimeString('zh-CN', { hour12: false });
  if (time.toDateString() === new Date().toDateString()) return clock;
  return `${String(time.getMonth() + 1).padStart(2, '0')}-${String(time.getDate()).padStart(2, '0')} ${clock.slice(0, 5)}`;
}

let current: LiveFeed | null = null;

export const livePanel: Panel = {
  id: 'live',
  title: '实时动态',
  live: true,
  requires: ['Subscription.progressUpdated'],
  async render(ctx, body) {
    current?.dispose();
    const status = h('span', { class: 'live-status', 'data-state': 'connecting' }, '连接中…');
    const list = h('ul', { class: 'feed' }, h('li', { class: 'feed-empty' }, '等待新的进展…'));
    body.replaceChildren(status, list);
    const feed = new LiveFeed(ctx.area.code, list, status, ctx.refresh, (reason) => body.replaceChildren(noData(reason)));
    current = feed;
    await feed.history();
    feed.start();
  },
  dispose() {
    current?.dispose();
    current = null;
  },
};
