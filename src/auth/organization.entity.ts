import { OptionalProps } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { v7 as uuidv7 } from 'uuid';

@Entity({ tableName: 'organizations' })
export class Organization {
  [OptionalProps]?: 'id' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Property({ length: 200 })
  name!: string;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();
}
