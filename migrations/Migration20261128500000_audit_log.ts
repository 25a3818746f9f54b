import { Migration } from '@mikro-orm/migrations';

/**
 * Who called which mutation, with what (secrets redacted), and how it ended.
 * Written in a statement of its own after the mutation finished, so refused,
 * failed and rolled-back mutations are recorded too. Rows are never updated.
 */
export class Migration20261128500000_audit_log extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table audit_log (
        id bigint generated always as identity primary key,
        occurred_at timestamptz not null,
        duration_ms integer not null,
        actor_sub text,
        actor_name text,
        actor_role text,
        actor_area_code text collate "C",
        operation_name text,
        mutation text not null,
        args jsonb not null,
        outcome text not null check (outcome in ('OK', 'USER_ERRORS', 'ERROR')),
        error_codes text[] not null default '{}',
        request_id text
      )`);
    this.addSql('create index audit_log_area_idx on audit_log (actor_area_code, id)');
    this.addSql(`comment on table audit_log is 'Audit trail of every mutation (审计日志): caller, redacted arguments, outcome, time'`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table audit_log');
  }
}
