import { ActionError } from './errors.ts';
import { untrusted } from './untrusted.ts';

export const SERVICES = ['oauth2', 'sts', 'iamcredentials', 'generativelanguage'] as const;
export type Service = (typeof SERVICES)[number];

/** Base URLs of the Google services, without a trailing slash. */
export interface Endpoints {
  readonly base: Record<Service, string>;
  /** Services the user pointed elsewhere: the credentials file must carry those URLs too. */
  readonly overridden: ReadonlySet<Service>;
}

const FIX = 'Write one override a line as key=URL, with key one of oauth2, sts, iamcredentials, generativelanguage, e.g. "oauth2=https://oauth2-myendpoint.p.googleapis.com".';

export function resolveEndpoints(universe: string, overrides: string): Endpoints {
  const base = Object.fromEntries(SERVICES.map((service) => [service, `https://${service}.${universe}`])) as Record<Service, string>;
  const overridden = new Set<Service>();
  for (const rawLine of overrides.split('\n')) {
    const line = rawLine.trim();
    if (line === '') continue;
    const equals = line.indexOf('=');
    const key = equals < 0 ? line : line.slice(0, equals).trim();
    if (!(SERVICES as readonly string[]).includes(key)) {
      throw new ActionError(`The input endpoints has an unknown key "${untrusted(key, 40)}".`, FIX);
    }
    const service = key as Service;
    if (overridden.has(service)) {
      throw new ActionError(`The input endpoints names ${service} twice.`, FIX);
    }
    base[service] = validateBaseUrl(service, line.slice(equals + 1).trim());
    overridden.add(service);
  }
  return { base, overridden };
}

function validateBaseUrl(service: Service, text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ActionError(`The input endpoints has an invalid URL for ${service}.`, FIX);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ActionError(`The input endpoints URL for ${service} must not carry credentials, a query or a fragment.`, FIX);
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new ActionError(
      `The input endpoints gives a plain http:// URL for ${service} on ${url.hostname}: tokens would cross the network unencrypted.`,
      'Use https://, or plain http:// only for a loopback host (localhost, 127.0.0.1, [::1]).',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ActionError(`The input endpoints URL for ${service} must start with https://.`, FIX);
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * Loopback by its literal address (127.0.0.0/8, ::1), or `localhost` itself,
 * which resolvers answer from /etc/hosts. Not `*.localhost`: those names go to
 * DNS on many systems, and so can any other name.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost') return true;
  // A regular expression, not node:net's isIP: that module costs about 3 ms to load.
  const ipv4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (ipv4) return ipv4.slice(1).every((part) => Number(part) <= 255);
  return host === '::1';
}

/** Cloud instance metadata services (AWS, Azure) answer plain http on a link-local address that never leaves the machine. */
const METADATA_HOSTS = new Set(['169.254.169.254', '[fd00:ec2::254]']);

/**
 * The rule for every URL a secret is sent to, or a token comes from: https, or
 * plain http to a loopback host, or, where `metadataServer` allows it (a
 * credential source on a cloud VM), to the instance metadata address. This module
 * owns the rule; whoever sends a secret to a URL calls this first. `what` names
 * the URL in the error ("The field token_url of the external_account
 * credentials_json"); `fix` says what to change.
 */
export function checkSecretUrl(text: string, what: string, fix: string, options: { metadataServer?: boolean } = {}): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ActionError(`${what} is not a URL.`, fix);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol !== 'http:') throw new ActionError(`${what} must start with https://.`, fix);
  if (isLoopbackHost(url.hostname) || (options.metadataServer && METADATA_HOSTS.has(url.hostname))) return url;
  throw new ActionError(
    `${what} is a plain http:// URL on ${untrusted(url.hostname, 80)}: secrets would cross the network unencrypted.`,
    `Use https://; plain http:// is only for loopback hosts (localhost, 127.0.0.1, [::1])${options.metadataServer ? ' and the cloud metadata address 169.254.169.254' : ''}. ${fix}`,
  );
}

/** The full URLs of the API methods this action calls. */
export function tokenUrl(endpoints: Endpoints): string {
  return `${endpoints.base.oauth2}/token`;
}
export function tokenInfoUrl(endpoints: Endpoints): string {
  return `${endpoints.base.oauth2}/tokeninfo`;
}
export function stsTokenUrl(endpoints: Endpoints): string {
  return `${endpoints.base.sts}/v1/token`;
}
export function generateAccessTokenUrl(endpoints: Endpoints, serviceAccount: string): string {
  return `${endpoints.base.iamcredentials}/v1/projects/-/serviceAccounts/${serviceAccount}:generateAccessToken`;
}
/** The service account a generateAccessToken URL names: the inverse of generateAccessTokenUrl, for any base URL. */
export function impersonatedAccountOf(url: string | undefined): string | undefined {
  return /serviceAccounts\/([^/:]+):generateAccessToken/.exec(url ?? '')?.[1];
}
export function listModelsUrl(endpoints: Endpoints): string {
  return `${endpoints.base.generativelanguage}/v1beta/models`;
}
