import { Migration } from '@mikro-orm/migrations';

/**
 * Service facilities (服务站点), capital projects (民政项目) and their append-only
 * progress history. Lifecycle and business rules live in the services; the table
 * constraints hold the invariants no code path may break (occupied beds never
 * above beds, an operator for every 公建民营 facility, percent within 0–100).
 */
export class Migration20261128200000_facilities_projects extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table facility (
        id bigint generated always as identity primary key,
        name text not null check (name <> ''),
        type text not null check (type in ('NURSING_HOME', 'REGIONAL_ELDERLY_CARE_CENTER', 'COMMUNITY_ELDERLY_CARE_COMPLEX',
          'DISABLED_ELDERLY_CARE_HOME', 'EXTREME_POVERTY_SUPPORT_FACILITY', 'MINOR_PROTECTION_CENTER',
          'MINOR_PROTECTION_STATION', 'MINOR_PROTECTION_POINT')),
        area_code text collate "C" not null references area (code),
        operating_model text not null check (operating_model in ('PUBLIC', 'PUBLIC_BUILT_PRIVATE_RUN', 'PRIVATE')),
        status text not null check (status in ('PLANNED', 'UNDER_CONSTRUCTION', 'BUILT', 'OPERATING', 'SUSPENDED')),
        beds integer not null default 0 check (beds >= 0),
        occupied_beds integer not null default 0 check (occupied_beds >= 0),
        operator text,
        opened_on date,
        latitude numeric(9, 6) check (latitude between -90 and 90),
        longitude numeric(9, 6) check (longitude between -180 and 180),
        version integer not null default 1 check (version >= 1),
        source text not null default 'USER',
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint facility_occupied_within_beds check (occupied_beds <= beds),
        constraint facility_operator_for_private_run check (operating_model <> 'PUBLIC_BUILT_PRIVATE_RUN' or coalesce(operator, '') <> ''),
        constraint facility_location_pair check ((latitude is null) = (longitude is null))
      )`);
    this.addSql('create index facility_area_idx on facility (area_code, id)');
    this.addSql('create index facility_area_kind_idx on facility (area_code, type, status, operating_model)');
    this.addSql(`comment on table facility is '服务站点 — service facilities (敬老院, 社区养老服务综合体, 未成年人保护站 …) with lifecycle and beds'`);

    this.addSql(`
      create table project (
        id bigint generated always as identity primary key,
        name text not null check (name <> ''),
        category text not null,
        area_code text collate "C" not null references area (code),
        planned_investment numeric(14, 2) not null default 0 check (planned_investment >= 0),
        secured_funding numeric(14, 2) not null default 0 check (secured_funding >= 0),
        lead_official jsonb,
        task_force jsonb not null default '[]'::jsonb check (jsonb_typeof(task_force) = 'array'),
        milestones jsonb not null default '[]'::jsonb check (jsonb_typeof(milestones) = 'array'),
        status text not null check (status in ('PLANNED', 'IN_PROGRESS', 'COMPLETED', 'SUSPENDED')),
        start_date date,
        target_date date,
        facility_id bigint references facility (id),
        progress_percent integer check (progress_percent between 0 and 100),
        progress_as_of date,
        version integer not null default 1 check (version >= 1),
        source text not null default 'USER',
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        check (target_date is null or start_date is null or target_date >= start_date)
      )`);
    this.addSql('create index project_area_idx on project (area_code, id)');
    this.addSql('create index project_facility_idx on project (facility_id) where facility_id is not null');
    this.addSql(`comment on table project is '民政项目 — capital projects: one lead official, one task force, one plan (一项目一牵头领导、一项目一工作专班、一项目一推进方案)'`);

    this.addSql(`
      create table project_progress (
        id bigint generated always as identity primary key,
        project_id bigint not null references project (id),
        percent integer not null check (percent between 0 and 100),
        note text,
        blockers text,
        as_of date not null,
        recorded_by_sub text not null,
        recorded_by_name text not null,
        recorded_by_role text,
        recorded_at timestamptz not null default now()
      )`);
    this.addSql('create index project_progress_project_idx on project_progress (project_id, id)');
    this.addSql(`comment on table project_progress is '项目进度 — append-only progress entries of a project; never updated or deleted'`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table project_progress');
    this.addSql('drop table project');
    this.addSql('drop table facility');
  }
}
