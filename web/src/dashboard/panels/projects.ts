import query from '../../../graphql/pending/projects.graphql?raw';
import { gql } from '../api';
import { fmt, h, noData } from '../dom';
import type { Panel } from '../panel';
import { progressBar } from './charts';
import { label } from './labels';

interface Project {
  id: string;
  name: string;
  status: string;
  progress: number | string | null;
  targetDate?: string | null;
  leadOfficial?: { name: string } | null;
  area?: { shortName: string } | null;
}

/** 重点项目: progress bars and lead officials (一项目一牵头领导). */
export const projectsPanel: Panel = {
  id: 'projects',
  title: '重点项目',
  requires: ['Area.projects'],
  async render(ctx, body) {
    const data = await gql<{ area: { projects: { totalCount: number; nodes: Project[] } } | null }, { code: string }>(query, { code: ctx.area.code });
    const projects = data.area?.projects.nodes ?? [];
    if (!projects.length) return void body.replaceChildren(noData());
    body.replaceChildren(
      h('div', { class: 'panel-note' }, `共 ${fmt(data.area!.projects.totalCount)} 个项目`),
      h(
        'table',
        { class: 'list' },
        h('tr', {}, h('th', {}, '项目'), h('th', {}, '牵头领导'), h('th', {}, '进度'), h('th', {}, '目标日期')),
        projects.map((project) => {
          const raw = Number(project.progress ?? 0);
          const share = raw > 1 ? raw / 100 : raw;
          return h(
            'tr',
            {},
            h('td', {}, project.name, project.area ? h('small', {}, ` ${project.area.shortName}`) : ''),
            h('td', {}, project.leadOfficial?.name ?? '—'),
            h('td', {}, progressBar(share, `${Math.round(share * 100)}% ${label(project.status)}`)),
            h('td', {}, project.targetDate ?? '—'),
          );
        }),
      ),
    );
  },
};
