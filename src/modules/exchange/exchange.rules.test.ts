import { describe, expect, it } from 'vitest';
import { areaCodeOf, enumOf, headerMatches, ImportCode, importStatus, parseFacilitySheet, parseObservationSheet, problem } from './exchange.rules.js';
import { FACILITY_TYPE_LABEL } from '../facility/facility.rules.js';

const sheet = (headers: string[], ...rows: string[][]) => ({ headers, rows: rows.map((cells, i) => ({ row: i + 2, cells })) });

describe('problem', () => {
  it('names row and column in both languages', () => {
    expect(problem(5, 'ELDERLY_60_PLUS', 'X', '必须是非负整数', 'must be a non-negative whole number')).toEqual({
      row: 5,
      column: 'ELDERLY_60_PLUS',
      code: 'X',
      message: '第 5 行 ELDERLY_60_PLUS 列: 必须是非负整数',
      messageEn: 'Row 5, column ELDERLY_60_PLUS: must be a non-negative whole number',
    });
    expect(problem(null, null, 'X', '文件', 'file').message).toBe('文件');
  });
});

describe('headers', () => {
  it('accept the Chinese name, the English name or both', () => {
    const col = { zh: '区划代码', en: 'code' };
    expect(headerMatches('区划代码', col)).toBe(true);
    expect(headerMatches('Code', col)).toBe(true);
    expect(headerMatches('区划代码 (code)', col)).toBe(true);
    expect(headerMatches('\ufeff区划代码', col)).toBe(true);
    expect(headerMatches('代码', col)).toBe(false);
  });

  it('report missing, unknown and duplicate columns', () => {
    const { problems } = parseObservationSheet(sheet(['区划代码', 'ELDERLY_60_PLUS', 'ELDERLY_60_PLUS', 'FOO']));
    expect(problems.map((p) => [p.code, p.column])).toEqual([
      [ImportCode.DUPLICATE_COLUMN, 'ELDERLY_60_PLUS'],
      [ImportCode.UNKNOWN_COLUMN, 'FOO'],
      [ImportCode.MISSING_COLUMN, '名称 name'],
    ]);
  });
});

describe('parseObservationSheet', () => {
  const headers = ['区划代码', '名称', 'ELDERLY_60_PLUS', 'ASSISTANCE_FUNDS_YUAN'];

  it('canonicalises values and skips empty cells, blank rows and the total line', () => {
    const { rows, problems } = parseObservationSheet(
      sheet(headers, ['511921104200', '平坝村', '12', '1250.5'], ['', '', '', ''], ['511921104201', '金斗岩村', '', ''], ['', '合计', '12', '1250.5']),
    );
    expect(problems).toEqual([]);
    expect(rows.map((r) => [r.row, r.code, r.values.map((v) => [v.def.code, v.value])])).toEqual([
      [
        2,
        '511921104200',
        [
          ['ELDERLY_60_PLUS', '12'],
          ['ASSISTANCE_FUNDS_YUAN', '1250.50'],
        ],
      ],
      [4, '511921104201', []],
    ]);
  });

  it('names each bad cell with its own message', () => {
    const { problems } = parseObservationSheet(
      sheet(
        headers,
        ['511921104200', '平坝村', '-3', '1.234'],
        ['5119211042', 'x', '1.5', 'abc'],
        ['', '无码村', '1', ''],
        ['511921104200', '平坝村', '1', ''],
      ),
    );
    expect(problems.map((p) => [p.row, p.column, p.code])).toEqual([
      [2, 'ELDERLY_60_PLUS', ImportCode.NOT_NON_NEGATIVE_INTEGER],
      [2, 'ASSISTANCE_FUNDS_YUAN', ImportCode.NOT_MONEY],
      [3, '区划代码', ImportCode.BAD_AREA_CODE],
      [3, 'ELDERLY_60_PLUS', ImportCode.NOT_NON_NEGATIVE_INTEGER],
      [3, 'ASSISTANCE_FUNDS_YUAN', ImportCode.NOT_MONEY],
      [4, '区划代码', ImportCode.REQUIRED],
      [5, '区划代码', ImportCode.DUPLICATE_ROW],
    ]);
    expect(problems[0]!.message).toBe('第 2 行 ELDERLY_60_PLUS 列: 必须是非负整数,得到 "-3"');
  });
});

describe('parseFacilitySheet', () => {
  const headers = ['名称', '类别', '区划代码', '运营模式', '状态', '床位', '在住', '运营方', '投运日期', '区划名称'];

  it('reads codes or Chinese labels, ignores the informational area name', () => {
    const { rows, problems } = parseFacilitySheet(
      sheet(headers, ['敬老院', '敬老院', '511921104', '公建民营', 'OPERATING', '50', '30', '某公司', '2026-01-05', '铁佛镇']),
    );
    expect(problems).toEqual([]);
    expect(rows[0]).toMatchObject({
      name: '敬老院',
      type: 'NURSING_HOME',
      area: '511921104000',
      operatingModel: 'PUBLIC_BUILT_PRIVATE_RUN',
      status: 'OPERATING',
      beds: 50,
      occupiedBeds: 30,
      openedOn: '2026-01-05',
    });
  });

  it('names each bad cell', () => {
    const { rows, problems } = parseFacilitySheet(
      sheet(
        headers,
        ['', '养老院', '123', 'PUBLIC', 'OPEN', '-1', 'x', '', '2026/01/05', ''],
        ['a', 'NURSING_HOME', '511921104', 'PUBLIC', 'PLANNED', '1', '0', '', '', ''],
        ['a', 'NURSING_HOME', '511921104', 'PUBLIC', 'PLANNED', '1', '0', '', '', ''],
      ),
    );
    expect(rows).toHaveLength(1);
    expect(problems.map((p) => [p.row, p.column, p.code])).toEqual([
      [2, '名称', ImportCode.REQUIRED],
      [2, '类别', ImportCode.BAD_ENUM],
      [2, '区划代码', ImportCode.BAD_AREA_CODE],
      [2, '状态', ImportCode.BAD_ENUM],
      [2, '床位', ImportCode.NOT_NON_NEGATIVE_INTEGER],
      [2, '在住', ImportCode.NOT_NON_NEGATIVE_INTEGER],
      [2, '投运日期', ImportCode.BAD_DATE],
      [4, '名称', ImportCode.DUPLICATE_ROW],
    ]);
  });
});

describe('small helpers', () => {
  it('areaCodeOf pads 6 and 9 digits, refuses others', () => {
    expect(areaCodeOf('511921')).toBe('511921000000');
    expect(areaCodeOf('5119211')).toBeNull();
  });
  it('enumOf takes a code in any case or the label', () => {
    expect(enumOf('nursing_home', FACILITY_TYPE_LABEL)).toBe('NURSING_HOME');
    expect(enumOf('敬老院', FACILITY_TYPE_LABEL)).toBe('NURSING_HOME');
    expect(enumOf('养老院', FACILITY_TYPE_LABEL)).toBeNull();
  });
});

describe('importStatus', () => {
  it('is 200 without problems, 403 with a FORBIDDEN one, 413 when the file is too large, else 400', () => {
    expect(importStatus([])).toBe(200);
    expect(importStatus([{ code: 'REQUIRED' }, { code: 'FORBIDDEN' }])).toBe(403);
    for (const code of ['PAYLOAD_TOO_LARGE', ImportCode.UNPACKED_TOO_LARGE, ImportCode.TOO_MANY_ROWS, ImportCode.TOO_MANY_COLUMNS])
      expect(importStatus([{ code }])).toBe(413);
    expect(importStatus([{ code: ImportCode.BAD_CHARACTER }, { code: 'LOCKED' }])).toBe(400);
  });
});
