import { DomainError, ErrorCode } from '../common/errors.js';
import { significantPrefix } from '../common/codes.js';

/** What a caller may do. Each feature's service states which roles it allows. */
export enum Role {
  /** The bureau's administrators (县民政局管理员): read and write everything in their county. */
  COUNTY_ADMIN = 'COUNTY_ADMIN',
  /** 股室 staff: the work items of their own section; reads across the county. */
  SECTION_STAFF = 'SECTION_STAFF',
  /** 乡镇民政办: reports and edits inside their township's subtree. */
  TOWNSHIP_OPERATOR = 'TOWNSHIP_OPERATOR',
  /** 村/社区 operators: their own village only. */
  VILLAGE_OPERATOR = 'VILLAGE_OPERATOR',
  /** Read-only over their area's subtree, sensitive items excepted: third-party frontends, public screens. */
  VIEWER = 'VIEWER',
  /**
   * 县/局领导: reads everything in their subtree, as COUNTY_ADMIN does — audit
   * rectification (审计整改) included, supervision (督办), the monthly report,
   * the audit log and their progress events — and writes nothing.
   */
  LEADER = 'LEADER',
}

/** Every role, in the order above. */
export const ROLES: readonly Role[] = Object.values(Role);

/**
 * Whether a string from outside (a token's `role` claim, a CLI argument) names a
 * role. An explicit list test: `value in Role` is also true for `constructor`,
 * `toString` or `__proto__`, which Role inherits from Object.prototype.
 */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The authenticated caller, from a verified token. `null` in a context means anonymous. */
export interface Viewer {
  /** Subject (user id at the identity provider). */
  sub: string;
  name: string;
  role: Role;
  /** 12-digit code of the area the caller works for. */
  areaCode: string;
  /** 股室 of SECTION_STAFF, e.g. 养老服务股. */
  section?: string;
}

/** Whether `areaCode` lies in the subtree of the caller's own area (itself included). */
export function inViewerSubtree(viewer: Viewer, areaCode: string): boolean {
  return areaCode.startsWith(significantPrefix(viewer.areaCode));
}

/**
 * The inclusive code range a caller may read, for SQL filters
 * (`area_code between lo and hi`); null for anonymous callers, who read no
 * protected rows.
 */
export function readRange(viewer: Viewer | null): [string, string] | null {
  if (!viewer) return null;
  const prefix = significantPrefix(viewer.areaCode);
  return [prefix.padEnd(12, '0'), prefix.padEnd(12, '9')];
}

/**
 * Roles that may see sensitive items — audit rectification (审计整改), supervision
 * (督办), the monthly report and their events; VIEWER and VILLAGE_OPERATOR may not.
 */
export const SENSITIVE_READERS = [Role.COUNTY_ADMIN, Role.LEADER, Role.SECTION_STAFF, Role.TOWNSHIP_OPERATOR];

/** The caller, when they may read sensitive rows at all (role check only; area checks follow). */
export function requireSensitiveReader(viewer: Viewer | null): Viewer {
  const who = requireViewer(viewer);
  if (!SENSITIVE_READERS.includes(who.role)) throw new DomainError(ErrorCode.FORBIDDEN, `${who.role} may not see audit rectification or supervision`);
  return who;
}

/**
 * Roles that may write at all; VIEWER and LEADER never write — but for one decision: a LEADER
 * approves or refuses a deadline extension (延期审批, `decideDeadlineExtension`, checked with its
 * own role list in modules/extension/extension.service.ts).
 */
const WRITERS = new Set([Role.COUNTY_ADMIN, Role.SECTION_STAFF, Role.TOWNSHIP_OPERATOR, Role.VILLAGE_OPERATOR]);

/** Throws UNAUTHENTICATED for anonymous callers; returns the viewer otherwise. */
export function requireViewer(viewer: Viewer | null): Viewer {
  if (!viewer) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Sign in: this needs a bearer token');
  return viewer;
}

/**
 * Throws unless the caller may read rows of `areaCode`: any signed-in role
 * inside its own subtree (SECTION_STAFF and VIEWER included).
 */
export function assertCanRead(viewer: Viewer | null, areaCode: string, roles?: Role[]): Viewer {
  const who = requireViewer(viewer);
  if (roles && !roles.includes(who.role)) {
    throw new DomainError(ErrorCode.FORBIDDEN, `${who.role} may not read this`);
  }
  if (!inViewerSubtree(who, areaCode)) {
    // Not naming `areaCode`: for an object fetched by ID it would tell where that object lies.
    throw new DomainError(ErrorCode.FORBIDDEN, `This lies outside your area ${who.areaCode}`);
  }
  return who;
}

/**
 * Throws unless the caller may change data of `areaCode`: a writing role (or
 * one of `roles`, when the feature narrows it), inside the caller's subtree.
 * Checked in services, so every path (HTTP, WebSocket, CLI, import) passes here.
 */
export function assertCanWrite(viewer: Viewer | null, areaCode: string, roles?: Role[]): Viewer {
  const who = requireViewer(viewer);
  const allowed = roles ? roles.includes(who.role) : WRITERS.has(who.role);
  if (!allowed) throw new DomainError(ErrorCode.FORBIDDEN, `${who.role} may not make this change`);
  if (!inViewerSubtree(who, areaCode)) {
    throw new DomainError(ErrorCode.FORBIDDEN, `This lies outside your area ${who.areaCode}`);
  }
  return who;
}

/**
 * Work items a bureau section (股室) owns — key tasks (重点工作) and projects
 * (民政项目): SECTION_STAFF may change only their own section's items (their
 * token's `section` claim), and may not hand one to another section. Throws
 * FORBIDDEN otherwise; other roles pass (their role and area are checked by
 * {@link assertCanWrite}). `owner` is the item's section before the change
 * (for a new item, the section it is created for); `next` the section it has
 * after the change (default: unchanged).
 */
export function assertSectionMayChange(viewer: Viewer, what: string, owner: string, next: string = owner): void {
  if (viewer.role !== Role.SECTION_STAFF) return;
  if (!viewer.section || viewer.section !== owner) {
    throw new DomainError(
      ErrorCode.FORBIDDEN,
      `This ${what} belongs to ${owner}: section staff change only their own section's (${viewer.section ?? 'no section'})`,
    );
  }
  if (next !== owner) throw new DomainError(ErrorCode.FORBIDDEN, `Section staff may not hand a ${what} to another section (${owner} → ${next})`);
}

/**
 * {@link assertCanWrite} for a section-owned work item, then
 * {@link assertSectionMayChange}: the one check every write of a task or a
 * project passes.
 */
export function assertCanWriteSectionItem(
  viewer: Viewer | null,
  areaCode: string,
  roles: Role[],
  item: { what: string; owner: string; next?: string },
): Viewer {
  const who = assertCanWrite(viewer, areaCode, roles);
  assertSectionMayChange(who, item.what, item.owner, item.next);
  return who;
}

/** The identity used by trusted server-side jobs (CLI imports, demo seeding). */
export function systemViewer(areaCode: string): Viewer {
  return { sub: 'system', name: '系统', role: Role.COUNTY_ADMIN, areaCode };
}
