import { describe, expect, it } from 'vitest';
import { INDICATORS } from './stats.rules.js';
import { DEMO_UNITS, demoFigures, lastTwelveMonths } from './stats.demo.js';

describe('demo figures', () => {
  it('are deterministic, well-formed and scaled by kind', () => {
    expect(demoFigures('511921001001', 'COMMUNITY', '2026-05')).toEqual(demoFigures('511921001001', 'COMMUNITY', '2026-05'));
    for (const code of ['511921001001', '511921101201', '511921214203']) {
      for (const kind of ['COMMUNITY', 'VILLAGE']) {
        const figures = demoFigures(code, kind, '2026-05');
        for (const def of INDICATORS) expect(figures.get(def.code)).toMatch(DEMO_UNITS.get(def.code)!);
        expect(Number(figures.get(kind === 'COMMUNITY' ? 'DIBAO_RURAL' : 'DIBAO_URBAN'))).toBe(0);
      }
    }
    const size = (kind: string) =>
      ['511921001001', '511921001002', '511921001003', '511921001004'].reduce((s, c) => s + Number(demoFigures(c, kind, '2026-05').get('MINORS_0_17')), 0);
    expect(size('COMMUNITY')).toBeGreaterThan(size('VILLAGE'));
  });

  it('cover the 12 months ending with the current one', () => {
    expect(lastTwelveMonths(new Date('2026-11-27T00:00:00Z')).map((p) => p.key)).toEqual([
      '2025-12',
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
      '2026-05',
      '2026-06',
      '2026-07',
      '2026-08',
      '2026-09',
      '2026-10',
      '2026-11',
    ]);
  });
});
