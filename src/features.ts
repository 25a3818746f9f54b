/**
 * The composition root: the one list of civgraph's features. Each manifest
 * (`modules/<f>/<f>.module.ts`) says what its feature adds; the schema, the
 * context, `node(id)`, the REST routes, the area-merge hooks and the demo data
 * are all built from this list. Adding a feature is one line here.
 *
 * Order matters twice: demo seeders run in list order (projects seed facilities,
 * the supervision demo seeds tasks and rectifications), and so do area-merge hooks.
 */
import { compose, type Feature } from './feature.js';
import { schemaOf } from './graphql/schema.js';
import { accountFeature } from './modules/account/account.module.js';
import { areaFeature } from './modules/area/area.module.js';
import { auditFeature } from './modules/audit/audit.module.js';
import { extensionFeature } from './modules/extension/extension.module.js';
import { exchangeFeature } from './modules/exchange/exchange.module.js';
import { facilityFeature } from './modules/facility/facility.module.js';
import { governanceFeature } from './modules/governance/governance.module.js';
import { inboxFeature } from './modules/inbox/inbox.module.js';
import { liveFeature } from './modules/live/live.module.js';
import { mergerFeature } from './modules/merger/merger.module.js';
import { progressFeature } from './modules/progress/progress.module.js';
import { projectFeature } from './modules/project/project.module.js';
import { rectificationFeature } from './modules/rectification/rectification.module.js';
import { reportFeature } from './modules/report/report.module.js';
import { responsibleFeature } from './modules/responsible/responsible.module.js';
import { statsFeature } from './modules/stats/stats.module.js';
import { supervisionFeature } from './modules/supervision/supervision.module.js';
import { taskFeature } from './modules/task/task.module.js';
import { viewerFeature } from './modules/viewer/viewer.module.js';
import { webhookFeature } from './modules/webhook/webhook.module.js';

export const features: readonly Feature[] = [
  areaFeature,
  mergerFeature,
  viewerFeature,
  accountFeature,
  auditFeature,
  statsFeature,
  facilityFeature,
  projectFeature,
  taskFeature,
  rectificationFeature,
  supervisionFeature,
  responsibleFeature,
  extensionFeature,
  reportFeature,
  governanceFeature,
  progressFeature,
  liveFeature,
  exchangeFeature,
  webhookFeature,
  inboxFeature,
];

/** civgraph as its features make it: pass it wherever infrastructure needs a feature's part. */
export const civgraph = compose(features);

/** The executable schema, built once per process. */
export const civgraphSchema = () => schemaOf(civgraph);
