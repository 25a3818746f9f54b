import type { Context } from '../../graphql/context.js';
import { Indicator } from './stats.entity.js';
import { INDICATOR_BY_CODE, parsePeriod } from './stats.rules.js';
import { statsService } from './stats.service.js';
import { AreaLevel } from '../../common/codes.js';

/** `node(id)` fetchers for statistics types (listed in the stats manifest). */
export const statsNodeFetchers: Record<string, (ctx: Context, key: string) => Promise<object | null>> = {
  Indicator: async (_ctx, key) => {
    const def = INDICATOR_BY_CODE.get(key);
    return def ? Indicator.of(def) : null;
  },
  ReportingApproval: async (ctx, key) => {
    const [code, period] = key.split(':');
    if (!code || !period || !/^\d{12}$/.test(code)) return null;
    const area = await ctx.loaders.area.byCode.load(code);
    if (!area || (area.level !== AreaLevel.TOWNSHIP && area.level !== AreaLevel.VILLAGE)) return null;
    return statsService.approval(ctx, area, parsePeriod(period));
  },
};
