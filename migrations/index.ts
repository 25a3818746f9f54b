import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261127000000_areas } from './Migration20261127000000_areas.js';
import { Migration20261127010000_progress_updates } from './Migration20261127010000_progress_updates.js';
import { Migration20261127020000_area_current_indexes } from './Migration20261127020000_area_current_indexes.js';
import { Migration20261128100000_statistics } from './Migration20261128100000_statistics.js';
import { Migration20261128200000_facilities_projects } from './Migration20261128200000_facilities_projects.js';
import { Migration20261128300000_tasks_rectifications_supervision } from './Migration20261128300000_tasks_rectifications_supervision.js';
import { Migration20261128500000_audit_log } from './Migration20261128500000_audit_log.js';
import { Migration20261128600000_governance } from './Migration20261128600000_governance.js';
import { Migration20261128700000_openness_item_owner } from './Migration20261128700000_openness_item_owner.js';
import { Migration20261128800000_project_owner_section } from './Migration20261128800000_project_owner_section.js';
import { Migration20261128900000_rollup_area_indexes } from './Migration20261128900000_rollup_area_indexes.js';
import { Migration20261205210000_trusted_documents } from './Migration20261205210000_trusted_documents.js';

/**
 * Every migration, in order. Listed explicitly so the same list runs from
 * TypeScript sources (tests) and from compiled output (`npm start`).
 * A landed migration is never edited: add a new one.
 */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261127000000_areas', class: Migration20261127000000_areas },
  { name: 'Migration20261127010000_progress_updates', class: Migration20261127010000_progress_updates },
  { name: 'Migration20261127020000_area_current_indexes', class: Migration20261127020000_area_current_indexes },
  { name: 'Migration20261128100000_statistics', class: Migration20261128100000_statistics },
  { name: 'Migration20261128200000_facilities_projects', class: Migration20261128200000_facilities_projects },
  { name: 'Migration20261128300000_tasks_rectifications_supervision', class: Migration20261128300000_tasks_rectifications_supervision },
  { name: 'Migration20261128500000_audit_log', class: Migration20261128500000_audit_log },
  { name: 'Migration20261128600000_governance', class: Migration20261128600000_governance },
  { name: 'Migration20261128700000_openness_item_owner', class: Migration20261128700000_openness_item_owner },
  { name: 'Migration20261128800000_project_owner_section', class: Migration20261128800000_project_owner_section },
  { name: 'Migration20261128900000_rollup_area_indexes', class: Migration20261128900000_rollup_area_indexes },
  { name: 'Migration20261205210000_trusted_documents', class: Migration20261205210000_trusted_documents },
];
