import type { MikroORM } from '@mikro-orm/postgresql';
import { log } from '../../common/log.js';
import { sqlFor } from '../../db/sql.js';
import { contextWith, createContext, type Registry } from '../../graphql/context.js';
import type { DemoSeeder } from '../../feature.js';
import { CreateRectificationInput, RecordFollowUpReviewInput, TransitionRectificationInput } from '../rectification/rectification.inputs.js';
import { RectificationCategory, RectificationStatus } from '../rectification/rectification.rules.js';
import { rectificationService } from '../rectification/rectification.service.js';
import { AdvanceSupervisionInput, IssueSupervisionInput, RecordSupervisionOutcomeInput } from './supervision.inputs.js';
import { AccountabilityKind, SupervisionStep } from './supervision.lifecycle.js';
import { SupervisionKind } from './supervision.entity.js';
import { supervisionService } from './supervision.service.js';
import { CreateTaskInput, RecordTaskProgressInput, TaskAssignmentInput } from '../task/task.inputs.js';
import { TaskCategory } from '../task/task.rules.js';
import { taskService } from '../task/task.service.js';
import { systemViewer } from '../../auth/auth.rules.js';

/** Township codes of 通江县 (511921) used by the demo, by name. */
const T = {
  壁州街道: '511921001',
  诺江镇: '511921100',
  民胜镇: '511921101',
  火炬镇: '511921102',
  广纳镇: '511921103',
  铁佛镇: '511921104',
  麻石镇: '511921105',
  至诚镇: '511921106',
  洪口镇: '511921107',
  沙溪镇: '511921108',
  瓦室镇: '511921109',
  永安镇: '511921110',
  铁溪镇: '511921111',
  涪阳镇: '511921112',
  诺水河镇: '511921113',
  毛浴镇: '511921114',
  两河口镇: '511921116',
  杨柏镇: '511921119',
  空山镇: '511921123',
  陈河镇: '511921125',
} as const;

type Progress = [township: keyof typeof T, asOf: string, done: number][];

interface DemoTask {
  title: string;
  category: TaskCategory;
  ownerSection: string;
  unit: string;
  /** The quarter's first day for the 片区规划; the year's start otherwise. */
  startDate?: string;
  deadline: string;
  shares: [keyof typeof T, number][];
  progress: Progress;
}

const YEAR = 2026;
const d = (monthDay: string) => `${YEAR}-${monthDay}`;

/** The speech's 2026 agenda: the seven 片区规划 with their quarters, the stations, and the tomb remediation. */
const TASKS: DemoTask[] = [
  {
    title: '红色文化旅游示范片区国土空间规划',
    category: TaskCategory.TWO_REFORMS_FOLLOW_UP,
    ownerSection: '区划地名股',
    unit: '个',
    deadline: d('03-31'),
    shares: [['毛浴镇', 1]],
    progress: [['毛浴镇', d('03-25'), 1]],
  },
  {
    title: '银耳(食用菌)产业发展片区国土空间规划',
    category: TaskCategory.TWO_REFORMS_FOLLOW_UP,
    ownerSection: '区划地名股',
    unit: '个',
    startDate: d('04-01'),
    deadline: d('06-30'),
    shares: [['陈河镇', 1]],
    progress: [['陈河镇', d('06-26'), 1]],
  },
  {
    title: '茶旅融合发展片区国土空间规划',
    category: TaskCategory.TWO_REFORMS_FOLLOW_UP,
    ownerSection: '区划地名股',
    unit: '个',
    startDate: d('04-01'),
    deadline: d('06-30'),
    shares: [['涪阳镇', 1]],
    progress: [['涪阳镇', d('07-20'), 1]],
  },
  {
    title: '优质粮油片区国土空间规划',
    category: TaskCategory.TWO_REFORMS_FOLLOW_UP,
    ownerSection: '区划地名股',
    unit: '个',
    startDate: d('04-01'),
    deadline: d('06-30'),
    shares: [['火炬镇', 1]],
    progress: [],
  },
  {
    title: '山地生态养殖片区国土空间规划',
    category: TaskCategory.TWO_REFORMS_FOLLOW_UP,
    ownerSection: '区划地名股',
    unit: '个',
    startDate: d('07-01'),
    deadline: d('12-31'),
    shares: [['空山镇', 1]],
    progress: [['空山镇', d('11-20'), 1]],
  },
  {
    title: '产城融合片区国土空间规划',
    category: TaskCategory.TWO_REFORMS_FOLLOW_UP,
    ownerSection: '区划地名股',
    unit: '个',
    startDate: d('07-01'),
    deadline: d('12-31'),
    shares: [['诺江镇', 1]],
    progress: [],
  },
  // The speech counts seven plans but names six; the seventh is placed on 诺水河镇 and named for it.
  {
    title: '第七个片区国土空间规划(诺水河片区,讲话未列名)',
    category: TaskCategory.TWO_REFORMS_FOLLOW_UP,
    ownerSection: '区划地名股',
    unit: '个',
    startDate: d('07-01'),
    deadline: d('12-31'),
    shares: [['诺水河镇', 1]],
    progress: [],
  },
  {
    title: '未成年人保护工作站建设',
    category: TaskCategory.MINOR_PROTECTION,
    ownerSection: '儿童福利股',
    unit: '个',
    deadline: d('12-31'),
    shares: [
      ['两河口镇', 1],
      ['铁溪镇', 1],
    ],
    progress: [['两河口镇', d('10-31'), 1]],
  },
  {
    title: '硬化大墓、活人墓整治',
    category: TaskCategory.SOCIAL_AFFAIRS,
    ownerSection: '社会事务股',
    unit: '处',
    deadline: d('12-31'),
    shares: [
      ['铁佛镇', 40],
      ['麻石镇', 25],
      ['至诚镇', 30],
      ['洪口镇', 20],
      ['沙溪镇', 15],
    ],
    progress: [
      ['铁佛镇', d('05-31'), 15],
      ['麻石镇', d('05-31'), 4],
      ['至诚镇', d('05-31'), 12],
      ['洪口镇', d('05-31'), 2],
      ['沙溪镇', d('05-31'), 8],
      ['铁佛镇', d('10-31'), 38],
      ['麻石镇', d('10-31'), 12],
      ['至诚镇', d('10-31'), 28],
      ['洪口镇', d('10-31'), 6],
      ['沙溪镇', d('10-31'), 15],
    ],
  },
];

interface DemoRectification {
  finding: string;
  township: keyof typeof T;
  category: RectificationCategory;
  responsiblePerson: string;
  deadline: string;
  steps: [RectificationStatus, string, { verifier?: string; note?: string }?][];
  review?: [string, string, boolean];
}

/** Findings of the 2025 year-end special audit of assistance funds (困难群众救助资金专项审计). */
const RECTIFICATIONS: DemoRectification[] = [
  {
    finding: '关系保、人情保:3 户不符合条件家庭纳入农村低保',
    township: '民胜镇',
    category: RectificationCategory.FAVORITISM,
    responsiblePerson: '民胜镇分管民政副镇长',
    deadline: d('04-30'),
    steps: [
      [RectificationStatus.RECTIFYING, d('01-20')],
      [RectificationStatus.RECTIFIED, d('04-15'), { note: '3 户已停保,追回资金' }],
      [RectificationStatus.CLOSED, d('05-10'), { verifier: '县民政局社会救助股', note: '入户核查、资金追缴凭证齐全,同意销号' }],
    ],
  },
  {
    finding: '优亲厚友:村干部近亲属享受特困供养',
    township: '广纳镇',
    category: RectificationCategory.FAVORITISM,
    responsiblePerson: '广纳镇民政办主任',
    deadline: d('06-30'),
    steps: [
      [RectificationStatus.RECTIFYING, d('02-01')],
      [RectificationStatus.RECTIFIED, d('06-20'), { note: '已取消 2 人供养资格' }],
    ],
  },
  {
    finding: '救助资金发放不及时,存在截留、挤占',
    township: '瓦室镇',
    category: RectificationCategory.FUNDS_MISUSE,
    responsiblePerson: '瓦室镇分管民政副镇长',
    deadline: d('05-31'),
    steps: [[RectificationStatus.RECTIFYING, d('02-01')]],
  },
  {
    finding: '个别干部骗取、侵占救助资金',
    township: '永安镇',
    category: RectificationCategory.FRAUD,
    responsiblePerson: '永安镇党委副书记',
    deadline: d('09-30'),
    steps: [
      [RectificationStatus.RECTIFYING, d('01-25')],
      [RectificationStatus.RECTIFIED, d('08-30'), { note: '资金全额追缴,相关人员移送纪委' }],
      [RectificationStatus.CLOSED, d('09-15'), { verifier: '县纪委监委驻民政局纪检组', note: '追缴到位、问责到位,同意销号' }],
    ],
    review: [d('11-10'), '县民政局社会救助股', false],
  },
  {
    finding: '漠视困难群众诉求,临时救助申请未及时受理',
    township: '杨柏镇',
    category: RectificationCategory.NEGLECT,
    responsiblePerson: '杨柏镇民政办主任',
    deadline: d('12-31'),
    steps: [],
  },
];

/**
 * Demo data for key tasks, rectification and supervision on 通江县's real
 * townships, year 2026, written through the services (so every row has its
 * events and history) in one transaction, then marked `source = 'DEMO'`.
 */
export const workDemoSeeder: DemoSeeder = {
  name: 'tasks-rectifications-supervision',
  async run(orm: MikroORM, countyCode: string, registry: Registry) {
    if (countyCode !== '511921000000') {
      log.info({ countyCode }, 'task, rectification and supervision demo data is written for 通江县 only; skipped');
      return;
    }
    const fork = orm.em.fork();
    const [seeded] = await sqlFor(fork)("select 1 from task where source = 'DEMO' limit 1");
    if (seeded) return;
    await fork.transactional(async (em) => {
      const sql = sqlFor(em);
      // Rows above these ids are the ones this run writes (nothing else writes during start-up).
      const [before] = await sql<{ task: string; rect: string; sup: string }>(
        `select (select coalesce(max(id), 0) from task)::text as task, (select coalesce(max(id), 0) from rectification)::text as rect,
                (select coalesce(max(id), 0) from supervision_action)::text as sup`,
      );
      const ctx = contextWith(createContext(orm, registry, { requestId: 'demo-seed', viewer: systemViewer(countyCode) }), em);
      const taskIds: Record<string, string> = {};
      for (const demo of TASKS) {
        const input = Object.assign(new CreateTaskInput(), {
          title: demo.title,
          category: demo.category,
          area: '511921',
          ownerSection: demo.ownerSection,
          target: demo.shares.reduce((n, [, t]) => n + t, 0),
          unit: demo.unit,
          startDate: demo.startDate ?? d('01-01'),
          deadline: demo.deadline,
          assignments: demo.shares.map(([township, target]) => Object.assign(new TaskAssignmentInput(), { area: T[township], target })),
        });
        const { task } = await taskService.create(ctx, input);
        taskIds[demo.title] = task.id;
        const assignments = await ctx.loaders.task.assignmentsOfTask.load(task.key);
        const versions = new Map(assignments.map((a) => [a.areaCode, { id: a.id, version: a.version }]));
        for (const [township, asOf, done] of demo.progress) {
          const assignment = versions.get(`${T[township]}000`)!;
          await taskService.recordProgress(
            ctx,
            Object.assign(new RecordTaskProgressInput(), { assignment: assignment.id, version: assignment.version, done, asOf, note: '演示数据' }),
          );
          assignment.version++;
        }
      }
      const rectIds: Record<string, string> = {};
      for (const demo of RECTIFICATIONS) {
        const { rectification } = await rectificationService.create(
          ctx,
          Object.assign(new CreateRectificationInput(), {
            finding: demo.finding,
            area: T[demo.township],
            category: demo.category,
            responsiblePerson: demo.responsiblePerson,
            deadline: demo.deadline,
            openedOn: d('01-15'),
          }),
        );
        rectIds[demo.finding] = rectification.id;
        let version = rectification.version;
        for (const [to, on, extra] of demo.steps) {
          await rectificationService.transition(
            ctx,
            Object.assign(new TransitionRectificationInput(), { id: rectification.id, version: version++, to, on, ...extra }),
          );
        }
        if (demo.review) {
          const [reviewedOn, reviewer, recurred] = demo.review;
          await rectificationService.review(
            ctx,
            Object.assign(new RecordFollowUpReviewInput(), { id: rectification.id, version: version++, reviewedOn, reviewer, recurred }),
          );
        }
      }
      const { supervisionAction: interview } = await supervisionService.issue(
        ctx,
        Object.assign(new IssueSupervisionInput(), {
          target: rectIds['救助资金发放不及时,存在截留、挤占'],
          kind: SupervisionKind.WARNING_INTERVIEW,
          issuedOn: d('06-10'),
          issuer: '县民政局',
          targetUnit: '瓦室镇人民政府',
          responseDue: d('06-20'),
        }),
      );
      // 瓦室镇 signs for the interview, works on it, responds in time; the bureau closes it and records the 约谈 it held.
      let version = interview.version;
      for (const [step, on, note] of [
        [SupervisionStep.ACKNOWLEDGED, d('06-11'), null],
        [SupervisionStep.IN_PROGRESS, d('06-12'), null],
        [SupervisionStep.RESPONDED, d('06-18'), '已约谈分管领导,制定资金发放整改方案'],
        [SupervisionStep.CLOSED, d('06-22'), '整改方案可行,办结'],
      ] as const) {
        await supervisionService.advance(ctx, Object.assign(new AdvanceSupervisionInput(), { id: interview.id, version: version++, step, on, note }));
      }
      await supervisionService.recordOutcome(
        ctx,
        Object.assign(new RecordSupervisionOutcomeInput(), {
          supervisionAction: interview.id,
          kind: AccountabilityKind.INTERVIEW,
          name: '瓦室镇分管民政副镇长',
          title: '副镇长',
          unit: '瓦室镇人民政府',
          decidedOn: d('06-10'),
          note: '救助资金发放不及时,约谈分管负责人',
        }),
      );
      // 火炬镇 signs for the 挂牌督办 of the 优质粮油 plan and never responds: due 07-20, it is back on 待督办 after that.
      const { supervisionAction: listed } = await supervisionService.issue(
        ctx,
        Object.assign(new IssueSupervisionInput(), {
          target: taskIds['优质粮油片区国土空间规划'],
          kind: SupervisionKind.LISTED_SUPERVISION,
          issuedOn: d('07-05'),
          issuer: '县民政局',
          targetUnit: '火炬镇人民政府',
          responseDue: d('07-20'),
        }),
      );
      await supervisionService.advance(
        ctx,
        Object.assign(new AdvanceSupervisionInput(), { id: listed.id, version: listed.version, step: SupervisionStep.ACKNOWLEDGED, on: d('07-06') }),
      );
      await sql("update task set source = 'DEMO' where id > ?", [before.task]);
      await sql("update rectification set source = 'DEMO' where id > ?", [before.rect]);
      await sql("update supervision_action set source = 'DEMO' where id > ?", [before.sup]);
    });
    log.info({ tasks: TASKS.length, rectifications: RECTIFICATIONS.length }, 'task, rectification and supervision demo data seeded');
  },
};
