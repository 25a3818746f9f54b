import 'graphiql/style.css';
import './console.css';
import { GraphiQL } from 'graphiql';
import { createClient, type Client } from 'graphql-ws';
import { Kind, getOperationAST, parse } from 'graphql';
import { createElement, useState } from 'react';
import { createRoot } from 'react-dom/client';

/** Shared with the dashboard: a token saved in either works in both. */
const TOKEN_KEY = 'civgraph.token';

/** GraphiQL's fetcher contract: a result, a promise of one, or a stream (subscriptions). */
type Fetcher = (
  params: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
  options?: { headers?: Record<string, unknown> },
) => Promise<unknown> | AsyncIterable<unknown>;

const DEFAULT_QUERY = `# civgraph GraphQL 控制台
# 在右上角填入访问令牌（Bearer token），或在下方 Headers 中写 {"authorization": "Bearer …"}。
# 文档：「Docs」按钮（宽屏在左侧，手机在底部）。订阅（subscription）经 graphql-ws 走同一地址。

query County {
  area(code: "511921") {
    name
    townships: descendantCount(level: TOWNSHIP)
    villages: descendantCount(level: VILLAGE)
    children(first: 5) {
      nodes { code name childCount }
    }
  }
  viewer { name role }
}
`;

const token = () => localStorage.getItem(TOKEN_KEY);

let wsClient: Client | null = null;
function ws(): Client {
  wsClient ??= createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    // Read at every (re)connection, so a newly saved token is used.
    connectionParams: () => (token() ? { authorization: `Bearer ${token()}` } : {}),
    lazy: true,
  });
  return wsClient;
}

/**
 * The operation to run and whether it is a subscription. GraphiQL updates its
 * selected operation name only 100 ms after an edit (debounced), and restores the
 * last one from localStorage: a document run right after it was replaced (pasted,
 * or set by a script) arrives with the previous document's name, e.g. `County`
 * from the default query, which the server rejects (OPERATION_RESOLUTION_FAILURE)
 * and which would also send a subscription over HTTP. A name the document does
 * not define is stale: with a single operation, that one is meant.
 */
function operationOf(query: string, operationName: string | null): { operationName: string | null; isSubscription: boolean } {
  let document;
  try {
    document = parse(query);
  } catch {
    return { operationName, isSubscription: false }; // the server reports the syntax error
  }
  const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  let name = operationName;
  if (name && operations.length === 1 && !operations.some((operation) => operation.name?.value === name)) name = operations[0].name?.value ?? null;
  return { operationName: name, isSubscription: getOperationAST(document, name ?? undefined)?.operation === 'subscription' };
}

/**
 * Queries and mutations over HTTP POST, subscriptions over graphql-ws, both on
 * /graphql; the saved token is sent unless the header editor sets its own.
 */
const fetcher: Fetcher = async (params, options) => {
  const headers: Record<string, string> = { ...(options?.headers as Record<string, string> | undefined) };
  const hasAuth = Object.keys(headers).some((key) => key.toLowerCase() === 'authorization');
  if (!hasAuth && token()) headers.authorization = `Bearer ${token()}`;
  const { operationName, isSubscription } = operationOf(params.query, params.operationName ?? null);
  if (isSubscription) {
    return ws().iterate({ query: params.query, variables: params.variables ?? undefined, operationName: operationName ?? undefined });
  }
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
    body: JSON.stringify({ ...params, operationName }),
  });
  return response.json();
};

function TokenBar() {
  const [value, setValue] = useState(token() ?? '');
  const [saved, setSaved] = useState(Boolean(token()));
  const save = (next: string) => {
    if (next) localStorage.setItem(TOKEN_KEY, next);
    else localStorage.removeItem(TOKEN_KEY);
    setSaved(Boolean(next));
    // Reconnect the WebSocket with the new identity.
    void wsClient?.dispose();
    wsClient = null;
  };
  return createElement(
    'form',
    { className: 'token-bar', onSubmit: (event: { preventDefault(): void }) => (event.preventDefault(), save(value.trim())) },
    createElement('strong', null, 'civgraph'),
    createElement('a', { href: '/' }, '← 看板'),
    createElement('span', { className: 'spacer' }),
    createElement('label', { htmlFor: 'token' }, '访问令牌'),
    createElement('input', {
      id: 'token',
      type: 'password',
      value,
      placeholder: 'Bearer token（保存在本机浏览器）',
      onChange: (event: { target: { value: string } }) => setValue(event.target.value),
    }),
    createElement('button', { type: 'submit' }, '保存'),
    createElement('button', { type: 'button', onClick: () => (setValue(''), save('')) }, '清除'),
    createElement('span', { className: saved ? 'state on' : 'state' }, saved ? '已设置' : '匿名'),
  );
}

function Console() {
  return createElement(
    'div',
    { className: 'console' },
    createElement(TokenBar),
    createElement(
      'div',
      { className: 'graphiql-host' },
      // On a phone the variables and headers start folded, leaving the query editor the height (console.css).
      createElement(GraphiQL, { fetcher, defaultQuery: DEFAULT_QUERY, defaultEditorToolsVisibility: !matchMedia('(max-width: 600px)').matches }),
    ),
  );
}

createRoot(document.getElementById('console')!).render(createElement(Console));
