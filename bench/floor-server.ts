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

type StatOut = { indicator: { code: string }; persons: number | null; amount: string | null; reportedAreas: number; expectedAreas: number };
type StatTree = { name: string; stats: StatOut[]; children?: { edges: { node: StatTree }[] } };

/**
 * County → townships → villages, each with figures for a month rolled up: one
 * statement reads the villages' figures, JS sums them up the tree.
 */
async function countyTreeWithStats(code: string, month: string, indicators: string[]): Promise<unknown> {
  const prefix = code.slice(0, 6);
  const { rows } = await pool.query<Row & { level: string; indicator: string | null; value: string | null }>(
    `select a.code, a.name, a.parent_code, a.level, o.indicator, o.value::text as value
       from area a
       left join observation o on o.area_code = a.code and o.period_month = $3::date and o.indicator = any($4::text[])
      where a.code between $1 and $2 and a.valid_to is null and a.level in ('COUNTY', 'TOWNSHIP', 'VILLAGE')
      order by a.code`,
    [prefix.padEnd(12, '0'), prefix.padEnd(12, '9'), `${month}-01`, indicators],
  );
  const money = new Set(['ASSISTANCE_FUNDS_YUAN']);
  type Acc = { node: StatTree; parent: string | null; sums: Map<string, number>; reported: Map<string, number>; villages: number };
  const nodes = new Map<string, Acc>();
  for (const row of rows) {
    let acc = nodes.get(row.code);
    if (!acc) {
      acc = { node: { name: row.name, stats: [] }, parent: row.parent_code, sums: new Map(), reported: new Map(), villages: row.level === 'VILLAGE' ? 1 : 0 };
      if (row.level !== 'VILLAGE') acc.node.children = { edges: [] };
      nodes.set(row.code, acc);
      const parent = row.parent_code ? nodes.get(row.parent_code) : undefined;
      parent?.node.children?.edges.push({ node: acc.node });
    }
    if (row.indicator && row.value !== null) {
      // Cents as integers: exact sums without a decimal library.
      acc.sums.set(row.indicator, Math.round(Number(row.value) * 100));
      acc.reported.set(row.indicator, 1);
    }
  }
  // Children come after parents in code order: fold bottom-up by walking backwards.
  const ordered = [...nodes.entries()];
  for (let i = ordered.length - 1; i >= 0; i--) {
    const [, acc] = ordered[i];
    const parent = acc.parent ? nodes.get(acc.parent) : undefined;
    if (parent) {
      parent.villages += acc.villages;
      for (const [k, v] of acc.sums) parent.sums.set(k, (parent.sums.get(k) ?? 0) + v);
      for (const [k, v] of acc.reported) parent.reported.set(k, (parent.reported.get(k) ?? 0) + v);
    }
    acc.node.stats = indicators.map((indicator) => {
      const cents = acc.sums.get(indicator);
      return {
        indicator: { code: indicator },
        persons: cents === undefined || money.has(indicator) ? null : cents / 100,
        amount: cents === undefined || !money.has(indicator) ? null : (cents / 100).toFixed(2),
        reportedAreas: acc.reported.get(indicator) ?? 0,
        expectedAreas: acc.villages,
      };
    });
  }
  return { data: { area: ordered[0]?.[1].node ?? null } };
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

const routes: Record<string, (code: string, params: URLSearchParams) => Promise<unknown>> = {
  '/tree': countyTree,
  '/tree-stats': (code, params) => countyTreeWithStats(code, params.get('month')!, params.get('indicators')!.split(',')),
  '/province': provinceDrillDown,
};

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const route = routes[url.pathname];
  if (!route) {
    res.writeHead(404).end();
    return;
  }
  route(url.searchParams.get('code') ?? '511921000000', url.searchParams).then(
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
