import type { Context } from '../../graphql/context.js';
import { councilService } from './council.service.js';
import { demonstrationService } from './demonstration.service.js';

const numeric = (key: string) => /^\d{1,18}$/.test(key);

/** `node(id)` fetchers for governance types; each checks the caller may read the object. */
export const governanceNodeFetchers: Record<string, (ctx: Context, key: string) => Promise<object | null>> = {
  GovernanceBody: async (ctx, key) => (numeric(key) ? councilService.byId(ctx, key) : null),
  DemonstrationProgramme: async (ctx, key) => (numeric(key) ? demonstrationService.programmeById(ctx, key) : null),
  DemonstrationEnrolment: async (ctx, key) => (numeric(key) ? demonstrationService.enrolmentById(ctx, key) : null),
};
