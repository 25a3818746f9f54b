import { Migration } from '@mikro-orm/migrations';

/**
 * The area hierarchy. The code is the key and, in C collation, a subtree is a
 * range scan on it; `(parent_code, code)` serves children in code order and
 * `(level, code)` serves "all villages below X".
 */
export class Migration20261127000000_areas extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table area (
        code text collate "C" primary key check (code ~ '^[0-9]{12}$'),
        name text not null check (name <> ''),
        level text not null check (level in ('PROVINCE', 'CITY', 'COUNTY', 'TOWNSHIP', 'VILLAGE')),
        kind text check (kind in ('SUBDISTRICT', 'TOWN', 'TOWNSHIP', 'COMMUNITY', 'VILLAGE', 'OTHER')),
        parent_code text collate "C" references area (code),
        valid_from date,
        valid_to date,
        successor_code text collate "C" references area (code),
        source text not null,
        imported_at timestamptz not null default now(),
        check (valid_to is null or valid_from is null or valid_to >= valid_from),
        check (successor_code is null or valid_to is not null),
        check (parent_code is null or parent_code < code)
      )`);
    this.addSql('create index area_parent_code_idx on area (parent_code, code) include (name, level, kind)');
    this.addSql('create index area_level_code_idx on area (level, code)');
    this.addSql(`comment on table area is '行政区划 — administrative areas keyed by the 12-digit statistical division code'`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table area');
  }
}
