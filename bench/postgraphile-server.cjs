// PostGraphile v4 over the same database, for comparison: its standard
// relations (areasByParentCode) serve the same county tree. CommonJS because
// PostGraphile v4 is.
const http = require('node:http');
const Module = require('node:module');
const path = require('node:path');

// PostGraphile v4 needs graphql 15 while civgraph uses 16, and npm gives two of
// its packages separate graphql 15 copies ("another module or realm"): point
// every graphql import in this process at postgraphile's own copy.
const graphql15 = path.dirname(require.resolve('graphql/package.json', { paths: [path.dirname(require.resolve('postgraphile/package.json'))] }));
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'graphql' || request.startsWith('graphql/')) {
    return resolve.call(this, path.join(graphql15, request.slice('graphql'.length)), ...rest);
  }
  return resolve.call(this, request, ...rest);
};

const { postgraphile } = require('postgraphile');

const middleware = postgraphile(process.env.DATABASE_URL, 'public', {
  disableDefaultMutations: true,
  ignoreRBAC: true,
  disableQueryLog: true,
  graphiql: false,
  watchPg: false,
  retryOnInitFail: false,
});
const server = http.createServer(middleware);
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  process.stdout.write(`postgraphile listening at http://127.0.0.1:${server.address().port}/graphql\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
