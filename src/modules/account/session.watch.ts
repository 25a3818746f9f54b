import type { ServerService, ServiceDeps } from '../../feature.js';
import { log } from '../../common/log.js';
import { sqlFor } from '../../db/sql.js';
import { revokedSessions, type SessionRevocations } from '../../server/identity.js';
import { sessionSettings } from './session.service.js';

/** How often each server reads the sessions revoked lately. */
export const SESSION_POLL_MS = 2_000;

/**
 * Revocation on every transport: each server reads, every {@link SESSION_POLL_MS},
 * the sessions revoked within the last access-token lifetime (plus a minute)
 * and marks them in the process's {@link SessionRevocations}; from then on
 * their access tokens are refused (HTTP 401, SSE 401, graphql-ws 4403 at
 * connect) and their open graphql-ws sockets (4403) and SSE streams are closed.
 * One indexed range read (`account_session_revoked_idx`) of a handful of rows
 * every two seconds; it sees revocations made by any server or by the CLI.
 * Its statement is marked as background work, so the tests' statement
 * counters (which bound what one request costs) leave it out.
 */
export function sessionWatch(deps: ServiceDeps, revocations: SessionRevocations = revokedSessions): ServerService {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const windowMs = () => sessionSettings().accessTokenSeconds * 1000 + 60_000;
  const poll = async () => {
    const rows = await sqlFor(deps.orm.em.fork())<{ id: string }>(
      `/* background: session watch */ select id::text as id from account_session where revoked_at > now() - (? * interval '1 millisecond')`,
      [windowMs()],
    );
    revocations.revoke(
      rows.map((row) => row.id),
      windowMs(),
    );
  };
  return {
    extensions: {},
    async start() {
      await poll();
      timer = setInterval(() => {
        running ??= poll()
          .catch((error: unknown) => log.warn({ err: error }, 'revoked sessions could not be read; retrying'))
          .finally(() => (running = undefined));
      }, SESSION_POLL_MS);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
