/**
 * Webhooks must not let a tenant reach the server's own network: URLs whose host resolves to a
 * loopback, private, link-local (or otherwise non-public) address are refused, unless the operator
 * lists the host in WEBHOOK_ALLOW_HOSTS. Checked when an automation is saved and again at send time,
 * on the addresses the request actually connects to (see `guardedLookup`), so DNS rebinding cannot
 * slip past the first check.
 */
import dns from 'node:dns';
import net from 'node:net';
import { byteLru } from '../shared/caches.js';

const blocked = new net.BlockList();
for (const [a, p] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(a, p, 'ipv4');
for (const [a, p] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) blocked.addSubnet(a, p, 'ipv6');

export function isBlockedAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return blocked.check(mapped[1]!, 'ipv4');
    return blocked.check(address, 'ipv6');
  }
  return true;
}

export function isAllowedHost(host: string, allow: readonly string[]): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return allow.includes(h);
}

/**
 * Why a host name cannot be a DNS name, or null: at most 253 characters (one trailing dot aside)
 * and 63 per label (RFC 1035 §2.3.4). Such hosts are refused before any lookup or cache.
 */
export function hostNameRefusal(host: string): string | null {
  const h = host.endsWith('.') ? host.slice(0, -1) : host;
  if (h.length > 253) return `host name is longer than DNS allows (${h.length} characters; at most 253)`;
  let start = 0;
  for (;;) {
    const dot = h.indexOf('.', start);
    const end = dot === -1 ? h.length : dot;
    if (end - start > 63) return `host name has a label longer than DNS allows (${end - start} characters; at most 63 per label)`;
    if (dot === -1) return null;
    start = dot + 1;
  }
}

/** Save-time answers by host: a minute each, at most 1 MB in all (least recently used go first). */
export const HOST_CACHE_BYTES = 1 << 20;
export const hostCache = byteLru<{ addrs: string[] | null }>(HOST_CACHE_BYTES, { ttlMs: 60_000, maxEntryBytes: 8_192 });

/**
 * Save-time lookups in flight at once. `dns.lookup` is getaddrinfo on libuv's thread pool (4 threads,
 * shared with file, crypto and zlib work), and a resolver that does not answer holds a thread for
 * its full timeout (~5 s) even after our deadline gave up on it: one save naming 100 such hosts held
 * all four threads for minutes. A lookup keeps its slot until getaddrinfo returns; a host that finds
 * no slot before its deadline is "unknown" (the send-time guard checks the addresses it connects to).
 */
export const MAX_SAVE_LOOKUPS = 2;
const slots = { busy: 0, waiting: [] as (() => void)[] };
function takeSlot(deadline: number): Promise<boolean> {
  if (slots.busy < MAX_SAVE_LOOKUPS) {
    slots.busy++;
    return Promise.resolve(true);
  }
  return new Promise((resolve) => {
    const go = () => {
      clearTimeout(timer);
      slots.busy++;
      resolve(true);
    };
    const timer = setTimeout(() => {
      slots.waiting.splice(slots.waiting.indexOf(go), 1);
      resolve(false);
    }, Math.max(0, deadline - Date.now())).unref();
    slots.waiting.push(go);
  });
}
function releaseSlot(): void {
  slots.busy--;
  slots.waiting.shift()?.();
}
/** Save-time lookups running now (for tests). */
export const saveLookupsInFlight = (): number => slots.busy;

/** Resolve for the save-time check: cached for a minute, bounded by a short timeout; null when unknown. */
export async function resolveForCheck(host: string, timeoutMs = 800): Promise<string[] | null> {
  if (net.isIP(host)) return [host];
  if (hostNameRefusal(host)) return null;
  const hit = hostCache.get(host);
  if (hit) return hit.addrs;
  const deadline = Date.now() + timeoutMs;
  if (!(await takeSlot(deadline))) return null; // not cached: a later save may find a slot
  const lookup = dns.promises.lookup(host, { all: true }).then((r) => r.map((a) => a.address), () => null).finally(releaseSlot);
  const addrs = await Promise.race([lookup, new Promise<null>((r) => setTimeout(() => r(null), Math.max(0, deadline - Date.now())).unref())]);
  hostCache.set(host, { addrs });
  return addrs;
}

/**
 * Resolve the hosts of an automation's webhook URLs before its check takes the check lane: all at
 * once (at most MAX_SAVE_LOOKUPS in flight, one shared deadline), so the lane (one check at a time
 * per process) never waits on DNS and a save naming many slow hosts costs its own request at most
 * the deadline, not one deadline per host.
 */
export async function resolveHosts(urls: string[], allow: readonly string[], timeoutMs = 800): Promise<Map<string, string[] | null>> {
  const found = new Map<string, string[] | null>();
  await Promise.all(hostsToResolve(urls, allow).map(async (h) => found.set(h, await resolveForCheck(h, timeoutMs))));
  return found;
}

/** The hosts of `urls` the webhook check would look up (urlRefusal): named, well-formed and not allowed outright. */
export function hostsToResolve(urls: string[], allow: readonly string[]): string[] {
  const hosts = new Set<string>();
  for (const raw of urls) {
    let host: string;
    try {
      host = new URL(raw).hostname.replace(/^\[|\]$/g, '');
    } catch {
      continue;
    }
    if (!net.isIP(host) && !hostNameRefusal(host) && !isAllowedHost(host, allow)) hosts.add(host);
  }
  return [...hosts];
}

/**
 * Why a webhook URL is refused, or null. `resolve` false skips DNS (literal addresses are still
 * checked); `resolved` holds answers looked up beforehand (resolveHosts): a host in it is not looked up again.
 */
export async function urlRefusal(raw: string, allow: readonly string[], resolve = true, resolved?: Map<string, string[] | null>): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `not a valid URL: ${raw.length > 100 ? `${raw.slice(0, 100)}…` : raw}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `only http and https URLs are allowed (got ${url.protocol.replace(':', '')})`;
  if (url.username || url.password) return 'credentials in the URL are not allowed; use headers';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const badName = net.isIP(host) ? null : hostNameRefusal(host);
  if (badName) return badName;
  if (isAllowedHost(host, allow)) return null;
  if (host === 'localhost' || host.endsWith('.localhost')) return `host ${host} is a loopback address`;
  const addrs = net.isIP(host) ? [host] : !resolve ? null : resolved?.has(host) ? resolved.get(host)! : await resolveForCheck(host);
  const bad = addrs?.find(isBlockedAddress);
  if (bad) return `host ${host} resolves to a private, loopback or link-local address (${bad}); an operator may allow it with WEBHOOK_ALLOW_HOSTS`;
  return null;
}

/** `lookup` for http.request: resolves, then refuses blocked addresses unless the host is allowed. */
export function guardedLookup(allow: readonly string[]): net.LookupFunction {
  return ((hostname: string, options: dns.LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as dns.LookupAddress[];
      if (!isAllowedHost(hostname, allow)) {
        const bad = list.find((a) => isBlockedAddress(a.address));
        if (bad) {
          const e: NodeJS.ErrnoException = new Error(`refused: ${hostname} resolves to a private, loopback or link-local address (${bad.address})`);
          e.code = 'EBLOCKEDADDRESS';
          return callback(e, '', 0);
        }
      }
      if (options.all) callback(null, list);
      else callback(null, list[0]!.address, list[0]!.family);
    });
  }) as net.LookupFunction;
}
