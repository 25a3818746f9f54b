import { Migration } from '@mikro-orm/migrations';

/**
 * Supervision with a lifecycle (督办闭环, issue 31 item 3).
 *
 * - `supervision_action.stage`: 交办 ASSIGNED → 签收 ACKNOWLEDGED → 办理
 *   IN_PROGRESS → 反馈 RESPONDED → 办结 CLOSED (退回 takes RESPONDED back to
 *   IN_PROGRESS). Actions answered before this migration are RESPONDED.
 * - `supervision_transition`: one row per step, dated (`on_date`, the day it
 *   happened) and by whom, append-only. Existing actions get their 交办 row
 *   (and their 反馈 row when answered) from the columns they carry.
 * - `supervision_outcome`: 问责 — what a supervision led to (约谈, 通报批评 …),
 *   against whom (an account where one exists, else a named person), when
 *   decided, with a note.
 */
export class Migration20261207230000_supervision_lifecycle extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table supervision_action add column stage text not null default 'ASSIGNED'
      check (stage in ('ASSIGNED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'RESPONDED', 'CLOSED'))`);
    this.addSql(`update supervision_action set stage = 'RESPONDED' where response is not null`);
    this.addSql(`create table supervision_transition (
      id bigint generated always as identity primary key,
      action_id bigint not null references supervision_action (id) on delete cascade,
      step text not null check (step in ('ASSIGNED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'RESPONDED', 'RETURNED', 'CLOSED')),
      from_stage text,
      to_stage text not null,
      on_date date not null,
      note text check (note is null or (btrim(note) <> '' and length(note) <= 2000)),
      actor_sub text not null,
      actor_name text not null,
      actor_role text not null,
      recorded_at timestamptz not null default now()
    )`);
    this.addSql('create index supervision_transition_action_idx on supervision_transition (action_id, id)');
    this.addSql(`insert into supervision_transition (action_id, step, from_stage, to_stage, on_date, actor_sub, actor_name, actor_role, recorded_at)
      select id, 'ASSIGNED', null, 'ASSIGNED', issued_on, 'migration', recorded_by, 'COUNTY_ADMIN', created_at from supervision_action order by id`);
    this.addSql(`insert into supervision_transition (action_id, step, from_stage, to_stage, on_date, note, actor_sub, actor_name, actor_role, recorded_at)
      select id, 'RESPONDED', 'ASSIGNED', 'RESPONDED', responded_on, left(response, 2000), 'migration', target_unit, 'TOWNSHIP_OPERATOR', coalesce(responded_at, created_at)
        from supervision_action where response is not null order by id`);
    this.addSql(`create table supervision_outcome (
      id bigint generated always as identity primary key,
      action_id bigint not null references supervision_action (id) on delete cascade,
      area_code text collate "C" not null,
      kind text not null check (kind in ('INTERVIEW', 'CIRCULATED_CRITICISM', 'ORDERED_RECTIFICATION', 'ADMONISHMENT', 'WRITTEN_SELF_CRITICISM', 'DISCIPLINARY_REFERRAL', 'OTHER')),
      account_id bigint references account (id),
      name text not null check (btrim(name) <> '' and length(name) <= 50),
      title text check (title is null or (btrim(title) <> '' and length(title) <= 50)),
      unit text check (unit is null or (btrim(unit) <> '' and length(unit) <= 100)),
      note text check (note is null or (btrim(note) <> '' and length(note) <= 2000)),
      decided_on date not null,
      recorded_by text not null,
      recorded_at timestamptz not null default now()
    )`);
    this.addSql('create index supervision_outcome_action_idx on supervision_outcome (action_id, id)');
    this.addSql('create index supervision_outcome_area_idx on supervision_outcome (area_code, decided_on)');
    this.addSql(`comment on table supervision_transition is '督办流转 — each step of a supervision action (交办、签收、办理、反馈、退回、办结), dated and by whom'`);
    this.addSql(`comment on table supervision_outcome is '问责 — what a supervision action led to, against whom'`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table supervision_outcome');
    this.addSql('drop table supervision_transition');
    this.addSql('alter table supervision_action drop column stage');
  }
}
