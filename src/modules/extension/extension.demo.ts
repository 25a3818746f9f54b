import type { MikroORM } from '@mikro-orm/postgresql';
import { log } from '../../common/log.js';
import { sqlFor } from '../../db/sql.js';
import type { DemoSeeder } from '../../feature.js';

/**
 * Demo deadline extension (延期申请): one demo task, the first by id still open,
 * gets an extension of a month, requested by its section and approved by the
 * county's leader, so `originalDeadline`, `deadline` and `extensions` show one.
 * Runs after the task demos; skipped when a demo task has one.
 */
export const extensionDemo: DemoSeeder = {
  name: 'deadline-extensions',
  async run(orm: MikroORM) {
    const sql = sqlFor(orm.em.fork());
    const [seeded] = await sql(`select 1 from deadline_extension e join task t on e.item_kind = 'TASK' and t.id = e.item_id where t.source = 'DEMO' limit 1`);
    if (seeded) return;
    const rows = await sql<{ id: string }>(
      `insert into deadline_extension (item_kind, item_id, previous_deadline, requested_deadline, reason, state,
         requested_by_sub, requested_by_name, requested_at, decided_by_sub, decided_by_name, decided_at, decided_on, note)
       select 'TASK', t.id, t.deadline, t.deadline + 31, '汛期影响施工，申请延期一个月', 'APPROVED',
              'demo', t.owner_section, now(), 'demo-leader', '分管副县长', now(), (now() at time zone 'Asia/Shanghai')::date, '同意延期，按新期限完成'
         from task t
        where t.source = 'DEMO' and (select coalesce(sum(a.done), 0) from task_assignment a where a.task_id = t.id) < t.target
        order by t.id limit 1
       returning id::text as id`,
    );
    log.info({ extensions: rows.length }, 'demo deadline extension written');
  },
};
