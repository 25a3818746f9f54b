import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAreas } from '../../src/modules/area/area.import.js';
import { startTestApp, type TestApp } from '../support/app.js';

// 村务公开 checklist items belong to the county that added them.
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await importAreas(app.orm, { county: '511922' }); // 南江县, a neighbour
});
afterAll(() => app?.close());

const CREATE = `mutation ($input: CreateOpennessItemInput!) { createOpennessItem(input: $input) { item { code version } userErrors { code message } } }`;
const UPDATE = `mutation ($input: UpdateOpennessItemInput!) { updateOpennessItem(input: $input) { item { code version active } userErrors { code message } } }`;
const CHECKLIST = `{ opennessChecklist { code } }`;

type Result = { errors?: { extensions?: { code?: string } }[]; data?: Record<string, { item: { version: number } | null; userErrors: unknown[] }> };

async function items(): Promise<{ code: string; owner_area_code: string | null; version: number }[]> {
  return app.orm.em.fork().getConnection().execute('select code, owner_area_code, version from openness_item order by code');
}

describe('openness checklist ownership', () => {
  it("keeps each county's items to itself: only its admins change them, only its villages are measured by them", async () => {
    const tongjiang = await app.token('COUNTY_ADMIN', '511921');
    const nanjiang = await app.token('COUNTY_ADMIN', '511922');
    const created = (await app.request(CREATE, { input: { code: 'TJ_ONLY', name: '通江县自定事项' } }, { token: tongjiang })) as Result;
    expect(created.data!.createOpennessItem.userErrors).toEqual([]);
    expect((await items()).find((i) => i.code === 'TJ_ONLY')).toMatchObject({ owner_area_code: '511921000000' });

    const before = await items();
    const foreign = (await app.request(UPDATE, { input: { code: 'TJ_ONLY', version: 1, active: false } }, { token: nanjiang })) as Result;
    expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await items()).toEqual(before);

    const tjList = (await app.query<{ opennessChecklist: { code: string }[] }, never>(CHECKLIST, undefined, { token: tongjiang })).opennessChecklist;
    const njList = (await app.query<{ opennessChecklist: { code: string }[] }, never>(CHECKLIST, undefined, { token: nanjiang })).opennessChecklist;
    expect(tjList.map((i) => i.code)).toContain('TJ_ONLY');
    expect(njList.map((i) => i.code)).not.toContain('TJ_ONLY');
  });

  it('refuses changes to the default checklist through the API', async () => {
    const [defaultItem] = (await items()).filter((i) => i.owner_area_code === null);
    const result = (await app.request(
      UPDATE,
      { input: { code: defaultItem.code, version: defaultItem.version, active: false } },
      { token: await app.token('COUNTY_ADMIN', '511921') },
    )) as Result;
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await items()).find((i) => i.code === defaultItem.code)).toEqual(defaultItem);
  });
});
