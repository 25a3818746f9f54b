import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A PostgreSQL URL whose user may create databases; each test file makes its own. */
    adminDatabaseUrl: string;
  }
}

let embedded: EmbeddedDatabase | undefined;

/** One PostgreSQL server for the run: `DATABASE_URL` when set, else an embedded one in a temp folder. */
export async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) {
    project.provide('adminDatabaseUrl', process.env.DATABASE_URL);
    return;
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'civgraph-test-pg-'));
  embedded = await startEmbeddedPostgres({ dataDir, persistent: false });
  project.provide('adminDatabaseUrl', embedded.adminUrl);
}

export async function teardown() {
  await embedded?.stop();
}
