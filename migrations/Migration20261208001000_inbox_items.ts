import { Migration } from '@mikro-orm/migrations';

/**
 * The inbox (待办/提醒, issue 31 item 4).
 *
 * `inbox_item`: one reminder for one account (`recipient_sub`, the `sub` of its
 * access tokens: `account:<id>`, or whatever subject a token carries): what it
 * is (`kind`), what it is about (`subject_type` and `subject_key`, the subject's
 * GraphQL type and key, and its area), a title, a Chinese summary, the due date
 * where one applies, when it was made and when its recipient read it.
 * `dedupe_key` is unique: generating an item twice (a sweep run again, two
 * servers following the same event) inserts it once.
 *
 * `inbox_cursor`: how far the event follower has read the progress stream. It
 * starts at the stream's head, so a database migrated with history gets no
 * reminders for changes made before the inbox existed.
 */
export class Migration20261208001000_inbox_items extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table inbox_item (
      id bigint generated always as identity primary key,
      recipient_sub text not null,
      kind text not null check (kind in ('ASSIGNED', 'DUE_SOON', 'OVERDUE', 'TURNED_LAGGING', 'EXTENSION_REQUESTED', 'EXTENSION_DECIDED')),
      subject_type text not null,
      subject_key text not null,
      area_code text collate "C" not null,
      title text not null check (btrim(title) <> ''),
      summary text not null check (btrim(summary) <> ''),
      due_date date,
      event_sequence bigint,
      dedupe_key text not null unique,
      created_at timestamptz not null default now(),
      read_at timestamptz
    )`);
    this.addSql('create index inbox_item_recipient_idx on inbox_item (recipient_sub, id)');
    this.addSql('create index inbox_item_unread_idx on inbox_item (recipient_sub, id) where read_at is null');
    this.addSql(`create table inbox_cursor (
      name text primary key,
      sequence bigint not null
    )`);
    this.addSql(`insert into inbox_cursor (name, sequence) select 'events', coalesce((select value from event_sequence), 0)`);
    this.addSql(`comment on table inbox_item is '待办/提醒 — one reminder for one account: assigned to you, due soon, overdue, turned lagging, extension requested or decided'`);
    this.addSql(`comment on table inbox_cursor is 'How far the inbox''s event follower has read the progress stream'`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table inbox_cursor');
    this.addSql('drop table inbox_item');
  }
}
