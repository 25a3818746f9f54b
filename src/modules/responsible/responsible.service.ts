import { pageRequest, toPage, type Page } from '../../common/connection.js';
import { todayInChina } from '../../common/dates.js';
import { badInput, DomainError, ErrorCode } from '../../common/errors.js';
import { fromGlobalId, toGlobalId } from '../../common/global-id.js';
import { keyOf } from '../../common/ids.js';
import { assertValidInput, PayloadErrors, userError } from '../../common/payload.js';
import { sqlFor } from '../../db/sql.js';
import type { Context } from '../../graphql/context.js';
import { assertCanWrite, assertCanWriteSectionItem, requireViewer, Role, type Viewer } from '../../auth/auth.rules.js';
import { accountKeyOfSubject } from '../account/account.rules.js';
import { ProgressAction, SubjectKind } from '../progress/progress.entity.js';
import { appendProgressUpdate } from '../progress/progress.outbox.js';
import { ProjectStatus } from '../project/project.rules.js';
import { PROJECT_WRITERS, projectService } from '../project/project.service.js';
import { isOverdue } from '../rectification/rectification.rules.js';
import { rectificationService } from '../rectification/rectification.service.js';
import { NEEDS_SUPERVISION, taskHealth } from '../task/task.rules.js';
import { taskService } from '../task/task.service.js';
import {
  changesFromRows,
  ITEM_TYPE,
  personFromRow,
  Responsibility,
  ResponsibleItemKind,
  type ResponsibleChange,
  type ResponsiblePerson,
} from '../../people/responsible.entity.js';
import type { AssignResponsibleInput, ResponsibilitiesArgs } from '../../people/responsible.inputs.js';
import { insertResponsibleChange, personEventValue, resolvePerson, type PersonValue } from '../../people/responsible.write.js';

const KIND_OF_TYPE = new Map(Object.entries(ITEM_TYPE).map(([kind, type]) => [type, kind as ResponsibleItemKind]));

/** The item row a change locks: its area, owning section (tasks, projects), a readable title, a rectification's registered person. */
interface ItemRow {
  area_code: string;
  owner_section: string | null;
  title: string;
  responsible_person: string | null;
}

const LOCK_ITEM: Record<ResponsibleItemKind, string> = {
  TASK: `select t.area_code, t.owner_section, t.title, null::text as responsible_person from task t where t.id = ? for update`,
  TASK_ASSIGNMENT: `select a.area_code, t.owner_section, t.title || '（' || ar.name || '）' as title, null::text as responsible_person
      from task_assignment a join task t on t.id = a.task_id join area ar on ar.code = a.area_code where a.id = ? for update of a`,
  PROJECT: `select p.area_code, p.owner_section, p.name as title, null::text as responsible_person from project p where p.id = ? for update`,
  RECTIFICATION: `select r.area_code, null::text as owner_section, r.finding as title, r.responsible_person from rectification r where r.id = ? for update`,
};

const KIND_LABEL: Record<ResponsibleItemKind, string> = {
  TASK: '重点工作',
  TASK_ASSIGNMENT: '任务分解',
  PROJECT: '民政项目',
  RECTIFICATION: '审计整改',
};

/**
 * Who may change an item's responsible person: the roles that write the item.
 * Key tasks: COUNTY_ADMIN, SECTION_STAFF of the owning section. Assignments:
 * those, and the TOWNSHIP_OPERATOR of the assignment's subtree (who records its
 * progress). Projects: PROJECT_WRITERS (SECTION_STAFF for their own section).
 * Rectifications: COUNTY_ADMIN and the township's TOWNSHIP_OPERATOR. Always
 * inside the caller's subtree; LEADER, VIEWER and VILLAGE_OPERATOR never.
 */
function assertMayAssign(viewer: Viewer | null, kind: ResponsibleItemKind, row: ItemRow): Viewer {
  switch (kind) {
    case ResponsibleItemKind.TASK:
      return assertCanWriteSectionItem(viewer, row.area_code, [Role.COUNTY_ADMIN, Role.SECTION_STAFF], { what: 'task', owner: row.owner_section! });
    case ResponsibleItemKind.TASK_ASSIGNMENT:
      return assertCanWriteSectionItem(viewer, row.area_code, [Role.COUNTY_ADMIN, Role.SECTION_STAFF, Role.TOWNSHIP_OPERATOR], {
        what: 'task',
        owner: row.owner_section!,
      });
    case ResponsibleItemKind.PROJECT:
      return assertCanWriteSectionItem(viewer, row.area_code, PROJECT_WRITERS, { what: 'project', owner: row.owner_section! });
    case ResponsibleItemKind.RECTIFICATION:
      return assertCanWrite(viewer, row.area_code, [Role.COUNTY_ADMIN, Role.TOWNSHIP_OPERATOR]);
  }
}

function describe(person: { name: string; title: string | null; unit: string | null } | null): string {
  if (!person) return '（未指定）';
  const extra = [person.unit, person.title].filter(Boolean).join(' ');
  return extra ? `${person.name}（${extra}）` : person.name;
}

/** The (kind, key) of an item global ID; BAD_USER_INPUT on `item` for any other ID. */
export function itemOf(id: string): { kind: ResponsibleItemKind; key: string } {
  const { type, key } = fromGlobalId(id, 'item');
  const kind = KIND_OF_TYPE.get(type);
  if (!kind || !/^[1-9]\d{0,17}$/.test(key)) throw badInput('item', `"${id}" is not a Task, TaskAssignment, Project or Rectification ID`);
  return { kind, key };
}

/** A read that the caller may not make is no row of theirs: FORBIDDEN and NOT_FOUND become null. */
async function readable<T>(read: () => Promise<T | null>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof DomainError && (error.code === ErrorCode.FORBIDDEN || error.code === ErrorCode.UNAUTHENTICATED)) return null;
    throw error;
  }
}

/**
 * 责任到人: the person responsible for a key task, an assignment, a project or
 * a rectification, with its history (table `responsible_change`, append-only;
 * the latest row is the current person). A rectification registered with a
 * `responsiblePerson` text and never changed here is that named person.
 */
export class ResponsibleService {
  /** The item's history, oldest first. */
  async history(ctx: Context, kind: ResponsibleItemKind, key: string): Promise<ResponsibleChange[]> {
    return changesFromRows(await ctx.loaders.responsible.historyOf.load(`${kind}:${key}`));
  }

  /** The person responsible now; a rectification's registered 责任人 when it has no history; null when none was set. */
  async current(ctx: Context, kind: ResponsibleItemKind, key: string, registered?: string | null): Promise<ResponsiblePerson | null> {
    const rows = await ctx.loaders.responsible.historyOf.load(`${kind}:${key}`);
    if (rows.length) return personFromRow(rows[rows.length - 1]);
    return registered ? personFromRow({ account_id: null, name: registered, title: null, unit: null }) : null;
  }

  async assign(ctx: Context, input: AssignResponsibleInput): Promise<{ item: string; responsible: ResponsiblePerson }> {
    requireViewer(ctx.viewer);
    await assertValidInput(input);
    const { kind, key } = itemOf(input.item);
    const reason = input.reason?.trim() || null;
    const person = await ctx.em.transactional(async (em) => {
      const sql = sqlFor(em);
      const [row] = await sql<ItemRow>(LOCK_ITEM[kind], [key]);
      if (!row) throw new DomainError(ErrorCode.NOT_FOUND, `No ${ITEM_TYPE[kind]} ${input.item}`, 'item');
      const viewer = assertMayAssign(ctx.viewer, kind, row);

      const { person: next, errors } = await resolvePerson(sql, viewer, input);
      const history = await sql<{ account_id: string | null; name: string; title: string | null; unit: string | null }>(
        `select account_id::text as account_id, name, title, unit from responsible_change where item_kind = ? and item_id = ? order by id desc limit 1`,
        [kind, key],
      );
      const before: PersonValue | null = history[0]
        ? { account: history[0].account_id, ...history[0] }
        : row.responsible_person
          ? { account: null, name: row.responsible_person, title: null, unit: null }
          : null;
      if (next && before && next.account === before.account && next.name === before.name && next.title === before.title && next.unit === before.unit) {
        errors.push(userError(ErrorCode.BAD_USER_INPUT, 'this person is already responsible', 'account', '责任人未变化：此人已是该事项的责任人'));
      }
      if (errors.length || !next) throw new PayloadErrors(errors);

      await insertResponsibleChange(sql, { kind, key, person: next, previousName: history[0] ? null : (before?.name ?? null), reason, viewer });
      if (kind === ResponsibleItemKind.RECTIFICATION) {
        // The registered text follows, so 销号 still checks that the verifier is not the person responsible.
        await sql(`update rectification set responsible_person = ?, version = version + 1 where id = ?`, [next.name, key]);
      }
      await appendProgressUpdate(sql, {
        subjectKind: SubjectKind[kind],
        subjectId: toGlobalId(ITEM_TYPE[kind], key),
        areaCode: row.area_code,
        action: ProgressAction.UPDATED,
        actor: viewer,
        summary: `${KIND_LABEL[kind]}「${row.title}」责任人 ${describe(before)} → ${describe(next)}${reason ? `（${reason}）` : ''}`,
        before: { responsible: personEventValue(before) },
        after: { responsible: personEventValue(next), reason },
      });
      return next;
    });
    ctx.loaders.responsible.historyOf.clearAll();
    return { item: toGlobalId(ITEM_TYPE[kind], key), responsible: personFromRow({ account_id: person.account, ...person }) };
  }

  /**
   * What a person is responsible for now (their account's items, or a named person's), as far as the
   * caller may read each item (its own read rules), with its deadline and how it is going today.
   */
  async responsibilities(ctx: Context, who: { account?: string | null; name?: string | null }, page: ResponsibilitiesArgs): Promise<Page<Responsibility>> {
    const viewer = requireViewer(ctx.viewer);
    let accountKey = who.account == null ? null : keyOf(who.account, 'Account', 'account');
    let name = who.name?.trim() || null;
    if (accountKey !== null && name !== null) throw badInput('account', 'give one of account and name, not both');
    if (accountKey === null && name === null) {
      // Neither: the caller's own — their account when they signed in with one, else their name as a named person.
      accountKey = viewer.sessionId ? accountKeyOfSubject(viewer.sub) : null;
      if (accountKey === null) name = viewer.name;
    }
    const rows = await ctx.sql<{ kind: ResponsibleItemKind; item_id: string; since: Date }>(
      `select c.item_kind as kind, c.item_id::text as item_id, c.changed_at as since
         from responsible_change c
        where (c.account_id = ?::bigint or (?::text is not null and c.account_id is null and c.name = ?::text))
          and c.id = (select max(l.id) from responsible_change l where l.item_kind = c.item_kind and l.item_id = c.item_id)
       union all
       select 'RECTIFICATION', r.id::text, r.created_at
         from rectification r
        where ?::text is not null and r.responsible_person = ?::text
          and not exists (select 1 from responsible_change l where l.item_kind = 'RECTIFICATION' and l.item_id = r.id)`,
      [accountKey, name, name, name, name],
    );
    const order = Object.values(ResponsibleItemKind);
    rows.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || Number(BigInt(a.item_id) - BigInt(b.item_id)));
    const items = (await Promise.all(rows.map((row) => this.responsibility(ctx, row.kind, row.item_id, row.since)))).filter(
      (item): item is Responsibility => item !== null,
    );
    // Keyset paging on (kind, id): an `after` naming an item no longer in the list continues past it.
    const request = pageRequest(page);
    const sortKey = (item: Responsibility) => `${order.indexOf(item.kind)}:${item.itemKey.padStart(19, '0')}`;
    const rest = request.afterKey === null ? items : items.filter((item) => sortKey(item) > request.afterKey!);
    return toPage(rest.slice(0, request.first + 1), request, sortKey, items.length);
  }

  /** One item as a responsibility, when the caller may read it; null otherwise. */
  private async responsibility(ctx: Context, kind: ResponsibleItemKind, key: string, since: Date): Promise<Responsibility | null> {
    const today = todayInChina();
    const make = (fields: Omit<Responsibility, 'kind' | 'itemKey' | 'since' | 'itemId'>) =>
      Object.assign(new Responsibility(), { kind, itemKey: key, since, ...fields });
    switch (kind) {
      case ResponsibleItemKind.TASK: {
        const task = await readable(() => taskService.byKey(ctx, key));
        if (!task) return null;
        const health = await taskService.health(ctx, task, today);
        return make({ title: task.title, areaCode: task.areaCode, deadline: task.deadlineOn(today), status: health, behind: NEEDS_SUPERVISION.has(health) });
      }
      case ResponsibleItemKind.TASK_ASSIGNMENT: {
        const assignment = await readable(() => taskService.assignmentByKey(ctx, key));
        const task = assignment && (await ctx.loaders.task.byId.load(assignment.taskKey));
        if (!assignment || !task) return null;
        const area = await ctx.loaders.area.byCode.load(assignment.areaCode);
        const deadline = task.deadlineOn(today); // in force today (延期申请)
        const health = taskHealth({ target: assignment.target, done: assignment.currentDone, startDate: task.startDate, deadline, asOf: today });
        return make({
          title: `${task.title}（${area?.name ?? assignment.areaCode}）`,
          areaCode: assignment.areaCode,
          deadline,
          status: health,
          behind: NEEDS_SUPERVISION.has(health),
        });
      }
      case ResponsibleItemKind.PROJECT: {
        const project = await readable(() => projectService.byKey(ctx, key));
        if (!project) return null;
        const late = project.status !== ProjectStatus.COMPLETED && project.targetDate !== null && today > project.targetDate;
        return make({ title: project.name, areaCode: project.areaCode, deadline: project.targetDate, status: late ? 'OVERDUE' : project.status, behind: late });
      }
      case ResponsibleItemKind.RECTIFICATION: {
        const item = await readable(() => rectificationService.byKey(ctx, key));
        if (!item) return null;
        const deadline = item.deadlineOn(today); // in force today (延期申请)
        const late = isOverdue(item.status, deadline, today);
        return make({ title: item.finding, areaCode: item.areaCode, deadline, status: late ? 'OVERDUE' : item.status, behind: late });
      }
    }
  }
}

export const responsibleService = new ResponsibleService();
