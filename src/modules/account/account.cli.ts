import type { MikroORM } from '@mikro-orm/postgresql';
import { sqlFor } from '../../db/sql.js';
import { systemViewer } from '../../auth/auth.rules.js';
import { AuditOutcome } from '../audit/audit.rules.js';
import { auditService } from '../audit/audit.service.js';
import { ACCOUNT_COLUMNS, accountFromRow, type Account, type AccountRow } from './account.entity.js';
import { hashPassword, LOGIN_PATTERN, LOGIN_RULE, normalizeLogin, passwordProblem } from './account.rules.js';

/** Why `create-admin` refused: a message for the operator, nothing written. */
export class CreateAdminRefused extends Error {}

/**
 * `civgraph create-admin`: a COUNTY_ADMIN account for a county (the first
 * admin, who then creates the others through the API). The password comes from
 * the environment or stdin, never the command line. Audited as
 * `cli.createAdmin`, in the transaction that creates the account.
 */
export async function createAdmin(orm: MikroORM, input: { login: string; name: string; area: string; password: string }): Promise<Account> {
  const login = normalizeLogin(input.login);
  if (!LOGIN_PATTERN.test(login)) throw new CreateAdminRefused(`--login: ${LOGIN_RULE}`);
  const name = input.name.trim();
  if (!name || name.length > 50) throw new CreateAdminRefused('--name: 姓名须为 1–50 个字符');
  const weak = passwordProblem(input.password);
  if (weak) throw new CreateAdminRefused(`password: ${weak}`);
  const area = input.area.trim();
  if (!/^\d{6}(000000)?$/.test(area)) throw new CreateAdminRefused(`--area: a county code of 6 digits, got "${input.area}"`);
  const code = area.slice(0, 6).padEnd(12, '0');
  const hash = await hashPassword(input.password);
  return orm.em.fork().transactional(async (em) => {
    const sql = sqlFor(em);
    const [known] = await sql<{ level: string }>('select level from area where code = ?', [code]);
    if (!known || known.level !== 'COUNTY')
      throw new CreateAdminRefused(`--area: ${area} is not a county of this database (import it first: import-areas --county ${area})`);
    const [row] = await sql<AccountRow>(
      `insert into account (login, display_name, role, area_code, password_hash, created_by)
       values (?, ?, 'COUNTY_ADMIN', ?, ?, 'cli') on conflict (login) do nothing returning ${ACCOUNT_COLUMNS}`,
      [login, name, code, hash],
    );
    if (!row) throw new CreateAdminRefused(`--login: 登录名「${login}」已被使用`);
    await auditService.write(sql, {
      startedAt: new Date(),
      durationMs: 0,
      viewer: systemViewer(code),
      operationName: null,
      mutation: 'cli.createAdmin',
      args: { login, name, area: code },
      outcome: AuditOutcome.OK,
      errorCodes: [],
      requestId: null,
    });
    return accountFromRow(row);
  });
}

/** How many accounts the database holds (the start-up banner tells how to create the first). */
export async function accountCount(orm: MikroORM): Promise<number> {
  const [row] = await sqlFor(orm.em.fork())<{ n: number }>('select count(*)::int as n from account');
  return row.n;
}
