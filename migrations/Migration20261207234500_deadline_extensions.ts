import { Migration } from '@mikro-orm/migrations';

/**
 * Deadline extensions (延期申请, issue 31 item 2).
 *
 * `deadline_extension`: one row per request to extend a key task's deadline.
 * PENDING until a COUNTY_ADMIN or LEADER decides it (APPROVED or REFUSED, by
 * whom, when: `decided_at` is the server clock). The task's `deadline` column
 * stays the original; the deadline in force on a date is the last approved
 * extension decided on or before that date, else the original. At most one
 * pending request per item (partial unique index). `item_id` is the item's id
 * in its own table (no foreign key: the table depends on `item_kind`).
 */
export class Migration20261207234500_deadline_extensions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table deadline_extension (
      id bigint generated always as identity primary key,
      item_kind text not null check (item_kind in ('TASK')),
      item_id bigint not null,
      previous_deadline date not null,
      requested_deadline date not null check (requested_deadline > previous_deadline),
      reason text not null check (btrim(reason) <> '' and length(reason) <= 500),
      state text not null default 'PENDING' check (state in ('PENDING', 'APPROVED', 'REFUSED')),
      requested_by_sub text not null,
      requested_by_name text not null,
      requested_at timestamptz not null default now(),
      decided_by_sub text,
      decided_by_name text,
      decided_at timestamptz,
      note text check (note is null or length(note) <= 500),
      check ((state = 'PENDING') = (decided_at is null))
    )`);
    this.addSql('create index deadline_extension_item_idx on deadline_extension (item_kind, item_id, id)');
    this.addSql(`create unique index deadline_extension_pending_idx on deadline_extension (item_kind, item_id) where state = 'PENDING'`);
    this.addSql(`comment on table deadline_extension is '延期申请 — requests to extend a key task''s deadline, and the leader''s decision'`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table deadline_extension');
  }
}
