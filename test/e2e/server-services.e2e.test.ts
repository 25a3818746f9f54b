import type { GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose, type Feature, type ServerService } from '../../src/feature.js';
import { features } from '../../src/features.js';
import type { ProgressFeed } from '../../src/modules/progress/progress.rules.js';
import { schemaOf } from '../../src/graphql/schema.js';
import { startServer } from '../../src/server/app.js';
import { progressHubOf } from '../support/app.js';
import { createTestDatabase } from '../support/database.js';
import { eventually } from '../support/progress.js';

// A feature's `services` start with the server, in feature-list order, and stop in reverse once it has drained.
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let schema: GraphQLSchema;
beforeAll(async () => {
  database = await createTestDatabase();
  schema = await schemaOf(compose(features));
});
afterAll(() => database?.drop());

/** LISTEN connections of progress hubs on this file's database (a backend leaves the view a moment after its client ends). */
async function listeners(): Promise<number> {
  const name = new URL(database.url).pathname.slice(1);
  const [{ n }] = await database.orm.em
    .fork()
    .getConnection()
    .execute<{ n: number }[]>(`select count(*)::int as n from pg_stat_activity where application_name = 'civgraph-progress-listener' and datname = ?`, [name]);
  return n;
}

/** A feature with one service that writes what happens to it into `log`. */
function probe(name: string, log: string[], service: Partial<ServerService> = {}): Feature {
  return {
    name,
    services: [
      () => ({
        extensions: {},
        start: async () => void log.push(`start ${name}`),
        stop: async () => void log.push(`stop ${name}`),
        ...service,
      }),
    ],
  };
}

describe('server services', () => {
  it('start in feature-list order before the server listens, and stop in reverse after it has drained', async () => {
    const log: string[] = [];
    let urlWhenStopping = '';
    const civgraph = compose([
      ...features,
      probe('first', log),
      probe('second', log, {
        stop: async () => {
          log.push('stop second');
          // The transports have drained: the server no longer accepts; the progress hub (listed earlier) still runs.
          log.push(
            await fetch(urlWhenStopping).then(
              () => 'still accepting',
              () => 'refused',
            ),
          );
          log.push(`listeners ${await listeners()}`);
        },
      }),
    ]);
    const server = await startServer({ civgraph, schema, orm: database.orm, port: 0, host: '127.0.0.1' });
    urlWhenStopping = server.url.replace(/\/graphql$/, '/healthz');
    expect(log).toEqual(['start first', 'start second']);
    expect(progressHubOf(server).listenerPid).not.toBeNull();
    expect(await listeners()).toBe(1);
    expect((await fetch(urlWhenStopping)).status).toBe(200);

    await server.close();
    expect(log).toEqual(['start first', 'start second', 'stop second', 'refused', 'listeners 1', 'stop first']);
    await eventually(async () => expect(await listeners()).toBe(0));
    await server.close(); // a second close stops nothing twice
    expect(log).toHaveLength(6);
  });

  it('refuses two services that add the same context key, and stops those already started', async () => {
    const log: string[] = [];
    const feed: ProgressFeed = { subscribe: () => Promise.reject(new Error('not a hub')) };
    const civgraph = compose([...features, probe('first', log), probe('rival', log, { extensions: { progressFeed: feed } })]);
    await expect(startServer({ civgraph, schema, orm: database.orm, port: 0, host: '127.0.0.1' })).rejects.toThrow(
      'Two server services add "progressFeed" to the context',
    );
    expect(log).toEqual(['start first', 'stop first']);
    await eventually(async () => expect(await listeners()).toBe(0));
  });

  it('fails to start when a service fails to start, and stops those already started', async () => {
    const log: string[] = [];
    const civgraph = compose([
      ...features,
      probe('first', log),
      probe('broken', log, { start: () => Promise.reject(new Error('cannot reach the mail relay')) }),
      probe('never', log),
    ]);
    await expect(startServer({ civgraph, schema, orm: database.orm, port: 0, host: '127.0.0.1' })).rejects.toThrow('cannot reach the mail relay');
    expect(log).toEqual(['start first', 'stop first']);
    await eventually(async () => expect(await listeners()).toBe(0));
  });
});
