import type { EntityManager } from '@mikro-orm/postgresql';
import { pageRequest, toPage, type Page } from '../../common/connection.js';
import { badInput } from '../../common/errors.js';
import type { Context } from '../../graphql/context.js';
import type { Sql } from '../../db/sql.js';
import { AUDIT_COLUMNS, auditEntryFromRow, type AuditEntry, type AuditRow } from './audit.entity.js';
import type { AuditLogArgs } from './audit.inputs.js';
import { redact, type AuditOutcome } from './audit.rules.js';
import { assertCanRead, readRange, Role, type Viewer } from '../../auth/auth.rules.js';

/** One finished mutation call, as the recorder receives it. */
export interface AuditRecord {
  startedAt: Date;
  durationMs: number;
  viewer: Viewer | null;
  operationName: string | null;
  mutation: string;
  args: Record<string, unknown>;
  outcome: AuditOutcome;
  errorCodes: string[];
  requestId: string | null;
}

/** Only COUNTY_ADMIN and LEADER (县/局领导) read the audit log, and only calls made by callers inside their subtree. */
const AUDIT_READERS = [Role.COUNTY_ADMIN, Role.LEADER];

const INSERT = `insert into audit_log (occurred_at, duration_ms, actor_sub, actor_name, actor_role, actor_area_code, operation_name, mutation, args, outcome, error_codes, request_id)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?::text[], ?)`;

function insertParams(entry: AuditRecord): unknown[] {
  return [
    entry.startedAt,
    Math.round(entry.durationMs),
    entry.viewer?.sub ?? null,
    entry.viewer?.name ?? null,
    entry.viewer?.role ?? null,
    entry.viewer?.areaCode ?? null,
    entry.operationName,
    entry.mutation,
    JSON.stringify(redact(entry.args)),
    entry.outcome,
    entry.errorCodes,
    entry.requestId,
  ];
}

/**
 * 审计日志. A mutation that succeeds is recorded by `write`, in the transaction of
 * its change (so the change cannot commit without its row); one that fails or is
 * refused rolls back and is recorded afterwards by `record`, on its own.
 */
export const auditService = {
  /** Writes the row on `sql`: the mutation's own transaction, which it commits or rolls back with. */
  async write(sql: Sql, entry: AuditRecord): Promise<void> {
    await sql(INSERT, insertParams(entry));
  },

  /** Writes the row in a statement of its own on the pool, never a request's transaction: for calls that changed nothing. */
  async record(em: EntityManager, entry: AuditRecord): Promise<void> {
    await em
      .getConnection()
      .getKnex()
      .raw(INSERT, insertParams(entry) as never[]);
  },

  /** Newest first, keyset-paged on the id, filtered in SQL to the caller's subtree. */
  async list(ctx: Context, args: AuditLogArgs): Promise<Page<AuditEntry>> {
    const viewer = assertCanRead(ctx.viewer, ctx.viewer?.areaCode ?? '', AUDIT_READERS);
    const [lo, hi] = readRange(viewer)!;
    const page = pageRequest(args);
    if (page.afterKey !== null && !/^\d{1,19}$/.test(page.afterKey)) throw badInput('after', 'Not a cursor from auditLog');
    const f = args.filter ?? {};
    const where = `actor_area_code between ? and ?
        and (?::text is null or actor_sub = ?::text)
        and (?::text is null or mutation = ?::text)
        and (?::text is null or outcome = ?::text)
        and (?::timestamptz is null or occurred_at >= ?::timestamptz)
        and (?::timestamptz is null or occurred_at < ?::timestamptz)`;
    const params = [
      lo,
      hi,
      f.sub ?? null,
      f.sub ?? null,
      f.mutation ?? null,
      f.mutation ?? null,
      f.outcome ?? null,
      f.outcome ?? null,
      f.from ?? null,
      f.from ?? null,
      f.to ?? null,
      f.to ?? null,
    ];
    // `audit_log.id`, not `id`: ORDER BY would take the selected `id::text` and sort 10 before 9.
    const rows = await ctx.sql<AuditRow>(
      `select ${AUDIT_COLUMNS} from audit_log where ${where} and (?::bigint is null or id < ?::bigint) order by audit_log.id desc limit ?`,
      [...params, page.afterKey, page.afterKey, page.first + 1],
    );
    return toPage(
      rows.map(auditEntryFromRow),
      page,
      (entry) => entry.key,
      async () => {
        const [row] = await ctx.sql<{ n: number }>(`select count(*)::int as n from audit_log where ${where}`, params);
        return row.n;
      },
    );
  },

  /** One entry by database id, for `node(id)`; null when missing or outside what the caller may read. */
  async byKey(ctx: Context, key: string): Promise<AuditEntry | null> {
    if (!/^\d{1,19}$/.test(key)) return null;
    const viewer = assertCanRead(ctx.viewer, ctx.viewer?.areaCode ?? '', AUDIT_READERS);
    const [lo, hi] = readRange(viewer)!;
    const [row] = await ctx.sql<AuditRow>(`select ${AUDIT_COLUMNS} from audit_log where id = ?::bigint and actor_area_code between ? and ?`, [key, lo, hi]);
    return row ? auditEntryFromRow(row) : null;
  },
};
