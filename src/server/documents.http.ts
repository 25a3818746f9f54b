import type { MikroORM } from '@mikro-orm/postgresql';
import express, { Router, type ErrorRequestHandler, type Request } from 'express';
import { DomainError, ErrorCode } from '../common/errors.js';
import type { Registry } from '../graphql/context.js';
import { signedInRoute } from './rest-route.js';
import { registerDocuments } from './trusted-documents.js';
import { requireViewer, Role, type Viewer } from '../auth/auth.rules.js';

/** Largest manifest accepted in one registration. */
export const MAX_MANIFEST = '5mb';

/**
 * `POST /trusted-documents/<client>` with a manifest (GraphQL Code Generator's
 * `persisted-documents.json`) as the JSON body registers its documents for every
 * process: COUNTY_ADMIN only (401 without a token, 403 for other roles), all or
 * nothing (400 naming every bad entry). Answers `{ client, registered, alreadyRegistered }`.
 */
export function documentsRouter(orm: MikroORM, registry: Registry, viewerOf: (req: Request) => Promise<Viewer | null>): Router {
  const router = Router();
  const register = signedInRoute(
    { orm, registry, viewerOf },
    'document registration failed',
    async (ctx, req, res) => {
      const viewer = requireViewer(ctx.viewer);
      if (viewer.role !== Role.COUNTY_ADMIN) throw new DomainError(ErrorCode.FORBIDDEN, `${viewer.role} may not register documents: COUNTY_ADMIN only`);
      const result = await registerDocuments(orm, { client: String(req.params.client), manifest: req.body, registeredBy: viewer.sub });
      ctx.log.info(result, 'trusted documents registered');
      res.status(result.registered ? 201 : 200).json(result);
    },
    'Sign in: registering documents needs a COUNTY_ADMIN token',
  );
  router.post('/:client', express.json({ limit: MAX_MANIFEST }), register);
  // A manifest that is not JSON, or too large: JSON answers, not Express's HTML page.
  const bodyErrors: ErrorRequestHandler = (error, _req, res, next) => {
    const status = (error as { status?: number }).status;
    if (res.headersSent || !status || status < 400 || status >= 500) return next(error);
    const tooLarge = (error as { type?: string }).type === 'entity.too.large';
    res.status(status).json({
      error: tooLarge ? `The manifest is larger than ${MAX_MANIFEST}` : 'The manifest is not valid JSON',
      code: tooLarge ? ErrorCode.PAYLOAD_TOO_LARGE : ErrorCode.BAD_USER_INPUT,
    });
  };
  router.use(bodyErrors);
  return router;
}
