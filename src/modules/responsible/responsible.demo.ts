import type { MikroORM } from '@mikro-orm/postgresql';
import { log } from '../../common/log.js';
import { toGlobalId } from '../../common/global-id.js';
import { sqlFor } from '../../db/sql.js';
import { contextWith, createContext, type Registry } from '../../graphql/context.js';
import type { DemoSeeder } from '../../feature.js';
import { systemViewer } from '../../auth/auth.rules.js';
import { AssignResponsibleInput, ResponsiblePersonInput } from '../../people/responsible.inputs.js';
import { responsibleService } from './responsible.service.js';

/** 股室 → the demo person responsible for its tasks (股长). */
const SECTION_HEADS: Record<string, string> = {
  区划地名股: '罗志军',
  社会事务股: '何春梅',
  养老服务股: '蒲文军',
  儿童福利股: '李秀英',
  社会救助股: '苟建平',
  基层政权股: '向东',
};

const person = (name: string, title: string, unit: string) => Object.assign(new ResponsiblePersonInput(), { name, title, unit });

/**
 * Demo responsible persons (责任到人): every demo task its section's head, every
 * demo project its lead official, one township share its 副镇长, and one task
 * and one rectification changed once (with a reason), so the history shows a
 * change. Written through the service (events, history) after the task,
 * project and rectification demos; skipped when any demo item has one.
 */
export const responsibleDemo: DemoSeeder = {
  name: 'responsible-persons',
  async run(orm: MikroORM, countyCode: string, registry: Registry) {
    const fork = orm.em.fork();
    const sql0 = sqlFor(fork);
    const [seeded] = await sql0(`select 1 from responsible_change c join task t on c.item_kind = 'TASK' and t.id = c.item_id where t.source = 'DEMO' limit 1`);
    if (seeded) return;
    await fork.transactional(async (em) => {
      const sql = sqlFor(em);
      const ctx = contextWith(createContext(orm, registry, { requestId: 'demo-seed', viewer: systemViewer(countyCode) }), em);
      const assign = (type: string, key: string, who: ResponsiblePersonInput, reason: string | null = null) =>
        responsibleService.assign(ctx, Object.assign(new AssignResponsibleInput(), { item: toGlobalId(type, key), person: who, reason }));
      const tasks = await sql<{ id: string; title: string; owner_section: string }>(
        `select id::text as id, title, owner_section from task where source = 'DEMO' order by id`,
      );
      for (const task of tasks) {
        await assign('Task', task.id, person(SECTION_HEADS[task.owner_section] ?? '王晓燕', '股长', `县民政局${task.owner_section}`), '年初分解责任');
      }
      const grain = tasks.find((task) => task.title.startsWith('优质粮油'));
      if (grain) await assign('Task', grain.id, person('谢国华', '副局长', '县民政局'), '逾期未完成，改由分管副局长牵头');
      const [share] = await sql<{ id: string; area_name: string }>(
        `select a.id::text as id, ar.name as area_name from task_assignment a join task t on t.id = a.task_id join area ar on ar.code = a.area_code
          where t.source = 'DEMO' order by a.id limit 1`,
      );
      if (share) await assign('TaskAssignment', share.id, person('李明', '副镇长', `${share.area_name}人民政府`));
      const projects = await sql<{ id: string; lead: { name: string; title: string } | null }>(
        `select id::text as id, lead_official as lead from project where source = 'DEMO' order by id`,
      );
      for (const project of projects) {
        if (project.lead) await assign('Project', project.id, person(project.lead.name, project.lead.title, '通江县人民政府'));
      }
      const [rectification] = await sql<{ id: string }>(`select id::text as id from rectification where source = 'DEMO' order by id limit 1`);
      if (rectification) await assign('Rectification', rectification.id, person('张志刚', '党委副书记', '民胜镇人民政府'), '原责任人调任');
      log.info({ tasks: tasks.length, projects: projects.length }, 'demo responsible persons written');
    });
  },
};
