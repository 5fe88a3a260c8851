import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { AppError, MESSAGES } from '../shared/errors.js';
import { byteLru, publishInvalidation, type Caches, type CachedKey } from '../shared/caches.js';
import { ApiKey } from './api-key.entity.js';
import { Organization } from './organization.entity.js';

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** `be_` + 43 url-safe characters (32 random bytes, base64url). */
export function generateToken(): string {
  return `be_${randomBytes(32).toString('base64url')}`;
}

const TOKEN_RE = /^be_[A-Za-z0-9_-]{32,}$/;

export interface CreatedKey {
  key: ApiKey;
  /** Shown once; only its hash is stored. */
  token: string;
}

/** A key's optional label (the CLI's `--name`, GraphQL createApiKey(name)): 1–200 characters once trimmed. */
function keyName(name: string | null | undefined): string | null {
  if (name === undefined || name === null) return null;
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 200) throw new AppError('validation_error', 'name must be between 1 and 200 characters');
  return trimmed;
}

/**
 * Keys an organization may create for itself (GraphQL `createApiKey`), revoked ones included: the
 * `apiKeys` list is one unpaginated answer, so its length is bounded here. Operators (the CLI) are
 * not limited.
 */
export const MAX_SELF_SERVICE_KEYS = 100;

export async function createApiKey(em: EntityManager, org: Organization, name?: string | null, opts: { limit?: number } = {}): Promise<CreatedKey> {
  if (opts.limit !== undefined && (await em.count(ApiKey, { organization: org.id })) >= opts.limit) {
    throw new AppError('conflict', `This organization has ${opts.limit} API keys (revoked ones included), the most it can create itself; an operator can add more with \`npx arsel key create\`.`);
  }
  const token = generateToken();
  const key = em.create(ApiKey, { organization: org, tokenHash: hashToken(token), tokenPrefix: token.slice(0, 11), name: keyName(name) });
  await em.flush();
  return { key, token };
}

export async function createOrganization(em: EntityManager, name: string): Promise<{ org: Organization } & CreatedKey> {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 200) throw new AppError('validation_error', 'name must be between 1 and 200 characters');
  return em.transactional(async (tem) => {
    const org = tem.create(Organization, { name: trimmed });
    const created = await createApiKey(tem, org);
    return { org, ...created };
  });
}

export async function listOrganizations(em: EntityManager): Promise<Organization[]> {
  return em.find(Organization, {}, { orderBy: { id: 'asc' } });
}

export async function getOrganization(em: EntityManager, id: string): Promise<Organization> {
  const org = /^[0-9a-f-]{36}$/i.test(id) ? await em.findOne(Organization, { id }) : null;
  if (!org) throw AppError.notFound(`Organization ${id} not found`);
  return org;
}

export async function listApiKeys(em: EntityManager, orgId: string): Promise<ApiKey[]> {
  await getOrganization(em, orgId);
  return em.find(ApiKey, { organization: orgId }, { orderBy: { id: 'asc' } });
}

/** Revoke a key (idempotent). `orgId`: only a key of that organization (GraphQL: the caller's own). */
export async function revokeApiKey(em: EntityManager, keyId: string, caches?: Caches, orgId?: string): Promise<ApiKey> {
  const key = /^[0-9a-f-]{36}$/i.test(keyId) ? await em.findOne(ApiKey, orgId ? { id: keyId, organization: orgId } : { id: keyId }) : null;
  if (!key) throw AppError.notFound(`API key ${keyId} not found`);
  if (!key.revokedAt) {
    key.revokedAt = new Date();
    await em.flush();
  }
  caches?.keys.delete(key.tokenHash);
  await publishInvalidation((t, v) => em.getConnection().execute(t.replace(/\$\d/g, "?"), v as unknown[]), `key:${key.tokenHash}`);
  return key;
}

/** When this process last wrote a key's last_used_at (key id → ms); a key forgotten here is just touched again. */
const lastTouched = byteLru<number>(1 << 20);

// SHA-256 of the bearer token was ~3 % of a send's CPU: a client sends the same Authorization
// header on every request, so remember the digest by the well-formed header it came in (a pure
// function of the header: parsing and hashing are skipped; what the digest maps to is still looked
// up, cached and invalidated by hash below). At most 2 MB, least recently used first out; a header
// of more than ~1,000 characters is hashed each time rather than kept (a real one is ~55 characters).
export const recentHashes = byteLru<string>(2 << 20, { maxEntryBytes: 2_048 });

/**
 * Bearer header → caller. Cached per token hash (positive and negative) for CACHE_TTL_MS; a key
 * revoked on this instance is dropped at once. Uses the plain pool: this runs on every request.
 * A cached answer comes back as a value, not a promise (nearly every request: no microtask); a
 * miss returns the promise of the lookup. Malformed or unknown keys throw (or reject with) a 401.
 */
export function authenticate(pool: pg.Pool, caches: Caches, header: string | undefined): CachedKey | Promise<CachedKey> {
  const hash = headerHash(header);
  const hit = caches.keys.get(hash);
  return hit === undefined ? lookUp(pool, caches, hash) : accepted(pool, hit);
}

async function lookUp(pool: pg.Pool, caches: Caches, hash: string): Promise<CachedKey> {
  const since = caches.keys.version;
  const r = await pool.query<{ id: string; organization_id: string; name: string }>({
    name: 'auth_key_lookup',
    text: `select k.id, k.organization_id, o.name from api_keys k join organizations o on o.id = k.organization_id
           where k.token_hash = $1 and k.revoked_at is null`,
    values: [hash],
  });
  const row = r.rows[0];
  const hit = row ? { keyId: row.id, orgId: row.organization_id, orgName: row.name } : null;
  caches.keys.set(hash, hit, since);
  return accepted(pool, hit);
}

/** The bearer token's hash; 401 for a missing or malformed header. */
function headerHash(header: string | undefined): string {
  if (typeof header !== 'string') throw new AppError('unauthorized', MESSAGES.unauthorized);
  const known = recentHashes.get(header);
  if (known !== undefined) return known;
  // The auth scheme is case-insensitive (RFC 9110 §11.1): `bearer be_…` is as good as `Bearer be_…`.
  const m = /^bearer +(\S+) *$/i.exec(header);
  if (!m) throw new AppError('unauthorized', MESSAGES.unauthorized);
  const token = m[1];
  if (!TOKEN_RE.test(token)) throw new AppError('unauthorized', MESSAGES.unauthorized);
  const hash = hashToken(token);
  recentHashes.set(header, hash);
  return hash;
}

function accepted(pool: pg.Pool, hit: CachedKey | null): CachedKey {
  if (!hit) throw new AppError('unauthorized', MESSAGES.unauthorized);
  // last_used_at: at most once a minute per key per process, off the request's critical path.
  const now = Date.now();
  if ((lastTouched.get(hit.keyId) ?? 0) < now - 60_000) {
    lastTouched.set(hit.keyId, now);
    pool.query('update api_keys set last_used_at = now() where id = $1', [hit.keyId]).catch(() => lastTouched.delete(hit!.keyId));
  }
  return hit;
}
