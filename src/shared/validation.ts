/**
 * The one input validator, shared by GraphQL (type-graphql's validateFn) and the REST shim.
 * Messages are class-validator's wording; nested ones are prefixed with their path the way
 * NestJS's ValidationPipe does (`schema.fields.0.name must match …`), joined with ", ".
 */
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { buildMessage, validate, ValidateBy, type ValidationError, type ValidationOptions, type ValidatorOptions } from 'class-validator';
import { AppError } from './errors.js';

export type Naming = 'graphql' | 'rest';

/**
 * A string's length as PostgreSQL counts it (varchar(n), char_length): Unicode code points. A
 * surrogate pair is one; U+FE0F and other combining marks count like any other code point
 * (class-validator's Length/MaxLength use validator.js's isLength, which skips U+FE0E/U+FE0F, so
 * 41 × "a\uFE0F" passed an 80 check and then failed in the database with a 500).
 */
export function charLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * class-validator's Length with PostgreSQL's characters (charLength), same name and wording. Every
 * input class uses this and MaxLength below for text it stores, never class-validator's own.
 */
export function Length(min: number, max?: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isLength',
      constraints: [min, max],
      validator: {
        validate: (v: unknown) => typeof v === 'string' && charLength(v) >= min && (max === undefined || charLength(v) <= max),
        defaultMessage: buildMessage((each, args) => {
          // As class-validator words it, non-strings included (a value without a length gets the range).
          const v = args?.value as { length?: number } | undefined;
          const len = typeof v === 'string' ? charLength(v) : v?.length;
          if (!v || (len as number) < min) return `${each}$property must be longer than or equal to $constraint1 characters`;
          if (max !== undefined && (len as number) > max) return `${each}$property must be shorter than or equal to $constraint2 characters`;
          return `${each}$property must be longer than or equal to $constraint1 and shorter than or equal to $constraint2 characters`;
        }, options),
      },
    },
    options,
  );
}

/** class-validator's MaxLength with PostgreSQL's characters (charLength). */
export function MaxLength(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxLength',
      constraints: [max],
      validator: {
        validate: (v: unknown) => typeof v === 'string' && charLength(v) <= max,
        defaultMessage: buildMessage((each) => `${each}$property must be shorter than or equal to $constraint1 characters`, options),
      },
    },
    options,
  );
}

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

/**
 * Keys that make class-transformer misbehave when they are own properties of a request object
 * (`{"name":{"constructor":true}}` made it call `true` as a class: a 500). None of our input classes
 * declares them, so outside opaque JSON they are unknown properties: dropped before the transform and
 * reported with class-validator's wording.
 */
const UNSAFE_KEYS = new Set(['constructor', '__proto__', 'prototype']);

function dropUnsafeKeys(value: unknown, path: string, issues: string[]): unknown {
  if (Array.isArray(value)) return value.map((v, i) => dropUnsafeKeys(v, path ? `${path}.${i}` : String(i), issues));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (UNSAFE_KEYS.has(k)) {
      issues.push(path ? `${path}.property ${k} should not exist` : `property ${k} should not exist`);
      continue;
    }
    out[k] = dropUnsafeKeys(v, path ? `${path}.${k}` : k, issues);
  }
  return out;
}

/** Validate a plain REST body against an input class (the same class GraphQL uses). */
export async function validateInput<T extends object>(
  cls: ClassConstructor<T>,
  body: unknown,
  opts: { naming?: Naming; opaque?: ReadonlySet<string> } = {},
): Promise<T> {
  const naming = opts.naming ?? 'rest';
  const obj = requireObjectBody(body);
  // Opaque JSON (event data, contact attributes, step bodies) bypasses class-transformer entirely:
  // it is validated as a value and kept exactly as sent.
  const opaque: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  const unsafe: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (opts.opaque?.has(k)) opaque[k] = v;
    else if (UNSAFE_KEYS.has(k)) unsafe.push(`property ${k} should not exist`); // never assigned: `rest.__proto__ = v` would set the prototype
    else rest[k] = v;
  }
  const safe = dropUnsafeKeys(rest, '', unsafe) as Record<string, unknown>;
  const plain = naming === 'rest' ? restKeysToCamel(safe, opts.opaque) : safe;
  const instance = plainToInstance(cls, plain, { enableImplicitConversion: false, exposeDefaultValues: true }) as T;
  for (const [k, v] of Object.entries(opaque)) (instance as Record<string, unknown>)[naming === 'rest' ? snakeToCamel(k) : k] = v;
  if (!unsafe.length) return assertValid(instance, naming);
  let issues = unsafe;
  try {
    await assertValid(instance, naming);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    issues = [...err.message.split(', '), ...unsafe];
  }
  throw new AppError('validation_error', issues.join(', '));
}
