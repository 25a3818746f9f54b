import type { AreaOverviewQuery } from '../../graphql/generated/graphql';
import type { SchemaFields } from './api';

/** The selected area as the overview query returns it. */
export type SelectedArea = NonNullable<AreaOverviewQuery['area']>;

/** What a panel gets: the selected area and what the server offers. */
export interface PanelContext {
  area: SelectedArea;
  schema: SchemaFields;
  /** Refresh the figure panels (the live feed calls it when an event arrives). */
  refresh(): void;
  /** Follow another area (drill-down from a panel). */
  select(code: string): void;
}

/**
 * One dashboard panel: its own operation and rendering. A panel whose fields the
 * server does not offer (`requires`, as `Type.field`) shows 「暂无数据」 instead of
 * breaking the page; so does one whose operation fails validation.
 */
export interface Panel {
  id: string;
  title: string;
  /** Wider panels span two grid columns. */
  wide?: boolean;
  requires: string[];
  /** Live panels (the feed) are not re-rendered on refresh. */
  live?: boolean;
  render(ctx: PanelContext, body: HTMLElement): Promise<void>;
  dispose?(): void;
}
