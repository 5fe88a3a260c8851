/**
 * Feature registry: each feature contributes REST routes (a Fastify plugin under /v1) and
 * GraphQL resolvers. Adding a feature = one line in each list.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { NonEmptyArray } from 'type-graphql';
import type { Deps } from './shared/context.js';
import { eventRoutes } from './events/event.routes.js';
import { EventResolver } from './events/event.resolver.js';
import { eventVersionRoutes } from './events/event.versions.routes.js';
import { EventVersionsResolver } from './events/event.versions.resolver.js';
import { EventPreviewResolver } from './events/event.preview.resolver.js';
import { automationsFeature } from './automations/automation.feature.js';
import { AutomationResolver, EventAutomationsResolver } from './automations/automation.resolver.js';
import { automationRoutes } from './automations/automation.routes.js';
import { AutomationTestResolver, automationTestRoutes } from './automations/automation.test-run.js';
import { contactRoutes } from './contacts/contact.routes.js';
import { ContactResolver } from './contacts/contact.resolver.js';
import { sendRoutes } from './sends/send.routes.js';
import { SendResolver } from './sends/send.resolver.js';
import { SendValidateResolver } from './sends/send.dry-run.resolver.js';
import { sendsFeature } from './sends/send.feature.js';
import { SendStatsResolver } from './sends/send.stats.resolver.js';
import { ApiKeyResolver } from './auth/api-key.resolver.js';
import { replaysFeature } from './sends/replay.feature.js';
import { replayRoutes } from './sends/replay.routes.js';
import { ReplayResolver } from './sends/replay.resolver.js';

export interface StartApiOptions {
  /**
   * A one-shot command (`arsel import`, `arsel replay`): start what its requests need, but no
   * background jobs of a long-running server (the automations' stale-issues sweep).
   */
  oneShot?: boolean;
}

/** Queues, and what an HTTP-serving process starts (the job side is src/workers.ts). */
export interface Feature {
  queues?: { name: string; options?: Record<string, unknown> }[];
  /** Started in processes that serve HTTP (role api/all), and by one-shot CLI commands that send through the database. */
  startApi?(deps: Deps, opts?: StartApiOptions): Promise<void> | void;
  /** Called on shutdown before the queue and pools close (flush in-flight work). */
  stop?(deps: Deps): Promise<void> | void;
}

export const FEATURES: Feature[] = [sendsFeature, automationsFeature, replaysFeature];

export type RestModule = FastifyPluginAsync<{ deps: Deps }>;

export const REST_MODULES: RestModule[] = [eventRoutes, sendRoutes, contactRoutes, automationRoutes, eventVersionRoutes, automationTestRoutes, replayRoutes];

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const RESOLVERS: NonEmptyArray<Function> = [EventResolver, SendResolver, ContactResolver, AutomationResolver, EventAutomationsResolver, SendStatsResolver, ApiKeyResolver, SendValidateResolver, EventVersionsResolver, EventPreviewResolver, AutomationTestResolver, ReplayResolver];
