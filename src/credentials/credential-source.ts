// The subject token of an external_account configuration. File, URL, AWS and
// certificate sources go through google-auth-library, which knows each of them;
// an executable is run here (executable-source.ts). Each attempt builds the
// library's client afresh, with its retries off and the attempt's timeout, and
// inside the classification below: the library's own checks of a configuration
// become configuration errors, local failures (a missing file, a key that does
// not match its certificate) are definite, and only network trouble is retried,
// by our loop. The library's reason is kept, on one line and without secrets;
// an HTTP answer's body never is (it may echo the request).
import type { Agent } from 'node:http';
import { ActionError } from '../errors.ts';
import { isTransientStatus, retrying, TransientFailure } from '../google/http.ts';
import { untrusted } from '../untrusted.ts';
import { executableSubjectToken, type ExecutableConfig } from './executable-source.ts';
import { isObject } from './json.ts';
import type { MintContext } from './types.ts';

/** What a credential source takes of its external_account configuration (the library takes the whole of it). */
export interface SourceConfiguration {
  readonly audience: string;
  readonly subject_token_type: string;
  readonly credential_source: Readonly<Record<string, unknown>>;
  readonly client_secret?: string;
  readonly [field: string]: unknown;
}

export interface SubjectToken {
  readonly token: string;
  /** A certificate source's client certificate: STS must be asked over mutual TLS with it. */
  readonly agent?: Agent | undefined;
}

/** Failures of the network, worth another attempt; any other code is an answer (ENOENT, EACCES, ERR_OSSL_…). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'TimeoutError', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);
const AWS_ENVIRONMENT = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];

/** A fresh subject token of the configuration's credential_source, masked. */
/** `origin` names the configuration in messages: credentials_json, or the CLI's credentials file. */
export async function fetchSubjectToken(json: SourceConfiguration, origin: string, impersonatedEmail: string | undefined, context: MintContext): Promise<SubjectToken> {
  const source = json.credential_source as Record<string, unknown>;
  if (isObject(source.executable)) {
    const run = { executable: source.executable as unknown as ExecutableConfig, audience: json.audience, subjectTokenType: json.subject_token_type, impersonatedEmail, deadline: context.http.deadline, log: context.log, origin };
    return { token: await executableSubjectToken(run) };
  }
  if (source.environment_id !== undefined) refuseAwsWithoutAws(source, origin);
  // With this variable set the library logs whole token answers, before anyone could mask them; it reads it once, when loaded.
  delete process.env.GOOGLE_SDK_NODE_LOGGING;
  const { AwsClient, IdentityPoolClient } = await import('google-auth-library');
  const secrets = secretsOf(json, source);
  return retrying(`The credential source of the external_account ${origin}`, context.http, async (timeoutMs) => {
    let client: InstanceType<typeof IdentityPoolClient> | InstanceType<typeof AwsClient>;
    try {
      const options = { ...json, transporterOptions: { timeout: timeoutMs, retryConfig: { retry: 0 } } } as never;
      client = source.environment_id !== undefined ? new AwsClient(options) : new IdentityPoolClient(options);
    } catch (error) {
      throw new ActionError(
        `The external_account ${origin} is not a configuration Google's client libraries accept (${reasonOf(error, secrets)}).`,
        'Correct the field the reason names, or create the configuration again with `gcloud iam workload-identity-pools create-cred-config` and store it unchanged.',
      );
    }
    try {
      const token = await client.retrieveSubjectToken();
      context.log.mask(token);
      // A certificate source's client now sends through its mTLS agent; STS must be asked through it too.
      const agent = source.certificate !== undefined ? checkedCertificateAgent(client.transporter.defaults.agent, origin) : undefined;
      return { token, agent };
    } catch (error) {
      return classify(error, source, secrets, origin);
    }
  });
}

/**
 * A GitHub-hosted runner is no AWS instance: without AWS credentials in the
 * environment, the library would ask 169.254.169.254, which there is Azure's
 * metadata service, and wait out the timeout.
 */
function refuseAwsWithoutAws(source: Record<string, unknown>, origin: string): void {
  const hasAwsEnvironment = AWS_ENVIRONMENT.every((name) => process.env[name]) && (process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION);
  if (process.env.RUNNER_ENVIRONMENT !== 'github-hosted' || hasAwsEnvironment) return;
  throw new ActionError(
    `The external_account ${origin} takes its subject token from AWS (credential_source.environment_id ${untrusted(String(source.environment_id), 20)}), and this GitHub-hosted runner is no AWS instance and has no AWS credentials in its environment.`,
    'Use workload_identity_provider with a provider of your pool that trusts GitHub (issuer https://token.actions.githubusercontent.com); or set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION in an earlier step (aws-actions/configure-aws-credentials does); or run the job on a self-hosted runner on AWS.',
  );
}

/** The agent's certificate and key, checked to match now: a mismatch is a definite answer, not a network fault. */
function checkedCertificateAgent(agent: unknown, origin: string): Agent | undefined {
  const options = (agent as { options?: { key?: unknown; cert?: unknown } } | undefined)?.options;
  if (!options) return undefined;
  try {
    process.getBuiltinModule('node:tls').createSecureContext({ key: options.key as Buffer, cert: options.cert as Buffer });
  } catch (error) {
    throw new ActionError(
      `The certificate and private key of the external_account ${origin}'s credential_source.certificate cannot be used together (${untrusted(String((error as NodeJS.ErrnoException).code ?? 'error'), 60)}).`,
      'Give cert_path and key_path of the certificate configuration (certificate_config_location, GOOGLE_API_CERTIFICATE_CONFIG or gcloud\'s certificate_config.json) a certificate and the private key it was issued for.',
    );
  }
  return agent as Agent;
}

function classify(error: unknown, source: Record<string, unknown>, secrets: readonly string[], origin: string): TransientFailure {
  if (error instanceof ActionError) throw error;
  const where = describeSource(source);
  const status = (error as { response?: { status?: unknown } }).response?.status;
  if (typeof status === 'number') {
    if (isTransientStatus(status)) return new TransientFailure(`${where} answered HTTP ${status}`);
    throw new ActionError(`The external_account ${origin} could not get its subject token: ${where} answered HTTP ${status}.`, fixFor(source));
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return new TransientFailure(`${where}: network error ${code}`);
  throw new ActionError(`The external_account ${origin} could not get its subject token from ${where} (${reasonOf(error, secrets)}).`, fixFor(source));
}

/** The source as the configuration names it, for messages: its URL without the query, its path. */
function describeSource(source: Record<string, unknown>): string {
  if (source.environment_id !== undefined) return 'the AWS credential source (credential_source.environment_id)';
  if (typeof source.file === 'string') return `credential_source.file ${untrusted(source.file, 200)}`;
  if (typeof source.url === 'string') return `credential_source.url ${untrusted(source.url.replace(/[?#].*$/, ''), 200)}`;
  return 'credential_source.certificate';
}

function fixFor(source: Record<string, unknown>): string {
  if (source.environment_id !== undefined) return 'Check that the runner can reach the AWS metadata service or has AWS credentials and region in its environment, and the regional_cred_verification_url of the configuration.';
  if (typeof source.file === 'string') return 'Make sure an earlier step writes credential_source.file on the runner, readable by this step, holding the token in the configuration\'s format.';
  if (typeof source.url === 'string') return 'Check credential_source.url and its headers: it must answer the token, in the configuration\'s format, to a GET from the runner.';
  return "Check credential_source.certificate: its certificate configuration (certificate_config_location, GOOGLE_API_CERTIFICATE_CONFIG or gcloud's certificate_config.json) must name the workload's cert_path and key_path, both readable on the runner.";
}

/** What the configuration holds that must never be printed: the client secret, the headers a URL source sends. */
function secretsOf(json: SourceConfiguration, source: Record<string, unknown>): string[] {
  const headers = isObject(source.headers) ? Object.values(source.headers) : [];
  return [json.client_secret, ...headers].filter((value): value is string => typeof value === 'string');
}

/** The library's reason: one line, no secret of the configuration. An HTTP error's message is the body, so it never gets here. */
function reasonOf(error: unknown, secrets: readonly string[]): string {
  let text = error instanceof Error ? error.message || error.name : String(error);
  for (const secret of secrets) if (secret.length >= 6) text = text.split(secret).join('***');
  return untrusted(text, 300) || 'no reason given';
}
