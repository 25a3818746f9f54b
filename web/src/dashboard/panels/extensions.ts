import type {
  PanelDecideExtensionMutation,
  PanelDecideExtensionMutationVariables,
  PanelExtensionsQuery,
  PanelExtensionsQueryVariables,
} from '../../../graphql/generated/graphql';
// The operations' text from their files, in this lazily loaded chunk (not the page's main one); their types from codegen.
import PANEL_DECIDE_EXTENSION from '../../../graphql/extension-decide.graphql?raw';
import PANEL_EXTENSIONS from '../../../graphql/extensions.graphql?raw';
import { gql } from '../api';
import { fmt, h, noData } from '../dom';
import { FieldErrors, field } from '../entry';
import type { PanelContext } from '../panel';

type Request = PanelExtensionsQuery['deadlineExtensions']['nodes'][number];

/** When a request was made, in the browser's time (the server sends UTC). */
const when = (at: unknown) => new Date(String(at)).toLocaleString('zh-CN', { dateStyle: 'short', timeStyle: 'short', hour12: false });

/** 审批意见 typed but not sent, by request: the panel is read again on live events, and the text stays. */
const typedNotes = new Map<string, string>();
/** The last decision's confirmation, kept across those re-renders too. */
let lastMessage = '';

/** One pending request: what it extends, from and to, why and by whom; 审批意见 and the two decisions. */
function requestRow(ctx: PanelContext, request: Request, decided: (text: string) => Promise<void>): HTMLElement {
  const errors = new FieldErrors('request');
  const note = h('input', {
    type: 'text',
    name: 'note',
    maxlength: 500,
    placeholder: '可选',
    'aria-label': '审批意见',
    value: typedNotes.get(request.id) ?? '',
  });
  note.addEventListener('input', () => typedNotes.set(request.id, note.value));
  const approve = h('button', { type: 'button', class: 'primary', 'data-decide': 'approve' }, '批准');
  const refuse = h('button', { type: 'button', class: 'secondary', 'data-decide': 'refuse' }, '不予批准');
  const decide = async (yes: boolean) => {
    errors.clear();
    approve.disabled = refuse.disabled = true;
    try {
      const { decideDeadlineExtension: result } = await gql<PanelDecideExtensionMutation, PanelDecideExtensionMutationVariables>(PANEL_DECIDE_EXTENSION, {
        input: { request: request.id, approve: yes, note: note.value.trim() || null },
      });
      if (result.userErrors.length) return errors.show(result.userErrors, (path) => (path.at(-1) === 'note' ? 'note' : null));
      typedNotes.delete(request.id);
      await decided(
        yes
          ? `已批准「${request.itemTitle}」延期至 ${request.requestedDeadline}`
          : `已不予批准「${request.itemTitle}」的延期申请（期限仍为 ${request.previousDeadline}）`,
      );
      ctx.refresh();
    } catch (error) {
      errors.fail(error);
    } finally {
      approve.disabled = refuse.disabled = false;
    }
  };
  approve.addEventListener('click', () => void decide(true));
  refuse.addEventListener('click', () => void decide(false));
  return h(
    'li',
    { class: 'extension-request', 'data-request': request.id, 'data-item': request.item },
    h('strong', { class: 'chain-title' }, request.itemTitle),
    h('small', { class: 'chain-meta' }, `原期限 ${request.previousDeadline} → 申请延期至 `, h('b', {}, request.requestedDeadline)),
    h('small', { class: 'chain-person' }, `理由：${request.reason}`),
    h('small', { class: 'chain-meta' }, `申请人 ${request.requestedBy} · ${when(request.requestedAt)}`),
    h('div', { class: 'entry-fields' }, field('审批意见', note, errors, 'note'), approve, refuse),
    errors.slot('request'),
  );
}

/**
 * 延期审批 (issue 31 items 2 and 5): the pending deadline-extension requests in the viewer's
 * subtree (`deadlineExtensions(state: PENDING)`), each with its item's title, and 批准 /
 * 不予批准 with an optional 审批意见; a refusal the server gives (one's own request, already
 * decided) shows in Chinese at the request. The panel (chain-panels.ts) loads this module when it renders.
 */
export async function renderExtensions(ctx: PanelContext, body: HTMLElement): Promise<void> {
  const message = h('div', { class: 'entry-message', role: 'status', 'data-testid': 'extension-message' }, lastMessage);
  const list = h('div', { class: 'extension-list' });
  const load = async () => {
    const { deadlineExtensions: page } = await gql<PanelExtensionsQuery, PanelExtensionsQueryVariables>(PANEL_EXTENSIONS, { area: ctx.area.code });
    if (!page.nodes.length) return void list.replaceChildren(noData('没有待审批的延期申请'));
    list.replaceChildren(
      h('div', { class: 'panel-note' }, `待审批 ${fmt(page.totalCount)} 件`),
      h(
        'ul',
        { class: 'chain-list' },
        page.nodes.map((request) =>
          requestRow(ctx, request, async (text) => {
            message.textContent = lastMessage = text;
            await load();
          }),
        ),
      ),
    );
  };
  body.replaceChildren(message, list);
  await load();
}
