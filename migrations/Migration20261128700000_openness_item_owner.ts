import { Migration } from '@mikro-orm/migrations';

/**
 * 村务公开 checklist items belong to the county that added them: they apply to
 * that county's villages and only its admins change them. Items without an
 * owner are the default checklist that comes with civgraph (changed only by
 * migrations), applying everywhere.
 */
export class Migration20261128700000_openness_item_owner extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table openness_item add column owner_area_code text collate "C" references area (code)');
    this.addSql(`comment on column openness_item.owner_area_code is 'county that added the item (its villages only); null: the default checklist'`);
  }

  override async down(): Promise<void> {
    this.addSql('alter table openness_item drop column owner_area_code');
  }
}
