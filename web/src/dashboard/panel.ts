import type { AreaOverviewQuery, DashboardViewerQuery } from '../../graphql/generated/graphql';
import type { SchemaFields } from './api';

/** The signed-in caller (`viewer`), null when anonymous. */
export type DashboardViewer = DashboardViewerQuery['viewer'];

/** The selected area as the overview query returns it. */
export type SelectedArea = NonNullable<AreaOverviewQuery['area']>;

/** What a panel gets: the selected area and what the server offers. */
export interface PanelContext {
  area: SelectedArea;
  /** Who is signed in: the data-entry panels offer only what their role may write. */
  viewer: DashboardViewer;
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
  /** Forms (data entry) keep what is being typed: not re-rendered on refresh either. */
  form?: boolean;
  /** Whether this viewer gets the panel at all (default: everyone); a panel not offered is not on the page. */
  offered?(viewer: DashboardViewer): boolean;
  render(ctx: PanelContext, body: HTMLElement): Promise<void>;
  dispose?(): void;
}
