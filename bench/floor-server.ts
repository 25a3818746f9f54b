/**
 * The raw-SQL floor: the least work that can serve the benchmark's answers — one
 * SQL statement per request over a pg pool, the tree assembled in plain JS, and
 * JSON.stringify over node:http. civgraph's figures are read against this,
 * measured in the same run on the same database.
 */
import { createServer } from 'node:http';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

interface Row {
  code: string;
  name: string;
  parent_code: string | null;
}

type Tree = { name: string; code: string; children: { edges: { node: Tree }[] } };

/** County → townships → villages, shaped like the GraphQL answer. */
async function countyTree(code: string): Promise<unknown> {
  const prefix = code.slice(0, 6);
  const { rows } = await pool.query<Row>(
    `select code, name, parent_code from area
      where code between $1 and $2 and valid_to is null and level in ('COUNTY', 'TOWNSHIP', 'VILLAGE')
      order by code`,
    [prefix.padEnd(12, '0'), prefix.padEnd(12, '9')],
  );
  const nodes = new Map<string, Tree>();
  let root: Tree | undefined;
  for (const row of rows) {
    const node: Tree = { name: row.name, code: row.code, children: { edges: [] } };
    nodes.set(row.code, node);
    const parent = row.parent_code ? nodes.get(row.parent_code) : undefined;
    if (parent) parent.children.edges.push({ node });
    else root = node;
  }
  return { data: { area: root ?? null } };
}

type Counted = { name: string; villages?: number; children?: { nodes: Counted[] } };

/** Province → cities → counties, each county with its number of villages. */
async function provinceDrillDown(code: string): Promise<unknown> {
  const prefix = code.slice(0, 2);
  const { rows } = await pool.query<Row & { level: string; villages: number | null }>(
    `select a.code, a.name, a.parent_code, a.level,
            case when a.level = 'COUNTY' then (
              select count(*)::int from area v
               where v.level = 'VILLAGE' and v.valid_to is null
                 and v.code > a.code and v.code <= substr(a.code, 1, 6) || '999999') end as villages
       from area a
      where a.code between $1 and $2 and a.valid_to is null and a.level in ('PROVINCE', 'CITY', 'COUNTY')
      order by a.code`,
    [prefix.padEnd(12, '0'), prefix.padEnd(12, '9')],
  );
  const nodes = new Map<string, Counted>();
  let root: Counted | undefined;
  for (const row of rows) {
    const node: Counted = row.level === 'COUNTY' ? { name: row.name, villages: row.villages ?? 0 } : { name: row.name, children: { nodes: [] } };
    nodes.set(row.code, node);
    const parent = row.parent_code ? nodes.get(row.parent_code) : undefined;
    if (parent?.children) parent.children.nodes.push(node);
    else if (!parent) root = node;
  }
  return { data: { area: root ?? null } };
}

const routes: Record<string, (code: string) => Promise<unknown>> = { '/tree': countyTree, '/province': provinceDrillDown };

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const route = routes[url.pathname];
  if (!route) {
    res.writeHead(404).end();
    return;
  }
  route(url.searchParams.get('code') ?? '511921000000').then(
    (body) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    },
    (error: unknown) => {
      res.writeHead(500).end(String(error));
    },
  );
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.stdout.write(`floor listening at http://127.0.0.1:${address.port}\n`);
});
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
