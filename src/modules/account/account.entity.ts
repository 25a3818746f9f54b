import { Field, ID, Int, ObjectType } from 'type-graphql';
import { toGlobalId } from '../../common/global-id.js';
import { Node } from '../../common/node.js';
import { Role } from '../../auth/auth.rules.js';

/**
 * 账号 — a person who signs in (登录) with a login and a password. A county admin
 * creates, edits and disables the accounts of their county; the password is
 * stored only hashed. Disabled accounts stay (the audit log names them).
 */
@ObjectType('Account', { implements: Node, description: '账号 — a person who signs in (登录) with a login and a password; created by a county admin.' })
export class Account {
  @Field(() => ID, { description: 'Global ID (Relay).' })
  get id(): string {
    return toGlobalId('Account', this.key);
  }

  /** Database id (decimal digits). */
  key!: string;

  @Field({ description: '登录名 — login: 3–32 lower-case letters, digits, `.`, `_` or `-`; unique.' })
  login!: string;

  @Field({ description: '姓名 — display name.' })
  displayName!: string;

  @Field(() => Role, { description: '角色 — role; the access tokens of the account carry it.' })
  role!: Role;

  /** 12-digit code of the account's area. */
  areaCode!: string;

  @Field(() => String, { nullable: true, description: '股室 — section, for SECTION_STAFF; null otherwise.' })
  section!: string | null;

  @Field(() => String, { nullable: true, description: '电话 — phone, optional.' })
  phone!: string | null;

  @Field({ description: '已停用 — disabled: cannot sign in; its sessions were revoked when it was disabled.' })
  disabled!: boolean;

  @Field({
    description:
      '须改密码 — the password was set by an admin (createAccount, resetAccountPassword): until changePassword, its access tokens open only me, viewer, the public area reads, changePassword and signing out (FORBIDDEN otherwise); refreshSession then gives a token without the restriction.',
  })
  mustChangePassword!: boolean;

  @Field(() => Int, { description: 'Version for optimistic concurrency (updateAccount).' })
  version!: number;

  @Field({ description: '创建时间 — when the account was created.' })
  createdAt!: Date;

  @Field({ description: '更新时间 — when the account was last changed.' })
  updatedAt!: Date;

  @Field(() => Date, { nullable: true, description: '最近登录 — last successful sign-in; null when never signed in.' })
  lastSignInAt!: Date | null;
}

/** Row shape of `account` (without the password hash, which only the session service reads). */
export interface AccountRow {
  id: string;
  login: string;
  display_name: string;
  /** A role this server may not know (a newer one, written by a newer version). */
  role: string;
  area_code: string;
  section: string | null;
  phone: string | null;
  disabled: boolean;
  must_change_password: boolean;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
  last_sign_in_at: Date | string | null;
}

export const ACCOUNT_COLUMNS =
  'id::text as id, login, display_name, role, area_code, section, phone, disabled, must_change_password, version, created_at, updated_at, last_sign_in_at';

export function accountFromRow(row: AccountRow): Account {
  const account = new Account();
  account.key = row.id;
  account.login = row.login;
  account.displayName = row.display_name;
  account.role = row.role as Role;
  account.areaCode = row.area_code;
  account.section = row.section;
  account.phone = row.phone;
  account.disabled = row.disabled;
  account.mustChangePassword = row.must_change_password;
  account.version = row.version;
  account.createdAt = new Date(row.created_at);
  account.updatedAt = new Date(row.updated_at);
  account.lastSignInAt = row.last_sign_in_at === null ? null : new Date(row.last_sign_in_at);
  return account;
}
