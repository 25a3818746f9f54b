import type { MikroORM } from '@mikro-orm/postgresql';
import { sqlFor } from '../../db/sql.js';
import { previousQuarter, quarterOfDate, todayInChina } from './governance.rules.js';
import { subtreeRange, AreaLevel } from '../../common/codes.js';
import type { DemoSeeder } from '../../feature.js';

/** A stable number 0–99 from a code and a salt (FNV-1a): the same data on every machine. */
function roll(code: string, salt: string): number {
  let hash = 0x811c9dc5;
  for (const char of `${salt}:${code}`) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 100;
}

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '何', '罗', '苟', '岳', '向', '冯'];
const GIVEN = ['德明', '秀英', '国华', '建军', '玉兰', '志强', '桂芳', '永福', '春梅', '光荣', '正清', '家富'];
const ROLES = ['会长', '副会长', '成员', '成员', '成员'];
const TOPICS = ['红白喜事简办规范', '村规民约修订', '大操大办劝导', '移风易俗宣传', '人居环境整治', '矛盾纠纷调解'];

function members(code: string, salt: string) {
  const size = 3 + (roll(code, `${salt}:n`) % 3);
  return Array.from({ length: size }, (_, i) => ({
    name: SURNAMES[roll(code, `${salt}:s${i}`) % SURNAMES.length] + GIVEN[(roll(code, `${salt}:g${i}`) + i) % GIVEN.length],
    role: ROLES[i],
  })).filter((member, i, all) => all.findIndex((m) => m.name === member.name) === i);
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Demo grassroots-governance data on the real hierarchy, after the speech: councils in
 * most villages (~85% 红白理事会, ~70% 议事会) with a few meetings; 壁州街道 and three
 * of its communities in the provincial third-batch community demonstration; a 道德银行
 * programme with a few villages; openness records for the last two full quarters with
 * a few gaps. Deterministic (hashes of the codes), marked `source = 'DEMO'`, written
 * once: it does nothing when demo programmes exist.
 */
export const governanceDemoSeeder: DemoSeeder = {
  name: 'governance',
  async run(orm: MikroORM, countyCode: string) {
    await orm.em.fork().transactional(async (em) => {
      const sql = sqlFor(em);
      const [seeded] = await sql(`select 1 from demonstration_programme where source = 'DEMO' limit 1`);
      if (seeded) return;
      const [lo, hi] = subtreeRange(countyCode, AreaLevel.COUNTY);
      const villages = await sql<{ code: string; parent_code: string }>(
        `select code, parent_code from area where level = 'VILLAGE' and valid_to is null and code between ? and ? order by code`,
        [lo, hi],
      );
      if (!villages.length) return;
      const today = todayInChina();
      const year = Number(today.slice(0, 4));
      const month = Number(today.slice(5, 7));

      const bodies: object[] = [];
      for (const { code } of villages) {
        for (const [type, share] of [
          ['WEDDINGS_FUNERALS_COUNCIL', 85],
          ['DELIBERATION_COUNCIL', 70],
        ] as const) {
          if (roll(code, type) >= share) continue;
          const list = members(code, type);
          bodies.push({
            area_code: code,
            body_type: type,
            established_on: `${2019 + (roll(code, `${type}:y`) % 5)}-${pad(1 + (roll(code, `${type}:m`) % 12))}-${pad(1 + (roll(code, `${type}:d`) % 28))}`,
            chair: list[0].name,
            charter_adopted: roll(code, `${type}:c`) < 80,
            members: list,
          });
        }
      }
      const inserted = await sql<{ id: string; area_code: string; body_type: string }>(
        `insert into governance_body (area_code, body_type, established_on, chair, charter_adopted, members, source)
         select area_code, body_type, established_on, chair, charter_adopted, members, 'DEMO'
           from jsonb_to_recordset(?::jsonb) as x(area_code text, body_type text, established_on date, chair text, charter_adopted boolean, members jsonb)
         on conflict (area_code, body_type) do nothing
         returning id::text as id, area_code, body_type`,
        [JSON.stringify(bodies)],
      );
      const meetings: object[] = [];
      for (const body of inserted) {
        const count = roll(body.area_code, `${body.body_type}:meetings`) % 4;
        for (let i = 0; i < count; i++) {
          const m = 1 + ((roll(body.area_code, `${body.body_type}:mm${i}`) + i * 3) % month);
          const held = `${year}-${pad(m)}-${pad(1 + (roll(body.area_code, `${body.body_type}:md${i}`) % 28))}`;
          if (held > today) continue;
          meetings.push({
            body_id: body.id,
            held_on: held,
            topic: TOPICS[roll(body.area_code, `${body.body_type}:t${i}`) % TOPICS.length],
            attendance: 5 + (roll(body.area_code, `${body.body_type}:a${i}`) % 20),
          });
        }
      }
      await sql(
        `insert into governance_meeting (body_id, held_on, topic, attendance, recorded_by)
         select body_id, held_on, topic, attendance, '演示数据' from jsonb_to_recordset(?::jsonb) as x(body_id bigint, held_on date, topic text, attendance int)`,
        [JSON.stringify(meetings)],
      );

      const programmes = await sql<{ id: string; name: string }>(
        `insert into demonstration_programme (area_code, scope_lo, scope_hi, name, level, year, description, source)
         select ?, ?, ?, name, level, ?, description, 'DEMO' from (values
           (1, '第三批省级城乡社区治理示范创建', 'PROVINCE', '启动壁州街道及其三个城市社区第三批省级城乡社区示范创建工作'),
           (2, '道德银行示范创建', 'COUNTY', '持续推进“道德银行”示范创建,推动全县村(居)民道德素养整体提升'),
           (3, '婚俗改革实验区', 'CITY', '全力推进婚俗改革,强力整治农村大操大办')) as p(n, name, level, description)
         order by n
         returning id::text as id, name`,
        [countyCode, lo, hi, year],
      );
      const idOf = (name: string) => programmes.find((p) => p.name === name)!.id;
      const [provincial, moralBank, marriage] = [idOf('第三批省级城乡社区治理示范创建'), idOf('道德银行示范创建'), idOf('婚俗改革实验区')];
      const township = countyCode.slice(0, 6);
      const bizhou = `${township}001000`;
      const bizhouCommunities = villages
        .filter((v) => v.parent_code === bizhou)
        .slice(0, 3)
        .map((v) => v.code);
      const enrolments: { programme_id: string; area_code: string; status: string }[] = [];
      const known = new Set(villages.map((v) => v.parent_code));
      if (known.has(bizhou)) {
        enrolments.push({ programme_id: provincial, area_code: bizhou, status: 'CREATING' });
        for (const code of bizhouCommunities) enrolments.push({ programme_id: provincial, area_code: code, status: 'CREATING' });
      }
      const moral = villages.filter((v) => roll(v.code, 'moral-bank') < 3).slice(0, 8);
      const statuses = ['AWARDED', 'ASSESSED', 'CREATING', 'CREATING', 'APPLIED', 'CREATING', 'DROPPED', 'APPLIED'];
      moral.forEach((v, i) => enrolments.push({ programme_id: moralBank, area_code: v.code, status: statuses[i] }));
      for (const code of [...known].sort().slice(0, 2)) enrolments.push({ programme_id: marriage, area_code: code, status: 'APPLIED' });
      const enrolled = await sql<{ id: string; area_code: string; status: string }>(
        `insert into demonstration_enrolment (programme_id, area_code, status, source)
         select programme_id, area_code, status, 'DEMO' from jsonb_to_recordset(?::jsonb) as x(programme_id bigint, area_code text, status text)
         on conflict (programme_id, area_code) do nothing
         returning id::text as id, area_code, status`,
        [JSON.stringify(enrolments)],
      );
      await sql(
        `insert into demonstration_evidence (enrolment_id, note, recorded_by)
         select id, note, '演示数据' from jsonb_to_recordset(?::jsonb) as x(id bigint, note text)`,
        [JSON.stringify(enrolled.filter((e) => e.status !== 'APPLIED').map((e) => ({ id: e.id, note: '已制定创建方案,成立工作专班' })))],
      );

      const items = await sql<{ code: string }>(
        `select code from openness_item where active and (owner_area_code is null or left(owner_area_code, 6) = left(?, 6)) order by position`,
        [countyCode],
      );
      const current = quarterOfDate(today);
      const entries: object[] = [];
      for (const quarter of [previousQuarter(current, 2), previousQuarter(current, 1)]) {
        const startDay = Date.parse(`${quarter.start}T00:00:00Z`);
        for (const { code } of villages) {
          for (const item of items) {
            const r = roll(code, `${quarter.text}:${item.code}`);
            if (r < 1) continue; // never recorded
            const published = r >= 3;
            const day = new Date(startDay + (r % 80) * 86_400_000).toISOString().slice(0, 10);
            entries.push({
              area_code: code,
              quarter: quarter.text,
              item_code: item.code,
              published,
              form: published ? ['NOTICE_BOARD', 'ONLINE', 'BOTH'][r % 3] : null,
              published_on: published ? (day > quarter.end ? quarter.end : day) : null,
              checked_by: '乡镇民政办',
            });
          }
        }
      }
      await sql(
        `insert into openness_entry (area_code, quarter, item_code, published, form, published_on, checked_by, source)
         select area_code, quarter, item_code, published, form, published_on, checked_by, 'DEMO'
           from jsonb_to_recordset(?::jsonb) as x(area_code text, quarter text, item_code text, published boolean, form text, published_on date, checked_by text)
         on conflict (area_code, quarter, item_code) do nothing`,
        [JSON.stringify(entries)],
      );
    });
  },
};
