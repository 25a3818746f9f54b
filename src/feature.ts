import type { MikroORM } from '@mikro-orm/postgresql';
import type { Request, Router } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { Viewer } from './auth/auth.rules.js';
import { log } from './common/log.js';
import type { Sql } from './db/sql.js';
import type { SqlRead } from './graphql/sql-reads.js';
import type { ContextExtensions, Hooks, Loaders, NodeFetcher, Registry } from './graphql/context.js';

/**
 * A feature's demo data. `run` is called on every `npm start`, after the areas
 * are loaded: it must check for itself whether its demo data is already there
 * and do nothing then (real reports replace demo data; a restart never
 * duplicates it). Demo rows are marked as such (`source = 'DEMO'`).
 */
export interface DemoSeeder {
  name: string;
  run(orm: MikroORM, countyCode: string, registry: Registry): Promise<void>;
}

/** What a REST route of a feature is given: the database, the registry and the edge's token check. */
export interface RouteDeps {
  orm: MikroORM;
  registry: Registry;
  /** The caller of a request (null when anonymous); rejects a header without a valid token. */
  viewerOf(req: Request): Promise<Viewer | null>;
}

/** What a {@link ServerService} is given when its server starts. */
export interface ServiceDeps {
  orm: MikroORM;
  /** The server's Prometheus registry (`GET /metrics`): a service registers its own metrics here. */
  metrics: MetricsRegistry;
}

/**
 * Something a feature runs for as long as one server runs, such as the progress
 * feature's hub (one LISTEN connection per server). `startServer` makes one from
 * each manifest's factory and starts them in feature-list order before it
 * listens. On `close()` it stops them in reverse order, after the transports
 * have drained (no request or subscription is left to use them).
 */
export interface ServerService {
  /**
   * What the service adds to the context of every graphql-ws and SSE operation
   * of its server; plain HTTP operations run without it. Two services of one
   * server may not add the same key.
   */
  extensions: Partial<ContextExtensions>;
  /** Resolves once the service is ready; a rejection fails `startServer`, and the services started before it are stopped. */
  start?(): Promise<void>;
  /** Ends what the service runs; called once per server. */
  stop(): Promise<void>;
}

/** Makes a feature's {@link ServerService} for one server (each server has its own). */
export type ServiceFactory = (deps: ServiceDeps) => ServerService;

/**
 * One feature's manifest (`modules/<f>/<f>.module.ts`): everything it adds to
 * civgraph. The composition root (`src/features.ts`) lists the manifests; the
 * infrastructure (`graphql/`, `db/`, `server/`) takes what it needs from there
 * and imports no feature.
 */
export interface Feature {
  /** Unique, lower-case: the folder's name. */
  name: string;
  /** type-graphql resolver classes (queries, mutations, subscriptions, fields on other features' types). */
  resolvers?: Function[];
  /** Per-operation DataLoader factories, under `ctx.loaders.<key>` (declared in `Loaders`). */
  loaders?: { [K in keyof Loaders]?: (sql: Sql) => Loaders[K] };
  /** `node(id)` fetchers of the feature's Node types, by type name. */
  nodes?: Record<string, NodeFetcher>;
  /** Hooks into other features' extension points (`Hooks`), e.g. `areaMerge`. */
  hooks?: { [K in keyof Hooks]?: Hooks[K] };
  /** Demo data for `npm start`, run in the order of the feature list. */
  demo?: DemoSeeder;
  /** REST routes (downloads, uploads) mounted on the HTTP app. */
  routes?: ((deps: RouteDeps) => Router)[];
  /** MikroORM entity classes (registered explicitly, no folder scanning). */
  entities?: Function[];
  /** Wraps the built schema (the audit log wraps every mutation), in list order. */
  transformSchema?: (schema: GraphQLSchema) => GraphQLSchema;
  /** Operations answered in one SQL statement that builds the JSON (graphql/sql-reads.ts), tried in list order. */
  sqlReads?: SqlRead[];
  /** What the feature runs beside each server, started and stopped with it (the progress hub). */
  services?: ServiceFactory[];
}

/** Everything the features contribute, gathered once per process. */
export interface Composition extends Registry {
  features: readonly Feature[];
  resolvers: Function[];
  demoSeeders: DemoSeeder[];
  routes: ((deps: RouteDeps) => Router)[];
  schemaTransforms: ((schema: GraphQLSchema) => GraphQLSchema)[];
  entities: Function[];
  sqlReads: SqlRead[];
  /** In feature-list order: the order `startServer` starts them (and the reverse of the order it stops them). */
  services: ServiceFactory[];
}

/** Gathers the manifests' contributions; a name, loader key or Node type claimed twice is a start-up error. */
export function compose(features: readonly Feature[]): Composition {
  const names = new Set<string>();
  const factories: [string, (sql: Sql) => unknown][] = [];
  const nodeFetchers = new Map<string, NodeFetcher>();
  const hooks: Record<string, unknown[]> = {};
  for (const feature of features) {
    if (names.has(feature.name)) throw new Error(`Feature "${feature.name}" is listed twice`);
    names.add(feature.name);
    for (const [key, factory] of Object.entries(feature.loaders ?? {})) {
      if (factories.some(([k]) => k === key)) throw new Error(`Loaders "${key}" are declared by two features (the second: ${feature.name})`);
      factories.push([key, factory]);
    }
    for (const [type, fetch] of Object.entries(feature.nodes ?? {})) {
      if (nodeFetchers.has(type)) throw new Error(`Node type ${type} has two fetchers (the second: ${feature.name})`);
      nodeFetchers.set(type, fetch);
    }
    for (const [point, list] of Object.entries(feature.hooks ?? {})) (hooks[point] ??= []).push(...(list as unknown[]));
  }
  return {
    features,
    resolvers: features.flatMap((f) => f.resolvers ?? []),
    createLoaders: (sql) => {
      const loaders: Record<string, unknown> = {};
      for (const [key, factory] of factories) loaders[key] = factory(sql);
      return loaders as unknown as Loaders;
    },
    nodeFetchers,
    hooks: hooks,
    demoSeeders: features.flatMap((f) => (f.demo ? [f.demo] : [])),
    routes: features.flatMap((f) => f.routes ?? []),
    schemaTransforms: features.flatMap((f) => (f.transformSchema ? [f.transformSchema] : [])),
    entities: features.flatMap((f) => f.entities ?? []),
    sqlReads: features.flatMap((f) => f.sqlReads ?? []),
    services: features.flatMap((f) => f.services ?? []),
  };
}

/** Runs the features' demo seeders in list order (each does nothing when its data is there). */
export async function seedDemo(orm: MikroORM, countyCode: string, composition: Composition): Promise<void> {
  for (const seeder of composition.demoSeeders) {
    const started = Date.now();
    await seeder.run(orm, countyCode, composition);
    log.debug({ seeder: seeder.name, ms: Date.now() - started }, 'demo seeder done');
  }
}
