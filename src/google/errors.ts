import { ActionError } from '../errors.ts';
import { hasShape, untrusted } from '../untrusted.ts';
import type { HttpAnswer } from './http.ts';

/**
 * The parts of a Google error answer, in either of its two shapes, each read
 * through `untrusted`: safe to print, and redacted of every secret (a server may
 * echo the request).
 */
export interface GoogleError {
  readonly httpStatus: number;
  /** OAuth shape: `{"error": "invalid_grant", "error_description": "..."}`. */
  readonly oauthError?: string;
  /** `error_subtype`, which Google adds to some OAuth errors: `invalid_rapt`. */
  readonly subtype?: string;
  readonly description?: string;
  /** API shape: `{"error": {"code", "message", "status", "details": [...]}}`. */
  readonly status?: string;
  readonly reasons: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
  readonly helpLinks: readonly string[];
}

const MAX_TEXT = 400;
const MAX_CODE = 80;
/** Google sends one or two details; a longer list adds nothing a user could read. */
const MAX_DETAILS = 5;

export function readGoogleError(answer: HttpAnswer): GoogleError {
  const body = (typeof answer.body === 'object' && answer.body !== null ? answer.body : {}) as Record<string, unknown>;
  const reasons: string[] = [];
  const metadata: Record<string, string> = {};
  const helpLinks: string[] = [];
  if (typeof body.error === 'string') {
    return {
      httpStatus: answer.status,
      oauthError: untrusted(body.error, MAX_CODE),
      ...(typeof body.error_subtype === 'string' ? { subtype: untrusted(body.error_subtype, MAX_CODE) } : {}),
      ...(typeof body.error_description === 'string' ? { description: untrusted(body.error_description, MAX_TEXT) } : {}),
      reasons,
      metadata,
      helpLinks,
    };
  }
  const error = (typeof body.error === 'object' && body.error !== null ? body.error : {}) as Record<string, unknown>;
  for (const detail of (Array.isArray(error.details) ? error.details : []).slice(0, MAX_DETAILS)) {
    if (typeof detail !== 'object' || detail === null) continue;
    const { reason, metadata: meta, links } = detail as Record<string, unknown>;
    if (typeof reason === 'string') reasons.push(untrusted(reason, MAX_CODE));
    if (typeof meta === 'object' && meta !== null) {
      for (const [key, value] of Object.entries(meta).slice(0, 20)) if (typeof value === 'string') metadata[key] = untrusted(value, MAX_TEXT);
    }
    for (const link of (Array.isArray(links) ? links : []).slice(0, MAX_DETAILS)) {
      const url = (link as Record<string, unknown> | null)?.url;
      if (typeof url === 'string') helpLinks.push(untrusted(url, MAX_TEXT));
    }
  }
  return {
    httpStatus: answer.status,
    ...(typeof error.status === 'string' ? { status: untrusted(error.status, MAX_CODE) } : {}),
    ...(typeof error.message === 'string' ? { description: untrusted(error.message, MAX_TEXT) } : {}),
    reasons,
    metadata,
    helpLinks,
  };
}

/** `HTTP 403 PERMISSION_DENIED (SERVICE_DISABLED): message` — for messages with no better wording. */
export function summarize(error: GoogleError): string {
  const code = error.oauthError ?? error.status;
  const reasons = error.reasons.length ? ` (${error.reasons.join(', ')})` : '';
  return `HTTP ${error.httpStatus}${code ? ` ${code}` : ''}${reasons}${error.description ? `: ${error.description}` : ''}`;
}

/** A link into Google's console, as Google's errors offer them; any other link a server offers is not passed on. */
const GOOGLE_CONSOLE_LINK = /^https:\/\/console\.(?:developers|cloud)\.google\.com\/[A-Za-z0-9/._~?&=%-]*$/u;

/** The project number that gcloud's own OAuth client bills to: a sign that no quota project was set. */
const GCLOUD_CLIENT_PROJECT = 'projects/764086051850';

/** A Google API as its refusals need naming it: what to enable, which scopes and which role its callers need. */
export interface GoogleApi {
  /** Google's title of the service: "Generative Language API". */
  readonly title: string;
  /** Its service name, as `gcloud services enable` takes it: "generativelanguage.googleapis.com". */
  readonly service: string;
  /** The scopes a token for it may carry, for a fix: "https://www.googleapis.com/auth/cloud-platform". */
  readonly scopes: string;
  /** The predefined role that lets a principal call its models, where IAM decides that per project. */
  readonly callerRole?: { readonly role: string; readonly title: string; readonly grants: string };
}

export interface ApiCallContext {
  /** Names the call in messages: "The Gemini API (generativelanguage models.list)". */
  readonly call: string;
  readonly api: GoogleApi;
  readonly authType: string;
  readonly quotaProjectId: string | undefined;
  /** The project whose resource the call names (Vertex AI's paths name one), else the quota project's is meant. */
  readonly project?: string | undefined;
  /** Who the token acts as, where known: an email or a federated subject. */
  readonly principal?: string | undefined;
  /** The IAM member to name in a grant (`serviceAccount:…`, `principalSet://…`), where known. */
  readonly member?: string | undefined;
}

/** Turns the refusal of a Google API into an ActionError with the fix for that API. */
export function explainApiError(error: GoogleError, context: ApiCallContext): ActionError {
  const has = (reason: string): boolean => error.reasons.includes(reason);
  const said = summarize(error);
  const { api, call } = context;
  if (has('SERVICE_DISABLED') && (error.metadata.consumer === GCLOUD_CLIENT_PROJECT || /quota project/i.test(error.description ?? ''))) {
    return new ActionError(
      `${call} needs a quota project for user credentials, and none was sent (${said}).`,
      `Set the input quota_project_id (or project_id) to a project where the ${api.title} is enabled, or run \`gcloud auth application-default set-quota-project PROJECT_ID\` and store the updated credentials file as the secret again.`,
    );
  }
  if (has('SERVICE_DISABLED')) {
    // Both go into a command and a link the user is told to follow: the server's only when they are what Google sends.
    const consumer = (error.metadata.consumer ?? '').replace(/^projects\//, '');
    const project = hasShape('project', consumer) ? consumer : context.quotaProjectId || 'PROJECT_ID';
    const offered = error.metadata.activationUrl ?? '';
    const link = GOOGLE_CONSOLE_LINK.test(offered) ? offered : `https://console.developers.google.com/apis/api/${api.service}/overview?project=${project}`;
    return new ActionError(
      `The ${api.title} is not enabled in project ${project} (${said}).`,
      `Enable it at ${link} or with \`gcloud services enable ${api.service} --project=${project}\`, wait a minute, and re-run.`,
    );
  }
  if (has('ACCESS_TOKEN_SCOPE_INSUFFICIENT')) {
    return new ActionError(
      `${call} refused the token: it lacks the OAuth scopes this call needs (${said}).`,
      context.authType === 'authorized_user'
        ? 'An authorized-user token carries the scopes consented at login: run `gcloud auth application-default login --client-id-file=client_secret.json --scopes=https://www.googleapis.com/auth/cloud-platform,https://www.googleapis.com/auth/generative-language.retriever` and store the new file as the secret.'
        : `Include ${api.scopes} in the input scopes.`,
    );
  }
  if (has('USER_PROJECT_DENIED')) {
    return new ActionError(
      `The caller may not bill requests to quota project ${context.quotaProjectId ?? '(unknown)'} (${said}).`,
      'Grant the principal roles/serviceusage.serviceUsageConsumer on that project, or set quota_project_id to a project it may use.',
    );
  }
  if (has('IAM_PERMISSION_DENIED') && api.callerRole) return permissionDenied(error, context, api.callerRole);
  if (error.httpStatus === 401) {
    return new ActionError(
      `${call} did not accept the access token (${said}).`,
      'The token may have been revoked or has expired; re-run the job. If it persists, check that the endpoints input points at the right services.',
    );
  }
  if (error.httpStatus === 403) {
    return new ActionError(`${call} denied access (${said}).`, `Check that the principal may use the ${api.title} in the quota project, and that the API is enabled there.`);
  }
  return new ActionError(`${call} answered with an error (${said}).`, 'Check the inputs named in the message; if they are right, re-run the job.');
}

/** IAM refused a permission on a resource of a project: the grant of the API's role, as a command for this principal. */
function permissionDenied(error: GoogleError, context: ApiCallContext, role: NonNullable<GoogleApi['callerRole']>): ActionError {
  // The project and principal come from the call, not the answer: the fix is a command to run.
  const project = context.project ?? context.quotaProjectId ?? 'PROJECT_ID';
  const permission = /^[a-z][a-zA-Z0-9.]{0,100}$/.test(error.metadata.permission ?? '') ? error.metadata.permission : 'a permission';
  // Without a known principal, the command names a placeholder the user fills in.
  const member = context.member ?? (context.authType === 'authorized_user' ? 'user:YOUR_EMAIL' : 'MEMBER');
  return new ActionError(
    `${context.principal ?? 'The principal'} may not ${role.grants} in project ${project}: ${permission} was denied (${summarize(error)}).`,
    `Grant it the ${role.title} role: \`gcloud projects add-iam-policy-binding ${project} --member="${member}" --role=${role.role}\` (it can take a few minutes to apply).`,
  );
}
