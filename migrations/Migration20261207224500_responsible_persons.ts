import { Migration } from '@mikro-orm/migrations';

/**
 * Responsible persons (责任到人, issue 31 item 1).
 *
 * `responsible_change`: one row each time the person responsible for a key
 * task, an assignment, a project or a rectification is set or changed,
 * append-only. The item's responsible person is its latest row; the rows are
 * its history (who changed it, when, why). The person is an account where one
 * exists (`account_id`, with its name and unit as they were then) or a named
 * person with 职务 and 单位. `item_id` is the item's id in its own table (no
 * foreign key: the table depends on `item_kind`). `previous_name` keeps, on an
 * item's first row, the name it carried before (a rectification's
 * `responsible_person` text, set at its registration).
 */
export class Migration20261207224500_responsible_persons extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table responsible_change (
      id bigint generated always as identity primary key,
      item_kind text not null check (item_kind in ('TASK', 'TASK_ASSIGNMENT', 'PROJECT', 'RECTIFICATION')),
      item_id bigint not null,
      account_id bigint references account (id),
      name text not null check (btrim(name) <> '' and length(name) <= 50),
      title text check (title is null or (btrim(title) <> '' and length(title) <= 50)),
      unit text check (unit is null or (btrim(unit) <> '' and length(unit) <= 100)),
      previous_name text,
      reason text check (reason is null or (btrim(reason) <> '' and length(reason) <= 500)),
      changed_by_sub text not null,
      changed_by_name text not null,
      changed_at timestamptz not null default now()
    )`);
    this.addSql('create index responsible_change_item_idx on responsible_change (item_kind, item_id, id)');
    this.addSql('create index responsible_change_account_idx on responsible_change (account_id) where account_id is not null');
    this.addSql('create index responsible_change_name_idx on responsible_change (name)');
    this.addSql(`comment on table responsible_change is '责任人变更 — who is responsible for a task, assignment, project or rectification, and every change of it'`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table responsible_change');
  }
}
