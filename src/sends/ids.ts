/** Send ids: UUIDv7 from the process's pooled-randomness generator (see shared/uuidv7.ts). */
import { fastUuidv7 } from '../shared/uuidv7.js';

export const newSendId = (): string => fastUuidv7();
