import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INDICATORS } from '../../src/modules/stats/stats.rules.js';
import { startTestApp, type TestApp } from '../support/app.js';

/**
 * 中文提示 (issue 30 item 3; docs/api.md, Errors): every userError carries
 * `messageZh`, in Chinese, naming the indicator or field by its Chinese name and
 * holding no indicator code and no English; `message` and `code` stay as they were.
 */

const PINGBA = '511921104200'; // 平坝村 (铁佛镇)
const REPORT = `mutation Report($input: ReportObservationsInput!) {
  reportObservations(input: $input) { observations { version } userErrors { field message messageZh code } }
}`;

interface Payload {
  reportObservations: {
    observations: { version: number }[] | null;
    userErrors: { field: string[] | null; message: string; messageZh: string; code: string }[];
  };
}

const pad = (n: number) => String(n).padStart(2, '0');
const now = new Date();
const LAST_MONTH = (() => {
  const d = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}`;
})();
const CODES = new RegExp(INDICATORS.map((i) => i.code).join('|'));

let app: TestApp;
let village: string;

beforeAll(async () => {
  app = await startTestApp();
  village = await app.token('VILLAGE_OPERATOR', PINGBA);
});
afterAll(() => app?.close());

const report = async (input: Record<string, unknown>) =>
  (await app.query<Payload, { input: Record<string, unknown> }>(REPORT, { input }, { token: village })).reportObservations;

describe('userErrors in Chinese', () => {
  it('names the indicator by its Chinese name, without its code or English; message and code stay', async () => {
    const before = await app.orm.em.fork().getConnection().execute<{ n: number }[]>('select count(*)::int as n from observation_change');
    const result = await report({
      area: PINGBA,
      period: LAST_MONTH,
      values: [
        { indicator: 'ELDERLY_60_PLUS', value: '-5' },
        { indicator: 'ORPHANS', value: 'abc' },
        { indicator: 'ASSISTANCE_FUNDS_YUAN', value: '12.345' },
        { indicator: 'MINORS_0_17', value: '1' },
        { indicator: 'MINORS_0_17', value: '2' },
      ],
    });
    expect(result.observations).toBeNull();
    expect(result.userErrors.map((e) => [e.field?.join('.'), e.code, e.messageZh])).toEqual([
      ['input.values.0.value', 'BAD_USER_INPUT', '「60岁以上老年人」不能为负数'],
      ['input.values.1.value', 'BAD_USER_INPUT', '「孤儿」是人数，请填写不超过 9 位的整数'],
      ['input.values.2.value', 'BAD_USER_INPUT', '「救助资金」是金额（元），请填写最多两位小数的数字，如 1250.50'],
      ['input.values.4.indicator', 'BAD_USER_INPUT', '「未成年人(0-17周岁)」填了两次'],
    ]);
    // The English message for developers is kept as it was.
    expect(result.userErrors[0].message).toBe('ELDERLY_60_PLUS: a value cannot be negative, got "-5"');
    for (const e of result.userErrors) {
      expect(e.messageZh).not.toMatch(CODES);
      expect(e.messageZh).not.toMatch(/[A-Za-z]/);
    }
    const after = await app.orm.em.fork().getConnection().execute<{ n: number }[]>('select count(*)::int as n from observation_change');
    expect(after).toEqual(before);
  });

  it('says what is wrong with the month, the area and a stale version in Chinese', async () => {
    const future = `${now.getFullYear() + 1}-01`;
    const bad = await report({ area: PINGBA, period: future, values: [{ indicator: 'ORPHANS', value: '1' }] });
    expect(bad.userErrors.map((e) => e.messageZh)).toEqual([`${future} 还没到，不能填报以后月份的数据`]);
    const quarter = await report({ area: PINGBA, period: '2026Q1', values: [{ indicator: 'ORPHANS', value: '1' }] });
    expect(quarter.userErrors.map((e) => e.messageZh)).toEqual(['统计数据按月填报，请选择月份（如 2026-05）']);
    const unknown = await report({ area: PINGBA, period: LAST_MONTH, values: [{ indicator: 'NO_SUCH', value: '1' }] });
    expect(unknown.userErrors.map((e) => e.messageZh)).toEqual(['没有这个统计指标，请刷新页面后重新填报']);

    const first = await report({ area: PINGBA, period: LAST_MONTH, values: [{ indicator: 'ORPHANS', value: '2', version: 0 }] });
    expect(first.userErrors).toEqual([]);
    const stale = await report({ area: PINGBA, period: LAST_MONTH, values: [{ indicator: 'ORPHANS', value: '3', version: 0 }] });
    expect(stale.userErrors.map((e) => [e.code, e.messageZh])).toEqual([['CONFLICT', '「孤儿」已被他人修改，请刷新后重新填报']]);
    for (const e of [...bad.userErrors, ...quarter.userErrors, ...unknown.userErrors, ...stale.userErrors]) expect(e.messageZh).not.toMatch(/[A-Za-z]/);
  });

  it("says a project's refusals in Chinese: a step the plan lacks, a step already done", async () => {
    const admin = await app.token('COUNTY_ADMIN', '511921');
    type Errors = { userErrors: { field: string[] | null; messageZh: string; code: string }[] };
    const created = await app.query<{ createProject: { project: { id: string } } }, unknown>(
      `mutation { createProject(input: { name: "敬老院改造测试", category: OTHER, area: "511921104", ownerSection: "养老服务股" }) { project { id } } }`,
      undefined,
      { token: admin },
    );
    const id = created.createProject.project.id;
    const planned = await app.query<{ setProjectPlan: Errors }, unknown>(
      `mutation { setProjectPlan(input: { project: "${id}", version: 1, milestones: [{ name: "主体完工", dueDate: "2026-08-31" }] }) { userErrors { field messageZh code } } }`,
      undefined,
      { token: admin },
    );
    expect(planned.setProjectPlan.userErrors).toEqual([]);
    const complete = async (position: number, version: number) =>
      (
        await app.query<{ completeMilestone: Errors }, unknown>(
          `mutation { completeMilestone(input: { project: "${id}", version: ${version}, position: ${position} }) { userErrors { field messageZh code } } }`,
          undefined,
          { token: admin },
        )
      ).completeMilestone.userErrors;
    expect(await complete(5, 2)).toEqual([{ field: ['input', 'position'], code: 'NOT_FOUND', messageZh: '推进方案没有第 5 个节点（共 1 个），请刷新后重试' }]);
    expect(await complete(1, 2)).toEqual([]);
    const again = await complete(1, 3);
    expect(again.map((e) => [e.code, e.messageZh])).toEqual([['BAD_USER_INPUT', expect.stringMatching(/^节点「主体完工」已于 \d{4}-\d{2}-\d{2} 完成$/)]]);
  });

  it('words a Chinese message from the field for errors the service gives in English only', async () => {
    // class-validator's English refusal of a too-long note: the field's Chinese name and what is wrong.
    const admin = await app.token('COUNTY_ADMIN', '511921');
    const answer = await app.query<{ recordTaskProgress: { userErrors: { field: string[]; message: string; messageZh: string; code: string }[] } }, unknown>(
      `mutation { recordTaskProgress(input: { assignment: "VGFza0Fzc2lnbm1lbnQ6MQ==", version: 0, done: -1, asOf: "2026-05-01" }) { userErrors { field message messageZh code } } }`,
      undefined,
      { token: admin },
    );
    expect(answer.recordTaskProgress.userErrors.map((e) => [e.field.join('.'), e.messageZh])).toEqual([['input.done', '「累计完成」填写有误']]);
    expect(answer.recordTaskProgress.userErrors[0].message).toMatch(/[A-Za-z]/);
  });
});
