import type { Feature } from '../../feature.js';
import { Area } from './area.entity.js';
import { createAreaLoaders } from './area.loaders.js';
import { AreaResolver } from './area.resolver.js';
import { areaService } from './area.service.js';
import { areaTreeRead } from './area.sql-read.js';

/** 行政区划 — the area hierarchy from the statistical division codes, with its history as of a date. */
export const areaFeature: Feature = {
  name: 'area',
  entities: [Area],
  resolvers: [AreaResolver],
  loaders: { area: createAreaLoaders },
  nodes: { Area: (ctx, key) => areaService.byCode(ctx, key, 'id') },
  sqlReads: [areaTreeRead],
};
