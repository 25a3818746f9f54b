import type { MikroORM } from '@mikro-orm/postgresql';
import { log } from '../../common/log.js';
import { toGlobalId } from '../../common/global-id.js';
import { sqlFor } from '../../db/sql.js';
import { contextWith, createContext, type Registry } from '../../graphql/context.js';
import type { DemoSeeder } from '../../feature.js';
import { CreateFacilityInput } from '../facility/facility.inputs.js';
import { FacilityStatus, FacilityType, OperatingModel } from '../facility/facility.rules.js';
import { facilityService } from '../facility/facility.service.js';
import { ChangeProjectStatusInput, CreateProjectInput, RecordProjectProgressInput } from './project.inputs.js';
import { ProjectCategory, ProjectStatus } from './project.rules.js';
import { projectService } from './project.service.js';
import { systemViewer } from '../../auth/auth.rules.js';

/** The county the demo describes: 通江县. Other counties get no demo facilities. */
const TONGJIANG = '511921000000';
const YEAR_END = '2026-12-31';

const t = (triplet: string) => `511921${triplet}000`;
const v = (township: string, village: string) => `511921${township}${village}`;

/** 15 towns with a public 敬老院; the first 9 are already 公建民营 (speech: 15 public nursing homes, 9 reformed). */
const NURSING_HOME_TOWNS: [string, string][] = [
  ['101', '民胜镇'],
  ['102', '火炬镇'],
  ['103', '广纳镇'],
  ['104', '铁佛镇'],
  ['105', '麻石镇'],
  ['106', '至诚镇'],
  ['107', '洪口镇'],
  ['108', '沙溪镇'],
  ['109', '瓦室镇'],
  ['110', '永安镇'],
  ['111', '铁溪镇'],
  ['112', '涪阳镇'],
  ['113', '诺水河镇'],
  ['114', '毛浴镇'],
  ['115', '泥溪镇'],
];
const OPERATORS = [
  '通江县颐康养老服务有限公司',
  '巴中市福寿康养管理有限公司',
  '通江县夕阳红养老服务中心',
  '四川康乐养老产业有限公司',
  '通江县仁和养老服务有限公司',
];

interface DemoProject {
  name: string;
  category: ProjectCategory;
  /** 责任股室: the section that owns the project (the names the key tasks' demo uses). */
  section: string;
  area: string;
  planned: string;
  secured: string;
  start: string;
  target: string;
  lead: { name: string; title: string };
  members: { name: string; role: string; unit: string }[];
  milestones: { name: string; dueDate: string; doneDate?: string }[];
  progress: { percent: number; asOf: string; note: string; blockers?: string }[];
  facility: { name: string; type: FacilityType; area: string; beds: number };
}

const team = (leader: string, unit: string) => [
  { name: leader, role: '专班组长', unit: '县民政局' },
  { name: '陈立', role: '工程质量', unit: '县住建局' },
  { name: '赵敏', role: '资金保障', unit: '县财政局' },
  { name: '周平', role: '现场协调', unit },
];

const PROJECTS: DemoProject[] = [
  {
    name: '通江县失能半失能养护院建设项目',
    category: ProjectCategory.ELDERLY_CARE,
    section: '养老服务股',
    area: t('100'),
    planned: '18000000.00',
    secured: '12000000.00',
    start: '2026-03-15',
    target: YEAR_END,
    lead: { name: '王建国', title: '副县长' },
    members: team('李红梅', '诺江镇人民政府'),
    milestones: [
      { name: '主体工程封顶', dueDate: '2026-07-31', doneDate: '2026-08-10' },
      { name: '装修及设备安装', dueDate: '2026-10-31' },
      { name: '竣工验收', dueDate: '2026-12-15' },
    ],
    progress: [
      { percent: 35, asOf: '2026-06-30', note: '主体施工至三层' },
      { percent: 60, asOf: '2026-08-31', note: '主体封顶' },
      { percent: 72, asOf: '2026-10-31', note: '装修进行中', blockers: '消防设备到货延迟' },
    ],
    facility: { name: '通江县失能半失能养护院', type: FacilityType.DISABLED_ELDERLY_CARE_HOME, area: t('100'), beds: 200 },
  },
  {
    name: '通江县特困人员供养服务设施建设项目',
    category: ProjectCategory.SOCIAL_ASSISTANCE,
    section: '社会救助股',
    area: t('119'),
    planned: '9600000.00',
    secured: '7000000.00',
    start: '2026-04-01',
    target: YEAR_END,
    lead: { name: '刘志强', title: '县民政局局长' },
    members: team('张晓燕', '杨柏镇人民政府'),
    milestones: [
      { name: '场地平整及基础', dueDate: '2026-06-30', doneDate: '2026-07-05' },
      { name: '主体工程', dueDate: '2026-09-30' },
      { name: '竣工验收', dueDate: '2026-12-20' },
    ],
    progress: [
      { percent: 25, asOf: '2026-07-31', note: '基础完工' },
      { percent: 48, asOf: '2026-10-31', note: '主体施工', blockers: '雨季影响工期' },
    ],
    facility: { name: '杨柏镇特困人员供养服务中心', type: FacilityType.EXTREME_POVERTY_SUPPORT_FACILITY, area: t('119'), beds: 120 },
  },
  ...(
    [
      ['116', '两河口镇', '王德明'],
      ['117', '板桥口镇', '何世军'],
    ] as const
  ).map(([code, town, leader]): DemoProject => ({
    name: `${town}敬老院建设项目`,
    category: ProjectCategory.ELDERLY_CARE,
    section: '养老服务股',
    area: t(code),
    planned: '3200000.00',
    secured: '2500000.00',
    start: '2026-03-01',
    target: YEAR_END,
    lead: { name: leader, title: `${town}党委书记` },
    members: team('罗静', `${town}人民政府`),
    milestones: [
      { name: '主体完工', dueDate: '2026-08-31', doneDate: '2026-09-12' },
      { name: '配套设施', dueDate: '2026-11-15' },
      { name: '建成投运', dueDate: YEAR_END },
    ],
    progress: [
      { percent: 50, asOf: '2026-08-31', note: '主体施工' },
      { percent: 80, asOf: '2026-10-31', note: '配套设施施工' },
    ],
    facility: { name: `${town}敬老院`, type: FacilityType.NURSING_HOME, area: t(code), beds: 60 },
  })),
  ...(
    [
      ['118', '新场镇'],
      ['120', '三溪镇'],
    ] as const
  ).map(([code, town]): DemoProject => ({
    name: `${town}未成年人保护工作站建设`,
    category: ProjectCategory.MINOR_PROTECTION,
    section: '儿童福利股',
    area: t(code),
    planned: '300000.00',
    secured: '200000.00',
    start: '2026-05-01',
    target: YEAR_END,
    lead: { name: '吴秀兰', title: '县民政局副局长' },
    members: [
      { name: '郑丽', role: '专班组长', unit: '县民政局儿童福利股' },
      { name: '黄勇', role: '站点建设', unit: `${town}人民政府` },
    ],
    milestones: [
      { name: '场所落实', dueDate: '2026-07-31', doneDate: '2026-07-20' },
      { name: '设施配备及人员培训', dueDate: '2026-11-30' },
      { name: '挂牌运行', dueDate: YEAR_END },
    ],
    progress: [{ percent: 40, asOf: '2026-10-31', note: '场所已落实,设施采购中' }],
    facility: { name: `${town}未成年人保护工作站`, type: FacilityType.MINOR_PROTECTION_STATION, area: t(code), beds: 0 },
  })),
];

function input<T extends object>(type: new () => T, values: Partial<T>): T {
  return Object.assign(new type(), values);
}

/**
 * The speech's facilities and projects, on real Tongjiang townships, in 2026,
 * marked `source = 'DEMO'`: 15 public 敬老院 (9 公建民营), 2 敬老院 and the
 * 失能半失能养护院 and 特困人员供养服务设施 projects under way, 2 community
 * elderly-care complexes built and 1 under construction in 壁州街道, 2
 * minor-protection stations due by year end, and the county minor-protection
 * centre. Written through the services (so every row has its events) in one
 * transaction: it is all there or none of it is.
 */
export async function seedFacilitiesAndProjects(orm: MikroORM, countyCode: string, registry: Registry): Promise<void> {
  if (countyCode !== TONGJIANG) return;
  const probe = sqlFor(orm.em.fork());
  const [state] = await probe<{ seeded: boolean; areas: number }>(
    `select exists(select 1 from facility where source = 'DEMO') as seeded,
            (select count(*)::int from area where code = any(?::text[])) as areas`,
    [[TONGJIANG, t('001'), t('100'), t('120'), v('001', '006')]],
  );
  if (state.seeded || state.areas < 5) return;

  await orm.em.fork().transactional(async (em) => {
    const sql = sqlFor(em);
    const ctx = contextWith(createContext(orm, registry, { requestId: 'demo-seed', viewer: systemViewer(TONGJIANG) }), em);
    const demo = { source: 'DEMO' as const };
    const facility = (values: Partial<CreateFacilityInput>) =>
      facilityService.create(
        ctx,
        input(CreateFacilityInput, { status: FacilityStatus.PLANNED, beds: 0, occupiedBeds: 0, operator: null, openedOn: null, location: null, ...values }),
        demo,
      );

    for (const [i, [code, town]] of NURSING_HOME_TOWNS.entries()) {
      const reformed = i < 9;
      const beds = 40 + ((i * 13) % 5) * 10;
      await facility({
        name: `${town}敬老院`,
        type: FacilityType.NURSING_HOME,
        area: t(code),
        operatingModel: reformed ? OperatingModel.PUBLIC_BUILT_PRIVATE_RUN : OperatingModel.PUBLIC,
        status: FacilityStatus.OPERATING,
        beds,
        occupiedBeds: Math.round(beds * (0.55 + (i % 4) * 0.1)),
        operator: reformed ? OPERATORS[i % OPERATORS.length] : null,
        openedOn: `20${String(8 + (i % 8)).padStart(2, '0')}-0${1 + (i % 9)}-01`,
      });
    }

    for (const [village, status] of [
      ['001', FacilityStatus.BUILT],
      ['002', FacilityStatus.BUILT],
      ['006', FacilityStatus.UNDER_CONSTRUCTION],
    ] as const) {
      const [area] = await sql<{ name: string }>('select name from area where code = ?', [v('001', village)]);
      await facility({
        name: `壁州街道${area.name.replace(/居民委员会$/, '')}养老服务综合体`,
        type: FacilityType.COMMUNITY_ELDERLY_CARE_COMPLEX,
        area: v('001', village),
        operatingModel: OperatingModel.PUBLIC,
        status,
        beds: 30,
      });
    }

    await facility({
      name: '通江县未成年人救助保护中心',
      type: FacilityType.MINOR_PROTECTION_CENTER,
      area: TONGJIANG,
      operatingModel: OperatingModel.PUBLIC,
      status: FacilityStatus.OPERATING,
      beds: 20,
      occupiedBeds: 6,
      openedOn: '2021-06-01',
    });

    for (const p of PROJECTS) {
      const { facility: built } = await facility({ ...p.facility, operatingModel: OperatingModel.PUBLIC });
      const { project } = await projectService.create(
        ctx,
        input(CreateProjectInput, {
          name: p.name,
          category: p.category,
          ownerSection: p.section,
          area: p.area,
          plannedInvestment: p.planned,
          securedFunding: p.secured,
          startDate: p.start,
          targetDate: p.target,
          facility: built.id,
          leadOfficial: p.lead,
          taskForce: p.members,
          milestones: p.milestones.map((m) => ({ name: m.name, dueDate: m.dueDate, doneDate: m.doneDate ?? null })),
        }),
        demo,
      );
      // Starting it puts the planned facility under construction (its own event).
      await projectService.changeStatus(ctx, input(ChangeProjectStatusInput, { id: project.id, version: project.version, status: ProjectStatus.IN_PROGRESS }));
      for (const entry of p.progress) {
        await projectService.recordProgress(
          ctx,
          input(RecordProjectProgressInput, {
            project: toGlobalId('Project', project.key),
            percent: entry.percent,
            note: entry.note,
            blockers: entry.blockers ?? null,
            asOf: entry.asOf,
          }),
        );
      }
    }
  });
  log.info('demo facilities and projects seeded');
}

export const facilitiesAndProjectsDemo: DemoSeeder = { name: 'facilities-and-projects', run: seedFacilitiesAndProjects };
