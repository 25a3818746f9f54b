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
};
const documents: Documents = {
    "query DashboardViewer {\n  viewer {\n    name\n    role\n    area {\n      code\n      name\n    }\n  }\n}\n\nquery DashboardSchemaFields {\n  areaType: __type(name: \"Area\") {\n    fields {\n      name\n    }\n  }\n  queryType: __type(name: \"Query\") {\n    fields {\n      name\n    }\n  }\n  subscriptionType: __type(name: \"Subscription\") {\n    fields {\n      name\n    }\n  }\n}\n\nquery DashboardFirstCounty {\n  areas(level: COUNTY, first: 1) {\n    nodes {\n      code\n    }\n  }\n}\n\nquery AreaOverview($code: String!) {\n  area(code: $code) {\n    code\n    name\n    shortName\n    level\n    kind\n    ancestors {\n      code\n      name\n      shortName\n      level\n    }\n    townships: descendantCount(level: TOWNSHIP)\n    villages: descendantCount(level: VILLAGE)\n    children(first: 100) {\n      totalCount\n      nodes {\n        code\n        name\n        shortName\n        level\n        kind\n        childCount\n      }\n    }\n  }\n}": types.DashboardViewerDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query DashboardViewer {\n  viewer {\n    name\n    role\n    area {\n      code\n      name\n    }\n  }\n}\n\nquery DashboardSchemaFields {\n  areaType: __type(name: \"Area\") {\n    fields {\n      name\n    }\n  }\n  queryType: __type(name: \"Query\") {\n    fields {\n      name\n    }\n  }\n  subscriptionType: __type(name: \"Subscription\") {\n    fields {\n      name\n    }\n  }\n}\n\nquery DashboardFirstCounty {\n  areas(level: COUNTY, first: 1) {\n    nodes {\n      code\n    }\n  }\n}\n\nquery AreaOverview($code: String!) {\n  area(code: $code) {\n    code\n    name\n    shortName\n    level\n    kind\n    ancestors {\n      code\n      name\n      shortName\n      level\n    }\n    townships: descendantCount(level: TOWNSHIP)\n    villages: descendantCount(level: VILLAGE)\n    children(first: 100) {\n      totalCount\n      nodes {\n        code\n        name\n        shortName\n        level\n        kind\n        childCount\n      }\n    }\n  }\n}"): typeof import('./graphql.js').DashboardViewerDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
