import { Migration } from '@mikro-orm/migrations';

/**
 * Accounts and sessions (账号/登录, issue 29 items 1 and 2).
 *
 * - `account`: a person who signs in with a login and a password. The password
 *   is stored only as a scrypt hash with its parameters (`scrypt$N$r$p$salt$hash`).
 *   Disabled accounts stay (the audit log names them).
 * - `account_session`: one sign-in (its id is the access tokens' `sid` claim).
 *   Revoked by sign-out, sign-out-everywhere, an admin, disabling the account,
 *   or the reuse of a spent refresh token; servers poll `revoked_at` to refuse
 *   the session's access tokens and close its streams.
 * - `account_refresh_token`: the session's refresh tokens, stored only as
 *   SHA-256 hashes; each is spent by one refresh (rotation).
 */
export class Migration20261207214500_accounts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table account (
      id bigint generated always as identity primary key,
      login text collate "C" not null unique check (login ~ '^[a-z0-9][a-z0-9._-]{2,31}$'),
      display_name text not null check (btrim(display_name) <> '' and length(display_name) <= 50),
      role text not null check (role in ('COUNTY_ADMIN', 'LEADER', 'SECTION_STAFF', 'TOWNSHIP_OPERATOR', 'VILLAGE_OPERATOR', 'VIEWER')),
      area_code text collate "C" not null references area (code),
      section text check (section is null or btrim(section) <> ''),
      phone text check (phone is null or phone ~ '^[0-9+ -]{5,20}$'),
      password_hash text not null check (password_hash like 'scrypt$%'),
      must_change_password boolean not null default false,
      disabled boolean not null default false,
      version int not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      last_sign_in_at timestamptz,
      created_by text not null
    )`);
    this.addSql('create index account_area_idx on account (area_code, id)');
    this.addSql(`create table account_session (
      id uuid primary key,
      account_id bigint not null references account (id),
      created_at timestamptz not null default now(),
      last_refreshed_at timestamptz not null default now(),
      expires_at timestamptz not null,
      revoked_at timestamptz,
      revoked_reason text check (revoked_reason in ('SIGNED_OUT', 'SIGNED_OUT_EVERYWHERE', 'REVOKED_BY_ADMIN', 'ACCOUNT_DISABLED', 'ACCOUNT_CHANGED', 'PASSWORD_CHANGED', 'REFRESH_REUSED')),
      address text,
      check ((revoked_at is null) = (revoked_reason is null))
    )`);
    this.addSql('create index account_session_account_idx on account_session (account_id) where revoked_at is null');
    this.addSql('create index account_session_revoked_idx on account_session (revoked_at) where revoked_at is not null');
    this.addSql(`create table account_refresh_token (
      token_hash bytea primary key check (length(token_hash) = 32),
      session_id uuid not null references account_session (id),
      issued_at timestamptz not null default now(),
      expires_at timestamptz not null,
      spent_at timestamptz
    )`);
    this.addSql('create index account_refresh_token_session_idx on account_refresh_token (session_id)');
    this.addSql(`comment on table account is '账号 — people who sign in; passwords stored only as scrypt hashes'`);
    this.addSql(`comment on table account_session is '登录会话 — one sign-in; its id is the access tokens'' sid claim'`);
    this.addSql(`comment on table account_refresh_token is 'Refresh tokens of a session, SHA-256 hashed, each spent by one refresh'`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table account_refresh_token');
    this.addSql('drop table account_session');
    this.addSql('drop table account');
  }
}
