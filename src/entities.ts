/** Every MikroORM entity. Feature modules add theirs here. */
import { ApiKey } from './auth/api-key.entity.js';
import { Organization } from './auth/organization.entity.js';
import { Automation, AutomationRun } from './automations/automation.entity.js';
import { EventDefinition } from './events/event.entity.js';
import { EventDefinitionVersion } from './events/event-version.entity.js';
import { Contact } from './contacts/contact.entity.js';

export const ENTITIES = [Organization, ApiKey, EventDefinition, EventDefinitionVersion, Automation, AutomationRun, Contact];
