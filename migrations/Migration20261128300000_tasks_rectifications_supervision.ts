import { Migration } from '@mikro-orm/migrations';

/**
 * Key tasks (重点工作) with per-area assignments and their dated progress
 * history; audit rectifications (审计整改) with their transition and 回头看
 * history; supervision actions (督办) against any Node. Health and overdue flags
 * are derived from the dated histories, never stored, so any past date is
 * reproducible.
 */
export class Migration20261128300000_tasks_rectifications_supervision extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table task (
        id bigint generated always as identity primary key,
        title text not null check (title <> ''),
        category text not null check (category in ('TWO_REFORMS_FOLLOW_UP', 'ELDERLY_CARE', 'MINOR_PROTECTION', 'SOCIAL_ASSISTANCE', 'SOCIAL_AFFAIRS', 'SOCIAL_GOVERNANCE')),
        area_code text collate "C" not null references area (code),
        owner_section text not null check (owner_section <> ''),
        target integer not null check (target > 0),
        unit text not null check (unit <> ''),
        start_date date not null,
        deadline date not null check (deadline >= start_date),
        source text not null default 'API',
        version integer not null default 1,
        created_at timestamptz not null default now()
      )`);
    this.addSql('create index task_area_idx on task (area_code, id)');
    this.addSql(`
      create table task_assignment (
        id bigint generated always as identity primary key,
        task_id bigint not null references task (id),
        area_code text collate "C" not null references area (code),
        target integer not null check (target > 0),
        done integer not null default 0 check (done >= 0),
        version integer not null default 1,
        unique (task_id, area_code)
      )`);
    this.addSql('create index task_assignment_area_idx on task_assignment (area_code, task_id)');
    this.addSql(`
      create table task_progress (
        id bigint generated always as identity primary key,
        assignment_id bigint not null references task_assignment (id),
        task_id bigint not null references task (id),
        as_of date not null,
        done integer not null check (done >= 0),
        note text,
        recorded_by text not null,
        recorded_at timestamptz not null default now()
      )`);
    this.addSql('create index task_progress_assignment_idx on task_progress (assignment_id, as_of, id)');
    this.addSql('create index task_progress_task_idx on task_progress (task_id, as_of)');

    this.addSql(`
      create table rectification (
        id bigint generated always as identity primary key,
        finding text not null check (finding <> ''),
        area_code text collate "C" not null references area (code),
        category text not null,
        responsible_person text not null check (responsible_person <> ''),
        deadline date not null,
        opened_on date not null check (deadline >= opened_on),
        status text not null default 'OPEN' check (status in ('OPEN', 'RECTIFYING', 'RECTIFIED', 'CLOSED')),
        status_since date not null,
        verifier text,
        closing_note text,
        source text not null default 'API',
        version integer not null default 1,
        created_at timestamptz not null default now(),
        check (status <> 'CLOSED' or (verifier is not null and closing_note is not null and verifier <> responsible_person))
      )`);
    this.addSql('create index rectification_area_idx on rectification (area_code, id)');
    this.addSql(`
      create table rectification_transition (
        id bigint generated always as identity primary key,
        rectification_id bigint not null references rectification (id),
        from_status text,
        to_status text not null,
        on_date date not null,
        note text,
        actor_sub text not null,
        actor_name text not null,
        occurred_at timestamptz not null default now()
      )`);
    this.addSql('create index rectification_transition_idx on rectification_transition (rectification_id, on_date, id)');
    this.addSql(`
      create table rectification_review (
        id bigint generated always as identity primary key,
        rectification_id bigint not null references rectification (id),
        reviewed_on date not null,
        reviewer text not null check (reviewer <> ''),
        recurred boolean not null,
        note text,
        recorded_at timestamptz not null default now()
      )`);
    this.addSql('create index rectification_review_idx on rectification_review (rectification_id, reviewed_on, id)');

    this.addSql(`
      create table supervision_action (
        id bigint generated always as identity primary key,
        target_kind text not null,
        target_key text not null,
        target_id text not null,
        target_label text not null,
        area_code text collate "C" not null references area (code),
        kind text not null check (kind in ('LISTED_SUPERVISION', 'WARNING_INTERVIEW', 'CIRCULATED_NOTICE', 'UNANNOUNCED_INSPECTION', 'SUPERVISION_LETTERS')),
        issued_on date not null,
        issuer text not null check (issuer <> ''),
        target_unit text not null check (target_unit <> ''),
        response_due date not null check (response_due >= issued_on),
        response text,
        responded_on date,
        source text not null default 'API',
        version integer not null default 1,
        created_at timestamptz not null default now()
      )`);
    this.addSql('create index supervision_action_area_idx on supervision_action (area_code, id)');
    this.addSql('create index supervision_action_target_idx on supervision_action (target_id, issued_on)');
    this.addSql(`comment on table task is '重点工作 — key tasks with a target, a deadline and per-area assignments'`);
    this.addSql(`comment on table rectification is '审计整改 — audit findings under rectification'`);
    this.addSql(`comment on table supervision_action is '督办 — supervision actions against a task, project or rectification'`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table supervision_action, rectification_review, rectification_transition, rectification, task_progress, task_assignment, task');
  }
}
