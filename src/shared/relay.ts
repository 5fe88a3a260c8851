/** Relay connection types (GraphQL pages), shared by every list. */
import { Field, ObjectType, type ClassType } from 'type-graphql';
import type { Page } from './pagination.js';

@ObjectType()
export class PageInfo {
  @Field() hasNextPage!: boolean;
  @Field() hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true }) startCursor!: string | null;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
}

/** Builds `XConnection` / `XEdge` object types for a node type. */
export function ConnectionType<T extends object>(node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field() cursor!: string;
    @Field(() => node) node!: T;
  }
  @ObjectType(`${name}Connection`)
  class Conn {
    @Field(() => [Edge]) edges!: Edge[];
    @Field(() => PageInfo) pageInfo!: PageInfo;
  }
  return Conn as ClassType<Connection<T>>;
}

/** Page of items with ids → Relay connection. Cursors are the item ids. */
export function toConnection<S extends { id: string }, T>(page: Page<S>, map: (s: S) => T, hadCursor: boolean): Connection<T> {
  const edges = page.items.map((s) => ({ cursor: s.id, node: map(s) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.backwards ? hadCursor : page.hasMore,
      hasPreviousPage: page.backwards ? page.hasMore : hadCursor,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
