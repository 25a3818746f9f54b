import type { Feature } from '../../feature.js';
import { MergerResolver } from './merger.resolver.js';

/**
 * 两项改革 — area mergers and retirements: the sources end, a successor takes
 * over, and every feature that keys rows by area moves them through its
 * `areaMerge` hook (the extension point this feature declares).
 */
export const mergerFeature: Feature = {
  name: 'merger',
  resolvers: [MergerResolver],
};
