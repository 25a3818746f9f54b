import type { PanelChainQuery, PanelChainQueryVariables } from '../../../graphql/generated/graphql';
// The operation's text from its file, in this lazily loaded chunk (not the page's main one); its types from codegen.
import PANEL_CHAIN from '../../../graphql/chain.graphql?raw';
import { gql } from '../api';
import { h, noData, thisMonth } from '../dom';
import { failureText } from '../entry';
import type { PanelContext } from '../panel';
import { dueLabel, label, stageLabel } from './labels';

type Chain = PanelChainQuery['accountability'];

/** The month chosen, kept across the page's refreshes (a live event re-renders the panel). */
let chosenMonth: string | null = null;

/** 责任人: name, title, unit; else the owning section (or the person registered with a rectification). */
function responsibleText(item: Chain['items'][number]): string {
  const person = item.responsible;
  if (!person) return `责任单位 ${item.owner}（未设责任人）`;
  return [person.name, person.title, person.unit].filter(Boolean).join(' · ');
}

function section(key: string, title: string, count: number, body: HTMLElement): HTMLElement {
  return h('section', { class: 'chain-part', 'data-chain': key }, h('h3', {}, `${title}（${count}）`), body);
}

/** An empty section says what was read: the area and the month. */
function empty(key: string, text: string): HTMLElement {
  return h('p', { class: 'chain-empty', 'data-empty': key }, text);
}

function itemsList(chain: Chain): HTMLElement {
  if (!chain.items.length) return empty('items', `${chain.areaName} ${chain.month}：本月无逾期或滞后事项`);
  return h(
    'ul',
    { class: 'chain-list' },
    chain.items.map((item) => {
      const health = item.health ?? 'OVERDUE';
      return h(
        'li',
        { class: `chain-item health-${health.toLowerCase()}`, 'data-subject': item.subjectId, 'data-health': health },
        h(
          'div',
          { class: 'chain-head' },
          h('span', { class: `chip health-${health.toLowerCase()}` }, item.health ? label(item.health) : '整改逾期'),
          h('strong', { class: 'chain-title' }, item.title),
        ),
        h('small', { class: 'chain-meta' }, `${item.areaName} · 截止 ${item.deadline} · ${item.reason}`),
        h('small', { class: 'chain-person', 'data-testid': 'chain-responsible' }, `责任人：${responsibleText(item)}`),
      );
    }),
  );
}

function supervisionList(chain: Chain): HTMLElement {
  if (!chain.openSupervision.length) return empty('supervision', `${chain.areaName} ${chain.month}：无在办督办`);
  return h(
    'ul',
    { class: 'chain-list' },
    chain.openSupervision.map((action) =>
      h(
        'li',
        { class: `chain-item due-${action.dueState.toLowerCase()}`, 'data-supervision': action.supervisionActionId, 'data-due': action.dueState },
        h(
          'div',
          { class: 'chain-head' },
          h('span', { class: `chip due-${action.dueState.toLowerCase()}` }, dueLabel(action.dueState)),
          h('strong', { class: 'chain-title' }, action.title),
        ),
        h(
          'small',
          { class: 'chain-meta' },
          `${label(action.kind)} · ${action.targetUnit} · 阶段 `,
          h('span', { 'data-testid': 'chain-stage' }, stageLabel(action.stage)),
          ` · 回复时限 ${action.responseDue}`,
        ),
      ),
    ),
  );
}

function outcomesList(chain: Chain): HTMLElement {
  if (!chain.outcomes.length) return empty('outcomes', `${chain.areaName} ${chain.month}：本月无问责记录`);
  return h(
    'ul',
    { class: 'chain-list' },
    chain.outcomes.map((outcome) =>
      h(
        'li',
        { class: 'chain-item', 'data-outcome': outcome.kind },
        h('div', { class: 'chain-head' }, h('span', { class: 'chip' }, label(outcome.kind)), h('strong', { class: 'chain-title' }, outcome.name)),
        h('small', { class: 'chain-meta' }, [outcome.title, outcome.unit, outcome.decidedOn].filter(Boolean).join(' · ')),
        outcome.note ? h('small', { class: 'chain-person' }, outcome.note) : '',
      ),
    ),
  );
}

/**
 * 责任落实 (issue 31 item 5): `accountability(month, area)` for the selected area and a month
 * (default this one) — 逾期/滞后事项 with their 责任人, 在办督办 with its stage and due state,
 * and the month's 问责. The panel (chain-panels.ts) loads this module when it renders.
 */
export async function renderChain(ctx: PanelContext, body: HTMLElement): Promise<void> {
  const month = h('input', { type: 'month', name: 'chain-month', value: chosenMonth ?? thisMonth(), max: thisMonth(), 'aria-label': '月份' });
  const output = h('div', { class: 'chain', 'aria-live': 'polite' });
  const load = async () => {
    output.setAttribute('aria-busy', 'true');
    try {
      const { accountability: chain } = await gql<PanelChainQuery, PanelChainQueryVariables>(PANEL_CHAIN, { month: month.value, area: ctx.area.code });
      output.replaceChildren(
        h('div', { class: 'panel-note' }, `${chain.areaName} ${chain.month}（截至 ${chain.asOf}）`),
        section('items', '逾期/滞后事项', chain.items.length, itemsList(chain)),
        section('supervision', '在办督办', chain.openSupervision.length, supervisionList(chain)),
        section('outcomes', '问责情况', chain.outcomes.length, outcomesList(chain)),
      );
    } finally {
      output.removeAttribute('aria-busy');
    }
  };
  month.addEventListener('change', () => {
    if (!month.value) return;
    chosenMonth = month.value;
    output.replaceChildren('正在读取…');
    load().catch((e) => output.replaceChildren(noData(failureText(e))));
  });
  body.replaceChildren(h('div', { class: 'report-controls' }, h('label', {}, '月份 ', month)), output);
  await load();
}
