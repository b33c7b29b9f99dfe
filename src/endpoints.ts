import { ActionError } from './errors.ts';
import { ACTION_INPUTS, type InputNaming } from './inputs.ts';

export const SERVICES = ['oauth2', 'sts', 'iamcredentials', 'generativelanguage'] as const;
export type Service = (typeof SERVICES)[number];

/** Base URLs of the Google services, without a trailing slash. */
export interface Endpoints {
  readonly base: Record<Service, string>;
  /** Services the user pointed elsewhere: the credentials file must carry those URLs too. */
  readonly overridden: ReadonlySet<Service>;
}

const FIX = 'Write one override a line as key=URL, with key one of oauth2, sts, iamcredentials, generativelanguage, e.g. "oauth2=https://oauth2-myendpoint.p.googleapis.com".';

/** `overrides`: the endpoints input, one `key=URL` a line; `naming` names it in errors. */
export function resolveEndpoints(universe: string, overrides: string, naming: InputNaming = ACTION_INPUTS): Endpoints {
  const input = `The ${naming.input('endpoints')}`;
  const base = Object.fromEntries(SERVICES.map((service) => [service, `https://${service}.${universe}`])) as Record<Service, string>;
  const overridden = new Set<Service>();
  for (const rawLine of overrides.split('\n')) {
    const line = rawLine.trim();
    if (line === '') continue;
    const equals = line.indexOf('=');
    const key = equals < 0 ? line : line.slice(0, equals).trim();
    if (!(SERVICES as readonly string[]).includes(key)) {
      throw new ActionError(`${input} has an unknown key "${key.slice(0, 40)}".`, FIX);
    }
    const service = key as Service;
    if (overridden.has(service)) {
      throw new ActionError(`${input} names ${service} twice.`, FIX);
    }
    base[service] = validateBaseUrl(service, line.slice(equals + 1).trim(), input);
    overridden.add(service);
  }
  return { base, overridden };
}

/** `input`: "The input endpoints", as errors name it. */
function validateBaseUrl(service: Service, text: string, input: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ActionError(`${input} has an invalid URL for ${service}.`, FIX);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ActionError(`${input} URL for ${service} must not carry credentials, a query or a fragment.`, FIX);
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new ActionError(
      `${input} gives a plain http:// URL for ${service} on ${url.hostname}: tokens would cross the network unencrypted.`,
      'Use https://, or plain http:// only for a loopback host (localhost, 127.0.0.1, [::1]).',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ActionError(`${input} URL for ${service} must start with https://.`, FIX);
  }
  return url.href.replace(/\/+$/, '');
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  // A regular expression, not node:net's isIP: that module costs about 3 ms to load.
  const ipv4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (ipv4) return ipv4.slice(1).every((part) => Number(part) <= 255);
  return host === '::1';
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
