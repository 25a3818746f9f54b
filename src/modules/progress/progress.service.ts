import { pageRequest, toPage, type Page } from '../../common/connection.js';
import { DomainError, ErrorCode } from '../../common/errors.js';
import type { Context } from '../../graphql/context.js';
import { normalizeCode, subtreeRange } from '../../common/codes.js';
import { assertCanRead, readRange, requireViewer, type Viewer } from '../../auth/auth.rules.js';
import { PROGRESS_COLUMNS, progressUpdateFromRow, type ProgressUpdate, type ProgressUpdateRow } from './progress.entity.js';
import type { ProgressScopeArgs, ProgressUpdatedArgs, ProgressUpdatesArgs } from './progress.inputs.js';
import { mayReadKind, parseProgressCursor, progressScope, readableKinds, type ProgressFeed, type ProgressScope } from './progress.rules.js';

/**
 * Reads of the progress stream: its history as a connection and its live
 * subscription, both scoped to an area's subtree the viewer may read.
 */
export class ProgressService {
  /**
   * The scope of a request for `area`'s events. Anonymous callers get
   * UNAUTHENTICATED, an area outside the viewer's subtree FORBIDDEN, an unknown
   * area NOT_FOUND; roles that may not see sensitive items get no events about
   * them (and FORBIDDEN when they ask for them by kind).
   */
  async scope(ctx: Context, args: ProgressScopeArgs): Promise<{ viewer: Viewer; scope: ProgressScope }> {
    requireViewer(ctx.viewer);
    const code = normalizeCode(args.area, 'area');
    const viewer = assertCanRead(ctx.viewer, code);
    const kinds = readableKinds(viewer, args.kinds);
    const area = await ctx.loaders.area.byCode.load(code);
    if (!area) throw new DomainError(ErrorCode.NOT_FOUND, `No area with code ${args.area}`, 'area');
    return { viewer, scope: progressScope(code, subtreeRange(code, area.level), args.includeDescendants ?? true, kinds) };
  }

  /** History in sequence order, after a cursor: the same cursors as the subscription. */
  async list(ctx: Context, args: ProgressUpdatesArgs): Promise<Page<ProgressUpdate>> {
    const page = pageRequest({ first: args.first, after: null });
    const after = args.after == null ? null : parseProgressCursor(args.after);
    const { viewer, scope } = await this.scope(ctx, args);
    const [readLo, readHi] = readRange(viewer)!;
    const where = `area_code between ? and ? and area_code between ? and ?
        and (?::text[] is null or subject_kind = any(?::text[]))`;
    const params = [scope.lo, scope.hi, readLo, readHi, scope.kinds, scope.kinds];
    const rows = await ctx.sql<ProgressUpdateRow>(
      // p.sequence: the bare name would sort by the selected text column of the same name.
      `select ${PROGRESS_COLUMNS} from progress_update p where ${where} and p.sequence > ? order by p.sequence limit ?`,
      [...params, (after ?? 0n).toString(), page.first + 1],
    );
    const total = async () => {
      const [row] = await ctx.sql<{ n: number }>(`select count(*)::int as n from progress_update where ${where}`, params);
      return row.n;
    };
    return toPage(rows.map(progressUpdateFromRow), { first: page.first, afterKey: after === null ? null : after.toString() }, (u) => u.sequence, total);
  }

  /** One event by sequence, if the viewer may read its area and its kind. */
  async bySequence(ctx: Context, sequence: string): Promise<ProgressUpdate | null> {
    if (!/^\d{1,19}$/.test(sequence)) return null;
    const [row] = await ctx.sql<ProgressUpdateRow>(`select ${PROGRESS_COLUMNS} from progress_update where sequence = ?`, [sequence]);
    if (!row) return null;
    const viewer = assertCanRead(ctx.viewer, row.area_code);
    const update = progressUpdateFromRow(row);
    if (!mayReadKind(viewer, update.subjectKind)) throw new DomainError(ErrorCode.FORBIDDEN, `${viewer.role} may not see events about ${update.subjectKind}`);
    return update;
  }

  /**
   * The live stream for a subscription: stored events after `after` first,
   * then each new one as it commits, from the hub the context carries (the
   * server's; contexts of plain HTTP requests have none).
   */
  async subscribe(ctx: Context, args: ProgressUpdatedArgs): Promise<AsyncIterable<ProgressUpdate>> {
    const after = args.after == null ? null : parseProgressCursor(args.after);
    const { viewer, scope } = await this.scope(ctx, args);
    return liveFeedOf(ctx).subscribe(viewer, scope, after);
  }
}

export const progressService = new ProgressService();

/** The context's live feed, or an error saying this context cannot subscribe. */
export function liveFeedOf(ctx: Context): ProgressFeed {
  if (!ctx.progressFeed) throw new Error('Live progress is not running for this context (startServer gives graphql-ws and SSE contexts the hub)');
  return ctx.progressFeed;
}
