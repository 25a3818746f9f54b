import type { PanelRequestExtensionMutation, PanelRequestExtensionMutationVariables } from '../../../graphql/generated/graphql';
// The operation's text from its file, in this lazily loaded chunk (not the page's main one); its types from codegen.
import PANEL_REQUEST_EXTENSION from '../../../graphql/extension-request.graphql?raw';
import { gql } from '../api';
import { h } from '../dom';
import { FieldErrors, field, fieldPath } from '../entry';
import type { TaskRow } from './tasks';

/** 申请延期: the new deadline (later than the one in force) and the reason; the server's errors at their fields, in Chinese. */
export function requestForm(task: TaskRow, close: () => void, sent: (text: string) => void): HTMLElement {
  const errors = new FieldErrors('extension');
  const deadline = h('input', { type: 'date', name: 'newDeadline', min: task.deadline, 'aria-label': '申请延期至' });
  const reason = h('input', { type: 'text', name: 'reason', maxlength: 500, 'aria-label': '延期理由' });
  const submit = h('button', { type: 'submit', class: 'primary' }, '提交申请');
  const cancel = h('button', { type: 'button', class: 'secondary', onclick: close }, '取消');
  const send = async () => {
    errors.clear();
    if (!deadline.value) return errors.set('newDeadline', '请选择申请延期至的日期');
    if (!reason.value.trim()) return errors.set('reason', '请填写延期理由');
    submit.disabled = true;
    try {
      const { requestDeadlineExtension: result } = await gql<PanelRequestExtensionMutation, PanelRequestExtensionMutationVariables>(PANEL_REQUEST_EXTENSION, {
        input: { item: task.id, newDeadline: deadline.value, reason: reason.value.trim() },
      });
      if (result.userErrors.length) {
        return errors.show(result.userErrors, (path) => ({ newDeadline: 'newDeadline', reason: 'reason' })[fieldPath(path)] ?? null);
      }
      sent(`已提交延期申请：延期至 ${deadline.value}，待县/局领导审批`);
    } catch (error) {
      errors.fail(error);
    } finally {
      submit.disabled = false;
    }
  };
  return h(
    'form',
    { class: 'entry-row extension-form', 'data-extension-for': task.id, novalidate: true, onsubmit: (event: Event) => (event.preventDefault(), void send()) },
    h('div', { class: 'entry-row-head' }, h('small', {}, `现行期限 ${task.deadline}`)),
    h('div', { class: 'entry-fields' }, field('申请延期至', deadline, errors, 'newDeadline'), field('延期理由', reason, errors, 'reason'), submit, cancel),
    errors.slot('extension'),
  );
}
