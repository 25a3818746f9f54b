import { Migration } from '@mikro-orm/migrations';

/**
 * Issued reports are kept (issue 28, item 4): `issueMonthlyReport` (报送) stores
 * what was issued — the Markdown and CSV as rendered, and the canonical JSON of
 * the report they are made from — with who issued it, when, and the SHA-256 of
 * each stored file. One issue per area and month; rows are never updated.
 */
export class Migration20261207220000_issued_monthly_reports extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table issued_monthly_report (
      id bigint generated always as identity primary key,
      area_code text collate "C" not null references area (code),
      month text not null check (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
      issued_at timestamptz not null,
      issued_by_sub text not null,
      issued_by_name text not null,
      issued_by_role text not null,
      markdown bytea not null,
      markdown_sha256 text not null check (markdown_sha256 ~ '^[0-9a-f]{64}$'),
      csv bytea not null,
      csv_sha256 text not null check (csv_sha256 ~ '^[0-9a-f]{64}$'),
      json bytea not null,
      json_sha256 text not null check (json_sha256 ~ '^[0-9a-f]{64}$'),
      item_count int not null,
      unique (area_code, month)
    )`);
    this.addSql(`comment on table issued_monthly_report is '报送 — monthly reports as issued (bytes kept as issued, never updated)'`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table issued_monthly_report');
  }
}
