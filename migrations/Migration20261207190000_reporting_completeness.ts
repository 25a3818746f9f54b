import { Migration } from '@mikro-orm/migrations';

/**
 * Approval knows completeness (issue 28, item 5).
 *
 * - `reporting_completeness_setting`: per county, the 上报完整率 a township must
 *   reach to submit a period without a 缺报说明 for each missing village
 *   (0–100 %; no row means 100 %: every missing village needs a reason).
 * - `reporting_missing_reason`: the villages missing when a township submitted a
 *   period (a snapshot, replaced by each submission), each with its reason (null
 *   when the county's threshold allowed it without one).
 * - `reporting_approval`: who submitted, when, and the counts at that moment.
 */
export class Migration20261207190000_reporting_completeness extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table reporting_completeness_setting (
      county_code text collate "C" primary key references area (code),
      min_reported_percent int not null check (min_reported_percent between 0 and 100),
      version int not null default 1,
      updated_at timestamptz not null default now(),
      updated_by text not null
    )`);
    this.addSql(`alter table reporting_approval
      add column submitted_at timestamptz,
      add column submitted_by text,
      add column submitted_by_name text,
      add column submitted_by_role text,
      add column submitted_expected int,
      add column submitted_reported int`);
    this.addSql(`create table reporting_missing_reason (
      area_code text collate "C" not null,
      period text not null,
      village_code text collate "C" not null references area (code),
      reason text check (reason is null or (length(btrim(reason)) between 1 and 200)),
      primary key (area_code, period, village_code),
      foreign key (area_code, period) references reporting_approval (area_code, period) on delete cascade
    )`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table reporting_missing_reason');
    this.addSql(`alter table reporting_approval drop column submitted_at, drop column submitted_by, drop column submitted_by_name,
      drop column submitted_by_role, drop column submitted_expected, drop column submitted_reported`);
    this.addSql('drop table reporting_completeness_setting');
  }
}
