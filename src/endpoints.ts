import { ActionError } from './errors.ts';
import { ACTION_INPUTS, type InputNaming } from './inputs.ts';
import { untrusted } from './untrusted.ts';

const SERVICES = ['oauth2', 'sts', 'iamcredentials', 'generativelanguage', 'aiplatform'] as const;
export type Service = (typeof SERVICES)[number];

/** Base URLs of the Google services, without a trailing slash. */
export interface Endpoints {
  /** Vertex AI's is that of its `global` location: see vertexBaseUrl for the others. */
  readonly base: Record<Service, string>;
  readonly universe: string;
  /** Services the user pointed elsewhere: the credentials file must carry those URLs too. */
  readonly overridden: ReadonlySet<Service>;
}

const FIX = 'Write one override a line as key=URL, with key one of oauth2, sts, iamcredentials, generativelanguage, aiplatform, e.g. "oauth2=https://oauth2-myendpoint.p.googleapis.com".';

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
      throw new ActionError(`${input} has an unknown key "${untrusted(key, 40)}".`, FIX);
    }
    const service = key as Service;
    if (overridden.has(service)) {
      throw new ActionError(`${input} names ${service} twice.`, FIX);
    }
    base[service] = validateBaseUrl(service, line.slice(equals + 1).trim(), input);
    overridden.add(service);
  }
  return { base, universe, overridden };
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
/** STS's refresh-token grant of workforce identity federation users (external_account_authorized_user). */
export function stsOAuthTokenUrl(endpoints: Endpoints): string {
  return `${endpoints.base.sts}/v1/oauthtoken`;
}
/** STS token introspection, which gcloud asks of federated tokens (a file's token_info_url). */
export function stsIntrospectUrl(endpoints: Endpoints): string {
  return `${endpoints.base.sts}/v1/introspect`;
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
/** `model` is `models/ID`. */
export function countTokensUrl(endpoints: Endpoints, model: string): string {
  return `${endpoints.base.generativelanguage}/v1beta/${model}:countTokens`;
}

/** The multi-regions, served from their own hosts (as the Google Gen AI SDKs call them). */
const VERTEX_MULTI_REGIONS = new Set(['us', 'eu']);

/**
 * Vertex AI's base URL for a location: `global` has the plain host, a region its own
 * (`us-central1-aiplatform…`), a multi-region a `rep` host (`aiplatform.us.rep…`).
 * An override serves every location: the location is in the path as well.
 */
export function vertexBaseUrl(endpoints: Endpoints, location: string): string {
  if (endpoints.overridden.has('aiplatform') || location === 'global') return endpoints.base.aiplatform;
  if (VERTEX_MULTI_REGIONS.has(location)) return `https://aiplatform.${location}.rep.${endpoints.universe}`;
  return `https://${location}-aiplatform.${endpoints.universe}`;
}
/** publishers.models.get of a Google model: no project or location in its path. */
export function publisherModelUrl(endpoints: Endpoints, location: string, modelId: string): string {
  return `${vertexBaseUrl(endpoints, location)}/v1/publishers/google/models/${modelId}`;
}
export function vertexCountTokensUrl(endpoints: Endpoints, project: string, location: string, modelId: string): string {
  return `${vertexBaseUrl(endpoints, location)}/v1/projects/${project}/locations/${location}/publishers/google/models/${modelId}:countTokens`;
}

/** Where a URL named inside a credentials file leads, and why it was set aside. */
export interface FileUrlChoice {
  readonly url: string;
  /** Set when the file named a URL that is not used: its host, for a note in the log. */
  readonly ignoredHost?: string;
}

/**
 * The endpoints rules for a URL a credentials file names (a token_uri, a
 * token_url): an override of `service` in the endpoints input wins; else the
 * file's URL is used when it is an https URL of Google's (a host of the
 * universe, or accounts.google.com); else `fallback`, the service's URL, so
 * that no secret goes where the file alone says. A file's URL that is not
 * Google's is reported, overridden or not: someone put it there.
 */
export function chooseFileUrl(endpoints: Endpoints, service: Service, fileUrl: unknown, fallback: string): FileUrlChoice {
  if (typeof fileUrl !== 'string' || fileUrl === '') return { url: fallback };
  let url: URL | undefined;
  try {
    url = new URL(fileUrl);
  } catch {
    url = undefined;
  }
  const host = url?.hostname.toLowerCase() ?? '';
  const google = url?.protocol === 'https:' && !url.username && !url.password && (host.endsWith(`.${endpoints.universe}`) || host === 'accounts.google.com');
  if (!google) return { url: fallback, ignoredHost: host || 'an invalid URL' };
  return { url: endpoints.overridden.has(service) ? fallback : (url as URL).href };
}
