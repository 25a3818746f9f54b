import { Migration } from '@mikro-orm/migrations';

/**
 * Grassroots governance (社会治理): village self-governance bodies (红白理事会,
 * 议事会) with their meetings, demonstration programmes (示范创建) with enrolled
 * areas and evidence notes, and village-affairs openness (村务公开): a
 * configurable checklist and per village × quarter one entry per item.
 * Every table that points at an area is indexed by `(area_code, …)` so subtree
 * roll-ups are range scans.
 */
export class Migration20261128600000_governance extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table governance_body (
        id bigserial primary key,
        area_code text collate "C" not null references area (code),
        body_type text not null check (body_type in ('WEDDINGS_FUNERALS_COUNCIL', 'DELIBERATION_COUNCIL')),
        established_on date not null,
        chair text,
        charter_adopted boolean not null default false,
        members jsonb not null default '[]'::jsonb check (jsonb_typeof(members) = 'array'),
        source text not null default 'USER',
        version int not null default 1 check (version >= 1),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (area_code, body_type)
      )`);
    this.addSql('create index governance_body_type_area_idx on governance_body (body_type, area_code)');
    this.addSql(`comment on table governance_body is '基层自治组织 — a village''s 红白理事会 or 议(说)事会; at most one of each type per village'`);
    this.addSql(`
      create table governance_meeting (
        id bigserial primary key,
        body_id bigint not null references governance_body (id),
        held_on date not null,
        topic text not null check (topic <> ''),
        attendance int not null check (attendance >= 0),
        recorded_by text not null,
        created_at timestamptz not null default now()
      )`);
    this.addSql('create index governance_meeting_body_idx on governance_meeting (body_id, held_on, id)');
    this.addSql(`comment on table governance_meeting is '会议记录 — append-only log of a self-governance body''s meetings'`);

    this.addSql(`
      create table demonstration_programme (
        id bigserial primary key,
        area_code text collate "C" not null references area (code),
        scope_lo text collate "C" not null,
        scope_hi text collate "C" not null,
        name text not null check (name <> ''),
        level text not null check (level in ('COUNTY', 'CITY', 'PROVINCE')),
        year int not null check (year between 2000 and 2100),
        description text,
        source text not null default 'USER',
        version int not null default 1 check (version >= 1),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (area_code, name, year),
        check (area_code between scope_lo and scope_hi)
      )`);
    this.addSql(`comment on table demonstration_programme is '示范创建 — a programme as the bureau of area_code runs it; visible to and enrolling only areas in [scope_lo, scope_hi]'`);
    this.addSql(`
      create table demonstration_enrolment (
        id bigserial primary key,
        programme_id bigint not null references demonstration_programme (id),
        area_code text collate "C" not null references area (code),
        status text not null check (status in ('APPLIED', 'CREATING', 'ASSESSED', 'AWARDED', 'DROPPED')),
        source text not null default 'USER',
        version int not null default 1 check (version >= 1),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (programme_id, area_code)
      )`);
    this.addSql('create index demonstration_enrolment_area_idx on demonstration_enrolment (area_code, programme_id)');
    this.addSql(`
      create table demonstration_evidence (
        id bigserial primary key,
        enrolment_id bigint not null references demonstration_enrolment (id),
        note text not null check (note <> ''),
        recorded_by text not null,
        created_at timestamptz not null default now()
      )`);
    this.addSql('create index demonstration_evidence_enrolment_idx on demonstration_evidence (enrolment_id, id)');
    this.addSql(`comment on table demonstration_evidence is '创建佐证 — append-only evidence notes of an enrolment'`);

    this.addSql(`
      create table openness_item (
        code text collate "C" primary key check (code ~ '^[A-Z][A-Z0-9_]{1,39}$'),
        name text not null check (name <> ''),
        description text,
        active boolean not null default true,
        position int not null default 0,
        version int not null default 1 check (version >= 1),
        updated_at timestamptz not null default now()
      )`);
    this.addSql(`insert into openness_item (code, name, description, position) values
      ('FINANCES', '财务收支', '村级财务收支情况', 10),
      ('ASSISTANCE_RECIPIENTS', '救助对象名单', '低保、特困等救助对象名单', 20),
      ('PROJECTS', '项目建设', '村级项目建设及资金使用', 30),
      ('COLLECTIVE_ASSETS', '集体资产', '集体资产、资源管理情况', 40),
      ('SUBSIDIES', '惠农补贴', '各类惠农惠民补贴发放', 50)`);
    this.addSql(`
      create table openness_entry (
        id bigserial primary key,
        area_code text collate "C" not null references area (code),
        quarter text collate "C" not null check (quarter ~ '^[0-9]{4}Q[1-4]$'),
        item_code text collate "C" not null references openness_item (code),
        published boolean not null,
        form text check (form in ('NOTICE_BOARD', 'ONLINE', 'BOTH')),
        published_on date,
        checked_by text,
        source text not null default 'USER',
        version int not null default 1 check (version >= 1),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (area_code, quarter, item_code),
        check (published = (form is not null)),
        check (published = (published_on is not null))
      )`);
    this.addSql('create index openness_entry_quarter_idx on openness_entry (quarter, area_code)');
    this.addSql(`comment on table openness_entry is '村务公开 — per village, quarter and checklist item: published or not, how, when, checked by whom'`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table openness_entry, openness_item, demonstration_evidence, demonstration_enrolment, demonstration_programme, governance_meeting, governance_body');
  }
}
