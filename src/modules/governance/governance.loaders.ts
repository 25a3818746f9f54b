import DataLoader from 'dataloader';
import { type Page, type PageRequest } from '../../common/connection.js';
import { groupedLoader, idKeys, loadLateralPages, rangeKeys, rowsByKey } from '../../common/loaders.js';
import type { Sql } from '../../db/sql.js';
import { AREA_COLUMNS, areaFromRow, type Area, type AreaRow } from '../area/area.entity.js';
import {
  BODY_COLUMNS,
  bodyFromRow,
  ENROLMENT_COLUMNS,
  enrolmentFromRow,
  ENTRY_COLUMNS,
  evidenceFromRow,
  ITEM_COLUMNS,
  itemFromRow,
  meetingFromRow,
  PROGRAMME_COLUMNS,
  programmeFromRow,
  type DemonstrationEnrolment,
  type DemonstrationEvidence,
  type DemonstrationProgramme,
  type GovernanceBody,
  type GovernanceBodyRow,
  type GovernanceMeeting,
  type OpennessEntryRow,
  type OpennessItem,
  type OpennessItemRow,
  type ProgrammeRow,
  type EnrolmentRow,
} from './governance.entity.js';
import type { BodyType, EnrolmentStatus } from './governance.rules.js';

/** A subtree, already cut to what the viewer may read: `area_code between lo and hi`. */
export interface Range {
  lo: string;
  hi: string;
}

const ID_WIDTH = 19;
/** Sort key of a row ordered by (date, id): both fixed width, so text order is row order. */
const dateIdKey = (date: string, id: string) => `${date}:${id.padStart(ID_WIDTH, '0')}`;

/**
 * Per-request loaders for grassroots governance. Each batch is one SQL statement
 * whatever the number of areas or records in the request.
 */
export function createGovernanceLoaders(sql: Sql) {
  const bodyById = new DataLoader<string, GovernanceBody | null>(async (ids) => {
    const rows = await sql<GovernanceBodyRow>(`select ${BODY_COLUMNS} from governance_body where id = any(?::bigint[])`, [ids]);
    const found = new Map(rows.map((row) => [row.id, bodyFromRow(row)]));
    return ids.map((id) => found.get(id) ?? null);
  });

  /** A village's body of one type, or null: key `${areaCode}:${bodyType}`. */
  const bodyOfVillage = new DataLoader<string, GovernanceBody | null>(async (keys) => {
    const rows = await sql<GovernanceBodyRow>(
      `select ${BODY_COLUMNS} from governance_body
        where (area_code, body_type) in (select * from unnest(?::text[], ?::text[]))`,
      [keys.map((key) => key.split(':')[0]), keys.map((key) => key.split(':')[1])],
    );
    const found = new Map(rows.map((row) => [`${row.area_code}:${row.body_type}`, bodyFromRow(row)]));
    return keys.map((key) => found.get(key) ?? null);
  });

  /** Bodies in a subtree, in (area, type) order. */
  const bodies = groupedLoader<Range & { bodyType: BodyType | null; page: PageRequest }, Page<GovernanceBody>>(
    (key) => JSON.stringify([key.bodyType, key.page]),
    async (keys) => {
      const { bodyType, page } = keys[0];
      return loadLateralPages(
        sql,
        keys,
        {
          by: rangeKeys(keys),
          table: 'governance_body',
          columns: BODY_COLUMNS,
          where: ['area_code between p.lo and p.hi and (?::text is null or body_type = ?::text)', [bodyType, bodyType]],
          after: [`area_code || ':' || body_type > ?::text`, [page.afterKey ?? '']],
          orderBy: 'area_code, body_type',
          rowOrder: 'x.area_code, x.body_type',
        },
        bodyFromRow,
        (body) => `${body.areaCode}:${body.bodyType}`,
      );
    },
  );

  /** Meetings of one body in a calendar year. */
  const meetingCount = groupedLoader<{ bodyId: string; year: number }, number>(
    (key) => String(key.year),
    async (keys) => {
      const year = keys[0].year;
      const rows = await sql<{ body_id: string; n: number }>(
        `select body_id::text as body_id, count(*)::int as n from governance_meeting
          where body_id = any(?::bigint[]) and held_on between make_date(?, 1, 1) and make_date(?, 12, 31)
          group by body_id`,
        [keys.map((k) => k.bodyId), year, year],
      );
      const counts = new Map(rows.map((row) => [row.body_id, row.n]));
      return keys.map((key) => counts.get(key.bodyId) ?? 0);
    },
  );

  /** A body's meetings, latest first. */
  const meetings = groupedLoader<{ bodyId: string; page: PageRequest }, Page<GovernanceMeeting>>(
    (key) => JSON.stringify(key.page),
    async (keys) => {
      const { page } = keys[0];
      // Qualified ids: a bare `id` in ORDER BY is the selected `id::text`, which sorts '10' before '9'.
      const sortKey = `held_on::text || ':' || lpad(id::text, ${ID_WIDTH}, '0')`;
      return loadLateralPages(
        sql,
        keys,
        {
          by: idKeys(keys, (k) => k.bodyId),
          table: 'governance_meeting',
          columns: `id::text as id, body_id, held_on, topic, attendance, recorded_by, created_at, ${sortKey} as sort_key`,
          where: ['body_id = p.id', []],
          after: [`(?::text is null or ${sortKey} < ?::text)`, [page.afterKey, page.afterKey]],
          orderBy: 'governance_meeting.held_on desc, governance_meeting.id desc',
          rowOrder: 'x.held_on desc, x.id::bigint desc',
        },
        meetingFromRow,
        (m) => dateIdKey(m.heldOn, m.dbId),
      );
    },
  );

  /**
   * Current villages in each range, and how many of them meet `condition` (SQL on
   * village `a`, with its parameters): one statement for every key in the batch.
   */
  function villageCounts<K extends Range>(groupOf: (key: K) => string, condition: (key: K) => [string, unknown[]]) {
    return groupedLoader<K, { villages: number; matching: number }>(groupOf, async (keys) => {
      const [where, params] = condition(keys[0]);
      const rows = await sql<{ lo: string; hi: string; villages: number; matching: number }>(
        `select p.lo, p.hi, t.villages, t.matching
           from unnest(?::text[], ?::text[]) as p(lo, hi)
           cross join lateral (
             select count(*)::int as villages, (count(*) filter (where ${where}))::int as matching
               from area a
              where a.level = 'VILLAGE' and a.valid_to is null and a.code between p.lo and p.hi) t`,
        [keys.map((k) => k.lo), keys.map((k) => k.hi), ...params],
      );
      const byRange = new Map(rows.map((row) => [row.lo + row.hi, { villages: row.villages, matching: row.matching }]));
      return keys.map((key) => byRange.get(key.lo + key.hi)!);
    });
  }

  /** One page of the current villages in each range that meet `condition`, in code order (totals come from {@link villageCounts}). */
  function villagesWhere<K extends Range & { page: PageRequest }>(groupOf: (key: K) => string, condition: (key: K) => [string, unknown[]]) {
    return groupedLoader<K, Area[]>(groupOf, async (keys) => {
      const { page } = keys[0];
      const [where, params] = condition(keys[0]);
      const rows = await sql<AreaRow & { batch_key: string }>(
        `select p.lo || p.hi as batch_key, v.*
           from unnest(?::text[], ?::text[]) as p(lo, hi)
           cross join lateral (
             select ${AREA_COLUMNS} from area a
              where a.level = 'VILLAGE' and a.valid_to is null and a.code between p.lo and p.hi and a.code > ?::text
                and ${where}
              order by a.code limit ?) v
          order by p.lo, p.hi, v.code`,
        [keys.map((k) => k.lo), keys.map((k) => k.hi), page.afterKey ?? '', ...params, page.first + 1],
      );
      const grouped = rowsByKey(
        keys.map((k) => k.lo + k.hi),
        rows,
        (row) => row.batch_key,
      );
      return keys.map((key) => grouped.get(key.lo + key.hi)!.map(areaFromRow));
    });
  }

  const hasBody = 'exists (select 1 from governance_body b where b.area_code = a.code and b.body_type = ?)';

  /** Villages in a subtree, and how many of them have a body of the type. */
  const coverage = villageCounts<Range & { bodyType: BodyType }>(
    (key) => key.bodyType,
    (key) => [hasBody, [key.bodyType]],
  );

  /** Villages in a subtree without a body of the type. */
  const villagesWithout = villagesWhere<Range & { bodyType: BodyType; page: PageRequest }>(
    (key) => JSON.stringify([key.bodyType, key.page]),
    (key) => [`not ${hasBody}`, [key.bodyType]],
  );

  const programmeById = new DataLoader<string, DemonstrationProgramme | null>(async (ids) => {
    const rows = await sql<ProgrammeRow>(`select ${PROGRAMME_COLUMNS} from demonstration_programme where id = any(?::bigint[])`, [ids]);
    const found = new Map(rows.map((row) => [row.id, programmeFromRow(row)]));
    return ids.map((id) => found.get(id) ?? null);
  });

  const enrolmentById = new DataLoader<string, DemonstrationEnrolment | null>(async (ids) => {
    const rows = await sql<EnrolmentRow>(`select ${ENROLMENT_COLUMNS} from demonstration_enrolment where id = any(?::bigint[])`, [ids]);
    const found = new Map(rows.map((row) => [row.id, enrolmentFromRow(row)]));
    return ids.map((id) => found.get(id) ?? null);
  });

  /** Enrolments in a subtree (optionally of one programme or status), in (area, programme) order. */
  const enrolments = groupedLoader<Range & { programmeId: string | null; status: EnrolmentStatus | null; page: PageRequest }, Page<DemonstrationEnrolment>>(
    (key) => JSON.stringify([key.programmeId, key.status, key.page]),
    async (keys) => {
      const { programmeId, status, page } = keys[0];
      const filter = `area_code between p.lo and p.hi and (?::bigint is null or programme_id = ?::bigint) and (?::text is null or status = ?::text)`;
      const sortKey = `area_code || ':' || lpad(programme_id::text, ${ID_WIDTH}, '0')`;
      return loadLateralPages(
        sql,
        keys,
        {
          by: rangeKeys(keys),
          table: 'demonstration_enrolment',
          columns: ENROLMENT_COLUMNS,
          where: [filter, [programmeId, programmeId, status, status]],
          after: [`${sortKey} > ?::text`, [page.afterKey ?? '']],
          orderBy: 'area_code, programme_id',
          rowOrder: 'x.area_code, x.programme_id::bigint',
        },
        enrolmentFromRow,
        (e) => `${e.areaCode}:${e.programmeId.padStart(ID_WIDTH, '0')}`,
      );
    },
  );

  /** An enrolment's evidence notes, oldest first. */
  const evidence = groupedLoader<{ enrolmentId: string; page: PageRequest }, Page<DemonstrationEvidence>>(
    (key) => JSON.stringify(key.page),
    async (keys) => {
      const { page } = keys[0];
      // Qualified ids: a bare `id` in ORDER BY is the selected `id::text`, which sorts '10' before '9'.
      return loadLateralPages(
        sql,
        keys,
        {
          by: idKeys(keys, (k) => k.enrolmentId),
          table: 'demonstration_evidence',
          columns: 'id::text as id, enrolment_id, note, recorded_by, created_at',
          where: ['enrolment_id = p.id', []],
          after: ['id > ?::bigint', [page.afterKey ?? '0']],
          orderBy: 'demonstration_evidence.id',
          rowOrder: 'x.id::bigint',
        },
        evidenceFromRow,
        (note) => note.dbId,
      );
    },
  );

  /** The whole checklist (a handful of rows), once per request. */
  const checklist = new DataLoader<'all', OpennessItem[]>(async (keys) => {
    const rows = await sql<OpennessItemRow>(`select ${ITEM_COLUMNS} from openness_item order by position, code`);
    return keys.map(() => rows.map(itemFromRow));
  });

  /** A village's entries for a quarter: key `${areaCode}:${quarter}`. */
  const entries = new DataLoader<string, OpennessEntryRow[]>(async (keys) => {
    const rows = await sql<OpennessEntryRow>(
      `select ${ENTRY_COLUMNS} from openness_entry
        where (area_code, quarter) in (select * from unnest(?::text[], ?::text[]))`,
      [keys.map((key) => key.split(':')[0]), keys.map((key) => key.split(':')[1])],
    );
    const grouped = rowsByKey([...keys], rows, (row) => `${row.area_code}:${row.quarter}`);
    return keys.map((key) => grouped.get(key)!);
  });

  // A village complies in a quarter when no active checklist item lacks a published entry.
  const compliantVillage = `not exists (
      select 1 from openness_item i
       where i.active and (i.owner_area_code is null or left(i.owner_area_code, 6) = left(a.code, 6)) and not exists (
         select 1 from openness_entry e
          where e.area_code = a.code and e.quarter = ? and e.item_code = i.code and e.published))`;

  /** Villages in a subtree, and how many complied in a quarter. */
  const compliance = villageCounts<Range & { quarter: string }>(
    (key) => key.quarter,
    (key) => [compliantVillage, [key.quarter]],
  );

  /** Villages in a subtree that did not comply in a quarter. */
  const nonCompliant = villagesWhere<Range & { quarter: string; page: PageRequest }>(
    (key) => JSON.stringify([key.quarter, key.page]),
    (key) => [`not ${compliantVillage}`, [key.quarter]],
  );

  return {
    bodyById,
    bodyOfVillage,
    bodies,
    meetingCount,
    meetings,
    coverage,
    villagesWithout,
    programmeById,
    enrolmentById,
    enrolments,
    evidence,
    checklist,
    entries,
    compliance,
    nonCompliant,
  };
}

export type GovernanceLoaders = ReturnType<typeof createGovernanceLoaders>;

declare module '../../graphql/context.js' {
  interface Loaders {
    governance: GovernanceLoaders;
  }
}
