import type { Feature } from '../../feature.js';
import { createFacilityLoaders } from './facility.loaders.js';
import { AreaFacilitiesResolver, FacilityResolver, FacilitySummaryResolver } from './facility.resolver.js';
import { facilityService } from './facility.service.js';
import { moveFacilitiesOnMerge } from './facility.merge.js';

/** 服务站点 — service facilities (敬老院, 养老服务综合体, 未成年人保护工作站 …). Demo facilities come with the projects' demo. */
export const facilityFeature: Feature = {
  name: 'facility',
  resolvers: [FacilityResolver, FacilitySummaryResolver, AreaFacilitiesResolver],
  loaders: { facility: createFacilityLoaders },
  nodes: { Facility: (ctx, key) => facilityService.byKey(ctx, key) },
  hooks: { areaMerge: [moveFacilitiesOnMerge] },
};
