import { Migration } from '@mikro-orm/migrations';

/**
 * Reminders in the progress stream (提醒, issue 31 item 4).
 *
 * `progress_alert`: one row per date-driven notice the inbox's sweep has appended to the
 * progress stream (an ALERTED event): a subject turned lagging, overdue, due within three
 * days, or its supervision response due or overdue. `dedupe_key` (state, subject, its part,
 * the deadline in force) is the primary key, so a second sweep, or a sweep on another
 * server, appends no second event; an approved extension (a new deadline in force) makes
 * the notice due again.
 */
export class Migration20261208010000_progress_alerts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table progress_alert (
      dedupe_key text primary key,
      subject_kind text not null,
      subject_id text not null,
      created_at timestamptz not null default now()
    )`);
    this.addSql(`comment on table progress_alert is '提醒 — the date-driven notices appended to the progress stream, once each (state, subject, deadline in force)'`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table progress_alert');
  }
}
