import type { Feature } from '../../feature.js';
import { exchangeRouter } from './exchange.http.js';

/** 数据交换 — spreadsheet imports, templates and exports over HTTP (and the CLI's `import`). */
export const exchangeFeature: Feature = {
  name: 'exchange',
  routes: [exchangeRouter],
};
