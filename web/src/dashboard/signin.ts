import { gql, setDeveloperToken, signIn, type SessionAccount } from './api';
import { h } from './dom';
import { FieldErrors, field, fieldPath, type FieldError } from './entry';

/**
 * 登录 (issue 29 item 4): the page shown when there is no session. A login and a
 * password; the server's Chinese message on a refusal (登录名或密码错误, 账号已停用…,
 * 登录尝试过于频繁…). Tokens never enter the address bar. On a loopback address a
 * clearly labelled 开发者入口 still takes a development token (`civgraph token`), as
 * the GraphQL console does.
 */
export function signInPage(options: { message?: string; onSignedIn(account: SessionAccount | null): void }): HTMLElement {
  const login = h('input', { name: 'login', autocomplete: 'username', required: true, autocapitalize: 'off', spellcheck: 'false' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const message = h('p', { class: 'signin-message', role: 'alert', 'data-testid': 'signin-message' }, options.message ?? '');
  const submit = h('button', { type: 'submit', class: 'primary' }, '登录');
  const form = h(
    'form',
    {
      class: 'signin-form',
      'data-testid': 'signin-form',
      onsubmit: (event: Event) => {
        event.preventDefault();
        if (!login.value.trim() || !password.value) return void (message.textContent = '请填写账号和密码');
        submit.disabled = true;
        message.textContent = '正在登录…';
        signIn(login.value.trim(), password.value)
          .then((result) => {
            if ('account' in result) return options.onSignedIn(result.account);
            message.textContent = result.message;
            password.value = '';
            password.focus();
          })
          .catch(() => (message.textContent = '无法连接服务器，请检查网络后重试'))
          .finally(() => (submit.disabled = false));
      },
    },
    h('h1', {}, '民政工作看板'),
    h('p', { class: 'signin-lead' }, '请使用县民政局为您开设的账号登录'),
    message,
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, '账号'), login),
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, '密码'), password),
    submit,
    h('p', { class: 'signin-help' }, '没有账号或忘记密码，请联系县民政局管理员。'),
    developerEntry(() => options.onSignedIn(null)),
  );
  queueMicrotask(() => login.focus());
  return h('main', { class: 'signin' }, form);
}

/** Development tokens only on the developer's own machine (a loopback address), behind a link that says what it is. */
function developerEntry(onSignedIn: () => void): HTMLElement | null {
  if (!['localhost', '127.0.0.1', '[::1]'].includes(location.hostname)) return null;
  const token = h('input', { type: 'password', name: 'developer-token', 'aria-label': '开发令牌', autocomplete: 'off' });
  const box = h(
    'div',
    { class: 'developer-token' },
    token,
    h(
      'button',
      {
        type: 'button',
        onclick: () => {
          if (!token.value.trim()) return;
          setDeveloperToken(token.value.trim());
          onSignedIn();
        },
      },
      '使用开发令牌',
    ),
  );
  return h('details', { class: 'developer-entry' }, h('summary', {}, '开发者入口（仅本机开发用：粘贴 civgraph token 生成的令牌）'), box);
}

const CHANGE_PASSWORD = `mutation DashboardChangePassword($input: ChangePasswordInput!) {
  changePassword(input: $input) { account { id mustChangePassword } userErrors { field message messageZh code } }
}`;

/**
 * 修改密码: an account that must change its password (a new account, a reset one)
 * does so before any panel loads (`changePassword`; the server's field errors at
 * their fields: 当前密码不正确, the password rule …).
 */
export function changePasswordPage(account: SessionAccount, onChanged: () => void): HTMLElement {
  const errors = new FieldErrors();
  const current = h('input', { name: 'currentPassword', type: 'password', autocomplete: 'current-password', required: true });
  const next = h('input', { name: 'newPassword', type: 'password', autocomplete: 'new-password', required: true });
  const again = h('input', { name: 'newPasswordAgain', type: 'password', autocomplete: 'new-password', required: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, '修改密码');
  const form = h(
    'form',
    {
      class: 'signin-form',
      'data-testid': 'change-password-form',
      onsubmit: (event: Event) => {
        event.preventDefault();
        errors.clear();
        if (next.value !== again.value) return errors.set('newPasswordAgain', '两次输入的新密码不一致');
        submit.disabled = true;
        gql<{ changePassword: { account: { mustChangePassword: boolean } | null; userErrors: FieldError[] } }, unknown>(CHANGE_PASSWORD, {
          input: { currentPassword: current.value, newPassword: next.value },
        })
          .then(({ changePassword }) => {
            if (changePassword.userErrors.length) return errors.show(changePassword.userErrors, fieldPath);
            onChanged();
          })
          .catch((error: unknown) => errors.fail(error))
          .finally(() => (submit.disabled = false));
      },
    },
    h('h1', {}, '修改密码'),
    h('p', { class: 'signin-lead' }, `${account.displayName}，首次登录或密码被重置后，请先设置新密码。`),
    errors.slot('form'),
    field('当前密码', current, errors, 'currentPassword'),
    field('新密码', next, errors, 'newPassword'),
    field('再次输入新密码', again, errors, 'newPasswordAgain'),
    h('p', { class: 'signin-help' }, '密码规则：10 至 128 个字符，至少包含字母、数字、其他字符中的两类。'),
    submit,
  );
  return h('main', { class: 'signin' }, form);
}
