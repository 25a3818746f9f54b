import { Migration } from '@mikro-orm/migrations';

/**
 * The append-only event stream. `event_sequence` is a one-row counter: taking the
 * next number locks the row until the writing transaction ends, so numbers are
 * handed out in commit order — a reader that has seen N never later finds a
 * newly committed event below N (a serial or a timestamp cannot promise that).
 */
export class Migration20261127010000_progress_updates extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table event_sequence (only_row boolean primary key default true check (only_row), value bigint not null)`);
    this.addSql(`insert into event_sequence (value) values (0)`);
    this.addSql(`
      create table progress_update (
        sequence bigint primary key,
        subject_kind text not null,
        subject_id text not null,
        area_code text collate "C" not null references area (code),
        action text not null,
        actor_sub text not null,
        actor_name text not null,
        actor_role text,
        summary text not null,
        before jsonb,
        after jsonb,
        occurred_at timestamptz not null default now()
      )`);
    this.addSql('create index progress_update_area_idx on progress_update (area_code, sequence)');
    this.addSql('create index progress_update_subject_idx on progress_update (subject_kind, subject_id, sequence)');
    this.addSql('create index progress_update_time_idx on progress_update (occurred_at)');
    this.addSql(`comment on table progress_update is 'Append-only history of every recorded change (进度动态); sequence follows commit order'`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table progress_update');
    this.addSql('drop table event_sequence');
  }
}
