import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todayInChina } from '../../src/common/dates.js';
import { startTestApp, type TestApp } from '../support/app.js';

// Paging past the ninth row: the loaders select `id::text as id`, and an
// unqualified ORDER BY id would then sort the text ('10' before '9') while the
// cursors compare numbers, losing and repeating rows. A fresh database gives
// ids 1, 2, … so twelve rows cross the boundary.

let app: TestApp;
let token: string;
beforeAll(async () => {
  app = await startTestApp();
  token = await app.token('COUNTY_ADMIN', '511921');
});
afterAll(() => app?.close());

async function mutate(field: string, inputType: string, selection: string, input: Record<string, unknown>) {
  const data = await app.query<Record<string, any>, unknown>(
    `mutation($input: ${inputType}!) { ${field}(input: $input) { ${selection} userErrors { code field message } } }`,
    { input },
    { token },
  );
  expect(data[field].userErrors).toEqual([]);
  return data[field];
}

type Connection = { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: { text: string }[] };

/** Every node of a connection, read in pages of five; `query(after)` selects it as `page`, or on `node` (`$id`). */
async function pageThrough(query: (after: string | null) => string, id?: string): Promise<string[]> {
  const seen: string[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 10; pages++) {
    const data: { page?: Connection; node?: Record<string, Connection> } = await app.query(query(after), id ? { id } : {}, { token });
    const page: Connection = data.page ?? Object.values(data.node!)[0];
    seen.push(...page.nodes.map((n: { text: string }) => n.text));
    if (!page.pageInfo.hasNextPage) return seen;
    after = page.pageInfo.endCursor;
  }
  throw new Error('more than 10 pages');
}

const PAGE = 'pageInfo { hasNextPage endCursor }';

const notes = Array.from({ length: 12 }, (_, i) => `note ${i + 1}`);

describe('governance connections past the ninth row', () => {
  it("pages an enrolment's evidence oldest first, each note once", async () => {
    const { programme } = await mutate('createDemonstrationProgramme', 'CreateDemonstrationProgrammeInput', 'programme { id }', {
      name: '分页示范',
      level: 'COUNTY',
      year: 2026,
    });
    const { enrolment } = await mutate('enrolInDemonstration', 'EnrolInDemonstrationInput', 'enrolment { id }', {
      programmeId: programme.id,
      areaCode: '511921101001',
    });
    for (const note of notes)
      await mutate('addDemonstrationEvidence', 'AddDemonstrationEvidenceInput', 'enrolment { id }', { enrolmentId: enrolment.id, note });
    const read = await pageThrough(
      (after) =>
        `query($id: ID!) { node(id: $id) { ... on DemonstrationEnrolment { evidence(first: 5, after: ${JSON.stringify(after)}) { ${PAGE} nodes { text: note } } } } }`,
      enrolment.id,
    );
    expect(read).toEqual(notes);
  });

  it("pages a body's meetings of one day latest first, each meeting once", async () => {
    const { body } = await mutate('createGovernanceBody', 'CreateGovernanceBodyInput', 'body { id }', {
      areaCode: '511921101001',
      bodyType: 'DELIBERATION_COUNCIL',
      establishedOn: '2025-01-01',
    });
    for (const topic of notes)
      await mutate('recordGovernanceMeeting', 'RecordGovernanceMeetingInput', 'meeting { id }', {
        bodyId: body.id,
        heldOn: todayInChina(),
        topic,
        attendance: 7,
      });
    const read = await pageThrough(
      (after) =>
        `query($id: ID!) { node(id: $id) { ... on GovernanceBody { meetings(first: 5, after: ${JSON.stringify(after)}) { ${PAGE} nodes { text: topic } } } } }`,
      body.id,
    );
    expect(read).toEqual([...notes].reverse());
  });

  it('pages the programmes of one year in id order, each once', async () => {
    const names = notes.map((note) => `示范 ${note}`);
    for (const name of names)
      await mutate('createDemonstrationProgramme', 'CreateDemonstrationProgrammeInput', 'programme { id }', { name, level: 'CITY', year: 2025 });
    const read = await pageThrough(
      (after) => `{ page: demonstrationProgrammes(year: 2025, first: 5, after: ${JSON.stringify(after)}) { ${PAGE} nodes { text: name } } }`,
    );
    expect(read).toEqual(names);
  });
});
