import { readFile } from 'node:fs/promises';
import { generate, loadCodegenConfig } from '@graphql-codegen/cli';
import { buildSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printedSchema } from '../../src/graphql/schema.js';
import { civgraphSchema } from '../../src/features.js';

const root = new URL('../../', import.meta.url);

describe('schema artifacts', () => {
  it('schema/schema.graphql is what the code generates (run `npm run schema` when this fails)', async () => {
    const committed = await readFile(new URL('schema/schema.graphql', root), 'utf8');
    expect(committed).toBe(printedSchema(await civgraphSchema()));
  });

  it('the typed test documents are what codegen makes from the committed schema (run `npm run codegen`)', async () => {
    const { config } = await loadCodegenConfig({ configFilePath: new URL('codegen.yml', root).pathname });
    const outputs = await generate({ ...config, cwd: root.pathname, silent: true }, false);
    for (const output of outputs) {
      const committed = await readFile(new URL(output.filename, root), 'utf8').catch(() => '');
      expect(committed, output.filename).toBe(output.content);
    }
  });

  it('describes every type, field, argument and enum value', async () => {
    const schema = buildSchema(await readFile(new URL('schema/schema.graphql', root), 'utf8'));
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
      if (['Query', 'Mutation', 'Subscription'].includes(type.name)) {
        // Root types are described by their fields.
      } else if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : []) {
            if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
          }
        }
      }
      if (isEnumType(type)) for (const value of type.getValues()) if (!value.description) missing.push(`${type.name}.${value.name}`);
    }
    expect(missing).toEqual([]);
  });

  it('builds without error and exposes the Relay node interface', async () => {
    const schema = await civgraphSchema();
    expect(schema.getQueryType()!.getFields().node).toBeDefined();
  });
});
