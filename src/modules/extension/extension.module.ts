import type { Feature } from '../../feature.js';
import { extensionDemo } from './extension.demo.js';
import { createExtensionLoaders } from './extension.loaders.js';
import { DeadlineExtensionItemResolver, ExtensionResolver, RectificationExtensionResolver, TaskExtensionResolver } from './extension.resolver.js';

/** 延期申请 — deadline extensions of key tasks and rectifications, requested by their writers and decided by a county admin or leader. */
export const extensionFeature: Feature = {
  name: 'extension',
  resolvers: [ExtensionResolver, TaskExtensionResolver, RectificationExtensionResolver, DeadlineExtensionItemResolver],
  loaders: { extension: createExtensionLoaders },
  demo: extensionDemo,
};
