import { Migration } from '@mikro-orm/migrations';

/**
 * Deadline extensions of rectifications, and the decision's business date (issue 31 item 2).
 *
 * - `deadline_extension.item_kind` may also be 'RECTIFICATION' (`item_id` is then a
 *   `rectification.id`); a rectification's `deadline` column stays the original, as a task's.
 * - `decided_on`: 审批日期, the day the decision was made (a business date, China time). An
 *   approved deadline is in force from that day; it defaults to the day it was recorded
 *   (`decided_at`, the server clock) and may be given earlier (a decision made on paper and
 *   entered later, 补录), never before the request was made. Existing decisions get the day
 *   of `decided_at`, so nothing already decided changes.
 */
export class Migration20261208001500_rectification_extensions extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table deadline_extension drop constraint deadline_extension_item_kind_check');
    this.addSql(`alter table deadline_extension add constraint deadline_extension_item_kind_check check (item_kind in ('TASK', 'RECTIFICATION'))`);
    this.addSql('alter table deadline_extension add column decided_on date');
    this.addSql(`update deadline_extension set decided_on = (decided_at at time zone 'Asia/Shanghai')::date where decided_at is not null`);
    this.addSql(`alter table deadline_extension add constraint deadline_extension_decided_on_check check ((state = 'PENDING') = (decided_on is null))`);
    this.addSql(`comment on table deadline_extension is '延期申请 — requests to extend a key task''s or a rectification''s deadline, and the leader''s decision'`);
  }

  override async down(): Promise<void> {
    this.addSql(`delete from deadline_extension where item_kind = 'RECTIFICATION'`);
    this.addSql('alter table deadline_extension drop constraint deadline_extension_decided_on_check');
    this.addSql('alter table deadline_extension drop column decided_on');
    this.addSql('alter table deadline_extension drop constraint deadline_extension_item_kind_check');
    this.addSql(`alter table deadline_extension add constraint deadline_extension_item_kind_check check (item_kind in ('TASK'))`);
  }
}
