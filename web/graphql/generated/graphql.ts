/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Kind of a township- or village-level area (乡镇街道 / 村社区 类别). */
export type AreaKind =
  /** 社区(居委会) — urban community */
  | 'COMMUNITY'
  /** 其他 — special units such as development zones and state farms */
  | 'OTHER'
  /** 街道 — urban subdistrict (code triplet 001–099) */
  | 'SUBDISTRICT'
  /** 镇 — town (100–199) */
  | 'TOWN'
  /** 乡 — rural township (200–399) */
  | 'TOWNSHIP'
  /** 村(村委会) — administrative village */
  | 'VILLAGE';

/** Level in the administrative hierarchy (行政区划级别). */
export type AreaLevel =
  /** 地级 — prefecture-level city */
  | 'CITY'
  /** 县级 — county (县), district (区) or county-level city */
  | 'COUNTY'
  /** 省级 — province, autonomous region or municipality */
  | 'PROVINCE'
  /** 乡级 — township (乡), town (镇) or subdistrict (街道) */
  | 'TOWNSHIP'
  /** 村级 — village (村) or community (社区) */
  | 'VILLAGE';

/** 角色 — what a caller may do. */
export type Role =
  /** 县/局管理员 — everything in the county */
  | 'COUNTY_ADMIN'
  /** 股室 — their section's work items; reads across the county */
  | 'SECTION_STAFF'
  /** 乡镇民政办 — reports and edits inside their township */
  | 'TOWNSHIP_OPERATOR'
  /** 只读 — reads their area's subtree (dashboards, third-party frontends) */
  | 'VIEWER'
  /** 村/社区 — their own village only */
  | 'VILLAGE_OPERATOR';

export type DashboardViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardViewerQuery = { viewer: { name: string, role: Role, area: { code: string, name: string } | null } | null };

export type DashboardSchemaFieldsQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardSchemaFieldsQuery = { areaType: { fields: Array<{ name: string }> | null } | null, queryType: { fields: Array<{ name: string }> | null } | null, subscriptionType: { fields: Array<{ name: string }> | null } | null };

export type DashboardFirstCountyQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardFirstCountyQuery = { areas: { nodes: Array<{ code: string }> } };

export type AreaOverviewQueryVariables = Exact<{
  code: string;
}>;


export type AreaOverviewQuery = { area: { code: string, name: string, shortName: string, level: AreaLevel, kind: AreaKind | null, townships: number, villages: number, ancestors: Array<{ code: string, name: string, shortName: string, level: AreaLevel }>, children: { totalCount: number, nodes: Array<{ code: string, name: string, shortName: string, level: AreaLevel, kind: AreaKind | null, childCount: number }> } } | null };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const DashboardViewerDocument = new TypedDocumentString(`
    query DashboardViewer {
  viewer {
    name
    role
    area {
      code
      name
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardViewerQuery, DashboardViewerQueryVariables>;
export const DashboardSchemaFieldsDocument = new TypedDocumentString(`
    query DashboardSchemaFields {
  areaType: __type(name: "Area") {
    fields {
      name
    }
  }
  queryType: __type(name: "Query") {
    fields {
      name
    }
  }
  subscriptionType: __type(name: "Subscription") {
    fields {
      name
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardSchemaFieldsQuery, DashboardSchemaFieldsQueryVariables>;
export const DashboardFirstCountyDocument = new TypedDocumentString(`
    query DashboardFirstCounty {
  areas(level: COUNTY, first: 1) {
    nodes {
      code
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardFirstCountyQuery, DashboardFirstCountyQueryVariables>;
export const AreaOverviewDocument = new TypedDocumentString(`
    query AreaOverview($code: String!) {
  area(code: $code) {
    code
    name
    shortName
    level
    kind
    ancestors {
      code
      name
      shortName
      level
    }
    townships: descendantCount(level: TOWNSHIP)
    villages: descendantCount(level: VILLAGE)
    children(first: 100) {
      totalCount
      nodes {
        code
        name
        shortName
        level
        kind
        childCount
      }
    }
  }
}
    `) as unknown as TypedDocumentString<AreaOverviewQuery, AreaOverviewQueryVariables>;