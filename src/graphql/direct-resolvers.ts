import { GraphQLObjectType, GraphQLScalarType, type GraphQLField, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { getMetadataStorage, type ContainerType } from 'type-graphql';

/**
 * Resolver-class instances, one per class: what type-graphql's default container
 * keeps (found by a Map rather than a scan), shared with {@link directFieldResolvers}.
 * civgraph's resolver classes hold no state; services are module singletons.
 */
export class ResolverInstances implements ContainerType {
  private readonly instances = new Map<Function, unknown>();

  get(someClass: new () => unknown): unknown {
    let instance = this.instances.get(someClass);
    if (!instance) this.instances.set(someClass, (instance = new someClass()));
    return instance;
  }
}

/**
 * What the direct resolver of a field declared on the object type itself (a
 * getter or a method of the root) reads: for a root of `objectClass`, its answer
 * is `root[property]` when that is not a function. Kept in the field's
 * `extensions.propertyRead`, with the resolver it describes.
 */
export interface PropertyRead {
  resolve: GraphQLFieldResolver<unknown, Record<string, unknown>>;
  objectClass: Function;
  property: string;
}

/**
 * The property `field`'s resolver reads, for compiled reads (`plainSelection` in
 * sql-reads.ts), which read such fields as properties; undefined when its
 * resolver does more, or has been replaced since {@link directFieldResolvers}.
 */
export function propertyReadOf(field: GraphQLField<unknown, unknown>): PropertyRead | undefined {
  const read = field.extensions.propertyRead as PropertyRead | undefined;
  return read && read.resolve === field.resolve ? read : undefined;
}

/** Argument types type-graphql hands over unchanged: scalars, primitives, enums (not input classes). */
function passesUnchanged(type: unknown): boolean {
  return (
    type === String || type === Number || type === Boolean || type === Date || type instanceof GraphQLScalarType || (typeof type === 'object' && type !== null)
  );
}

type Param = { index: number } & (
  | { kind: 'root'; propertyName?: string; getType?: () => unknown }
  | { kind: 'arg'; name: string; getType: () => unknown }
  | { kind: 'context'; propertyName?: string }
  | { kind: 'info' }
  | { kind: 'args' | 'custom' | 'pubSub' }
);

/**
 * Replaces type-graphql's wrapper around `@FieldResolver` methods whose
 * parameters are only `@Root`, `@Ctx`, `@Info` and `@Arg`s of scalar, enum or
 * primitive types, on resolvers without middlewares or roles, by a call of the
 * method with its parameters in order: what type-graphql passes, less its work
 * per call. With validation off, type-graphql still runs every `@Arg` through
 * an async validation step and the method after a `Promise.all` (three promises
 * per call for two arguments), re-sorts the parameters on every call and looks
 * the resolver instance up by a scan. A tree asks `Area.stats` of each of its
 * 401 nodes; on the county tree with statistics this was about a tenth of the
 * request's CPU.
 *
 * A root that is not an instance of its declared class (type-graphql would copy
 * it into one) goes through type-graphql's own resolver. Fields with other
 * parameters (`@Args` classes, input objects) keep type-graphql's resolver.
 * Only for schemas built without global middlewares or an auth checker.
 * Returns the fields replaced, as `Type.field`.
 */
export function directFieldResolvers(schema: GraphQLSchema, instances: ResolverInstances): string[] {
  const storage = getMetadataStorage();
  const typeNames = new Map<Function, string>(storage.objectTypes.map((type) => [type.target, type.name]));
  const replaced: string[] = [];
  for (const resolver of storage.fieldResolvers) {
    const objectClass = resolver.getObjectType?.() as Function | undefined;
    const type = objectClass && schema.getType(typeNames.get(objectClass) ?? '');
    if (!(type instanceof GraphQLObjectType)) continue;
    const field = type.getFields()[resolver.schemaName];
    if (!field?.resolve || resolver.middlewares?.length || resolver.roles) continue;
    const params = [...((resolver.params ?? []) as Param[])].sort((a, b) => a.index - b.index);
    const plain = (param: Param) =>
      (param.kind === 'root' && !param.propertyName && (!param.getType || typeof param.getType() === 'function')) ||
      param.kind === 'context' ||
      param.kind === 'info' ||
      (param.kind === 'arg' && passesUnchanged(param.getType()));
    if (!params.every(plain)) continue;
    const rootClass = params.find((param) => param.kind === 'root')?.getType?.() as Function | undefined;
    const slow = field.resolve;
    const values = (root: unknown, args: Record<string, unknown>, context: Record<string, unknown>, info: unknown) =>
      params.map((param) => {
        switch (param.kind) {
          case 'root':
            return root;
          case 'arg':
            return args[param.name];
          case 'context':
            return param.propertyName ? context[param.propertyName] : context;
          default:
            return info;
        }
      });
    const method = resolver.methodName;
    const direct: GraphQLFieldResolver<unknown, Record<string, unknown>> = resolver.kind === 'external'
      ? (root, args, context, info) => {
          if (rootClass && !(root instanceof rootClass)) return slow(root, args, context, info);
          const target = instances.get(resolver.target as new () => unknown) as Record<string, (...params: unknown[]) => unknown>;
          return target[method](...values(root, args, context, info));
        }
      : (root, args, context, info) => {
          // A field resolver declared on the object type itself: a method or a getter of the root.
          if (!(root instanceof (objectClass as Function))) return slow(root, args, context, info);
          const member = (root as Record<string, unknown>)[method];
          return typeof member === 'function' ? member.apply(root, values(root, args, context, info)) : member;
        };
    field.resolve = direct;
    if (resolver.kind !== 'external') {
      const propertyRead: PropertyRead = { resolve: direct, objectClass: objectClass as Function, property: method };
      field.extensions = { ...field.extensions, propertyRead };
    }
    replaced.push(`${type.name}.${resolver.schemaName}`);
  }
  return replaced;
}
