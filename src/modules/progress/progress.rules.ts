import { encodeCursor } from '../../common/connection.js';
import { badInput, DomainError, ErrorCode } from '../../common/errors.js';
import { inViewerSubtree, SENSITIVE_READERS, type Viewer } from '../../auth/auth.rules.js';
import { SubjectKind, type ProgressUpdate } from './progress.entity.js';

/**
 * Kinds of event about sensitive items (审计整改, 督办): their summaries name the
 * finding and the person responsible, so only {@link SENSITIVE_READERS} receive them.
 * Webhook registrations (外部推送) too: they name the outside systems the bureau feeds.
 */
export const SENSITIVE_KINDS: readonly SubjectKind[] = [SubjectKind.RECTIFICATION, SubjectKind.SUPERVISION, SubjectKind.WEBHOOK, SubjectKind.MONTHLY_REPORT];

/** Whether the viewer's role may see events of `kind`. */
export function mayReadKind(viewer: Viewer, kind: SubjectKind): boolean {
  return SENSITIVE_READERS.includes(viewer.role) || !SENSITIVE_KINDS.includes(kind);
}

/**
 * The kinds a viewer's request may deliver: as asked (all when none are named)
 * for sensitive readers; for other roles, every kind but the sensitive ones, and
 * FORBIDDEN when they name a sensitive kind.
 */
export function readableKinds(viewer: Viewer, kinds: SubjectKind[] | null | undefined): SubjectKind[] | null {
  if (SENSITIVE_READERS.includes(viewer.role)) return kinds?.length ? kinds : null;
  const refused = (kinds ?? []).filter((kind) => SENSITIVE_KINDS.includes(kind));
  if (refused.length) throw new DomainError(ErrorCode.FORBIDDEN, `${viewer.role} may not see events about ${refused.join(', ')}`, 'kinds');
  return kinds?.length ? kinds : Object.values(SubjectKind).filter((kind) => !SENSITIVE_KINDS.includes(kind));
}

/**
 * What one reader of the stream may receive: a code range (a subtree, or one
 * area alone) and optionally only some subject kinds. Two subscribers with the
 * same scope share one read per wake-up.
 */
export interface ProgressScope {
  /** Inclusive lower bound of `area_code`. */
  lo: string;
  /** Inclusive upper bound of `area_code`. */
  hi: string;
  /** Only these kinds, sorted; null for every kind. */
  kinds: SubjectKind[] | null;
}

/**
 * What a request context needs of the live stream: a subscription to a scope
 * (the server's {@link ProgressHub} in progress.hub.ts). Contexts carry it, so
 * services reach the hub of the server that runs them, never a process-wide one.
 */
declare module '../../graphql/context.js' {
  interface ContextExtensions {
    /** The server's live progress stream, for subscriptions (graphql-ws, SSE); absent on plain HTTP requests and the CLI. */
    progressFeed?: ProgressFeed | null;
  }
}

export interface ProgressFeed {
  subscribe(viewer: Viewer, scope: ProgressScope, after: bigint | null): Promise<AsyncGenerator<ProgressUpdate, undefined>>;
}

/** The scope of an area's events: its subtree (`[lo, hi]` from `subtreeRange`) or the area alone. */
export function progressScope(code: string, subtree: [string, string], includeDescendants: boolean, kinds: SubjectKind[] | null | undefined): ProgressScope {
  const [lo, hi] = includeDescendants ? subtree : [code, code];
  const chosen = kinds?.length ? [...new Set(kinds)].sort() : null;
  return { lo, hi, kinds: chosen };
}

/** Identity of a scope, for grouping subscribers that read the same rows. */
export function scopeKey(scope: ProgressScope): string {
  return `${scope.lo}:${scope.hi}:${scope.kinds?.join(',') ?? '*'}`;
}

/** Whether an event of `kind` at `areaCode` lies in `scope`. */
export function inScope(scope: ProgressScope, areaCode: string, kind: SubjectKind): boolean {
  return areaCode >= scope.lo && areaCode <= scope.hi && (scope.kinds === null || scope.kinds.includes(kind));
}

/**
 * Whether `viewer` may receive an event at `areaCode` in `scope`: the second,
 * in-memory check after the SQL filter, so a bug in one cannot leak an event.
 */
export function mayDeliver(viewer: Viewer, scope: ProgressScope, areaCode: string, kind: SubjectKind): boolean {
  return inScope(scope, areaCode, kind) && inViewerSubtree(viewer, areaCode) && mayReadKind(viewer, kind);
}

/** The resume cursor of an event: the same opaque form as a connection's edge cursors. */
export function progressCursor(sequence: string): string {
  return encodeCursor(sequence);
}

const SEQUENCE = /^(0|[1-9]\d{0,18})$/;

/**
 * The sequence number a cursor points at. Accepts an event's `cursor` (or an
 * edge cursor of `progressUpdates`) and, for people typing at a terminal, the
 * bare `sequence` digits. Anything else is BAD_USER_INPUT on `field`.
 */
export function parseProgressCursor(after: string, field = 'after'): bigint {
  const text = after.trim();
  if (SEQUENCE.test(text)) return BigInt(text);
  const decoded = Buffer.from(text, 'base64url').toString('utf8');
  const key = decoded.startsWith('k:') ? decoded.slice(2) : '';
  if (SEQUENCE.test(key) && encodeCursor(key) === text) return BigInt(key);
  throw badInput(field, `"${after}" is not a progress cursor (an event's cursor or sequence)`);
}
