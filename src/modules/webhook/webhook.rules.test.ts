import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Role, type Viewer } from '../../auth/auth.rules.js';
import { SubjectKind } from '../progress/progress.entity.js';
import { progressScope } from '../progress/progress.rules.js';
import { checkWebhookUrl, deliveryId, isPrivateAddress, mayReceive, retryDelayMs, signatureHeader, webhookOptionsFrom } from './webhook.rules.js';

describe('webhook URLs', () => {
  it('accept http and https, normalised', () => {
    expect(checkWebhookUrl(' https://hooks.example.com/civgraph?x=1 ', false)).toBe('https://hooks.example.com/civgraph?x=1');
    expect(checkWebhookUrl('http://HOOKS.example.com', false)).toBe('http://hooks.example.com/');
  });

  it('refuse other schemes, credentials, fragments and garbage, naming the field', () => {
    for (const url of ['ftp://example.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url', '']) {
      expect(() => checkWebhookUrl(url, true)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'url' }) as Error);
    }
    expect(() => checkWebhookUrl('https://user:pw@example.com/', true)).toThrow('用户名或密码');
    expect(() => checkWebhookUrl('https://token@example.com/', true)).toThrow('用户名或密码');
    expect(() => checkWebhookUrl('https://example.com/#x', true)).toThrow('片段');
  });

  it('refuse loopback, private, link-local and local names unless private targets are allowed', () => {
    for (const url of [
      'http://127.0.0.1:8080/',
      'http://2130706433/', // 127.0.0.1 in decimal, normalised by the URL parser
      'http://10.1.2.3/',
      'http://172.20.0.1/',
      'http://192.168.1.1/',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]/',
      'http://[fe80::1]/',
      'http://[fd00::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://localhost:3000/',
      'http://db.internal/',
      'http://0.0.0.0/',
    ]) {
      expect(() => checkWebhookUrl(url, false), url).toThrow('不能推送到本机、内网或链路本地地址');
      expect(checkWebhookUrl(url, true)).toMatch(/^http:/);
    }
    expect(checkWebhookUrl('http://8.8.8.8/', false)).toBe('http://8.8.8.8/');
  });

  it('judge addresses, IPv4-mapped IPv6 as IPv4', () => {
    expect(isPrivateAddress('127.0.0.1')).toBe(true);
    expect(isPrivateAddress('::ffff:a00:1')).toBe(true);
    expect(isPrivateAddress('::ffff:8.8.8.8')).toBe(false);
    expect(isPrivateAddress('2001:db8::1')).toBe(false);
    expect(isPrivateAddress('93.184.216.34')).toBe(false);
  });
});

describe('webhook deliveries', () => {
  it('are signed over "t.body" with HMAC-SHA256 of the secret', () => {
    const header = signatureHeader('whsec_k', 1_700_000_000, '{"a":1}');
    expect(header).toBe(`t=1700000000,v1=${createHmac('sha256', 'whsec_k').update('1700000000.{"a":1}').digest('hex')}`);
  });

  it('have an id made of the webhook and the event, the same on every attempt', () => {
    expect(deliveryId('7', '1234')).toBe('7-1234');
  });

  it('back off exponentially with jitter, capped', () => {
    expect(retryDelayMs(1, 1000, 3_600_000, () => 0)).toBe(500);
    expect(retryDelayMs(1, 1000, 3_600_000, () => 1)).toBe(1000);
    expect(retryDelayMs(4, 1000, 3_600_000, () => 1)).toBe(8000);
    expect(retryDelayMs(40, 1000, 3_600_000, () => 1)).toBe(3_600_000);
    expect(retryDelayMs(40, 1000, 3_600_000, () => 0)).toBe(1_800_000);
  });

  it('reach a webhook only in its scope and as its registrant could read them', () => {
    const admin: Viewer = { sub: 'a', name: 'a', role: Role.COUNTY_ADMIN, areaCode: '511921000000' };
    const viewer: Viewer = { ...admin, role: Role.VIEWER };
    const scope = progressScope('511921101000', ['511921101000', '511921101999'], true, [SubjectKind.TASK, SubjectKind.RECTIFICATION]);
    expect(mayReceive(admin, scope, { areaCode: '511921101001', subjectKind: SubjectKind.RECTIFICATION })).toBe(true);
    expect(mayReceive(admin, scope, { areaCode: '511921102001', subjectKind: SubjectKind.TASK })).toBe(false);
    expect(mayReceive(admin, scope, { areaCode: '511921101001', subjectKind: SubjectKind.FACILITY })).toBe(false);
    // A registrant who may not read 审计整改 (were one ever to register) gets none of it.
    expect(mayReceive(viewer, scope, { areaCode: '511921101001', subjectKind: SubjectKind.RECTIFICATION })).toBe(false);
    expect(mayReceive(viewer, scope, { areaCode: '511921101001', subjectKind: SubjectKind.TASK })).toBe(true);
  });
});

describe('webhook options', () => {
  it('have production defaults and refuse malformed values by name', () => {
    expect(webhookOptionsFrom({})).toEqual({
      allowPrivate: false,
      pollMs: 1000,
      timeoutMs: 5000,
      retryBaseMs: 10_000,
      retryMaxMs: 3_600_000,
      keepAttempts: 1000,
    });
    expect(webhookOptionsFrom({ WEBHOOK_ALLOW_PRIVATE: '1' }).allowPrivate).toBe(true);
    expect(() => webhookOptionsFrom({ WEBHOOK_TIMEOUT_MS: 'soon' })).toThrow('WEBHOOK_TIMEOUT_MS');
    expect(() => webhookOptionsFrom({ WEBHOOK_ALLOW_PRIVATE: 'yes' })).toThrow('WEBHOOK_ALLOW_PRIVATE');
  });
});
