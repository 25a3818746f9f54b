import { pageRequest, toPage, type Page } from '../../common/connection.js';
import { codeRange, intersectRanges, normalizeCode } from '../../common/codes.js';
import { badInput, DomainError, ErrorCode } from '../../common/errors.js';
import { toGlobalId } from '../../common/global-id.js';
import { keyOf } from '../../common/ids.js';
import { assertVersion, throwProblems, versionConflict, type Problem } from '../../common/payload.js';
import { sqlFor, type Sql } from '../../db/sql.js';
import type { Context } from '../../graphql/context.js';
import { assertCanWrite, inViewerSubtree, readRange, requireViewer, Role, type Viewer } from '../../auth/auth.rules.js';
import { ProgressAction, SubjectKind } from '../progress/progress.entity.js';
import { appendProgressUpdate, type NewProgressUpdate } from '../progress/progress.outbox.js';
import { readableKinds } from '../progress/progress.rules.js';
import { lockRow, versionedUpdate } from '../progress/progress.write.js';
import {
  WEBHOOK_COLUMNS,
  WEBHOOK_DELIVERY_COLUMNS,
  webhookDeliveryFromRow,
  webhookFromRow,
  type Webhook,
  type WebhookDelivery,
  type WebhookDeliveryRow,
  type WebhookRow,
} from './webhook.entity.js';
import type { CreateWebhookInput, UpdateWebhookInput, WebhookDeliveryArgs, WebhookListArgs, WebhookVersionInput } from './webhook.inputs.js';
import { checkWebhookUrl, newWebhookSecret, webhookOptionsFrom } from './webhook.rules.js';

/** Who manages webhooks: the bureau's administrators. */
export const WEBHOOK_WRITERS: Role[] = [Role.COUNTY_ADMIN];
/** Who may see them and their deliveries: the administrators and the leaders (县/局领导), who write nothing. */
export const WEBHOOK_READERS: Role[] = [Role.COUNTY_ADMIN, Role.LEADER];

const MAX_DESCRIPTION = 200;

/** The caller, when their role may read webhooks (area checks follow). */
function requireWebhookReader(viewer: Viewer | null): Viewer {
  const who = requireViewer(viewer);
  if (!WEBHOOK_READERS.includes(who.role)) throw new DomainError(ErrorCode.FORBIDDEN, `${who.role} may not see webhooks`);
  return who;
}

/** Only the host of a URL: events and logs name the receiver without its path or query (which may carry a token). */
function hostOf(url: string): string {
  return new URL(url).host;
}

/**
 * Webhooks (外部推送): registered, changed and removed by COUNTY_ADMIN in their
 * subtree, read by COUNTY_ADMIN and LEADER. Each write runs in the mutation's
 * transaction with its audit row and appends one WEBHOOK progress event (which
 * names the receiver's host, never the secret). Deliveries are the deliverer's
 * (webhook.deliverer.ts); this service only reads their state.
 */
export class WebhookService {
  async byKey(ctx: Context, key: string): Promise<Webhook | null> {
    const viewer = requireWebhookReader(ctx.viewer);
    if (!/^[1-9]\d{0,17}$/.test(key)) return null;
    const [row] = await ctx.sql<WebhookRow>(`select ${WEBHOOK_COLUMNS} from webhook w where w.id = ?`, [key]);
    if (!row) return null;
    if (!inViewerSubtree(viewer, row.area_code)) throw new DomainError(ErrorCode.FORBIDDEN, `This lies outside your area ${viewer.areaCode}`);
    return webhookFromRow(row);
  }

  async list(ctx: Context, args: WebhookListArgs): Promise<Page<Webhook>> {
    const viewer = requireWebhookReader(ctx.viewer);
    const page = pageRequest(args);
    let range = readRange(viewer)!;
    if (args.area != null) range = intersectRanges(range, codeRange(normalizeCode(args.area, 'area'))) ?? ['1', '0'];
    const rows = await ctx.sql<WebhookRow>(`select ${WEBHOOK_COLUMNS} from webhook w where w.area_code between ? and ? and w.id > ? order by w.id limit ?`, [
      range[0],
      range[1],
      page.afterKey ?? '0',
      page.first + 1,
    ]);
    const total = async () => {
      const [row] = await ctx.sql<{ n: number }>('select count(*)::int as n from webhook where area_code between ? and ?', range);
      return row.n;
    };
    return toPage(rows.map(webhookFromRow), page, (webhook) => webhook.key, total);
  }

  /** A webhook's delivery attempts, newest first. */
  async deliveries(ctx: Context, args: WebhookDeliveryArgs): Promise<Page<WebhookDelivery>> {
    const key = keyOf(args.webhook, 'Webhook', 'webhook');
    const page = pageRequest(args);
    const webhook = await this.byKey(ctx, key);
    if (!webhook) throw new DomainError(ErrorCode.NOT_FOUND, `No webhook ${args.webhook}`, 'webhook');
    if (page.afterKey !== null && !/^\d{1,18}$/.test(page.afterKey)) throw badInput('after', 'Not a cursor of this connection');
    const rows = await ctx.sql<WebhookDeliveryRow>(
      `select ${WEBHOOK_DELIVERY_COLUMNS} from webhook_delivery d where d.webhook_id = ? and (?::bigint is null or d.id < ?::bigint) order by d.id desc limit ?`,
      [key, page.afterKey, page.afterKey, page.first + 1],
    );
    const total = async () => {
      const [row] = await ctx.sql<{ n: number }>('select count(*)::int as n from webhook_delivery where webhook_id = ?', [key]);
      return row.n;
    };
    return toPage(rows.map(webhookDeliveryFromRow), page, (delivery) => delivery.key, total);
  }

  async create(ctx: Context, input: CreateWebhookInput): Promise<{ webhook: Webhook; secret: string }> {
    const viewer = assertCanWrite(ctx.viewer, requireViewer(ctx.viewer).areaCode, WEBHOOK_WRITERS);
    const problems: Problem[] = [];
    const url = checked(problems, 'url', () => checkWebhookUrl(input.url, webhookOptionsFrom(process.env).allowPrivate));
    const kinds = checked(problems, 'eventKinds', () => eventKindsOf(viewer, input.eventKinds));
    const description = checked(problems, 'description', () => descriptionOf(input.description));
    const areaCode = checked(problems, 'area', () => (input.area == null ? viewer.areaCode : normalizeCode(input.area, 'area')));
    throwProblems(problems, ErrorCode.BAD_USER_INPUT);
    assertCanWrite(viewer, areaCode!, WEBHOOK_WRITERS);
    const secret = newWebhookSecret();
    const key = await ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      await assertAreaExists(sql, areaCode!);
      // From now on: the events committed before this transaction are not this webhook's.
      const [row] = await sql<{ id: string }>(
        `insert into webhook (url, description, area_code, event_kinds, enabled, secret, owner_sub, owner_name, owner_role, owner_area_code, cursor)
         values (?, ?, ?, ?::text[], ?, ?, ?, ?, ?, ?, (select value from event_sequence)) returning id::text as id`,
        [url, description ?? null, areaCode, kinds, input.enabled ?? true, secret, viewer.sub, viewer.name, viewer.role, viewer.areaCode],
      );
      await appendProgressUpdate(
        sql,
        event(row.id, areaCode!, ProgressAction.CREATED, viewer, `登记外部推送 ${hostOf(url!)}`, null, {
          host: hostOf(url!),
          eventKinds: kinds,
          enabled: input.enabled ?? true,
        }),
      );
      return row.id;
    });
    return { webhook: (await this.byKey(ctx, key))!, secret };
  }

  async update(ctx: Context, input: UpdateWebhookInput): Promise<{ webhook: Webhook }> {
    const key = keyOf(input.id, 'Webhook', 'id');
    await ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const { row, viewer } = await this.lockForWrite(ctx, sql, key, input);
      const problems: Problem[] = [];
      const url = input.url == null ? row.url : checked(problems, 'url', () => checkWebhookUrl(input.url!, webhookOptionsFrom(process.env).allowPrivate));
      const kinds = input.eventKinds == null ? row.event_kinds : checked(problems, 'eventKinds', () => eventKindsOf(viewer, input.eventKinds!));
      const description = input.description === undefined ? row.description : checked(problems, 'description', () => descriptionOf(input.description));
      const areaCode = input.area == null ? row.area_code : checked(problems, 'area', () => normalizeCode(input.area!, 'area'));
      throwProblems(problems, ErrorCode.BAD_USER_INPUT);
      assertCanWrite(viewer, areaCode!, WEBHOOK_WRITERS);
      if (areaCode !== row.area_code) await assertAreaExists(sql, areaCode!);
      const enabled = input.enabled ?? row.enabled;
      const before: Record<string, unknown> = {};
      const after: Record<string, unknown> = {};
      const note = (field: string, was: unknown, now: unknown) => {
        if (JSON.stringify(was) === JSON.stringify(now)) return;
        before[field] = was;
        after[field] = now;
      };
      note('host', hostOf(row.url), hostOf(url!));
      if (url !== row.url && hostOf(url!) === hostOf(row.url)) note('url', '(原地址)', '(新地址)');
      note('eventKinds', row.event_kinds, kinds);
      note('description', row.description, description ?? null);
      note('area', row.area_code, areaCode);
      note('enabled', row.enabled, enabled);
      const resumed = enabled && !row.enabled;
      const retarget = url !== row.url;
      await versionedUpdate(sql, {
        // Enabling again starts from the head (nothing is sent for the time it was off); a new URL is tried at once.
        update: `update webhook set url = ?, event_kinds = ?::text[], description = ?, area_code = ?, enabled = ?,
                   cursor = case when ? then (select value from event_sequence) else cursor end,
                   failing_since = case when ? or ? then null else failing_since end,
                   failed_attempts = case when ? or ? then 0 else failed_attempts end,
                   next_attempt_at = case when ? or ? then null else next_attempt_at end,
                   updated_at = now(), version = version + 1
                 where id = ? and version = ? returning id`,
        params: [url, kinds, description ?? null, areaCode, enabled, resumed, resumed, retarget, resumed, retarget, resumed, retarget, key, input.version],
        lostRace: () => versionConflict(row.version + 1, input.version, 'Webhook'),
        event: () =>
          event(
            key,
            areaCode!,
            ProgressAction.UPDATED,
            viewer,
            `修改外部推送 ${hostOf(url!)}${enabled !== row.enabled ? (enabled ? '(启用)' : '(停用)') : ''}`,
            before,
            after,
          ),
      });
    });
    return { webhook: (await this.byKey(ctx, key))! };
  }

  async rotateSecret(ctx: Context, input: WebhookVersionInput): Promise<{ webhook: Webhook; secret: string }> {
    const key = keyOf(input.id, 'Webhook', 'id');
    const secret = newWebhookSecret();
    await ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const { row, viewer } = await this.lockForWrite(ctx, sql, key, input);
      await versionedUpdate(sql, {
        update: 'update webhook set secret = ?, updated_at = now(), version = version + 1 where id = ? and version = ? returning id',
        params: [secret, key, input.version],
        lostRace: () => versionConflict(row.version + 1, input.version, 'Webhook'),
        event: () => event(key, row.area_code, ProgressAction.UPDATED, viewer, `更换外部推送 ${hostOf(row.url)} 的签名密钥`, null, { secretRotated: true }),
      });
    });
    return { webhook: (await this.byKey(ctx, key))!, secret };
  }

  async delete(ctx: Context, input: WebhookVersionInput): Promise<{ deletedId: string }> {
    const key = keyOf(input.id, 'Webhook', 'id');
    await ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const { row, viewer } = await this.lockForWrite(ctx, sql, key, input);
      // Its attempts go with it (on delete cascade).
      await sql('delete from webhook where id = ?', [key]);
      await appendProgressUpdate(
        sql,
        event(
          key,
          row.area_code,
          ProgressAction.DELETED,
          viewer,
          `删除外部推送 ${hostOf(row.url)}`,
          { host: hostOf(row.url), eventKinds: row.event_kinds },
          null,
        ),
      );
    });
    return { deletedId: toGlobalId('Webhook', key) };
  }

  /**
   * Locks the webhook `input` names for a change (update, new secret, delete): NOT_FOUND without it, then the caller
   * must be a webhook writer where it lies, and `input.version` its version.
   */
  private async lockForWrite(ctx: Context, sql: Sql, key: string, input: { id: string; version: number }): Promise<{ row: WebhookRow; viewer: Viewer }> {
    const row = await lockRow<WebhookRow>(
      sql,
      `select ${WEBHOOK_COLUMNS} from webhook w where w.id = ? for update`,
      [key],
      () => new DomainError(ErrorCode.NOT_FOUND, `没有这个外部推送:${input.id}`, 'id'),
    );
    const viewer = assertCanWrite(ctx.viewer, row.area_code, WEBHOOK_WRITERS);
    assertVersion(row.version, input.version, 'Webhook');
    return { row, viewer };
  }
}

/** Runs a check of one field; its DomainError becomes a problem on that field (all are reported together). */
function checked<T>(problems: Problem[], field: string, check: () => T): T | undefined {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof DomainError) || error.code === ErrorCode.FORBIDDEN) throw error;
    problems.push({ field, message: error.message, code: ErrorCode.BAD_USER_INPUT });
    return undefined;
  }
}

/** The kinds, de-duplicated and sorted; at least one; only kinds the registrant may read (the sensitive ones need a sensitive reader). */
function eventKindsOf(viewer: Viewer, kinds: SubjectKind[]): SubjectKind[] {
  if (!kinds.length) throw badInput('eventKinds', '请至少选择一种事件类型');
  const known = Object.values(SubjectKind) as string[];
  const unknown = kinds.filter((kind) => !known.includes(kind));
  if (unknown.length) throw badInput('eventKinds', `未知的事件类型:${unknown.join('、')}`);
  readableKinds(viewer, kinds);
  return [...new Set(kinds)].sort();
}

function descriptionOf(description: string | null | undefined): string | null {
  const text = description?.trim() ?? '';
  if (text.length > MAX_DESCRIPTION) throw badInput('description', `说明最多 ${MAX_DESCRIPTION} 个字`);
  return text || null;
}

async function assertAreaExists(sql: Sql, code: string): Promise<void> {
  const [found] = await sql('select 1 from area where code = ?', [code]);
  if (!found) throw badInput('area', `没有这个区划:${code}`);
}

function event(
  key: string,
  areaCode: string,
  action: ProgressAction,
  actor: Viewer,
  summary: string,
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
): NewProgressUpdate {
  return { subjectKind: SubjectKind.WEBHOOK, subjectId: toGlobalId('Webhook', key), areaCode, action, actor, summary, before, after };
}

export const webhookService = new WebhookService();
