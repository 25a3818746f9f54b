/**
 * Node flags the server runs with, as `npm start` and the Dockerfile start it.
 * A 64 MB young generation: a tree answer with statistics allocates thousands
 * of short-lived objects per request, and with ten requests in flight the
 * default one promotes them to the old generation, whose collections then take
 * a third of the CPU. In `npm run bench`: the county tree 121 → 248–274 requests/s,
 * with statistics 15 → 19–23. A 128 MB one measured no better.
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=64'];
