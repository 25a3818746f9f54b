import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema, type GraphQLInputObjectType } from 'graphql';
import { readFile } from 'node:fs/promises';
import { previousQuarter, quarterOfDate, todayInChina } from '../../src/modules/governance/governance.rules.js';
import { startTestApp, type TestApp } from '../support/app.js';

// `area` everywhere (issue 32 item 5): the three governance inputs that said `areaCode` take
// `area` like every other input; `areaCode` still works, deprecated; both at once, or neither,
// is bad input on `area` and writes nothing.

let app: TestApp;
let admin: string;
beforeAll(async () => {
  app = await startTestApp();
  admin = await app.token('COUNTY_ADMIN', '511921');
});
afterAll(() => app?.close());

const CHENGNAN = '511921001001'; // 城南社区
const NANSI = '511921001002'; // 南寺社区
const BIZHOU = '511921001000'; // 壁州街道
const QUARTER = previousQuarter(quarterOfDate(todayInChina()));

const count = async (table: string) => (await app.orm.em.fork().getConnection().execute<{ n: number }[]>(`select count(*)::int as n from ${table}`))[0].n;

type Payload = { userErrors: { field: string[] | null; code: string; message: string }[] } & Record<string, unknown>;

async function mutate(name: string, input: Record<string, unknown>, select: string): Promise<Payload> {
  const type = name[0].toUpperCase() + name.slice(1);
  const result = await app.request<Record<string, Payload>, { input: Record<string, unknown> }>(
    `mutation ($input: ${type}Input!) { ${name}(input: $input) { ${select} userErrors { field code message } } }`,
    { input },
    { token: admin },
  );
  expect(result.errors).toBeUndefined();
  return result.data![name];
}

const BOTH = [expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'area'], message: expect.stringContaining('areaCode') })];
const NEITHER = [expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'area'] })];

describe('the schema', () => {
  it('has `area` on every input that had `areaCode`, and `areaCode` deprecated', async () => {
    const schema = buildSchema(await readFile(new URL('../../schema/schema.graphql', import.meta.url), 'utf8'));
    for (const name of ['CreateGovernanceBodyInput', 'EnrolInDemonstrationInput', 'RecordOpennessInput']) {
      const fields = (schema.getType(name) as GraphQLInputObjectType).getFields();
      expect(fields.area?.description, name).toMatch(/区划/);
      expect(fields.areaCode?.deprecationReason, name).toMatch(/Use `area`/);
    }
    // No input field or argument anywhere is called areaCode or areaId without being deprecated.
    const offenders: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      if ('getFields' in type) {
        for (const field of Object.values(type.getFields())) {
          if (/^area(Code|Id)$/.test(field.name) && !field.deprecationReason) offenders.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : []) {
            if (/^area(Code|Id)$/.test(arg.name) && !arg.deprecationReason) offenders.push(`${type.name}.${field.name}(${arg.name})`);
          }
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});

describe('createGovernanceBody', () => {
  const select = 'body { id area { code } }';
  const body = { bodyType: 'WEDDINGS_FUNERALS_COUNCIL', establishedOn: '2024-01-01', members: [] };

  it('refuses both names at once, and neither, writing nothing', async () => {
    const before = await count('governance_body');
    expect((await mutate('createGovernanceBody', { ...body, area: CHENGNAN, areaCode: CHENGNAN }, select)).userErrors).toEqual(BOTH);
    expect((await mutate('createGovernanceBody', body, select)).userErrors).toEqual(NEITHER);
    expect(await count('governance_body')).toBe(before);
  });

  it('takes `area`, and names `area` when the area is wrong', async () => {
    const made = await mutate('createGovernanceBody', { ...body, area: CHENGNAN }, select);
    expect(made).toMatchObject({ userErrors: [], body: { area: { code: CHENGNAN } } });
    const township = await mutate('createGovernanceBody', { ...body, area: BIZHOU }, select);
    expect(township.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'area'] })]);
  });

  it('still takes the deprecated `areaCode`, and names it when the area is wrong', async () => {
    const made = await mutate('createGovernanceBody', { ...body, areaCode: NANSI }, select);
    expect(made).toMatchObject({ userErrors: [], body: { area: { code: NANSI } } });
    const township = await mutate('createGovernanceBody', { ...body, areaCode: BIZHOU }, select);
    expect(township.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'areaCode'] })]);
  });
});

describe('enrolInDemonstration', () => {
  const select = 'enrolment { id area { code } }';
  let programmeId: string;
  beforeAll(async () => {
    const made = await mutate('createDemonstrationProgramme', { name: '示范村创建（area 测试）', level: 'COUNTY', year: 2026 }, 'programme { id }');
    programmeId = (made.programme as { id: string }).id;
  });

  it('refuses both names at once, and neither, writing nothing', async () => {
    const before = await count('demonstration_enrolment');
    expect((await mutate('enrolInDemonstration', { programmeId, area: CHENGNAN, areaCode: NANSI }, select)).userErrors).toEqual(BOTH);
    expect((await mutate('enrolInDemonstration', { programmeId }, select)).userErrors).toEqual(NEITHER);
    expect(await count('demonstration_enrolment')).toBe(before);
  });

  it('takes `area` and the deprecated `areaCode`; a second enrolment names the field sent', async () => {
    expect(await mutate('enrolInDemonstration', { programmeId, area: CHENGNAN }, select)).toMatchObject({
      userErrors: [],
      enrolment: { area: { code: CHENGNAN } },
    });
    expect(await mutate('enrolInDemonstration', { programmeId, areaCode: NANSI }, select)).toMatchObject({
      userErrors: [],
      enrolment: { area: { code: NANSI } },
    });
    expect((await mutate('enrolInDemonstration', { programmeId, area: NANSI }, select)).userErrors).toEqual([
      expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'area'] }),
    ]);
    expect((await mutate('enrolInDemonstration', { programmeId, areaCode: CHENGNAN }, select)).userErrors).toEqual([
      expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'areaCode'] }),
    ]);
  });
});

describe('recordOpenness', () => {
  const select = 'record { quarter area { code } }';
  const entries = [{ itemCode: 'FINANCES', published: false }];

  it('refuses both names at once, and neither, writing nothing', async () => {
    const before = await count('openness_entry');
    expect((await mutate('recordOpenness', { area: CHENGNAN, areaCode: CHENGNAN, quarter: QUARTER.text, entries }, select)).userErrors).toEqual(BOTH);
    expect((await mutate('recordOpenness', { quarter: QUARTER.text, entries }, select)).userErrors).toEqual(NEITHER);
    expect(await count('openness_entry')).toBe(before);
  });

  it('takes `area` and the deprecated `areaCode`', async () => {
    expect(await mutate('recordOpenness', { area: CHENGNAN, quarter: QUARTER.text, entries }, select)).toMatchObject({
      userErrors: [],
      record: { area: { code: CHENGNAN } },
    });
    expect(await mutate('recordOpenness', { areaCode: NANSI, quarter: QUARTER.text, entries }, select)).toMatchObject({
      userErrors: [],
      record: { area: { code: NANSI } },
    });
    const township = await mutate('recordOpenness', { area: BIZHOU, quarter: QUARTER.text, entries }, select);
    expect(township.userErrors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'area'] })]);
  });
});
