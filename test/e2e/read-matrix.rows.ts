import { expect } from 'vitest';
import { toGlobalId } from '../../src/common/global-id.js';
import {
  AUDIT_READERS,
  code,
  inSubtree,
  mayRead,
  PLACES,
  SENSITIVE,
  touches,
  type Caller,
  type Known,
  type ProbeContext,
  type ReadRole,
  type ReadRow,
} from '../support/read-matrix.js';
import { INDICATOR, MONTH, OBSERVED, PERIOD, QUARTER, type Fixture } from './read-matrix.fixture.js';

/**
 * The read matrix's rows: every read of the schema (see
 * test/support/read-matrix.ts for what a row declares and how it is run).
 * Each row restates its feature's read rule:
 *
 * - `anonymous`: what a caller without a token gets (UNAUTHENTICATED, or an empty list);
 * - `above`: an ancestor of the caller's area (the county, asked by a township
 *   operator): FORBIDDEN, or NARROWED to what the caller may read there;
 * - `outside`: an area outside the caller's subtree: FORBIDDEN, or EMPTY;
 * - `readers`: roles that may read it at all (rectification, supervision and the
 *   report: SENSITIVE; the audit log: AUDIT_READERS), others FORBIDDEN;
 * - for objects by ID, `outside`: FORBIDDEN, or NULL where the feature filters
 *   in SQL (audit entries, programmes).
 */

type Row = ReadRow<Fixture>;
const VILLAGES: string[] = [PLACES.A1, PLACES.A2, PLACES.B1, PLACES.X1];
const ids = (list: { id: string }[] | null | undefined) => (list ?? []).map((item) => item.id);
const codes = (list: { code: string }[] | null | undefined) => (list ?? []).map((area) => code(area.code));
const area = (at: string | null, selection: string) => `area(code: "${at}") { ${selection} }`;

/**
 * An audit entry of createAccount (updateAccount, disableAccount…) records the
 * call's arguments and so names the account (its display name, its ID). The
 * audit readers (AUDIT_READERS: COUNTY_ADMIN and LEADER) read those entries in
 * their subtree, so a LEADER learns the accounts of its subtree through the
 * audit log, although Query.accounts and node(id) refuse it an Account. The
 * audit rows alone may reveal them (still only inside the caller's subtree);
 * every other row keeps the registry's rule (COUNTY_ADMIN only).
 */
const auditNamesAccount = (known: Known) => known.type === 'Account';

/** The sum of ORPHANS observed in a subtree. */
function observedIn(at: string): number {
  return Object.entries(OBSERVED)
    .filter(([place]) => inSubtree(at, PLACES[place as keyof typeof PLACES]))
    .reduce((sum, [, value]) => sum + value, 0);
}

/**
 * A key task as the caller sees it: its assignments in the caller's subtree only,
 * and its target and done quantity summed over those (the whole task for a
 * caller holding the task's own area).
 */
function checkTask(
  task: { id: string; target: number; done: number; assignments?: { id: string; target: number; done: number }[] },
  probe: ProbeContext<Fixture>,
) {
  const known = probe.fx.registry.one(task.id);
  const shares = (known.data!.shares as { id: string; target: number; done: number }[]).filter((share) =>
    mayRead(probe.caller, probe.fx.registry.one(share.id)),
  );
  const where = `${known.type} of ${known.place}`;
  if (task.assignments) expect(ids(task.assignments).sort(), `${where}: its assignments in the caller's subtree`).toEqual(ids(shares).sort());
  expect(task.target, `${where}: target over what the caller may see`).toBe(shares.reduce((sum, s) => sum + s.target, 0));
  expect(task.done, `${where}: done over what the caller may see`).toBe(shares.reduce((sum, s) => sum + s.done, 0));
}

const TASK = 'id title target done assignments { id target done area { code } }';

// ---- lists and roll-ups rooted at an area ----------------------------------

const areaRows: Row[] = [
  {
    kind: 'area',
    name: 'Area.facilities',
    covers: ['Area.facilities'],
    anonymous: 'EMPTY',
    above: 'NARROWED',
    outside: 'EMPTY',
    types: ['Facility'],
    select: (at) => area(at, 'facilities(first: 100) { totalCount nodes { id name area { code } } }'),
    reveal: (d) => ids(d.facilities?.nodes),
    count: (d) => d.facilities.totalCount,
  },
  {
    kind: 'area',
    name: 'Area.facilitySummary',
    covers: ['Area.facilitySummary'],
    anonymous: 'EMPTY',
    above: 'NARROWED',
    outside: 'EMPTY',
    types: ['Facility'],
    include: () => [],
    select: (at) => area(at, 'facilitySummary { total beds groups { type status count } }'),
    reveal: () => [],
    count: (d) => d.facilitySummary.total,
  },
  {
    kind: 'area',
    name: 'Area.projects (with the linked facility)',
    covers: ['Area.projects', 'Project.facility'],
    anonymous: 'EMPTY',
    above: 'NARROWED',
    outside: 'EMPTY',
    types: ['Project'],
    select: (at) => area(at, 'projects(first: 100) { totalCount nodes { id name facility { id name } progress(first: 5) { totalCount } } }'),
    reveal: (d) => (d.projects?.nodes ?? []).flatMap((p: any) => [p.id, ...(p.facility ? [p.facility.id] : [])]),
    count: (d) => d.projects.totalCount,
  },
  {
    kind: 'area',
    name: 'Area.tasks (assignments, target and done)',
    covers: ['Area.tasks', 'Task.assignments'],
    anonymous: 'UNAUTHENTICATED',
    above: 'NARROWED',
    outside: 'EMPTY',
    types: ['Task'],
    select: (at) => area(at, `tasks(first: 100) { totalCount nodes { ${TASK} } }`),
    reveal: (d) => (d.tasks?.nodes ?? []).flatMap((t: any) => [t.id, ...ids(t.assignments)]),
    count: (d) => d.tasks.totalCount,
    check: (d, probe) => d?.tasks.nodes.forEach((t: any) => checkTask(t, probe)),
  },
  {
    kind: 'area',
    name: 'Area.rectifications (with their supervision)',
    covers: ['Area.rectifications', 'Rectification.supervisionActions'],
    readers: SENSITIVE,
    anonymous: 'UNAUTHENTICATED',
    above: 'NARROWED',
    outside: 'EMPTY',
    types: ['Rectification'],
    select: (at) => area(at, 'rectifications(first: 100) { totalCount nodes { id finding transitions { to } supervisionActions { id } } }'),
    reveal: (d) => (d.rectifications?.nodes ?? []).flatMap((r: any) => [r.id, ...ids(r.supervisionActions)]),
    count: (d) => d.rectifications.totalCount,
  },
  {
    kind: 'area',
    name: 'Area.rectifications (with their supervision, paged)',
    covers: ['Rectification.supervisionActionsConnection'],
    readers: SENSITIVE,
    anonymous: 'UNAUTHENTICATED',
    above: 'NARROWED',
    outside: 'EMPTY',
    types: ['Rectification'],
    select: (at) =>
      area(
        at,
        'rectifications(first: 100) { totalCount nodes { id transitionsConnection(first: 100) { nodes { to } } supervisionActionsConnection(first: 100) { nodes { id } } } }',
      ),
    reveal: (d) => (d.rectifications?.nodes ?? []).flatMap((r: any) => [r.id, ...ids(r.supervisionActionsConnection.nodes)]),
    count: (d) => d.rectifications.totalCount,
  },
  {
    kind: 'area',
    name: 'Area.stats',
    covers: ['Area.stats'],
    anonymous: 'UNAUTHENTICATED',
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    include: ({ area: at }) => [code(at!)],
    select: (at) => area(at, `stats(period: "${PERIOD}", indicators: ["${INDICATOR}"]) { persons area { code } }`),
    reveal: (d) => codes((d.stats ?? []).map((v: any) => v.area)),
    check: (d, { area: at }) => expect(d.stats[0].persons ?? 0, `rolled up at ${at}`).toBe(observedIn(at!)),
  },
  {
    kind: 'area',
    name: 'Area.statsSeries',
    covers: ['Area.statsSeries'],
    anonymous: 'UNAUTHENTICATED',
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    include: ({ area: at }) => [code(at!)],
    select: (at) => area(at, `statsSeries(indicator: "${INDICATOR}", from: "2026-05", to: "${PERIOD}") { period persons area { code } }`),
    reveal: (d) => codes((d.statsSeries ?? []).map((v: any) => v.area)),
    check: (d, { area: at }) => expect(d.statsSeries[1].persons ?? 0).toBe(observedIn(at!)),
  },
  {
    kind: 'area',
    name: 'Area.reporting (with the villages missing)',
    covers: ['Area.reporting'],
    anonymous: 'UNAUTHENTICATED',
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    include: ({ area: at }) => [code(at!)],
    select: (at) => area(at, `reporting(period: "${PERIOD}") { reportedAreas area { code } missing(first: 100) { nodes { code } } }`),
    reveal: (d) => (d.reporting ? [code(d.reporting.area.code), ...codes(d.reporting.missing.nodes)] : []),
    check: (d, { area: at }) => expect(d.reporting.reportedAreas).toBe(VILLAGES.filter((v) => inSubtree(at!, v)).length),
  },
  {
    kind: 'area',
    name: 'Area.observations',
    covers: ['Area.observations'],
    anonymous: 'UNAUTHENTICATED',
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    probes: [PLACES.A, ...VILLAGES],
    include: ({ area: at }) => (VILLAGES.includes(at!) ? [code(at!)] : []),
    select: (at) => area(at, `observations(period: "${PERIOD}", indicators: ["${INDICATOR}"]) { persons area { code } }`),
    reveal: (d) => codes((d.observations ?? []).map((o: any) => o.area)),
  },
  {
    kind: 'area',
    name: 'Area.observationHistory',
    covers: ['Area.observationHistory'],
    anonymous: 'UNAUTHENTICATED',
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    probes: [PLACES.A, ...VILLAGES],
    include: ({ area: at }) => (VILLAGES.includes(at!) ? [code(at!)] : []),
    select: (at) => area(at, `observationHistory(indicator: "${INDICATOR}", period: "${PERIOD}") { newValue area { code } }`),
    reveal: (d) => codes((d.observationHistory ?? []).map((o: any) => o.area)),
  },
  {
    kind: 'area',
    name: 'Area.observationHistoryConnection',
    covers: ['Area.observationHistoryConnection'],
    anonymous: 'UNAUTHENTICATED',
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    probes: [PLACES.A, ...VILLAGES],
    include: ({ area: at }) => (VILLAGES.includes(at!) ? [code(at!)] : []),
    select: (at) => area(at, `observationHistoryConnection(indicator: "${INDICATOR}", period: "${PERIOD}", first: 100) { nodes { newValue area { code } } }`),
    reveal: (d) => codes((d.observationHistoryConnection?.nodes ?? []).map((o: any) => o.area)),
  },
  {
    kind: 'area',
    name: "Area.approval (a township's villages read its approval too)",
    covers: ['Area.approval'],
    anonymous: 'UNAUTHENTICATED',
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    // No approval above township level; the township's own villages may read it (it decides whether they may report),
    // asked of the township itself, never through a sibling village.
    outcome: ({ fx, caller, area: at }) => {
      if (at!.endsWith('000000')) return { kind: 'NULL' };
      if (!caller.area) return { kind: 'UNAUTHENTICATED' };
      const township = `${at!.slice(0, 9)}000`;
      if (!(at === township && inSubtree(township, caller.area)) && !inSubtree(caller.area, at!)) return { kind: 'FORBIDDEN' };
      const approval = fx.registry.all('ReportingApproval').find((k) => k.codes[0] === township);
      return { kind: 'DATA', include: approval ? [approval.id] : [] };
    },
    select: (at) => area(at, `approval(period: "${PERIOD}") { id status }`),
    reveal: (d) => (d.approval ? [d.approval.id] : []),
  },
  {
    kind: 'area',
    name: "Area.reportingCompletenessSetting (the county's 上报完整率)",
    covers: ['Area.reportingCompletenessSetting'],
    anonymous: 'UNAUTHENTICATED',
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    include: ({ area: at }) => [code(at!)],
    select: (at) => area(at, 'code reportingCompletenessSetting { minReportedPercent version }'),
    reveal: (d) => (d?.reportingCompletenessSetting ? [code(d.code)] : []),
    // The fixture's county set 0 %; the other county keeps the default.
    check: (d, { area: at }) =>
      expect(d.reportingCompletenessSetting).toEqual(
        inSubtree(PLACES.C, at!) ? { minReportedPercent: 0, version: 1 } : { minReportedPercent: 100, version: 0 },
      ),
  },
  {
    kind: 'area',
    name: 'Area.governanceBody',
    covers: ['Area.governanceBody'],
    anonymous: 'UNAUTHENTICATED',
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    include: ({ fx, area: at }) =>
      fx.registry
        .all('GovernanceBody')
        .filter((k) => k.codes[0] === at)
        .map((k) => k.id),
    select: (at) => area(at, 'governanceBody(bodyType: WEDDINGS_FUNERALS_COUNCIL) { id chair }'),
    reveal: (d) => (d.governanceBody ? [d.governanceBody.id] : []),
  },
  {
    kind: 'area',
    name: 'Area.governanceBodies',
    covers: ['Area.governanceBodies'],
    anonymous: 'UNAUTHENTICATED',
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    types: ['GovernanceBody'],
    select: (at) => area(at, 'governanceBodies(first: 100) { totalCount nodes { id chair meetings(first: 5) { totalCount nodes { topic } } } }'),
    reveal: (d) => ids(d.governanceBodies?.nodes),
    count: (d) => d.governanceBodies.totalCount,
  },
  {
    kind: 'area',
    name: 'Area.governanceCoverage',
    covers: ['Area.governanceCoverage'],
    anonymous: 'UNAUTHENTICATED',
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    types: ['GovernanceBody'],
    include: () => [],
    select: (at) => area(at, 'governanceCoverage(bodyType: WEDDINGS_FUNERALS_COUNCIL) { villagesWithBody villagesWithout(first: 100) { nodes { code } } }'),
    reveal: (d) => codes(d.governanceCoverage?.villagesWithout.nodes),
    count: (d) => d.governanceCoverage.villagesWithBody,
  },
  {
    kind: 'area',
    name: 'Area.demonstrationEnrolments (with their programme)',
    covers: ['Area.demonstrationEnrolments', 'DemonstrationEnrolment.programme'],
    anonymous: 'UNAUTHENTICATED',
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    types: ['DemonstrationEnrolment'],
    select: (at) => area(at, 'demonstrationEnrolments(first: 100) { totalCount nodes { id programme { id name } evidence(first: 5) { nodes { note } } } }'),
    reveal: (d) => (d.demonstrationEnrolments?.nodes ?? []).flatMap((e: any) => [e.id, e.programme.id]),
    count: (d) => d.demonstrationEnrolments.totalCount,
  },
  {
    kind: 'area',
    name: 'Area.opennessRecord',
    covers: ['Area.opennessRecord'],
    anonymous: 'UNAUTHENTICATED',
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    probes: [PLACES.A, ...VILLAGES],
    include: ({ area: at }) => ([PLACES.A1, PLACES.B1, PLACES.X1].includes(at as never) ? [code(at!)] : []),
    select: (at) =>
      area(at, `opennessRecord(quarter: "${QUARTER}") { area { code } compliant entries { item { code name } published } missingItems { code } }`),
    reveal: (d) => {
      const record = d.opennessRecord;
      if (!record) return [];
      const items = [...record.entries.map((e: any) => e.item), ...record.missingItems].filter((i: any) => i.code.startsWith('RM_'));
      return [...(record.entries.length ? [code(record.area.code)] : []), ...items.map((i: any) => toGlobalId('OpennessItem', i.code))];
    },
  },
  {
    kind: 'area',
    name: 'Area.opennessCompliance',
    covers: ['Area.opennessCompliance'],
    anonymous: 'UNAUTHENTICATED',
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    // B1 left its county's own item unpublished (asked at B or B1: at the county, B1 lies beyond the first page).
    include: ({ area: at }) => (at === PLACES.B || at === PLACES.B1 ? [code(PLACES.B1)] : []),
    select: (at) => area(at, `opennessCompliance(quarter: "${QUARTER}") { compliantCount villageCount nonCompliantVillages(first: 100) { nodes { code } } }`),
    reveal: (d) => codes(d.opennessCompliance?.nonCompliantVillages.nodes),
    // Only A1 publishes every item.
    check: (d, { area: at }) => expect(d.opennessCompliance.compliantCount).toBe(inSubtree(at!, PLACES.A1) ? 1 : 0),
  },
];

// ---- Query fields with an area argument, or none --------------------------

const reportSelection = [
  'projectProgress',
  'milestonesDue',
  'milestonesDone',
  'laggingTasks',
  'overdueTasks',
  'rectificationsOpened',
  'rectificationsClosed',
  'rectificationsOverdue',
  'supervisionIssued',
  'supervisionOutcomes',
];
const reportSubjects = ({ fx, caller, area: at }: { fx: Fixture; caller: Caller; area: string | null }) =>
  fx.reportSubjects.filter((id) => {
    const known = fx.registry.one(id);
    return mayRead(caller, known) && touches(known, at!);
  });

const queryRows: Row[] = [
  {
    kind: 'area',
    name: 'Query.tasks (filter.area)',
    covers: ['Query.tasks'],
    anonymous: 'UNAUTHENTICATED',
    above: 'NARROWED',
    outside: 'EMPTY',
    types: ['Task'],
    select: (at) => `tasks(filter: { area: "${at}" }, first: 100) { totalCount nodes { ${TASK} } }`,
    reveal: (d) => d.nodes.flatMap((t: any) => [t.id, ...ids(t.assignments)]),
    count: (d) => d.totalCount,
    check: (d, probe) => d.nodes.forEach((t: any) => checkTask(t, probe)),
  },
  {
    kind: 'area',
    name: 'Query.rectifications (filter.area)',
    covers: ['Query.rectifications'],
    readers: SENSITIVE,
    anonymous: 'UNAUTHENTICATED',
    above: 'NARROWED',
    outside: 'EMPTY',
    types: ['Rectification'],
    select: (at) => `rectifications(filter: { area: "${at}" }, first: 100) { totalCount nodes { id finding } }`,
    reveal: (d) => ids(d.nodes),
    count: (d) => d.totalCount,
  },
  {
    kind: 'area',
    name: 'Query.supervisionActions (with their targets)',
    covers: ['Query.supervisionActions', 'SupervisionAction.target'],
    readers: SENSITIVE,
    anonymous: 'UNAUTHENTICATED',
    above: 'NARROWED',
    outside: 'EMPTY',
    types: ['SupervisionAction'],
    select: (at) => `supervisionActions(area: "${at}", first: 100) { totalCount nodes { id targetUnit target { id } } }`,
    reveal: (d) => d.nodes.flatMap((s: any) => [s.id, ...(s.target ? [s.target.id] : [])]),
    count: (d) => d.totalCount,
  },
  {
    kind: 'area',
    name: 'Query.needsSupervision',
    covers: ['Query.needsSupervision'],
    readers: SENSITIVE,
    anonymous: 'UNAUTHENTICATED',
    above: 'NARROWED',
    outside: 'EMPTY',
    include: ({ fx, caller, area: at }) => fx.candidates.filter((id) => mayRead(caller, fx.registry.one(id)) && touches(fx.registry.one(id), at!)),
    select: (at) => `needsSupervision(area: "${at}") { targetId title target { id } area { code } }`,
    reveal: (d) => d.flatMap((c: any) => [c.targetId, ...(c.target ? [c.target.id] : [])]),
  },
  {
    kind: 'area',
    name: 'Query.needsSupervisionConnection',
    covers: ['Query.needsSupervisionConnection'],
    readers: SENSITIVE,
    anonymous: 'UNAUTHENTICATED',
    above: 'NARROWED',
    outside: 'EMPTY',
    include: ({ fx, caller, area: at }) => fx.candidates.filter((id) => mayRead(caller, fx.registry.one(id)) && touches(fx.registry.one(id), at!)),
    select: (at) => `needsSupervisionConnection(area: "${at}", first: 100) { totalCount nodes { targetId title target { id } area { code } } }`,
    reveal: (d) => d.nodes.flatMap((c: any) => [c.targetId, ...(c.target ? [c.target.id] : [])]),
  },
  {
    kind: 'area',
    name: 'Query.monthlyReport',
    covers: ['Query.monthlyReport'],
    readers: SENSITIVE,
    anonymous: 'UNAUTHENTICATED',
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    include: reportSubjects,
    select: (at) =>
      `monthlyReport(month: "${MONTH}", area: "${at}") { markdown ${reportSelection.map((s) => `${s} { subjectId title owner detail }`).join(' ')} }`,
    reveal: (d) => reportSelection.flatMap((s) => d[s].map((item: any) => item.subjectId)),
  },
  {
    // 责任落实 (issue 31 item 5): COUNTY_ADMIN and LEADER only; the supervision of June is open at its end (due 2099).
    kind: 'area',
    name: 'Query.accountability',
    covers: ['Query.accountability'],
    readers: ['COUNTY_ADMIN', 'LEADER'],
    anonymous: 'UNAUTHENTICATED',
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    include: ({ fx, caller, area: at }) =>
      fx.registry
        .all('SupervisionAction')
        .filter((k) => mayRead(caller, k) && touches(k, at!))
        .map((k) => k.id),
    select: (at) =>
      `accountability(month: "${MONTH}", area: "${at}") { items { subjectId title responsible { name } }
        openSupervision { supervisionActionId targetId title } outcomes { supervisionActionId name } }`,
    reveal: (d) => [
      ...d.items.map((i: any) => i.subjectId),
      ...d.openSupervision.flatMap((s: any) => [s.supervisionActionId, s.targetId]),
      ...d.outcomes.map((o: any) => o.supervisionActionId),
    ],
  },
  {
    // 延期审批's list (issue 31 item 5): the requests whose task the caller may read (every role, as Task.extensions), newest first.
    kind: 'area',
    name: 'Query.deadlineExtensions',
    covers: ['Query.deadlineExtensions'],
    anonymous: 'UNAUTHENTICATED',
    above: 'NARROWED',
    outside: 'EMPTY',
    probes: [null],
    types: ['DeadlineExtension'],
    select: () => 'deadlineExtensions(first: 100) { totalCount nodes { id item itemTitle reason state } }',
    reveal: (d) => d.nodes.flatMap((n: any) => [n.id, n.item]),
    count: (d) => d.totalCount,
  },
  {
    kind: 'area',
    name: 'Query.issuedMonthlyReports',
    covers: ['Query.issuedMonthlyReports'],
    readers: SENSITIVE,
    anonymous: 'UNAUTHENTICATED',
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    types: ['IssuedMonthlyReport'],
    select: (at) => `issuedMonthlyReports(area: "${at}", first: 100) { totalCount nodes { id month files { url } } }`,
    reveal: (d) => d.nodes.map((n: any) => n.id),
    count: (d) => d.totalCount,
  },
  {
    kind: 'area',
    name: 'Query.statsTable',
    covers: ['Query.statsTable'],
    anonymous: 'UNAUTHENTICATED',
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    include: ({ area: at }) => [code(at!)],
    select: (at) =>
      `statsTable(parent: "${at}", period: "${PERIOD}", indicators: ["${INDICATOR}"]) { total { persons area { code } } rows { area { code } values { persons } } }`,
    reveal: (d) => [...codes(d.total.map((v: any) => v.area)), ...codes(d.rows.map((r: any) => r.area))],
    check: (d, { area: at }) => expect(d.total[0].persons ?? 0).toBe(observedIn(at!)),
  },
  {
    kind: 'area',
    name: 'Query.progressUpdates',
    covers: ['Query.progressUpdates'],
    anonymous: 'UNAUTHENTICATED',
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    types: ['ProgressUpdate'],
    select: (at) => `progressUpdates(area: "${at}", first: 100) { totalCount nodes { id subjectKind summary before after } }`,
    reveal: (d) => ids(d.nodes),
    count: (d) => d.totalCount,
  },
  {
    kind: 'area',
    name: 'Query.progressUpdates (kinds: RECTIFICATION, SUPERVISION)',
    covers: ['Query.progressUpdates'],
    readers: SENSITIVE,
    anonymous: 'UNAUTHENTICATED',
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    include: ({ fx, caller, area: at }) =>
      fx.registry
        .all('ProgressUpdate')
        .filter((k) => /^(RECTIFICATION|SUPERVISION)@/.test(k.place) && mayRead(caller, k) && touches(k, at!))
        .map((k) => k.id),
    select: (at) => `progressUpdates(area: "${at}", kinds: [RECTIFICATION, SUPERVISION], first: 100) { nodes { id summary } }`,
    reveal: (d) => ids(d.nodes),
  },
  {
    kind: 'area',
    name: 'Query.auditLog',
    covers: ['Query.auditLog'],
    readers: AUDIT_READERS,
    anonymous: 'UNAUTHENTICATED',
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    probes: [null],
    types: ['AuditEntry'],
    select: () => 'auditLog(first: 100) { totalCount nodes { id mutation arguments actor { name area { code } } } }',
    reveal: (d) => ids(d.nodes),
    alsoReveals: auditNamesAccount,
    count: (d) => d.totalCount,
  },
  {
    kind: 'area',
    name: 'Query.demonstrationProgrammes (with their enrolments)',
    covers: ['Query.demonstrationProgrammes', 'DemonstrationProgramme.enrolments'],
    anonymous: 'UNAUTHENTICATED',
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    probes: [null],
    types: ['DemonstrationProgramme'],
    select: () => 'demonstrationProgrammes(first: 100) { totalCount nodes { id name enrolments(first: 100) { totalCount nodes { id } } } }',
    reveal: (d) => d.nodes.flatMap((p: any) => [p.id, ...ids(p.enrolments.nodes)]),
    count: (d) => d.totalCount,
    check: (d, { fx, caller }) => {
      for (const p of d.nodes)
        expect(p.enrolments.totalCount).toBe(
          fx.registry.all('DemonstrationEnrolment').filter((e) => mayRead(caller, e) && ids(p.enrolments.nodes).includes(e.id)).length,
        );
    },
  },
  {
    kind: 'area',
    name: 'Query.opennessChecklist',
    covers: ['Query.opennessChecklist'],
    anonymous: 'UNAUTHENTICATED',
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    probes: [null],
    types: ['OpennessItem'],
    select: () => 'opennessChecklist(includeInactive: true) { code name }',
    reveal: (d) => d.filter((i: any) => i.code.startsWith('RM_')).map((i: any) => toGlobalId('OpennessItem', i.code)),
  },
];

// ---- objects by ID ----------------------------------------------------------

const byType =
  (...types: string[]) =>
  (fx: Fixture) =>
    fx.registry.all(...types);

const objectRows: Row[] = [
  {
    kind: 'object',
    name: 'Query.node (Facility)',
    covers: ['Query.node', 'Node.Facility'],
    objects: byType('Facility'),
    anonymous: 'UNAUTHENTICATED',
    outside: 'FORBIDDEN',
    via: { field: 'node', selection: 'id ... on Facility { name area { code } }' },
    reveal: (d) => [d.id],
  },
  {
    kind: 'object',
    name: 'Query.nodes (Project, with its facility)',
    covers: ['Query.nodes', 'Node.Project', 'Project.facility'],
    objects: byType('Project'),
    anonymous: 'UNAUTHENTICATED',
    outside: 'FORBIDDEN',
    via: { nodes: 'id ... on Project { name facility { id name } progress(first: 5) { nodes { percent note } } }' },
    reveal: (d) => [d.id, ...(d.facility ? [d.facility.id] : [])],
  },
  {
    kind: 'object',
    name: 'Query.nodes (Task, with its assignments)',
    covers: ['Node.Task', 'Task.assignments'],
    objects: byType('Task'),
    anonymous: 'UNAUTHENTICATED',
    outside: 'FORBIDDEN',
    via: { nodes: `... on Task { ${TASK} }` },
    reveal: (d) => [d.id, ...ids(d.assignments)],
    check: (d, probe) => d && checkTask(d, probe),
  },
  {
    kind: 'object',
    name: 'Query.task',
    covers: ['Query.task'],
    objects: byType('Task'),
    anonymous: 'UNAUTHENTICATED',
    outside: 'FORBIDDEN',
    via: { field: 'task', selection: TASK },
    reveal: (d) => [d.id, ...ids(d.assignments)],
    check: (d, probe) => d && checkTask(d, probe),
  },
  {
    kind: 'object',
    name: 'Query.task (its deadline extensions, 延期申请)',
    covers: [],
    objects: byType('Task'),
    anonymous: 'UNAUTHENTICATED',
    outside: 'FORBIDDEN',
    via: { field: 'task', selection: 'id deadline originalDeadline extensions(first: 5) { totalCount nodes { id state requestedDeadline } }' },
    reveal: (d) => [d.id],
  },
  {
    kind: 'object',
    name: 'Query.nodes (TaskAssignment, with its task)',
    covers: ['Node.TaskAssignment', 'TaskAssignment.task'],
    objects: byType('TaskAssignment'),
    anonymous: 'UNAUTHENTICATED',
    outside: 'FORBIDDEN',
    via: { nodes: '... on TaskAssignment { id target done progress { done note } task { id title target done } }' },
    reveal: (d) => [d.id, d.task.id],
    check: (d, probe) => d && checkTask(d.task, probe),
  },
  {
    kind: 'object',
    name: 'Query.nodes (Rectification, with its supervision)',
    covers: ['Node.Rectification', 'Rectification.supervisionActions'],
    objects: byType('Rectification'),
    readers: SENSITIVE,
    anonymous: 'UNAUTHENTICATED',
    outside: 'FORBIDDEN',
    via: { nodes: '... on Rectification { id finding transitions { to note } supervisionActions { id } }' },
    reveal: (d) => [d.id, ...ids(d.supervisionActions)],
  },
  {
    kind: 'object',
    name: 'Query.rectification',
    covers: ['Query.rectification'],
    objects: byType('Rectification'),
    readers: SENSITIVE,
    anonymous: 'UNAUTHENTICATED',
    outside: 'FORBIDDEN',
    via: { field: 'rectification', selection: 'id finding' },
    reveal: (d) => [d.id],
  },
  {
    kind: 'object',
    name: 'Query.rectification (its deadline extensions, 延期申请)',
    covers: [],
    objects: byType('Rectification'),
    readers: SENSITIVE,
    anonymous: 'UNAUTHENTICATED',
    outside: 'FORBIDDEN',
    via: {
      field: 'rectification',
      selection: 'id deadline originalDeadline deadlineInForce overdue extensions(first: 5) { totalCount nodes { id item state requestedDeadline decidedOn } }',
    },
    reveal: (d) => [d.id],
  },
  {
    kind: 'object',
    name: 'Query.nodes (SupervisionAction, with its target)',
    covers: ['Node.SupervisionAction', 'SupervisionAction.target'],
    objects: byType('SupervisionAction'),
    readers: SENSITIVE,
    anonymous: 'UNAUTHENTICATED',
    outside: 'FORBIDDEN',
    via: { nodes: '... on SupervisionAction { id targetUnit target { id } }' },
    reveal: (d) => [d.id, ...(d.target ? [d.target.id] : [])],
  },
  {
    kind: 'object',
    name: 'Query.supervisionAction',
    covers: ['Query.supervisionAction'],
    objects: byType('SupervisionAction'),
    readers: SENSITIVE,
    anonymous: 'UNAUTHENTICATED',
    outside: 'FORBIDDEN',
    via: { field: 'supervisionAction', selection: 'id targetUnit' },
    reveal: (d) => [d.id],
  },
  {
    kind: 'object',
    name: 'Query.nodes (GovernanceBody)',
    covers: ['Node.GovernanceBody'],
    objects: byType('GovernanceBody'),
    anonymous: 'UNAUTHENTICATED',
    outside: 'FORBIDDEN',
    via: { nodes: '... on GovernanceBody { id chair meetings(first: 5) { nodes { topic } } }' },
    reveal: (d) => [d.id],
  },
  {
    kind: 'object',
    name: 'Query.nodes (DemonstrationProgramme: null outside, filtered in SQL)',
    covers: ['Node.DemonstrationProgramme', 'DemonstrationProgramme.enrolments'],
    objects: byType('DemonstrationProgramme'),
    anonymous: 'UNAUTHENTICATED',
    outside: 'NULL',
    via: { nodes: '... on DemonstrationProgramme { id name enrolments(first: 100) { nodes { id } } }' },
    reveal: (d) => (d ? [d.id, ...ids(d.enrolments.nodes)] : []),
  },
  {
    kind: 'object',
    name: 'Query.nodes (DemonstrationEnrolment, with its programme)',
    covers: ['Node.DemonstrationEnrolment', 'DemonstrationEnrolment.programme'],
    objects: byType('DemonstrationEnrolment'),
    anonymous: 'UNAUTHENTICATED',
    outside: 'FORBIDDEN',
    via: { nodes: '... on DemonstrationEnrolment { id programme { id name } evidence(first: 5) { nodes { note } } }' },
    reveal: (d) => [d.id, d.programme.id],
  },
  {
    kind: 'object',
    name: 'Query.nodes (ProgressUpdate)',
    covers: ['Node.ProgressUpdate'],
    objects: byType('ProgressUpdate'),
    anonymous: 'UNAUTHENTICATED',
    outside: 'FORBIDDEN',
    via: { nodes: '... on ProgressUpdate { id subjectKind summary before after }' },
    reveal: (d) => [d.id],
  },
  {
    kind: 'object',
    name: 'Query.nodes (AuditEntry: null outside, filtered in SQL)',
    covers: ['Node.AuditEntry'],
    objects: byType('AuditEntry'),
    readers: AUDIT_READERS,
    anonymous: 'UNAUTHENTICATED',
    outside: 'NULL',
    via: { nodes: '... on AuditEntry { id mutation arguments }' },
    reveal: (d) => (d ? [d.id] : []),
    alsoReveals: auditNamesAccount,
  },
  {
    kind: 'object',
    name: 'Query.nodes (ReportingApproval)',
    covers: ['Node.ReportingApproval'],
    objects: byType('ReportingApproval'),
    anonymous: 'UNAUTHENTICATED',
    outside: 'FORBIDDEN',
    via: { nodes: '... on ReportingApproval { id status }' },
    reveal: (d) => [d.id],
  },
];

// ---- downloads over HTTP ------------------------------------------------------

/** The rows of a CSV body (RFC 4180: quoted cells may hold commas, quotes and line breaks). */
function csvRows(body: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const text = body.replace(/^\ufeff/, '');
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** The cells of one column of a CSV body (the first row is the header). */
function csvColumn(body: string, header: string): string[] {
  const [head, ...rows] = csvRows(body);
  const index = (head ?? []).indexOf(header);
  if (index < 0) throw new Error(`no column ${header} in ${(head ?? []).join(',')}`);
  return rows.map((row) => row[index] ?? '').filter(Boolean);
}

const httpRows: Row[] = [
  {
    kind: 'http',
    name: 'GET /reports/monthly/<month>.csv',
    covers: ['GET /reports/monthly'],
    readers: SENSITIVE,
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    include: reportSubjects,
    path: (at) => `/reports/monthly/${MONTH}.csv?area=${at}`,
    reveal: (body) => csvColumn(body, '编号'),
  },
  {
    kind: 'http',
    name: 'GET /reports/monthly/<month>.md',
    covers: ['GET /reports/monthly'],
    readers: SENSITIVE,
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    // Titles, findings and supervised units are named in the text; the name scan finds them.
    include: reportSubjects,
    path: (at) => `/reports/monthly/${MONTH}.md?area=${at}`,
    reveal: () => [],
  },
  {
    kind: 'http',
    name: 'GET /exports/facilities.csv',
    covers: ['GET /exports/facilities'],
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    types: ['Facility'],
    path: (at) => `/exports/facilities.csv?area=${at}`,
    reveal: () => [],
  },
  {
    kind: 'http',
    name: 'GET /exports/tasks.csv',
    covers: ['GET /exports/tasks'],
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    types: ['Task'],
    path: (at) => `/exports/tasks.csv?area=${at}`,
    reveal: () => [],
  },
  {
    kind: 'http',
    name: 'GET /exports/rectifications.csv',
    covers: ['GET /exports/rectifications'],
    readers: SENSITIVE,
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    types: ['Rectification'],
    path: (at) => `/exports/rectifications.csv?area=${at}`,
    reveal: () => [],
  },
  {
    kind: 'http',
    name: 'GET /exports/monthly-report.csv',
    covers: ['GET /exports/monthly-report'],
    readers: SENSITIVE,
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    include: reportSubjects,
    path: (at) => `/exports/monthly-report.csv?month=${MONTH}&area=${at}`,
    reveal: (body) => csvColumn(body, '编号'),
  },
  {
    kind: 'http',
    name: 'GET /exports/stats-table.csv',
    covers: ['GET /exports/stats-table'],
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    include: ({ area: at }) => VILLAGES.filter((v) => `${v.slice(0, 9)}000` === at).map(code),
    path: (at) => `/exports/stats-table.csv?parent=${at}&period=${PERIOD}`,
    reveal: (body) =>
      csvColumn(body, '区划代码')
        .filter((cell) => /^\d{12}$/.test(cell))
        .map(code),
  },
];

// ---- webhooks (外部推送): COUNTY_ADMIN and LEADER only ---------------------

const WEBHOOK_READERS: ReadRole[] = ['COUNTY_ADMIN', 'LEADER'];
/** The places of the fixture's webhooks, by their 12-digit area. */
const WEBHOOK_PLACES: Record<string, string> = { [PLACES.A]: 'A', [PLACES.C]: 'C', [PLACES.XC]: 'XC' };

const webhookRows: Row[] = [
  {
    kind: 'area',
    name: 'Query.webhooks',
    covers: ['Query.webhooks'],
    readers: WEBHOOK_READERS,
    anonymous: 'UNAUTHENTICATED',
    above: 'NARROWED',
    outside: 'EMPTY',
    types: ['Webhook'],
    select: (at) => `webhooks(area: "${at}", first: 100) { totalCount nodes { id description area { code } } }`,
    reveal: (d) => ids(d.nodes),
    count: (d) => d.totalCount,
  },
  {
    kind: 'area',
    name: 'Query.webhookDeliveries (of the webhook at each place)',
    covers: ['Query.webhookDeliveries'],
    readers: WEBHOOK_READERS,
    anonymous: 'UNAUTHENTICATED',
    // A webhook above or outside the caller's subtree is refused, as by ID.
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    probes: Object.keys(WEBHOOK_PLACES),
    include: ({ fx, caller, area: at }) => {
      const delivery = fx.registry.one(`WebhookDelivery:${WEBHOOK_PLACES[at!]}`);
      return mayRead(caller, delivery) ? [delivery.id] : [];
    },
    select: (at, fx) =>
      `webhookDeliveries(webhook: "${fx.ids.Webhook[WEBHOOK_PLACES[at!]]}", first: 10) { totalCount nodes { deliveryId attempt ok statusCode error } }`,
    // The delivery ids are the fixture's names: the registry's name scan finds them.
    reveal: () => [],
    check: (d) => expect(d.totalCount).toBe(1),
  },
  {
    kind: 'object',
    name: 'Query.nodes (Webhook)',
    covers: ['Node.Webhook'],
    objects: (fx) => fx.registry.all('Webhook'),
    readers: WEBHOOK_READERS,
    anonymous: 'UNAUTHENTICATED',
    outside: 'FORBIDDEN',
    via: { nodes: 'id ... on Webhook { description url area { code } }' },
    reveal: (d) => [d.id],
  },
];

// ---- 账号: accounts, read by county admins only ------------------------------

const accountRows: Row[] = [
  {
    kind: 'area',
    name: 'Query.accounts',
    covers: ['Query.accounts'],
    readers: ['COUNTY_ADMIN'],
    anonymous: 'UNAUTHENTICATED',
    above: 'FORBIDDEN',
    outside: 'FORBIDDEN',
    probes: [null],
    types: ['Account'],
    select: () => 'accounts(first: 100, includeDisabled: true) { totalCount nodes { id displayName area { code } } }',
    reveal: (d) => ids(d.nodes),
    count: (d) => d.totalCount,
  },
  {
    kind: 'object',
    name: 'Query.node (Account)',
    covers: ['Node.Account'],
    objects: byType('Account'),
    readers: ['COUNTY_ADMIN'],
    anonymous: 'UNAUTHENTICATED',
    outside: 'NULL',
    via: { field: 'node', selection: 'id ... on Account { displayName area { code } }' },
    reveal: (d) => [d.id],
  },
];

// ---- 责任到人: what a person is responsible for (as far as the caller may read each item) ----

const responsibleRows: Row[] = [
  {
    kind: 'area',
    name: 'Query.responsibilities',
    covers: ['Query.responsibilities'],
    anonymous: 'UNAUTHENTICATED',
    above: 'FORBIDDEN',
    outside: 'EMPTY',
    probes: [null],
    // Every fixture rectification names 张三 as its responsible person: each caller gets those it may read (none for VIEWER and VILLAGE_OPERATOR).
    types: ['Rectification'],
    select: () => 'responsibilities(name: "张三", first: 100) { totalCount nodes { kind itemId title area { code } } }',
    reveal: (d) => d.nodes.map((n: { itemId: string }) => n.itemId),
    count: (d) => d.totalCount,
  },
];

// ---- 待办/提醒: the caller's own inbox (every signed-in role; nobody else's items) ----

const inboxRows: Row[] = [
  {
    kind: 'area',
    name: 'Query.inbox',
    covers: ['Query.inbox'],
    anonymous: 'UNAUTHENTICATED',
    above: 'FORBIDDEN',
    outside: 'EMPTY',
    probes: [null],
    // The fixture gives two callers an item each (their tokens' subjects): each gets its own, every other caller an empty inbox.
    types: ['InboxItem'],
    select: () => 'inbox(first: 100) { totalCount unreadCount nodes { id } }',
    reveal: (d) => d.nodes.map((n: { id: string }) => n.id),
    count: (d) => d.totalCount,
  },
];

export const readRows: Row[] = [...areaRows, ...queryRows, ...objectRows, ...httpRows, ...webhookRows, ...accountRows, ...responsibleRows, ...inboxRows];

/**
 * Reads that are public, with the reason (the coverage test accepts them
 * without a row). Everything else of {@link readCoordinates} needs a row.
 */
export const PUBLIC_READS: Record<string, string> = {
  'Query.area': 'the area hierarchy is public',
  'Query.areas': 'the area hierarchy is public',
  'Query.indicators': 'the indicator catalogue is public',
  'Query.viewer': 'the caller itself',
  'Query.me': "the caller's own account (null for tokens that are not an account's)",
  'Node.Area': 'the area hierarchy is public',
  'Node.Indicator': 'the indicator catalogue is public',
};

/** Subscription fields, covered by the subscription part of the runner. */
export const SUBSCRIPTION_COVERS = [
  'Subscription.progressUpdated',
  'Subscription.facilityStatusChanged',
  'Subscription.taskHealthChanged',
  'Subscription.statsChanged',
];
