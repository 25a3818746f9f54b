import { gql } from '../api';
import { h, noData } from '../dom';
import { FieldErrors, errorText, failureText, field, fieldPath, type FieldError } from '../entry';

/** One account as the panel reads it. */
interface AccountRow {
  id: string;
  login: string;
  displayName: string;
  role: string;
  section: string | null;
  phone: string | null;
  disabled: boolean;
  mustChangePassword: boolean;
  version: number;
  area: { code: string; name: string };
}

interface Page {
  accounts: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: AccountRow[] };
}

interface Payload {
  account: AccountRow | null;
  userErrors: FieldError[];
}

const PAGE_SIZE = 20;
const ACCOUNT_FIELDS = 'id login displayName role section phone disabled mustChangePassword version area { code name }';
const LIST = `query DashboardAccounts($first: Int, $after: String) {
  accounts(first: $first, after: $after, includeDisabled: true) {
    totalCount pageInfo { hasNextPage endCursor } nodes { ${ACCOUNT_FIELDS} }
  }
}`;
const mutation = (name: string, input: string) => `mutation DashboardAccount_${name}($input: ${input}!) {
  ${name}(input: $input) { account { ${ACCOUNT_FIELDS} } userErrors { field message messageZh code } }
}`;
const CREATE = mutation('createAccount', 'CreateAccountInput');
const UPDATE = mutation('updateAccount', 'UpdateAccountInput');
const DISABLE = mutation('disableAccount', 'AccountIdInput');
const ENABLE = mutation('enableAccount', 'AccountIdInput');
const RESET = mutation('resetAccountPassword', 'ResetAccountPasswordInput');

/** The roles a county admin gives (县/局领导 reads everything and writes nothing). */
const ROLES: [string, string][] = [
  ['VILLAGE_OPERATOR', '村/社区报送员'],
  ['TOWNSHIP_OPERATOR', '乡镇民政办'],
  ['SECTION_STAFF', '股室工作人员'],
  ['LEADER', '县/局领导'],
  ['VIEWER', '只读'],
  ['COUNTY_ADMIN', '县/局管理员'],
];
const roleName = (role: string) => ROLES.find(([value]) => value === role)?.[1] ?? role;

/**
 * 账号管理 (issue 29 item 1), for COUNTY_ADMIN: the county's accounts, 20 at a time
 * (加载更多), 新建账号, and per account 编辑, 停用/启用 and 重置密码. Every refusal is
 * the server's: field errors at their fields, in Chinese (messageZh). Loaded when the
 * panel renders (admin-panels.ts declares it), so other roles' pages carry none of it.
 */
export async function renderAccounts(body: HTMLElement): Promise<void> {
  const list = h('tbody', {});
  const status = h('p', { class: 'panel-note', 'data-testid': 'accounts-status', role: 'status' });
  const more = h('button', { type: 'button', hidden: true }, '加载更多');
  const editor = h('div', { class: 'account-editor' });
  let after: string | null = null;

  const row = (account: AccountRow): HTMLElement => {
    const actionErrors = h('span', { class: 'field-error', role: 'alert' });
    const act = (document: string, input: Record<string, unknown>) => () => void run(document, input);
    const run = async (document: string, input: Record<string, unknown>) => {
      actionErrors.textContent = '';
      try {
        const data = await gql<Record<string, Payload>, unknown>(document, { input });
        const payload = Object.values(data)[0];
        if (payload.userErrors.length) actionErrors.textContent = payload.userErrors.map(errorText).join('；');
        else if (payload.account) tr.replaceWith(row(payload.account));
      } catch (error) {
        actionErrors.textContent = failureText(error);
      }
    };
    const tr = h(
      'tr',
      { 'data-login': account.login, 'data-disabled': account.disabled ? 'true' : 'false' },
      h('td', {}, account.displayName, h('small', {}, ` ${account.login}`)),
      h('td', {}, roleName(account.role), account.section ? h('small', {}, ` ${account.section}`) : ''),
      h('td', {}, account.area.name),
      h('td', {}, account.phone ?? '—'),
      h('td', { class: 'account-state' }, account.disabled ? '已停用' : account.mustChangePassword ? '待改密码' : '正常'),
      h(
        'td',
        { class: 'account-actions' },
        h('button', { type: 'button', onclick: () => openEditor(account) }, '编辑'),
        account.disabled
          ? h('button', { type: 'button', onclick: act(ENABLE, { id: account.id }) }, '启用')
          : h('button', { type: 'button', onclick: act(DISABLE, { id: account.id }) }, '停用'),
        h('button', { type: 'button', onclick: () => openReset(account) }, '重置密码'),
        actionErrors,
      ),
    );
    return tr;
  };

  const load = async (reset: boolean) => {
    if (reset) after = null;
    const data = await gql<Page, unknown>(LIST, { first: PAGE_SIZE, after });
    if (reset) list.replaceChildren();
    list.append(...data.accounts.nodes.map(row));
    after = data.accounts.pageInfo.endCursor;
    more.hidden = !data.accounts.pageInfo.hasNextPage;
    status.textContent = `共 ${data.accounts.totalCount} 个账号（含已停用）`;
  };
  more.addEventListener('click', () => void load(false).catch((error: unknown) => (status.textContent = failureText(error))));

  /** 新建账号 (account null) or 编辑 one: the server's field errors at their fields. */
  const openEditor = (account: AccountRow | null) => {
    const errors = new FieldErrors();
    const input = (name: string, value: string | null | undefined, attrs: Record<string, string> = {}) =>
      h('input', { name: `account-${name}`, value: value ?? '', ...attrs });
    const displayName = input('displayName', account?.displayName);
    const login = input('login', account?.login, { autocomplete: 'off', autocapitalize: 'off' });
    const role = h(
      'select',
      { name: 'account-role' },
      ROLES.map(([value, label]) => h('option', { value, selected: value === (account?.role ?? 'VILLAGE_OPERATOR') }, label)),
    );
    const area = input('area', account?.area.code, { inputmode: 'numeric', placeholder: '区划代码，如 511921101001' });
    const section = input('section', account?.section, { placeholder: '仅股室工作人员填写，如 养老服务股' });
    const phone = input('phone', account?.phone, { type: 'tel' });
    const password = input('password', '', { type: 'password', autocomplete: 'new-password' });
    const submit = h('button', { type: 'submit', class: 'primary' }, account ? '保存' : '新建');
    const keyOf = (path: string[]) => fieldPath(path);
    const form = h(
      'form',
      {
        class: 'entry-form',
        'data-testid': 'account-form',
        onsubmit: (event: Event) => {
          event.preventDefault();
          errors.clear();
          submit.disabled = true;
          const common = {
            displayName: displayName.value.trim(),
            role: role.value,
            area: area.value.trim(),
            section: section.value.trim() || null,
            phone: phone.value.trim() || null,
          };
          const request = account
            ? gql<{ updateAccount: Payload }, unknown>(UPDATE, { input: { id: account.id, version: account.version, ...common } }).then((d) => d.updateAccount)
            : gql<{ createAccount: Payload }, unknown>(CREATE, { input: { ...common, login: login.value.trim(), password: password.value } }).then(
                (d) => d.createAccount,
              );
          request
            .then(async (payload) => {
              if (payload.userErrors.length) return errors.show(payload.userErrors, keyOf);
              editor.replaceChildren();
              status.textContent = account ? `已保存 ${payload.account!.displayName}` : `已新建账号 ${payload.account!.login}`;
              await load(true);
            })
            .catch((error: unknown) => errors.fail(error))
            .finally(() => (submit.disabled = false));
        },
      },
      h('h3', {}, account ? `编辑账号 ${account.login}` : '新建账号'),
      errors.slot('form'),
      field('姓名', displayName, errors, 'displayName'),
      account ? '' : field('登录名', login, errors, 'login'),
      field('角色', role, errors, 'role'),
      field('区划', area, errors, 'area'),
      field('股室', section, errors, 'section'),
      field('电话', phone, errors, 'phone'),
      account ? '' : field('初始密码', password, errors, 'password'),
      h('div', { class: 'form-actions' }, submit, h('button', { type: 'button', onclick: () => editor.replaceChildren() }, '取消')),
    );
    editor.replaceChildren(form);
    displayName.focus();
  };

  /** 重置密码: a new password the account must change at its next sign-in; its sessions end. */
  const openReset = (account: AccountRow) => {
    const errors = new FieldErrors();
    const password = h('input', { name: 'account-newPassword', type: 'password', autocomplete: 'new-password' });
    const submit = h('button', { type: 'submit', class: 'primary' }, '重置');
    const form = h(
      'form',
      {
        class: 'entry-form',
        'data-testid': 'account-reset-form',
        onsubmit: (event: Event) => {
          event.preventDefault();
          errors.clear();
          submit.disabled = true;
          gql<{ resetAccountPassword: Payload }, unknown>(RESET, { input: { id: account.id, newPassword: password.value } })
            .then(async ({ resetAccountPassword: payload }) => {
              if (payload.userErrors.length) return errors.show(payload.userErrors, fieldPath);
              editor.replaceChildren();
              status.textContent = `已重置 ${account.login} 的密码，其下次登录时须修改`;
              await load(true);
            })
            .catch((error: unknown) => errors.fail(error))
            .finally(() => (submit.disabled = false));
        },
      },
      h('h3', {}, `重置密码：${account.displayName}（${account.login}）`),
      errors.slot('form'),
      field('新密码', password, errors, 'newPassword'),
      h('div', { class: 'form-actions' }, submit, h('button', { type: 'button', onclick: () => editor.replaceChildren() }, '取消')),
    );
    editor.replaceChildren(form);
    password.focus();
  };

  try {
    await load(true);
  } catch (error) {
    // A failed read is said as such: never an empty list the panel has not read.
    return void body.replaceChildren(noData(failureText(error)));
  }
  body.replaceChildren(
    h('div', { class: 'form-actions' }, h('button', { type: 'button', 'data-testid': 'account-new', onclick: () => openEditor(null) }, '新建账号')),
    editor,
    status,
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'mini accounts-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['姓名', '角色', '区划', '电话', '状态', '操作'].map((title) => h('th', {}, title)),
          ),
        ),
        list,
      ),
    ),
    more,
  );
}
