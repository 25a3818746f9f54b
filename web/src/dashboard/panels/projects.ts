import { PanelProjectsDocument } from '../../../graphql/generated/graphql';
import { gql } from '../api';
import { UNREAD_AREA, fmt, h, noData } from '../dom';
import type { Panel } from '../panel';
import { progressBar } from './charts';
import { label } from './labels';

/** 重点项目: `Area.projects` with the latest progressPercent as a bar and the lead official (一项目一牵头领导). */
export const projectsPanel: Panel = {
  id: 'projects',
  title: '重点项目',
  requires: ['Area.projects'],
  async render(ctx, body) {
    const data = await gql(PanelProjectsDocument, { code: ctx.area.code });
    // Not read (no such area in the viewer's reach) is not the same as none: never an empty state it has not read.
    if (!data.area) return void body.replaceChildren(noData(UNREAD_AREA));
    const projects = data.area?.projects.nodes ?? [];
    if (!projects.length) return void body.replaceChildren(noData('本区划没有项目'));
    body.replaceChildren(
      h('div', { class: 'panel-note' }, `共 ${fmt(data.area.projects.totalCount)} 个项目`),
      h(
        'table',
        { class: 'list' },
        h('tr', {}, h('th', {}, '项目'), h('th', {}, '牵头领导'), h('th', {}, '进度'), h('th', {}, '目标日期')),
        projects.map((project) => {
          const percent = project.progressPercent ?? 0;
          return h(
            'tr',
            { 'data-project': project.id },
            h('td', {}, project.name, h('small', {}, ` ${project.area.shortName}`)),
            h('td', { class: 'lead' }, project.leadOfficial ? [project.leadOfficial.name, h('small', {}, ` ${project.leadOfficial.title}`)] : '—'),
            h(
              'td',
              { title: project.progressAsOf ? `截至 ${project.progressAsOf}` : '尚未填报进度' },
              progressBar(
                percent / 100,
                `${project.progressPercent === null || project.progressPercent === undefined ? '—' : `${percent}%`} ${label(project.status)}`,
              ),
            ),
            h('td', { class: 'date' }, project.targetDate ?? '—'),
          );
        }),
      ),
    );
  },
};
