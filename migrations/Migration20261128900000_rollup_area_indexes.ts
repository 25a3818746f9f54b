import { Migration } from '@mikro-orm/migrations';

/**
 * Indexes for roll-ups at national scale. Almost every area is undated (imported,
 * never created or retired by a change): counting a subtree's expected reporting
 * areas is then an index-only range count on the undated ones plus a look at the
 * few dated ones, which a small partial index holds. The same small index finds
 * the areas retired before a period's end, which a stock leaves out.
 *
 * A month's roll-up reads one month of a subtree: with years of history per
 * area, `observation_rollup_idx (indicator, area_code, period_month)` would
 * step over every other month of every area; the month-first index is one
 * tight range.
 */
export class Migration20261128900000_rollup_area_indexes extends Migration {
  override async up(): Promise<void> {
    this.addSql('create index area_undated_level_code_idx on area (level, code) where valid_from is null and valid_to is null');
    this.addSql('create index observation_month_idx on observation (indicator, period_month, area_code) include (value, source)');
    this.addSql('create index area_dated_code_idx on area (code) include (level, valid_from, valid_to) where valid_from is not null or valid_to is not null');
  }

  override async down(): Promise<void> {
    this.addSql('drop index area_dated_code_idx');
    this.addSql('drop index area_undated_level_code_idx');
    this.addSql('drop index observation_month_idx');
  }
}
