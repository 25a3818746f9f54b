import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, pageRequest, toPage, type Page } from '../../common/connection.js';
import { badInput } from '../../common/errors.js';
import type { FieldNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import type { Context } from '../../graphql/context.js';
import type { AreaListKey, GrandchildrenRequest } from './area.loaders.js';
import { AREA_COLUMNS, areaFromRow, type Area, type AreaRow } from './area.entity.js';
import type { AreaListArgs, AreasArgs, DescendantsArgs } from './area.inputs.js';
import { ancestorCodes, normalizeCode, type AreaLevel } from '../../common/codes.js';

const MAX_NAME_FILTER = 50;

/** Reads of the area hierarchy. Every method takes the request context first. */
export class AreaService {
  /** The area with this code (6, 9 or 12 digits), current or retired; null when unknown. */
  async byCode(ctx: Context, code: string, field = 'code'): Promise<Area | null> {
    return ctx.loaders.area.byCode.load(normalizeCode(code, field));
  }

  async parent(ctx: Context, area: Area): Promise<Area | null> {
    return area.parentCode ? ctx.loaders.area.byCode.load(area.parentCode) : null;
  }

  async successor(ctx: Context, area: Area): Promise<Area | null> {
    return area.successorCode ? ctx.loaders.area.byCode.load(area.successorCode) : null;
  }

  /** Root first, down to the parent. */
  async ancestors(ctx: Context, area: Area): Promise<Area[]> {
    const found = await ctx.loaders.area.byCode.loadMany(ancestorCodes(area.code, area.level));
    return found.filter((item): item is Area => item !== null && !(item instanceof Error));
  }

  /**
   * `info`, when given, is looked ahead into: when the selection asks each child's
   * `children` with default arguments, both levels are read in one statement.
   */
  async children(ctx: Context, area: Area, args: AreaListArgs, info?: GraphQLResolveInfo): Promise<Page<Area>> {
    const key: AreaListKey = {
      code: area.code,
      level: area.level,
      onlyLevel: null,
      includeRetired: args.includeRetired,
      page: pageRequest(args),
    };
    const grandchildren = info ? asksGrandchildren(info.fieldNodes) : null;
    if (grandchildren) key.withGrandchildren = grandchildren;
    return ctx.loaders.area.children.load(key);
  }

  async descendants(ctx: Context, area: Area, args: DescendantsArgs): Promise<Page<Area>> {
    return ctx.loaders.area.descendants.load({
      code: area.code,
      level: area.level,
      onlyLevel: args.level ?? null,
      includeRetired: args.includeRetired,
      page: pageRequest(args),
    });
  }

  async childCount(ctx: Context, area: Area): Promise<number> {
    return ctx.loaders.area.childCount.load(area.code);
  }

  async descendantCount(ctx: Context, area: Area, level: AreaLevel | null): Promise<number> {
    return ctx.loaders.area.descendantCount.load({ code: area.code, level: area.level, onlyLevel: level });
  }

  /** Areas filtered by level, parent and name, in code order. */
  async list(ctx: Context, args: AreasArgs): Promise<Page<Area>> {
    const page = pageRequest(args);
    const parentCode = args.parentCode == null ? null : normalizeCode(args.parentCode, 'parentCode');
    const name = args.nameContains?.trim() || null;
    if (name && name.length > MAX_NAME_FILTER) {
      throw badInput('nameContains', `nameContains must be at most ${MAX_NAME_FILTER} characters`);
    }
    const pattern = name && `%${name.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const where = `(?::text is null or level = ?::text)
        and (?::text is null or parent_code = ?::text)
        and (?::text is null or name like ?::text)
        and (?::boolean or valid_to is null)`;
    const params = [args.level ?? null, args.level ?? null, parentCode, parentCode, pattern, pattern, args.includeRetired];
    const rows = await ctx.sql<AreaRow>(`select ${AREA_COLUMNS} from area where ${where} and code > ? order by code limit ?`, [
      ...params,
      page.afterKey ?? '',
      page.first + 1,
    ]);
    const total = async () => {
      const [row] = await ctx.sql<{ n: number }>(`select count(*)::int as n from area where ${where}`, params);
      return row.n;
    };
    return toPage(rows.map(areaFromRow), page, (area) => area.code, total);
  }
}

/** The plain fields (no fragments) named `name` in a selection set. */
function fieldsNamed(selectionSet: SelectionSetNode | undefined, name: string): FieldNode[] {
  return (selectionSet?.selections ?? []).filter((s): s is FieldNode => s.kind === 'Field' && s.name.value === name);
}

/**
 * Whether a `children` selection asks, of its items (`nodes` or `edges { node }`),
 * their own `children` with no arguments but literal `first` and `includeRetired`
 * (a variable or `after` is not looked into): what that selection asks, or null.
 * Only a hint: answers are the same either way (a miss costs one more statement,
 * a wrong guess reads a level unused). The first such selection wins.
 */
export function asksGrandchildren(fieldNodes: readonly FieldNode[]): GrandchildrenRequest | null {
  const items = fieldNodes.flatMap((field) => [
    ...fieldsNamed(field.selectionSet, 'nodes'),
    ...fieldsNamed(field.selectionSet, 'edges').flatMap((edges) => fieldsNamed(edges.selectionSet, 'node')),
  ]);
  for (const children of items.flatMap((item) => fieldsNamed(item.selectionSet, 'children'))) {
    const request: GrandchildrenRequest = { first: DEFAULT_PAGE_SIZE, includeRetired: false };
    const plain = (children.arguments ?? []).every((arg) => {
      if (arg.name.value === 'first' && arg.value.kind === 'IntValue') {
        request.first = Number(arg.value.value);
        return Number.isInteger(request.first) && request.first >= 0 && request.first <= MAX_PAGE_SIZE;
      }
      if (arg.name.value === 'includeRetired' && arg.value.kind === 'BooleanValue') {
        request.includeRetired = arg.value.value;
        return true;
      }
      return false;
    });
    if (plain) return request;
  }
  return null;
}

export const areaService = new AreaService();
