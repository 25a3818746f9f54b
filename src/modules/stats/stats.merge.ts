import type { Sql } from '../../db/sql.js';
import { refuseMerge, type AreaSuccession } from '../merger/merger.service.js';

/**
 * Statistics' part of a merger: figures of the sources for months from the
 * effective date on describe territory that now belongs to the target, so
 * they are added to the target's figures (per indicator and month) and removed
 * from the sources, each move audited (reason MERGE). Earlier months stay with
 * the retired sources and keep rolling up for past periods. A retirement
 * without successor is refused while such figures exist.
 */
export async function moveObservationsOnMerge(sql: Sql, s: AreaSuccession): Promise<void> {
  if (s.target === null) {
    const [row] = await sql<{ n: number }>('select count(*)::int as n from observation where area_code = any(?::text[]) and period_month >= ?::date', [
      s.sources,
      s.effectiveDate,
    ]);
    if (row.n > 0) refuseMerge(`${row.n} figures from ${s.effectiveDate.slice(0, 7)} on would be orphaned: name a successor`, 'area');
    return;
  }
  const actor = [s.actor.sub, s.actor.name, s.actor.role];
  await sql(
    `with moved as (
       delete from observation where area_code = any(?::text[]) and period_month >= ?::date
       returning area_code, indicator, period_month, value, source),
     summed as (
       select indicator, period_month, sum(value) as value,
              case when bool_and(source = 'DEMO') then 'DEMO' else 'REPORT' end as source
         from moved group by indicator, period_month),
     old as (
       select o.indicator, o.period_month, o.value, o.source
         from observation o join summed using (indicator, period_month) where o.area_code = ?),
     up as (
       insert into observation (area_code, indicator, period_month, value, source, updated_by)
       select ?, indicator, period_month, value, source, ? from summed
       on conflict (area_code, indicator, period_month) do update
          set value = observation.value + excluded.value,
              source = case when observation.source = 'DEMO' and excluded.source = 'DEMO' then 'DEMO' else 'REPORT' end,
              version = observation.version + 1, updated_at = now(), updated_by = excluded.updated_by
       returning area_code, indicator, period_month, value, source),
     audit_sources as (
       insert into observation_change (area_code, indicator, period_month, old_value, new_value, old_source, new_source, reason, actor_sub, actor_name, actor_role)
       select area_code, indicator, period_month, value, null, source, null, 'MERGE', ?, ?, ? from moved)
     insert into observation_change (area_code, indicator, period_month, old_value, new_value, old_source, new_source, reason, actor_sub, actor_name, actor_role)
     select up.area_code, up.indicator, up.period_month, old.value, up.value, old.source, up.source, 'MERGE', ?, ?, ?
       from up left join old using (indicator, period_month)`,
    [s.sources, s.effectiveDate, s.target, s.target, s.actor.sub, ...actor, ...actor],
  );
}
