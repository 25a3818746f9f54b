import type { MikroORM } from '@mikro-orm/postgresql';
import { log } from '../common/log.js';
import { governanceDemoSeeder as grassrootsDemoSeeder } from '../modules/governance/governance.seed.js';
import { facilitiesAndProjectsDemo } from '../modules/project/project.demo.js';
import { statsDemoSeeder } from '../modules/stats/stats.seed.js';
import { governanceDemoSeeder as workDemoSeeder } from '../modules/task/governance.demo.js';

/**
 * A feature's demo data. `run` is called on every `npm start`, after the areas
 * are loaded: it must check for itself whether its demo data is already there
 * and do nothing then (real reports replace demo data; a restart never
 * duplicates it). Demo rows are marked as such (`source = 'DEMO'`).
 */
export interface DemoSeeder {
  name: string;
  run(orm: MikroORM, countyCode: string): Promise<void>;
}

/** Every feature's seeder, in dependency order. Features add one line each. */
export const demoSeeders: DemoSeeder[] = [];
demoSeeders.push(statsDemoSeeder, facilitiesAndProjectsDemo, workDemoSeeder, grassrootsDemoSeeder);

export async function seedDemo(orm: MikroORM, countyCode: string): Promise<void> {
  for (const seeder of demoSeeders) {
    const started = Date.now();
    await seeder.run(orm, countyCode);
    log.debug({ seeder: seeder.name, ms: Date.now() - started }, 'demo seeder done');
  }
}
