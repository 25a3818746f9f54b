import { getArgumentValues, getNamedType, isObjectType, type GraphQLObjectType } from 'graphql';
import { assertCanRead } from '../../auth/auth.rules.js';
import { knownAtBound } from '../../common/known-at.js';
import { plainSelection } from '../../graphql/sql-reads.js';
import type { AreaTreeField } from '../area/area.sql-read.js';
import { indicatorsOf, type Period } from './stats.rules.js';

/**
 * `Area.stats` inside the area tree read: a county tree with figures at every
 * node is then one statement for the tree and one batch of roll-ups for all its
 * nodes (what the stats loader loads, uncached), with no resolver per
 * node or per value. With `knownAt` the same, as known at that instant (one
 * roll-up statement on the figures recorded by then). It declines, and the
 * resolvers answer with their errors, wherever `stats` would fail: an anonymous
 * caller or an area outside the viewer's subtree, an unknown indicator, a
 * `knownAt` in the future, a roll-up that fails.
 */
export const statsTreeField: AreaTreeField = {
  name: 'stats',
  compile(field, scope) {
    const area = scope.schema.getType('Area') as GraphQLObjectType;
    const definition = area.getFields().stats;
    const item = definition && getNamedType(definition.type);
    if (!definition || !isObjectType(item) || !field.selectionSet) return null;
    const answer = plainSelection(field.selectionSet, item, scope);
    if (!answer) return null;
    return async (ctx, variables, areas) => {
      let keys;
      try {
        const args = getArgumentValues(definition, field, variables) as { period: Period; indicators?: string[] | null; knownAt?: Date | null };
        const indicators = indicatorsOf(args.indicators);
        // As known at an instant: the same keys, rolled up in SQL on the figures recorded by then.
        const knownAt = args.knownAt == null ? undefined : knownAtBound(args.knownAt);
        keys = areas.map((area) => {
          assertCanRead(ctx.viewer, area.code);
          return knownAt === undefined
            ? { code: area.code, level: area.level, period: args.period, indicators }
            : { code: area.code, level: area.level, period: args.period, indicators, knownAt };
        });
      } catch {
        return null;
      }
      try {
        const values = await ctx.loaders.stats.areaStatsOf(keys);
        return values.map((list) => list.map(answer));
      } catch {
        return null;
      }
    };
  },
};
