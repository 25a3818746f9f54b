import { pageRequest, Page, toPage } from '../../common/connection.js';
import { badInput, ErrorCode } from '../../common/errors.js';
import { fromGlobalId } from '../../common/global-id.js';
import { PayloadErrors, userError, type UserError } from '../../common/payload.js';
import type { Context } from '../../graphql/context.js';
import { requireViewer } from '../../auth/auth.rules.js';
import { INBOX_COLUMNS, inboxItemFromRow, type InboxItem, type InboxItemRow } from './inbox.entity.js';
import { MAX_MARK_IDS, type InboxArgs, type MarkInboxReadInput } from './inbox.inputs.js';

const keyOfItem = (item: InboxItem) => item.key;

/** A page of the caller's inbox with its unread count (the connection's `unreadCount`). */
export class InboxPage extends Page<InboxItem> {
  unreadCount = 0;
}

/**
 * 待办/提醒 — the caller's own inbox: read newest first, and marked read. Every signed-in role has
 * one (its items are addressed to the token's `sub`); nobody reads or marks another's.
 */
export class InboxService {
  /** One statement: the page, the count of the connection and the unread count. */
  async list(ctx: Context, args: InboxArgs): Promise<InboxPage> {
    const viewer = requireViewer(ctx.viewer);
    const page = pageRequest(args);
    const unreadOnly = args.unreadOnly === true;
    const after = page.afterKey;
    if (after !== null && !/^\d{1,18}$/.test(after)) throw badInput('after', `"${args.after}" is not a cursor of this connection`);
    const rows = await ctx.sql<InboxItemRow & { total: number; unread: number }>(
      `with counts as (
         select count(*)::int as total, (count(*) filter (where read_at is null))::int as unread from inbox_item where recipient_sub = ?),
       page as (
         select ${INBOX_COLUMNS} from inbox_item i
          where i.recipient_sub = ? and (not ?::boolean or i.read_at is null) and (?::bigint is null or i.id < ?::bigint)
          order by i.id desc limit ?)
       select c.total, c.unread, p.* from counts c left join page p on true order by p.id::bigint desc nulls last`,
      [viewer.sub, viewer.sub, unreadOnly, after, after, page.first + 1],
    );
    const [counts] = rows;
    const total = unreadOnly ? counts.unread : counts.total;
    const { nodes, pageInfo } = toPage(rows.filter((row) => row.id !== null).map(inboxItemFromRow), page, keyOfItem, total);
    return Object.assign(new InboxPage(nodes, pageInfo, keyOfItem, total), { unreadCount: counts.unread });
  }

  /**
   * Marks the caller's items read: those named (each must be the caller's; any other, or one that does
   * not exist, is a NOT_FOUND field error and nothing is marked), or all. Idempotent: an item keeps the
   * time it was first read. Not a business change: no progress event (the audit log still records the call).
   */
  async markRead(ctx: Context, input: MarkInboxReadInput): Promise<{ items: InboxItem[]; markedCount: number; unreadCount: number }> {
    const viewer = requireViewer(ctx.viewer);
    const all = input.all === true;
    const ids = input.ids ?? null;
    const errors: UserError[] = [];
    if (all === (ids !== null)) {
      errors.push(userError(ErrorCode.BAD_USER_INPUT, 'give either ids or all: true', 'ids', '请选择要标为已读的提醒，或选择全部已读'));
    } else if (ids !== null && (ids.length === 0 || ids.length > MAX_MARK_IDS)) {
      errors.push(userError(ErrorCode.BAD_USER_INPUT, `ids must name 1 to ${MAX_MARK_IDS} items`, 'ids', `一次可标记 1 至 ${MAX_MARK_IDS} 条提醒`));
    }
    if (errors.length) throw new PayloadErrors(errors);

    if (all) {
      const [row] = await ctx.sql<{ marked: number; unread: number }>(
        `with marked as (update inbox_item set read_at = now() where recipient_sub = ? and read_at is null returning 1)
         select (select count(*)::int from marked) as marked, 0 as unread`,
        [viewer.sub],
      );
      return { items: [], markedCount: row.marked, unreadCount: row.unread };
    }

    const keys: (string | null)[] = ids!.map((id, index) => {
      try {
        const { type, key } = fromGlobalId(id, 'ids');
        if (type === 'InboxItem' && /^[1-9]\d{0,17}$/.test(key)) return key;
      } catch {
        // reported below
      }
      errors.push(userError(ErrorCode.BAD_USER_INPUT, `"${id}" is not an InboxItem ID`, ['input', 'ids', String(index)], '不是提醒条目的编号'));
      return null;
    });
    if (errors.length) throw new PayloadErrors(errors);
    const owned = new Set(
      (await ctx.sql<{ id: string }>(`select id::text as id from inbox_item where recipient_sub = ? and id = any(?::bigint[])`, [viewer.sub, keys])).map(
        (row) => row.id,
      ),
    );
    keys.forEach((key, index) => {
      if (!owned.has(key!)) {
        errors.push(userError(ErrorCode.NOT_FOUND, `No inbox item ${ids![index]}`, ['input', 'ids', String(index)], '没有这条提醒（或不是您的提醒）'));
      }
    });
    if (errors.length) throw new PayloadErrors(errors);
    const rows = await ctx.sql<InboxItemRow & { marked: number; unread: number }>(
      `with marked as (
         update inbox_item set read_at = now() where recipient_sub = ? and id = any(?::bigint[]) and read_at is null returning id)
       select i.id::text as id, i.kind, i.subject_type, i.subject_key, i.area_code, i.title, i.summary, i.due_date, i.created_at,
              coalesce(i.read_at, now()) as read_at, (select count(*)::int from marked) as marked,
              (select count(*)::int from inbox_item u where u.recipient_sub = ? and u.read_at is null and u.id <> all(?::bigint[])) as unread
         from inbox_item i where i.recipient_sub = ? and i.id = any(?::bigint[]) order by i.id desc`,
      [viewer.sub, keys, viewer.sub, keys, viewer.sub, keys],
    );
    // The select sees the table as it was before the update (one snapshot): an item marked now shows now() (the update's time).
    const items = rows.map(inboxItemFromRow);
    return { items, markedCount: rows[0]?.marked ?? 0, unreadCount: rows[0]?.unread ?? 0 };
  }
}

export const inboxService = new InboxService();
