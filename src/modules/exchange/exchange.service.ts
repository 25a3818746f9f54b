import { Decimal } from 'decimal.js';
import { type PageArgs } from '../../common/connection.js';
import { DomainError, ErrorCode } from '../../common/errors.js';
import { toGlobalId } from '../../common/global-id.js';
import { PayloadErrors, userError } from '../../common/payload.js';
import { contextWith, type Context } from '../../graphql/context.js';
import { shortNameOf } from '../area/area.rules.js';
import { FACILITY_COLUMNS as FACILITY_SQL_COLUMNS, type FacilityRow } from '../facility/facility.entity.js';
import { ChangeFacilityStatusInput, CreateFacilityInput, UpdateFacilityInput } from '../facility/facility.inputs.js';
import { FACILITY_STATUS_LABEL, FACILITY_TYPE_LABEL, OPERATING_MODEL_LABEL } from '../facility/facility.rules.js';
import { FACILITY_WRITERS, facilityService } from '../facility/facility.service.js';
import { rectificationService, STATUS_LABEL as RECTIFICATION_STATUS_LABEL } from '../rectification/rectification.service.js';
import { SECTIONS } from '../report/report.entity.js';
import { reportService } from '../report/report.service.js';
import { statsService } from '../stats/stats.service.js';
import { INDICATORS, IndicatorUnit, PeriodKind, parsePeriod, type IndicatorDef, type Period } from '../stats/stats.rules.js';
import { taskService } from '../task/task.service.js';
import {
  FACILITY_COLUMNS,
  ImportCode,
  indicatorHeader,
  OBSERVATION_COLUMNS,
  parseFacilitySheet,
  parseObservationSheet,
  problem,
  type ImportProblem,
} from './exchange.rules.js';
import { labelOf, RECTIFICATION_CATEGORY_LABEL, ROLE_LABEL, TASK_CATEGORY_LABEL } from './exchange.labels.js';
import { TASK_HEALTH_LABEL } from '../task/task.rules.js';
import { readSheet, sheetFile, type SheetFormat, type Table } from './exchange.sheet.js';
import type { Download } from '../../common/download.js';
import { AreaLevel, normalizeCode } from '../../common/codes.js';
import { assertCanRead, inViewerSubtree, readRange, requireViewer, Role } from '../../auth/auth.rules.js';
import { asOfOrToday } from '../../common/dates.js';

/** What an import did: rows that changed something, rows already as the file says, and the problems (then nothing was written). */
export interface ImportResult {
  applied: number;
  unchanged: number;
  errors: ImportProblem[];
}

/** Most rows an export writes; narrow the area beyond that. */
export const MAX_EXPORT_ROWS = 20_000;

/** An export's arguments, from the download's query parameters or the CLI's options; each export reads the ones it takes. */
export interface ExportArgs {
  /** The area (stats-table: the parent, one row per child); default the caller's area. */
  area?: string | null;
  /** stats-table: a year, quarter or month; monthly-report: the month. */
  period?: string | null;
  /** tasks, rectifications: the date progress, health and status are read at (default today). */
  asOf?: string | null;
}

/** The exports, `GET /exports/<kind>.xlsx|.csv` and `civgraph export <kind>`, with the arguments each takes. */
export const EXPORTS = {
  'stats-table': ['area', 'period'],
  facilities: ['area'],
  tasks: ['area', 'asOf'],
  rectifications: ['area', 'asOf'],
  'monthly-report': ['area', 'period'],
} as const satisfies Record<string, readonly (keyof ExportArgs)[]>;
export type ExportKind = keyof typeof EXPORTS;

/** The import templates, `GET /templates/<kind>.xlsx|.csv` and `civgraph export <kind>-template`. */
export const TEMPLATES = ['observations', 'facilities'] as const;
export type TemplateKind = (typeof TEMPLATES)[number];

/** The two imports, `POST /imports/<kind>` and `civgraph import <kind>`. */
export const IMPORTS = ['observations', 'facilities'] as const;
export type ImportKind = (typeof IMPORTS)[number];

/**
 * Roles that may import at all, checked before the file is read: the roles
 * the services let write what an import writes — statistics' reporters
 * (`reportObservations`: village, township and county operators) and
 * FACILITY_WRITERS. The services check every row again (area, lock, rules).
 */
export const IMPORTERS: Readonly<Record<ImportKind, readonly Role[]>> = {
  observations: [Role.VILLAGE_OPERATOR, Role.TOWNSHIP_OPERATOR, Role.COUNTY_ADMIN],
  facilities: FACILITY_WRITERS,
};

const IMPORT_LABEL: Record<ImportKind, string> = { observations: '统计数据', facilities: '服务站点' };

/** Told rows done / total while an import applies its rows (the CLI draws a progress bar). */
export type ImportProgress = (done: number, total: number) => void;

/** The rows, reporting each one done after the loop's body has run for it (also on `continue`). */
function* reporting<T>(rows: readonly T[], onProgress: ImportProgress | undefined): Generator<T> {
  for (let i = 0; i < rows.length; i++) {
    yield rows[i];
    onProgress?.(i + 1, rows.length);
  }
}

/** Thrown inside the import transaction to roll every row back. */
class RollbackImport extends Error {}

/**
 * Turns a feature service's refusal into problems of a row: userError fields
 * (`input.values.2.value`, `input.occupiedBeds`) are mapped to the column that
 * held the value by `columnOf`.
 */
function rowProblems(error: unknown, row: number, columnOf: (field: string[]) => string | null): ImportProblem[] {
  // As the payload's userErrors would carry them: the field path and the Chinese text (messageZh) included.
  const errors =
    error instanceof PayloadErrors
      ? error.errors
      : error instanceof DomainError
        ? [userError(error.code, error.message, error.field ?? null, error.messageZh)]
        : null;
  if (!errors) throw error;
  // The Chinese text of the service's refusal (中文提示, as userErrors carry it) for people; its English one beside it.
  return errors.map((e) => {
    const field = e.field ?? [];
    return problem(row, columnOf(field[0] === 'input' ? field.slice(1) : field), e.code, e.messageZh, e.message);
  });
}

/** A month period for observations; a problem otherwise. */
function monthPeriod(text: string | null | undefined): Period | ImportProblem {
  const bad = (why: string) => problem(null, null, ImportCode.BAD_PERIOD, `统计月份${why},应如 2026-05`, `the period ${why}; give a month like 2026-05`);
  if (!text) return bad('缺失');
  try {
    const period = parsePeriod(text, 'period');
    return period.kind === PeriodKind.MONTH ? period : bad(`"${text}" 不是月份`);
  } catch {
    return bad(`"${text}" 无法识别`);
  }
}

const isProblem = (value: unknown): value is ImportProblem => typeof value === 'object' && value !== null && 'messageEn' in value;

/**
 * 数据交换 — spreadsheet import and export. Imports check every row and cell
 * first, then apply all rows through the feature services (statistics'
 * reporting, facilities' create/update/status) in ONE transaction: any problem
 * rolls everything back. Rows that already match the database are not sent to
 * the services, so importing the same file twice writes nothing the second
 * time (no versions, audit rows or events). Exports read through the same
 * services as the GraphQL queries, so the same permissions apply.
 */
export class ExchangeService {
  /**
   * Why the caller may not run this import at all, before any of the file is
   * read (the HTTP route asks before it reads the body): a role that does not
   * write what the import writes, an area that is unknown or retired, an
   * observations import without a month. Null when it may go ahead.
   */
  async importRefusal(ctx: Context, kind: ImportKind, periodText?: string | null): Promise<ImportProblem | null> {
    const viewer = requireViewer(ctx.viewer);
    if (!IMPORTERS[kind].includes(viewer.role)) {
      return problem(
        null,
        null,
        ErrorCode.FORBIDDEN,
        `您的角色（${ROLE_LABEL[viewer.role] ?? '未知'}）不能导入${IMPORT_LABEL[kind]}`,
        `${viewer.role} may not import ${kind}`,
      );
    }
    const [area] = await ctx.sql<{ name: string; valid_to: string | null }>('select name, valid_to::text as valid_to from area where code = ?', [
      viewer.areaCode,
    ]);
    if (!area || area.valid_to !== null) {
      const why = area ? `${area.name} 已于 ${area.valid_to} 撤销` : `没有区划 ${viewer.areaCode}`;
      return problem(null, null, ErrorCode.FORBIDDEN, `您的辖区不能导入: ${why}`, `your area ${viewer.areaCode} is ${area ? 'retired' : 'unknown'}`);
    }
    if (kind === 'observations') {
      const period = monthPeriod(periodText);
      if (isProblem(period)) return period;
    }
    return null;
  }

  /** 导入统计数据: one row per village (区划代码, 名称, indicator columns) for the month `periodText`. */
  async importObservations(
    ctx: Context,
    body: Buffer,
    format: SheetFormat,
    periodText: string | null | undefined,
    options: { onProgress?: ImportProgress } = {},
  ): Promise<ImportResult> {
    const viewer = requireViewer(ctx.viewer);
    const refusal = await this.importRefusal(ctx, 'observations', periodText);
    if (refusal) return { applied: 0, unchanged: 0, errors: [refusal] };
    const period = monthPeriod(periodText) as Period;
    const read = await readSheet(body, format);
    if (!read.sheet) return { applied: 0, unchanged: 0, errors: read.problems };
    const { rows, problems, header } = parseObservationSheet(read.sheet);
    const codeHeader = header.get('code') ?? '区划代码';
    const nameHeader = header.get('name') ?? '名称';

    const areas = new Map(
      (
        await ctx.sql<{ code: string; name: string; level: AreaLevel; valid_to: string | null }>(
          'select code, name, level, valid_to::text as valid_to from area where code = any(?::text[])',
          [rows.map((r) => r.code)],
        )
      ).map((a) => [a.code, a]),
    );
    for (const row of rows) {
      const area = areas.get(row.code);
      if (!area || area.valid_to !== null) {
        const why = area ? `${area.name} 已于 ${area.valid_to} 撤销` : '没有此区划';
        problems.push(
          problem(
            row.row,
            codeHeader,
            ImportCode.UNKNOWN_AREA,
            `${row.code}: ${why}`,
            area ? `${area.name} was retired on ${area.valid_to}` : `no area has code ${row.code}`,
          ),
        );
      } else if (area.level !== AreaLevel.VILLAGE) {
        problems.push(
          problem(
            row.row,
            codeHeader,
            ImportCode.NOT_A_VILLAGE,
            `${area.name} 不是村(社区),统计数据由村上报`,
            `${area.name} is a ${area.level.toLowerCase()}: figures are reported by villages`,
          ),
        );
      } else if (row.name && row.name !== area.name && row.name !== shortNameOf(area.name)) {
        problems.push(
          problem(
            row.row,
            nameHeader,
            ImportCode.NAME_MISMATCH,
            `"${row.name}" 与 ${row.code} 的名称 "${area.name}" 不符`,
            `"${row.name}" is not the name of ${row.code} ("${area.name}")`,
          ),
        );
      } else if (!inViewerSubtree(viewer, row.code)) {
        problems.push(
          problem(
            row.row,
            codeHeader,
            ErrorCode.FORBIDDEN,
            `${area.name} 不在您的辖区 ${viewer.areaCode} 内`,
            `${area.name} is outside your area ${viewer.areaCode}`,
          ),
        );
      }
    }
    if (problems.length) return { applied: 0, unchanged: 0, errors: sortProblems(problems) };

    let applied = 0;
    let unchanged = 0;
    try {
      await ctx.em.transactional(async (em) => {
        const inner = contextWith(ctx, em);
        const existing = new Map(
          (
            await inner.sql<{ area_code: string; indicator: string; value: string; source: string }>(
              `select area_code, indicator, value::text as value, source from observation
                where area_code = any(?::text[]) and period_month = ?::date for update`,
              [rows.map((r) => r.code), period.startMonth],
            )
          ).map((o) => [`${o.area_code}/${o.indicator}`, o]),
        );
        for (const row of reporting(rows, options.onProgress)) {
          // What reportObservations would leave untouched: same value, already a report.
          const same = row.values.every((v) => {
            const old = existing.get(`${row.code}/${v.def.code}`);
            return old !== undefined && old.source === 'REPORT' && new Decimal(old.value).eq(v.value);
          });
          if (same) {
            unchanged++;
            continue;
          }
          const input = { area: row.code, period: period.key, values: row.values.map((v) => ({ indicator: v.def.code, value: v.value })) };
          try {
            await statsService.report(inner, input);
            applied++;
          } catch (error) {
            problems.push(
              ...rowProblems(error, row.row, (field) => {
                if (field[0] === 'values' && field[1] !== undefined) return row.values[Number(field[1])]?.column ?? null;
                return field[0] === 'area' ? codeHeader : null;
              }),
            );
          }
        }
        if (problems.length) throw new RollbackImport();
      });
    } catch (error) {
      if (!(error instanceof RollbackImport)) throw error;
      return { applied: 0, unchanged: 0, errors: sortProblems(problems) };
    }
    return { applied, unchanged, errors: [] };
  }

  /** 导入服务站点: one row per facility, matched with existing ones by area + name; new ones are registered, changed ones updated (and moved one lifecycle step). */
  async importFacilities(ctx: Context, body: Buffer, format: SheetFormat, options: { onProgress?: ImportProgress } = {}): Promise<ImportResult> {
    const viewer = requireViewer(ctx.viewer);
    const refusal = await this.importRefusal(ctx, 'facilities');
    if (refusal) return { applied: 0, unchanged: 0, errors: [refusal] };
    const read = await readSheet(body, format);
    if (!read.sheet) return { applied: 0, unchanged: 0, errors: read.problems };
    const { rows, problems, header } = parseFacilitySheet(read.sheet);
    const headerOf = (key: string) => header.get(key) ?? null;
    const areas = new Map(
      (
        await ctx.sql<{ code: string; name: string; valid_to: string | null }>(
          'select code, name, valid_to::text as valid_to from area where code = any(?::text[])',
          [rows.map((r) => r.area)],
        )
      ).map((a) => [a.code, a]),
    );
    for (const row of rows) {
      const area = areas.get(row.area);
      if (!area || area.valid_to !== null) {
        problems.push(
          problem(
            row.row,
            headerOf('area'),
            ImportCode.UNKNOWN_AREA,
            area ? `${area.name} 已于 ${area.valid_to} 撤销` : `没有区划 ${row.area}`,
            area ? `${area.name} was retired on ${area.valid_to}` : `no area has code ${row.area}`,
          ),
        );
      } else if (!inViewerSubtree(viewer, row.area)) {
        problems.push(
          problem(
            row.row,
            headerOf('area'),
            ErrorCode.FORBIDDEN,
            `${area.name} 不在您的辖区 ${viewer.areaCode} 内`,
            `${area.name} is outside your area ${viewer.areaCode}`,
          ),
        );
      }
    }
    if (problems.length) return { applied: 0, unchanged: 0, errors: sortProblems(problems) };

    let applied = 0;
    let unchanged = 0;
    try {
      await ctx.em.transactional(async (em) => {
        const inner = contextWith(ctx, em);
        const existing = await inner.sql<FacilityRow>(
          `select ${FACILITY_SQL_COLUMNS} from facility
            where (area_code, name) in (select * from unnest(?::text[], ?::text[])) order by id for update`,
          [rows.map((r) => r.area), rows.map((r) => r.name)],
        );
        for (const row of reporting(rows, options.onProgress)) {
          const matches = existing.filter((f) => f.area_code === row.area && f.name === row.name);
          const columnOf = (field: string[]) => (field[0] === 'version' || field[0] === 'id' ? null : headerOf(field[0] ?? ''));
          if (matches.length > 1) {
            problems.push(
              problem(
                row.row,
                headerOf('name'),
                ImportCode.AMBIGUOUS_MATCH,
                `${row.area} 已有 ${matches.length} 个名为 "${row.name}" 的站点,无法对应`,
                `${matches.length} facilities of ${row.area} are named "${row.name}": the row cannot be matched`,
              ),
            );
            continue;
          }
          const current = matches[0];
          try {
            if (!current) {
              await facilityService.create(
                inner,
                Object.assign(new CreateFacilityInput(), {
                  name: row.name,
                  type: row.type,
                  area: row.area,
                  operatingModel: row.operatingModel,
                  status: row.status,
                  beds: row.beds,
                  occupiedBeds: row.occupiedBeds,
                  operator: row.operator,
                  openedOn: row.openedOn,
                }),
              );
              applied++;
              continue;
            }
            const fieldsDiffer =
              current.type !== row.type ||
              current.operating_model !== row.operatingModel ||
              current.beds !== row.beds ||
              current.occupied_beds !== row.occupiedBeds ||
              (current.operator ?? null) !== row.operator ||
              (row.openedOn !== null && current.opened_on !== row.openedOn);
            const statusDiffers = current.status !== row.status;
            if (!fieldsDiffer && !statusDiffers) {
              unchanged++;
              continue;
            }
            const id = toGlobalId('Facility', current.id);
            let version = current.version;
            if (fieldsDiffer) {
              const updated = await facilityService.update(
                inner,
                Object.assign(new UpdateFacilityInput(), {
                  id,
                  version,
                  type: row.type,
                  operatingModel: row.operatingModel,
                  beds: row.beds,
                  occupiedBeds: row.occupiedBeds,
                  operator: row.operator,
                  ...(row.openedOn !== null ? { openedOn: row.openedOn } : {}),
                }),
              );
              version = updated.facility.version;
            }
            if (statusDiffers) {
              await facilityService.changeStatus(
                inner,
                Object.assign(new ChangeFacilityStatusInput(), { id, version, status: row.status, openedOn: row.openedOn }),
              );
            }
            applied++;
          } catch (error) {
            problems.push(...rowProblems(error, row.row, columnOf));
          }
        }
        if (problems.length) throw new RollbackImport();
      });
    } catch (error) {
      if (!(error instanceof RollbackImport)) throw error;
      return { applied: 0, unchanged: 0, errors: sortProblems(problems) };
    }
    return { applied, unchanged, errors: [] };
  }

  /** An export as the file the download sends and the CLI writes (`stats-table.xlsx`). */
  async exportFile(ctx: Context, kind: ExportKind, format: SheetFormat, args: ExportArgs): Promise<Download> {
    return sheetFile(await this.exportTable(ctx, kind, args), kind, format);
  }

  /** An import template as a file (`observations-template.xlsx`). */
  async templateFile(ctx: Context, kind: TemplateKind, format: SheetFormat): Promise<Download> {
    const table = kind === 'observations' ? await this.observationsTemplate(ctx) : this.facilitiesTemplate(ctx);
    return sheetFile(table, `${kind}-template`, format);
  }

  private exportTable(ctx: Context, kind: ExportKind, args: ExportArgs): Promise<Table> {
    switch (kind) {
      case 'stats-table':
        return this.statsTableExport(ctx, args.area, args.period);
      case 'facilities':
        return this.facilitiesExport(ctx, args.area);
      case 'tasks':
        return this.tasksExport(ctx, args.area, args.asOf);
      case 'rectifications':
        return this.rectificationsExport(ctx, args.area, args.asOf);
      case 'monthly-report':
        return this.monthlyReportExport(ctx, args.period, args.area);
    }
  }

  /** 统计数据模板: the caller's current villages (code and name) and one empty column per indicator. */
  async observationsTemplate(ctx: Context): Promise<Table> {
    const viewer = requireViewer(ctx.viewer);
    const [lo, hi] = readRange(viewer)!;
    const villages = await ctx.sql<{ code: string; name: string }>(
      `select code, name from area where level = 'VILLAGE' and valid_to is null and code between ? and ? order by code`,
      [lo, hi],
    );
    return {
      sheetName: '统计数据',
      headers: [...OBSERVATION_COLUMNS.map((c) => c.zh), ...INDICATORS.map(indicatorHeader)],
      notes: [null, null, ...INDICATORS.map(indicatorNote)],
      rows: villages.map((v) => [v.code, v.name, ...INDICATORS.map(() => null)]),
    };
  }

  /** 服务站点模板: the facility columns, with the accepted values in the header notes. */
  facilitiesTemplate(ctx: Context): Table {
    requireViewer(ctx.viewer);
    return { sheetName: '服务站点', headers: FACILITY_COLUMNS.map((c) => c.zh), notes: FACILITY_NOTES, rows: [] };
  }

  /** 分级汇总表 (statsTable): one row per child of `parent`, then the 合计 line; villages' rows import back as observations. */
  async statsTableExport(ctx: Context, parent: string | null | undefined, periodText: string | null | undefined): Promise<Table> {
    const viewer = requireViewer(ctx.viewer);
    const period = parsePeriod(periodText ?? '', 'period');
    const table = await statsService.table(ctx, parent ?? viewer.areaCode, period, null);
    const names = await ctx.loaders.area.byCode.loadMany(table.rows.map((r) => r.areaCode));
    const cell = (v: { value: string | null; unit: IndicatorUnit }) => (v.value === null ? null : Number(v.value));
    return {
      sheetName: `汇总表 ${period.key}`,
      headers: [...OBSERVATION_COLUMNS.map((c) => c.zh), ...table.indicators.map(indicatorHeader)],
      notes: [null, null, ...table.indicators.map(indicatorNote)],
      rows: [
        ...table.rows.map((row, i) => {
          const area = names[i];
          return [row.areaCode, area && !(area instanceof Error) ? area.name : '', ...row.values.map(cell)];
        }),
        ['', '合计', ...table.total.map(cell)],
      ],
    };
  }

  /** 服务站点 of an area's subtree (default: the caller's area), in the import layout plus the area's name. */
  async facilitiesExport(ctx: Context, areaArg: string | null | undefined): Promise<Table> {
    const code = exportArea(ctx, areaArg);
    const area = await ctx.loaders.area.byCode.load(code);
    if (!area) throw new DomainError(ErrorCode.NOT_FOUND, `No area with code ${code}`, 'area');
    const facilities = await allPages((args) => facilityService.list(ctx, area, { ...args, includeDescendants: true }));
    return {
      sheetName: '服务站点',
      headers: [...FACILITY_COLUMNS.map((c) => c.zh), '区划名称'],
      notes: FACILITY_NOTES,
      rows: await rowsWithAreaNames(ctx, facilities, (f, areaName) => [
        f.name,
        FACILITY_TYPE_LABEL[f.type],
        f.areaCode,
        OPERATING_MODEL_LABEL[f.operatingModel],
        FACILITY_STATUS_LABEL[f.status],
        f.beds,
        f.occupiedBeds,
        f.operator,
        f.openedOn,
        areaName,
      ]),
    };
  }

  /** 重点工作 touching an area's subtree, with done and health as of a date (default today). */
  async tasksExport(ctx: Context, areaArg: string | null | undefined, asOfArg: string | null | undefined): Promise<Table> {
    const code = exportArea(ctx, areaArg);
    const asOf = asOfOrToday(asOfArg);
    const tasks = await allPages((args) => taskService.list(ctx, { ...args, asOf }, code));
    const rows = await rowsWithAreaNames(ctx, tasks, async (t, areaName) => [
      t.title,
      labelOf(TASK_CATEGORY_LABEL, t.category),
      t.areaCode,
      areaName,
      t.ownerSection,
      await taskService.target(ctx, t),
      t.unit,
      await taskService.doneAsOf(ctx, t, asOf),
      labelOf(TASK_HEALTH_LABEL, await taskService.health(ctx, t, asOf)),
      t.startDate,
      t.deadline,
    ]);
    return {
      sheetName: `重点工作 ${asOf}`,
      headers: ['事项', '类别', '区划代码', '区划名称', '责任股室', '目标', '单位', '已完成', '进度状态', '开始日期', '时限'],
      rows,
    };
  }

  /** 审计整改 in an area's subtree, with status and overdue flag as of a date (sensitive roles only). */
  async rectificationsExport(ctx: Context, areaArg: string | null | undefined, asOfArg: string | null | undefined): Promise<Table> {
    const code = exportArea(ctx, areaArg);
    const asOf = asOfOrToday(asOfArg);
    const items = await allPages((args) => rectificationService.list(ctx, { ...args, asOf }, code));
    const rows = await rowsWithAreaNames(ctx, items, async (r, areaName) => [
      r.finding,
      labelOf(RECTIFICATION_CATEGORY_LABEL, r.category),
      r.areaCode,
      areaName,
      r.responsiblePerson,
      r.openedOn,
      r.deadlineOn(asOf),
      labelOf(RECTIFICATION_STATUS_LABEL, await rectificationService.statusAsOf(ctx, r, asOf)),
      (await rectificationService.overdue(ctx, r, asOf)) ? '是' : '否',
      r.verifier,
      r.closingNote,
    ]);
    return {
      sheetName: `审计整改 ${asOf}`,
      headers: ['问题', '类别', '区划代码', '区划名称', '责任人', '交办日期', '整改时限', '状态', '逾期', '核查人', '销号说明'],
      rows,
    };
  }

  /** 每月条理式报告, one line per item under its section heading. */
  async monthlyReportExport(ctx: Context, month: string | null | undefined, areaArg: string | null | undefined): Promise<Table> {
    if (!month) throw new DomainError(ErrorCode.BAD_USER_INPUT, 'month is required, e.g. 2026-05', 'month');
    const report = await reportService.monthly(ctx, month, areaArg);
    const rows: (string | number | null)[][] = [];
    for (const [key, heading] of SECTIONS) {
      report[key].forEach((item, i) =>
        rows.push([heading, i + 1, item.title, item.areaName, item.owner, item.date, labelOf(TASK_HEALTH_LABEL, item.health), item.detail, item.subjectId]),
      );
    }
    return { sheetName: `${report.areaName} ${report.month}`, headers: ['部分', '序号', '事项', '区划', '责任', '日期', '进度状态', '情况', '编号'], rows };
  }
}

/** The note on an indicator's header cell (.xlsx): the code an import also accepts as the header, the English name, the unit. */
const indicatorNote = (i: Pick<IndicatorDef, 'code' | 'nameZh' | 'nameEn' | 'unit'>) =>
  `${i.nameZh} — ${i.code} — ${i.nameEn} (${i.unit === IndicatorUnit.PERSONS ? '人, 整数' : '元, 最多两位小数'})`;

const FACILITY_NOTES = [
  '名称 name — 同一区划内唯一,导入时按 区划代码 + 名称 对应已有站点',
  `类别 type — ${Object.entries(FACILITY_TYPE_LABEL)
    .map(([c, l]) => `${c} ${l}`)
    .join('; ')}`,
  '区划代码 area — 6, 9 or 12 digits',
  `运营模式 operatingModel — ${Object.entries(OPERATING_MODEL_LABEL)
    .map(([c, l]) => `${c} ${l}`)
    .join('; ')}`,
  `状态 status — ${Object.entries(FACILITY_STATUS_LABEL)
    .map(([c, l]) => `${c} ${l}`)
    .join('; ')}`,
  '床位 beds — 整数',
  '在住 occupiedBeds — 整数, 不超过床位',
  '运营方 operator — 公建民营必填',
  '投运日期 openedOn — YYYY-MM-DD',
];

/** Follows a connection's pages through its service until the end (at most {@link MAX_EXPORT_ROWS} rows). */
async function allPages<T>(page: (args: PageArgs) => Promise<{ nodes: T[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }>): Promise<T[]> {
  const out: T[] = [];
  let after: string | null = null;
  for (;;) {
    const result = await page({ first: 100, after });
    out.push(...result.nodes);
    if (out.length > MAX_EXPORT_ROWS) throw new DomainError(ErrorCode.BAD_USER_INPUT, `More than ${MAX_EXPORT_ROWS} rows: choose a smaller area`, 'area');
    if (!result.pageInfo.hasNextPage) return out;
    after = result.pageInfo.endCursor;
  }
}

/** The area an export is asked for (the caller's own by default), which the caller must be able to read. */
function exportArea(ctx: Context, areaArg: string | null | undefined): string {
  const viewer = requireViewer(ctx.viewer);
  const code = normalizeCode(areaArg ?? viewer.areaCode, 'area');
  assertCanRead(viewer, code);
  return code;
}

/** An export's row of each item, made with the name of the item's area (the names read in one batch). */
async function rowsWithAreaNames<T extends { areaCode: string }>(
  ctx: Context,
  items: T[],
  row: (item: T, areaName: string) => Table['rows'][number] | Promise<Table['rows'][number]>,
): Promise<Table['rows']> {
  const names = await areaNames(
    ctx,
    items.map((item) => item.areaCode),
  );
  return Promise.all(items.map(async (item) => row(item, names.get(item.areaCode) ?? '')));
}

async function areaNames(ctx: Context, codes: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(codes)];
  const areas = await ctx.loaders.area.byCode.loadMany(unique);
  return new Map(
    unique.flatMap((code, i) => {
      const area = areas[i];
      return area && !(area instanceof Error) ? [[code, area.name] as [string, string]] : [];
    }),
  );
}

/** File-level problems first, then by row. */
function sortProblems(problems: ImportProblem[]): ImportProblem[] {
  return [...problems].sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
}

export const exchangeService = new ExchangeService();
