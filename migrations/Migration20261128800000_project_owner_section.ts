import { Migration } from '@mikro-orm/migrations';

/**
 * 责任股室: a project belongs to a bureau section, as a key task does; its
 * staff (SECTION_STAFF) change only their own section's projects. Existing
 * projects get the section of their line of work (the names the key tasks'
 * demo data uses: 养老服务股, 儿童福利股, 社会救助股, 社会事务股); a county
 * administrator reassigns any that belong elsewhere (updateProject). The
 * backfill is not a change by anyone: no event, no version bump.
 */
export class Migration20261128800000_project_owner_section extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table project add column owner_section text');
    this.addSql(`
      update project set owner_section = case category
        when 'ELDERLY_CARE' then '养老服务股'
        when 'MINOR_PROTECTION' then '儿童福利股'
        when 'SOCIAL_ASSISTANCE' then '社会救助股'
        when 'SOCIAL_AFFAIRS' then '社会事务股'
        when 'SOCIAL_GOVERNANCE' then '基层政权和社区治理股'
        else '办公室'
      end`);
    this.addSql('alter table project alter column owner_section set not null');
    this.addSql(`alter table project add constraint project_owner_section_check check (btrim(owner_section) <> '')`);
    this.addSql(`comment on column project.owner_section is '责任股室 — the bureau section that owns the project (its SECTION_STAFF change it)'`);
  }

  override async down(): Promise<void> {
    this.addSql('alter table project drop column owner_section');
  }
}
