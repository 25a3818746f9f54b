import { ErrorCode } from '../common/errors.js';
import { toGlobalId } from '../common/global-id.js';
import { keyOf } from '../common/ids.js';
import { userError, type UserError } from '../common/payload.js';
import type { Sql } from '../db/sql.js';
import { inViewerSubtree, type Viewer } from '../auth/auth.rules.js';
import type { ResponsibleItemKind } from './responsible.entity.js';

/** A responsible person as stored: an account's key (or null), name, title, unit. */
export interface PersonValue {
  account: string | null;
  name: string;
  title: string | null;
  unit: string | null;
}

/** What names a person in an input: exactly one of an account ID and a named person. */
export interface PersonChoice {
  account?: string | null;
  person?: { name: string; title: string; unit: string } | null;
}

/**
 * The person an input names, or its problems as field errors under `prefix`
 * (`account`, or `responsible.account` in a create input): exactly one of
 * `account` and `person`; an account must exist, be enabled and lie in the
 * caller's subtree (any other is NOT_FOUND, so a caller cannot learn other
 * places' accounts by trying ids). Used by assignResponsible and by the creates
 * that take an optional `responsible`.
 */
export async function resolvePerson(sql: Sql, viewer: Viewer, input: PersonChoice, prefix = ''): Promise<{ person: PersonValue | null; errors: UserError[] }> {
  const field = (name: string) => `${prefix}${name}`;
  if ((input.account == null) === (input.person == null)) {
    return {
      person: null,
      errors: [
        userError(ErrorCode.BAD_USER_INPUT, 'give exactly one of account and person', field('account'), '请指定责任人：账号或姓名、职务、单位，二者选一'),
      ],
    };
  }
  if (input.person) {
    return { person: { account: null, name: input.person.name.trim(), title: input.person.title.trim(), unit: input.person.unit.trim() }, errors: [] };
  }
  const key = keyOf(input.account!, 'Account', field('account'));
  const [account] = await sql<{ display_name: string; unit: string; disabled: boolean; area_code: string }>(
    `select a.display_name, coalesce(a.section, ar.name) as unit, a.disabled, a.area_code from account a join area ar on ar.code = a.area_code where a.id = ?`,
    [key],
  );
  if (!account || !inViewerSubtree(viewer, account.area_code)) {
    return { person: null, errors: [userError(ErrorCode.NOT_FOUND, `No account ${input.account}`, field('account'), '没有这个账号（或不在您的辖区内）')] };
  }
  if (account.disabled) {
    return { person: null, errors: [userError(ErrorCode.BAD_USER_INPUT, 'the account is disabled', field('account'), '该账号已停用，不能指定为责任人')] };
  }
  return { person: { account: key, name: account.display_name, title: null, unit: account.unit }, errors: [] };
}

/** Appends one row of an item's responsible-person history (in the caller's transaction). */
export async function insertResponsibleChange(
  sql: Sql,
  change: { kind: ResponsibleItemKind; key: string; person: PersonValue; previousName: string | null; reason: string | null; viewer: Viewer },
): Promise<void> {
  const { kind, key, person, previousName, reason, viewer } = change;
  await sql(
    `insert into responsible_change (item_kind, item_id, account_id, name, title, unit, previous_name, reason, changed_by_sub, changed_by_name)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [kind, key, person.account, person.name, person.title, person.unit, previousName, reason, viewer.sub, viewer.name],
  );
}

/** A person as a progress event shows it (an account as its global ID). */
export function personEventValue(person: PersonValue | null) {
  return (
    person && { account: person.account === null ? null : toGlobalId('Account', person.account), name: person.name, title: person.title, unit: person.unit }
  );
}

/**
 * Records the responsible person (责任人) a create input names, if any, as the new item's first history row (in the
 * caller's transaction), and returns what the creation's progress event adds to its `after`: `{ responsible }`, or
 * nothing when no person was named. Used by createProject and createTask.
 */
export async function recordResponsibleAtCreation(
  sql: Sql,
  created: { kind: ResponsibleItemKind; key: string; person: PersonValue | null | undefined; viewer: Viewer },
): Promise<{ responsible?: ReturnType<typeof personEventValue> }> {
  const { kind, key, person, viewer } = created;
  if (!person) return {};
  await insertResponsibleChange(sql, { kind, key, person, previousName: null, reason: null, viewer });
  return { responsible: personEventValue(person) };
}
