import { Migration } from '@mikro-orm/migrations';

/**
 * Two times on every entry (issue 28, item 3): every dated entry keeps when it
 * happened (its business date) and when it was recorded (the server's clock).
 * Most tables already record it (`recorded_at`, `created_at`, `changed_at`,
 * `occurred_at`); what was missing is the supervision response, written onto
 * the action row later, and who recorded a supervision action.
 *
 * - `supervision_action.recorded_by`: who issued it in civgraph (existing rows:
 *   the actor of its CREATED progress event, else the issuing unit).
 * - `supervision_action.responded_at`: when the response was recorded (existing
 *   answered rows: the time of the last progress event of the action after its
 *   creation, else its creation time).
 * - indexes for the "as known at" reads, which bound each history by its
 *   recorded time.
 */
export class Migration20261207210000_recorded_times extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table supervision_action add column recorded_by text, add column responded_at timestamptz`);
    this.addSql(`update supervision_action s
        set recorded_by = coalesce(
              (select p.actor_name from progress_update p
                where p.subject_kind = 'SUPERVISION' and p.action = 'CREATED'
                  and p.subject_id = translate(rtrim(encode(convert_to('SupervisionAction:' || s.id, 'UTF8'), 'base64'), '='), '+/', '-_')
                order by p.sequence limit 1),
              s.issuer),
            responded_at = case when s.responded_on is null then null else coalesce(
              (select max(p.occurred_at) from progress_update p
                where p.subject_kind = 'SUPERVISION' and p.action = 'UPDATED'
                  and p.subject_id = translate(rtrim(encode(convert_to('SupervisionAction:' || s.id, 'UTF8'), 'base64'), '='), '+/', '-_')),
              s.created_at) end`);
    this.addSql(`alter table supervision_action alter column recorded_by set not null`);
    this.addSql(`comment on column supervision_action.created_at is '录入时间 — when the action was recorded (server clock)'`);
    this.addSql(`comment on column supervision_action.responded_at is '回复录入时间 — when the response was recorded (server clock)'`);
    this.addSql('create index task_progress_recorded_idx on task_progress (recorded_at)');
  }

  override async down(): Promise<void> {
    this.addSql('drop index task_progress_recorded_idx');
    this.addSql('alter table supervision_action drop column recorded_by, drop column responded_at');
  }
}
