/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query DashboardViewer {\n  viewer {\n    name\n    role\n    area {\n      code\n      name\n    }\n  }\n}\n\nquery DashboardSchemaFields {\n  areaType: __type(name: \"Area\") {\n    fields {\n      name\n    }\n  }\n  queryType: __type(name: \"Query\") {\n    fields {\n      name\n    }\n  }\n  subscriptionType: __type(name: \"Subscription\") {\n    fields {\n      name\n    }\n  }\n}\n\nquery DashboardFirstCounty {\n  areas(level: COUNTY, first: 1) {\n    nodes {\n      code\n    }\n  }\n}\n\nquery AreaOverview($code: String!) {\n  area(code: $code) {\n    code\n    name\n    shortName\n    level\n    kind\n    ancestors {\n      code\n      name\n      shortName\n      level\n    }\n    townships: descendantCount(level: TOWNSHIP)\n    villages: descendantCount(level: VILLAGE)\n    children(first: 100) {\n      totalCount\n      nodes {\n        code\n        name\n        shortName\n        level\n        kind\n        childCount\n      }\n    }\n  }\n}": typeof types.DashboardViewerDocument,
    "query PanelFacilities($code: String!) {\n  area(code: $code) {\n    facilitySummary {\n      total\n      beds\n      occupiedBeds\n      groups {\n        type\n        status\n        operatingModel\n        count\n      }\n    }\n    children(first: 100) {\n      nodes {\n        code\n        shortName\n        facilitySummary {\n          total\n        }\n      }\n    }\n  }\n}": typeof types.PanelFacilitiesDocument,
    "subscription ProgressFeed($area: String!, $includeDescendants: Boolean, $kinds: [SubjectKind!], $after: String) {\n  progressUpdated(\n    area: $area\n    includeDescendants: $includeDescendants\n    kinds: $kinds\n    after: $after\n  ) {\n    sequence\n    cursor\n    summary\n    occurredAt\n    subjectKind\n    action\n    area {\n      code\n      shortName\n    }\n  }\n}": typeof types.ProgressFeedDocument,
    "query PanelProjects($code: String!) {\n  area(code: $code) {\n    projects(first: 30) {\n      totalCount\n      nodes {\n        id\n        name\n        status\n        progressPercent\n        progressAsOf\n        targetDate\n        leadOfficial {\n          name\n          title\n        }\n        area {\n          shortName\n        }\n      }\n    }\n  }\n}": typeof types.PanelProjectsDocument,
    "query PanelRectifications($code: String!, $asOf: LocalDate) {\n  area(code: $code) {\n    open: rectifications(\n      first: 50\n      asOf: $asOf\n      filter: {status: [OPEN, RECTIFYING, RECTIFIED]}\n    ) {\n      totalCount\n      nodes {\n        id\n        finding\n        status\n        deadline\n        overdue\n        responsiblePerson\n        area {\n          shortName\n        }\n      }\n    }\n    overdue: rectifications(first: 0, asOf: $asOf, filter: {overdue: true}) {\n      totalCount\n    }\n  }\n}": typeof types.PanelRectificationsDocument,
    "query PanelReport($month: String!, $area: String) {\n  monthlyReport(month: $month, area: $area) {\n    month\n    areaName\n    itemCount\n    markdown\n  }\n}": typeof types.PanelReportDocument,
    "query PanelStatsMonths($code: String!, $from: Period!, $to: Period!) {\n  area(code: $code) {\n    statsSeries(indicator: \"ELDERLY_60_PLUS\", from: $from, to: $to) {\n      period\n      reportedAreas\n    }\n  }\n}\n\nquery PanelStats($code: String!, $period: Period!, $indicators: [String!]) {\n  area(code: $code) {\n    stats(period: $period, indicators: $indicators) {\n      period\n      indicator {\n        code\n        nameZh\n        unit\n      }\n      persons\n      amount\n      reportedAreas\n      expectedAreas\n    }\n    reporting(period: $period) {\n      reportedAreas\n      expectedAreas\n      missingAreas\n    }\n  }\n}": typeof types.PanelStatsMonthsDocument,
    "query PanelTasks($code: String!, $asOf: LocalDate) {\n  area(code: $code) {\n    tasks(first: 50, asOf: $asOf) {\n      totalCount\n      nodes {\n        id\n        title\n        health\n        deadline\n        done\n        target\n        unit\n        ownerSection\n      }\n    }\n  }\n}": typeof types.PanelTasksDocument,
};
const documents: Documents = {
    "query DashboardViewer {\n  viewer {\n    name\n    role\n    area {\n      code\n      name\n    }\n  }\n}\n\nquery DashboardSchemaFields {\n  areaType: __type(name: \"Area\") {\n    fields {\n      name\n    }\n  }\n  queryType: __type(name: \"Query\") {\n    fields {\n      name\n    }\n  }\n  subscriptionType: __type(name: \"Subscription\") {\n    fields {\n      name\n    }\n  }\n}\n\nquery DashboardFirstCounty {\n  areas(level: COUNTY, first: 1) {\n    nodes {\n      code\n    }\n  }\n}\n\nquery AreaOverview($code: String!) {\n  area(code: $code) {\n    code\n    name\n    shortName\n    level\n    kind\n    ancestors {\n      code\n      name\n      shortName\n      level\n    }\n    townships: descendantCount(level: TOWNSHIP)\n    villages: descendantCount(level: VILLAGE)\n    children(first: 100) {\n      totalCount\n      nodes {\n        code\n        name\n        shortName\n        level\n        kind\n        childCount\n      }\n    }\n  }\n}": types.DashboardViewerDocument,
    "query PanelFacilities($code: String!) {\n  area(code: $code) {\n    facilitySummary {\n      total\n      beds\n      occupiedBeds\n      groups {\n        type\n        status\n        operatingModel\n        count\n      }\n    }\n    children(first: 100) {\n      nodes {\n        code\n        shortName\n        facilitySummary {\n          total\n        }\n      }\n    }\n  }\n}": types.PanelFacilitiesDocument,
    "subscription ProgressFeed($area: String!, $includeDescendants: Boolean, $kinds: [SubjectKind!], $after: String) {\n  progressUpdated(\n    area: $area\n    includeDescendants: $includeDescendants\n    kinds: $kinds\n    after: $after\n  ) {\n    sequence\n    cursor\n    summary\n    occurredAt\n    subjectKind\n    action\n    area {\n      code\n      shortName\n    }\n  }\n}": types.ProgressFeedDocument,
    "query PanelProjects($code: String!) {\n  area(code: $code) {\n    projects(first: 30) {\n      totalCount\n      nodes {\n        id\n        name\n        status\n        progressPercent\n        progressAsOf\n        targetDate\n        leadOfficial {\n          name\n          title\n        }\n        area {\n          shortName\n        }\n      }\n    }\n  }\n}": types.PanelProjectsDocument,
    "query PanelRectifications($code: String!, $asOf: LocalDate) {\n  area(code: $code) {\n    open: rectifications(\n      first: 50\n      asOf: $asOf\n      filter: {status: [OPEN, RECTIFYING, RECTIFIED]}\n    ) {\n      totalCount\n      nodes {\n        id\n        finding\n        status\n        deadline\n        overdue\n        responsiblePerson\n        area {\n          shortName\n        }\n      }\n    }\n    overdue: rectifications(first: 0, asOf: $asOf, filter: {overdue: true}) {\n      totalCount\n    }\n  }\n}": types.PanelRectificationsDocument,
    "query PanelReport($month: String!, $area: String) {\n  monthlyReport(month: $month, area: $area) {\n    month\n    areaName\n    itemCount\n    markdown\n  }\n}": types.PanelReportDocument,
    "query PanelStatsMonths($code: String!, $from: Period!, $to: Period!) {\n  area(code: $code) {\n    statsSeries(indicator: \"ELDERLY_60_PLUS\", from: $from, to: $to) {\n      period\n      reportedAreas\n    }\n  }\n}\n\nquery PanelStats($code: String!, $period: Period!, $indicators: [String!]) {\n  area(code: $code) {\n    stats(period: $period, indicators: $indicators) {\n      period\n      indicator {\n        code\n        nameZh\n        unit\n      }\n      persons\n      amount\n      reportedAreas\n      expectedAreas\n    }\n    reporting(period: $period) {\n      reportedAreas\n      expectedAreas\n      missingAreas\n    }\n  }\n}": types.PanelStatsMonthsDocument,
    "query PanelTasks($code: String!, $asOf: LocalDate) {\n  area(code: $code) {\n    tasks(first: 50, asOf: $asOf) {\n      totalCount\n      nodes {\n        id\n        title\n        health\n        deadline\n        done\n        target\n        unit\n        ownerSection\n      }\n    }\n  }\n}": types.PanelTasksDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query DashboardViewer {\n  viewer {\n    name\n    role\n    area {\n      code\n      name\n    }\n  }\n}\n\nquery DashboardSchemaFields {\n  areaType: __type(name: \"Area\") {\n    fields {\n      name\n    }\n  }\n  queryType: __type(name: \"Query\") {\n    fields {\n      name\n    }\n  }\n  subscriptionType: __type(name: \"Subscription\") {\n    fields {\n      name\n    }\n  }\n}\n\nquery DashboardFirstCounty {\n  areas(level: COUNTY, first: 1) {\n    nodes {\n      code\n    }\n  }\n}\n\nquery AreaOverview($code: String!) {\n  area(code: $code) {\n    code\n    name\n    shortName\n    level\n    kind\n    ancestors {\n      code\n      name\n      shortName\n      level\n    }\n    townships: descendantCount(level: TOWNSHIP)\n    villages: descendantCount(level: VILLAGE)\n    children(first: 100) {\n      totalCount\n      nodes {\n        code\n        name\n        shortName\n        level\n        kind\n        childCount\n      }\n    }\n  }\n}"): typeof import('./graphql.js').DashboardViewerDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PanelFacilities($code: String!) {\n  area(code: $code) {\n    facilitySummary {\n      total\n      beds\n      occupiedBeds\n      groups {\n        type\n        status\n        operatingModel\n        count\n      }\n    }\n    children(first: 100) {\n      nodes {\n        code\n        shortName\n        facilitySummary {\n          total\n        }\n      }\n    }\n  }\n}"): typeof import('./graphql.js').PanelFacilitiesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription ProgressFeed($area: String!, $includeDescendants: Boolean, $kinds: [SubjectKind!], $after: String) {\n  progressUpdated(\n    area: $area\n    includeDescendants: $includeDescendants\n    kinds: $kinds\n    after: $after\n  ) {\n    sequence\n    cursor\n    summary\n    occurredAt\n    subjectKind\n    action\n    area {\n      code\n      shortName\n    }\n  }\n}"): typeof import('./graphql.js').ProgressFeedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PanelProjects($code: String!) {\n  area(code: $code) {\n    projects(first: 30) {\n      totalCount\n      nodes {\n        id\n        name\n        status\n        progressPercent\n        progressAsOf\n        targetDate\n        leadOfficial {\n          name\n          title\n        }\n        area {\n          shortName\n        }\n      }\n    }\n  }\n}"): typeof import('./graphql.js').PanelProjectsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PanelRectifications($code: String!, $asOf: LocalDate) {\n  area(code: $code) {\n    open: rectifications(\n      first: 50\n      asOf: $asOf\n      filter: {status: [OPEN, RECTIFYING, RECTIFIED]}\n    ) {\n      totalCount\n      nodes {\n        id\n        finding\n        status\n        deadline\n        overdue\n        responsiblePerson\n        area {\n          shortName\n        }\n      }\n    }\n    overdue: rectifications(first: 0, asOf: $asOf, filter: {overdue: true}) {\n      totalCount\n    }\n  }\n}"): typeof import('./graphql.js').PanelRectificationsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PanelReport($month: String!, $area: String) {\n  monthlyReport(month: $month, area: $area) {\n    month\n    areaName\n    itemCount\n    markdown\n  }\n}"): typeof import('./graphql.js').PanelReportDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PanelStatsMonths($code: String!, $from: Period!, $to: Period!) {\n  area(code: $code) {\n    statsSeries(indicator: \"ELDERLY_60_PLUS\", from: $from, to: $to) {\n      period\n      reportedAreas\n    }\n  }\n}\n\nquery PanelStats($code: String!, $period: Period!, $indicators: [String!]) {\n  area(code: $code) {\n    stats(period: $period, indicators: $indicators) {\n      period\n      indicator {\n        code\n        nameZh\n        unit\n      }\n      persons\n      amount\n      reportedAreas\n      expectedAreas\n    }\n    reporting(period: $period) {\n      reportedAreas\n      expectedAreas\n      missingAreas\n    }\n  }\n}"): typeof import('./graphql.js').PanelStatsMonthsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PanelTasks($code: String!, $asOf: LocalDate) {\n  area(code: $code) {\n    tasks(first: 50, asOf: $asOf) {\n      totalCount\n      nodes {\n        id\n        title\n        health\n        deadline\n        done\n        target\n        unit\n        ownerSection\n      }\n    }\n  }\n}"): typeof import('./graphql.js').PanelTasksDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
