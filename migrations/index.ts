import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261127000000_areas } from './Migration20261127000000_areas.js';
import { Migration20261127010000_progress_updates } from './Migration20261127010000_progress_updates.js';
import { Migration20261128600000_governance } from './Migration20261128600000_governance.js';

/**
 * Every migration, in order. Listed explicitly so the same list runs from
 * TypeScript sources (tests) and from compiled output (`npm start`).
 * A landed migration is never edited: add a new one.
 */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261127000000_areas', class: Migration20261127000000_areas },
  { name: 'Migration20261127010000_progress_updates', class: Migration20261127010000_progress_updates },
  { name: 'Migration20261128600000_governance', class: Migration20261128600000_governance },
];
