import { IsOptional, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { ArgsType, Field, ID, InputType, ObjectType } from 'type-graphql';
import { PageArgs } from '../common/connection.js';
import { UserError } from '../common/payload.js';
import { ResponsiblePerson } from './responsible.entity.js';

@InputType({ description: '责任人 — a named person without an account: name, title (职务) and unit (单位), all required.' })
export class ResponsiblePersonInput {
  @Field({ description: '姓名 — name (1–50 characters).' })
  @MinLength(1)
  @MaxLength(50)
  @Matches(/\S/, { message: 'name must not be blank' })
  name!: string;

  @Field({ description: '职务 — title, e.g. 副镇长 (1–50 characters).' })
  @MinLength(1)
  @MaxLength(50)
  @Matches(/\S/, { message: 'title must not be blank' })
  title!: string;

  @Field({ description: '单位 — unit, e.g. 民胜镇人民政府 (1–100 characters).' })
  @MinLength(1)
  @MaxLength(100)
  @Matches(/\S/, { message: 'unit must not be blank' })
  unit!: string;
}

@InputType({ description: '责任人 — the person responsible for a new item: exactly one of `account` and `person`.' })
export class ResponsibleInput {
  @Field(() => ID, { nullable: true, description: '账号 — the person’s account (an enabled one in your subtree), when they have one.' })
  account?: string | null;

  @Field(() => ResponsiblePersonInput, { nullable: true, description: '责任人 — a named person, when they have no account.' })
  @IsOptional()
  @ValidateNested()
  person?: ResponsiblePersonInput | null;
}

@InputType({ description: '指定责任人 — sets or changes the person responsible for a work item: exactly one of `account` and `person`.' })
export class AssignResponsibleInput {
  @Field(() => ID, { description: 'The item: a Task, TaskAssignment, Project or Rectification global ID.' })
  item!: string;

  @Field(() => ID, { nullable: true, description: '账号 — the responsible person’s account (an enabled one), when they have one.' })
  account?: string | null;

  @Field(() => ResponsiblePersonInput, { nullable: true, description: '责任人 — a named person, when they have no account.' })
  @IsOptional()
  @ValidateNested()
  person?: ResponsiblePersonInput | null;

  @Field(() => String, { nullable: true, description: '变更原因 — why (up to 500 characters).' })
  @IsOptional()
  @MaxLength(500)
  reason?: string | null;
}

@ObjectType({ description: 'Result of `assignResponsible`.' })
export class AssignResponsiblePayload {
  @Field(() => ID, { nullable: true, description: 'The item’s global ID; null when nothing was written.' })
  item?: string | null;

  @Field(() => ResponsiblePerson, { nullable: true, description: '责任人 — the person now responsible; null when nothing was written.' })
  responsible?: ResponsiblePerson | null;

  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors!: UserError[];
}

@ArgsType()
export class ResponsibilitiesArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: '账号 — the person’s account (give this or `name`; neither: the caller’s own).' })
  account?: string | null;

  @Field(() => String, {
    nullable: true,
    description: '姓名 — a named person’s name, exactly as recorded (give this or `account`; neither: the caller’s own — their account, or their name).',
  })
  name?: string | null;
}
