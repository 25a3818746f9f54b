import { toGlobalId } from '../../common/global-id.js';
import type { Sql } from '../../db/sql.js';
import { ProgressAction, SubjectKind } from '../progress/progress.entity.js';
import { appendProgressUpdate } from '../progress/progress.outbox.js';
import { refuseMerge, type AreaSuccession } from '../merger/merger.service.js';

/**
 * Facilities' part of a merger (两项改革): a facility stands where it stands, so
 * it now belongs to the successor area — each one moves, with a new version and
 * its own event. A retirement without successor is refused while facilities
 * would be left in a retired area.
 */
export async function moveFacilitiesOnMerge(sql: Sql, s: AreaSuccession): Promise<void> {
  if (s.target === null) {
    const [row] = await sql<{ n: number }>('select count(*)::int as n from facility where area_code = any(?::text[])', [s.sources]);
    if (row.n > 0) refuseMerge(`${row.n} facilities would be left in a retired area: name a successor`, 'area');
    return;
  }
  const moved = await sql<{ id: string; name: string; from_code: string; from_name: string; to_name: string }>(
    `with moved as (
       update facility f set area_code = ?, version = f.version + 1, updated_at = now()
         from (select id, area_code as from_code from facility where area_code = any(?::text[])) old
        where f.id = old.id
        returning f.id::text as id, f.name, old.from_code)
     select m.id, m.name, m.from_code, a.name as from_name, t.name as to_name
       from moved m join area a on a.code = m.from_code join area t on t.code = ?
      order by m.id`,
    [s.target, s.sources, s.target],
  );
  for (const facility of moved) {
    await appendProgressUpdate(sql, {
      subjectKind: SubjectKind.FACILITY,
      subjectId: toGlobalId('Facility', facility.id),
      areaCode: s.target,
      action: ProgressAction.UPDATED,
      actor: s.actor,
      summary: `${facility.name} 随区划调整由 ${facility.from_name} 划入 ${facility.to_name}(${s.effectiveDate} 起)`,
      before: { areaCode: facility.from_code },
      after: { areaCode: s.target },
    });
  }
}
