/**
 * The one input validator, shared by GraphQL (type-graphql's validateFn) and the REST shim.
 * Messages are class-validator's wording; nested ones are prefixed with their path the way
 * NestJS's ValidationPipe does (`schema.fields.0.name must match …`), joined with ", ".
 */
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validate, type ValidationError, type ValidatorOptions } from 'class-validator';
import { AppError } from './errors.js';

export type Naming = 'graphql' | 'rest';

const VALIDATOR_OPTIONS: ValidatorOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: false,
  validationError: { target: false, value: false },
};

export const camelToSnake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
export const snakeToCamel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Flatten class-validator errors into messages, prefixing nested ones with their path. */
export function formatValidationErrors(errors: ValidationError[], naming: Naming = 'graphql', parent = ''): string[] {
  const out: string[] = [];
  const name = (p: string) => (naming === 'rest' ? camelToSnake(p) : p);
  for (const e of errors) {
    const prop = name(e.property);
    const path = parent ? `${parent}.${prop}` : prop;
    for (const msg of Object.values(e.constraints ?? {})) {
      if (msg.startsWith('property ')) {
        // whitelist: "property foo should not exist" (foo is the unknown key)
        const text = naming === 'rest' ? msg.replace(/^property (\S+)/, (_, p: string) => `property ${camelToSnake(p)}`) : msg;
        out.push(parent ? `${parent}.${text}` : text);
      } else if (msg.includes(e.property)) {
        out.push(msg.replace(e.property, path));
      } else {
        out.push(parent ? `${parent}.${msg}` : msg);
      }
    }
    if (e.children?.length) out.push(...formatValidationErrors(e.children, naming, path));
  }
  return out;
}

/** Throws AppError('validation_error') listing every issue; returns the instance when valid. */
export async function assertValid<T extends object>(instance: T, naming: Naming = 'graphql'): Promise<T> {
  // GraphQL's own type system already rejects unknown input fields; REST bodies need the whitelist.
  const errors = await validate(instance, naming === 'rest' ? VALIDATOR_OPTIONS : { ...VALIDATOR_OPTIONS, whitelist: false, forbidNonWhitelisted: false });
  if (errors.length) {
    throw new AppError('validation_error', formatValidationErrors(errors, naming).join(', '));
  }
  return instance;
}

/** Convert a REST (snake_case) body to the input's camelCase keys, leaving opaque JSON values alone. */
export function restKeysToCamel(value: unknown, opaque: ReadonlySet<string> = new Set()): unknown {
  if (Array.isArray(value)) return value.map((v) => restKeysToCamel(v, opaque));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const key = snakeToCamel(k);
    out[key] = opaque.has(k) ? v : restKeysToCamel(v, opaque);
  }
  return out;
}

/** Ensure a REST body is a JSON object; anything else is a 400. */
export function requireObjectBody(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AppError('bad_request', 'Request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** Validate a plain REST body against an input class (the same class GraphQL uses). */
export async function validateInput<T extends object>(
  cls: ClassConstructor<T>,
  body: unknown,
  opts: { naming?: Naming; opaque?: ReadonlySet<string> } = {},
): Promise<T> {
  const naming = opts.naming ?? 'rest';
  const obj = requireObjectBody(body);
  const plain = naming === 'rest' ? restKeysToCamel(obj, opts.opaque) : obj;
  const instance = plainToInstance(cls, plain, { enableImplicitConversion: false, exposeDefaultValues: true });
  return assertValid(instance as T, naming);
}
