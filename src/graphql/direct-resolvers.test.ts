import 'reflect-metadata';
import { graphql, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { Arg, Args, ArgsType, buildSchema, Ctx, Field, FieldResolver, InputType, Int, ObjectType, Query, Resolver, Root, UseMiddleware } from 'type-graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { directFieldResolvers, ResolverInstances } from './direct-resolvers.js';

@ObjectType()
class Box {
  @Field()
  label!: string;

  @Field(() => String, { description: 'A field resolver on the type itself.' })
  shout(@Arg('times', () => Int) times: number): string {
    return `${this.label.toUpperCase()}${'!'.repeat(times)}`;
  }
}

@InputType()
class Filter {
  @Field()
  prefix!: string;
}

@ArgsType()
class Paging {
  @Field(() => Int)
  first!: number;
}

const calls: string[] = [];

@Resolver(() => Box)
class BoxResolver {
  @Query(() => [Box])
  boxes(): Box[] {
    // A plain object as well: type-graphql copies it into a Box; the direct path must too.
    return [Object.assign(new Box(), { label: 'a' }), { label: 'b' } as Box];
  }

  @FieldResolver(() => String)
  describe(
    @Root() box: Box,
    @Arg('tags', () => [String]) tags: string[],
    @Arg('sep', () => String, { nullable: true }) sep: string | null,
    @Ctx() ctx: { who: string },
  ): string {
    return `${ctx.who}:${box.label}:${tags.join(sep ?? ',')}:${box instanceof Box}`;
  }

  @FieldResolver(() => String)
  filtered(@Root() box: Box, @Arg('filter', () => Filter) filter: Filter): string {
    return `${filter.prefix}${box.label}:${filter instanceof Filter}`;
  }

  @FieldResolver(() => String)
  paged(@Root() box: Box, @Args() paging: Paging): string {
    return `${box.label}:${paging.first}:${paging instanceof Paging}`;
  }

  @FieldResolver(() => String)
  @UseMiddleware(async (_data, next) => {
    calls.push('middleware');
    return next();
  })
  guarded(@Root() box: Box): string {
    return box.label;
  }
}

let schema: GraphQLSchema;
let replaced: string[];
const instances = new ResolverInstances();

beforeAll(async () => {
  schema = await buildSchema({ resolvers: [BoxResolver], validate: false, container: instances });
  replaced = directFieldResolvers(schema, instances);
});

const run = async (source: string) => graphql({ schema, source, contextValue: { who: 'me' } });

describe('directFieldResolvers', () => {
  it('calls field resolvers with only a root, scalar arguments and the context directly', () => {
    expect(replaced.sort()).toEqual(['Box.describe', 'Box.shout']);
    const field = (schema.getType('Box') as GraphQLObjectType).getFields().describe!;
    // Synchronous: no promise per argument, no Promise.all before the method runs.
    expect(field.resolve!(Object.assign(new Box(), { label: 'x' }), { tags: ['p', 'q'], sep: '+' }, { who: 'me' }, {})).toBe('me:x:p+q:true');
  });

  it('answers as type-graphql does, including a root that is not yet an instance of its class', async () => {
    const result = await run('{ boxes { describe(tags: ["t", "u"]) shout(times: 2) filtered(filter: { prefix: ">" }) paged(first: 3) } }');
    expect(result).toEqual({
      data: {
        boxes: [
          { describe: 'me:a:t,u:true', shout: 'A!!', filtered: '>a:true', paged: 'a:3:true' },
          { describe: 'me:b:t,u:true', shout: 'B!!', filtered: '>b:true', paged: 'b:3:true' },
        ],
      },
    });
  });

  it('leaves input objects, @Args classes and middlewares to type-graphql', async () => {
    expect(replaced).not.toContain('Box.filtered');
    expect(replaced).not.toContain('Box.paged');
    expect(replaced).not.toContain('Box.guarded');
    calls.length = 0;
    expect((await run('{ boxes { guarded } }')).data).toEqual({ boxes: [{ guarded: 'a' }, { guarded: 'b' }] });
    expect(calls).toEqual(['middleware', 'middleware']);
  });

  it('uses the instances type-graphql uses: one per resolver class', () => {
    expect(instances.get(BoxResolver)).toBe(instances.get(BoxResolver));
    expect(instances.get(BoxResolver)).toBeInstanceOf(BoxResolver);
  });
});
