import type { Request, RequestHandler, Response } from 'express';
import { createContext, type Context } from '../graphql/context.js';
import { sendRestError, sendUnauthenticated } from './edge-errors.js';
import type { RouteDeps } from '../feature.js';
import type { Viewer } from '../auth/auth.rules.js';

/**
 * The one way a REST route (reports, spreadsheet exchange, trusted documents)
 * serves a signed-in caller: 401 for a refused token or none (`signIn` says what
 * to do), else `work` runs with a request context for the caller (`ctx.viewer` set), and whatever
 * it throws is answered by {@link sendRestError} (DomainErrors as their status,
 * anything else a masked 500 logged as `failure`).
 */
export function signedInRoute(
  deps: RouteDeps,
  failure: string,
  work: (ctx: Context, req: Request, res: Response) => Promise<void>,
  signIn = 'Sign in: this needs a bearer token',
): RequestHandler {
  return async (req, res) => {
    let viewer: Viewer | null;
    try {
      viewer = await deps.viewerOf(req);
    } catch (error) {
      return sendUnauthenticated(res, error instanceof Error ? error.message : 'Token is not valid');
    }
    if (!viewer) return sendUnauthenticated(res, signIn);
    const ctx = createContext(deps.orm, deps.registry, { requestId: res.locals.requestId as string | undefined, viewer });
    try {
      await work(ctx, req, res);
    } catch (error) {
      sendRestError(res, error, ctx, failure);
    }
  };
}
