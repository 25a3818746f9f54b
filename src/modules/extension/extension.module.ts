import type { Feature } from '../../feature.js';
import { extensionDemo } from './extension.demo.js';
import { createExtensionLoaders } from './extension.loaders.js';
import { DeadlineExtensionItemResolver, ExtensionResolver, TaskExtensionResolver } from './extension.resolver.js';

/** 延期申请 — deadline extensions of key tasks, requested by their writers and decided by a county admin or leader. */
export const extensionFeature: Feature = {
  name: 'extension',
  resolvers: [ExtensionResolver, TaskExtensionResolver, DeadlineExtensionItemResolver],
  loaders: { extension: createExtensionLoaders },
  demo: extensionDemo,
};
