// Which credentials a command uses, the first found of: --credentials-file,
// GEMINI_AUTH_CREDENTIALS_JSON, --workload-identity-provider, and last
// GOOGLE_APPLICATION_CREDENTIALS; and how errors name them.
import { resolve } from 'node:path';
import { MAX_CREDENTIALS_BYTES, type CredentialsOrigin } from '../credentials/json.ts';
import { ActionError } from '../errors.ts';
import { readAtMost } from '../files/bounded-read.ts';
import { variableOf, type CommandLine, type CredentialInputs } from './options.ts';

export type Credentials =
  | { readonly kind: 'json'; readonly text: string; readonly origin: CredentialsOrigin; readonly from: string }
  | { readonly kind: 'workload_identity'; readonly provider: string; readonly from: string };

/** The credentials as the Action's two inputs would give them. */
export function credentialInputs(credentials: Credentials): CredentialInputs {
  return {
    credentials_json: credentials.kind === 'json' ? credentials.text : '',
    workload_identity_provider: credentials.kind === 'workload_identity' ? credentials.provider : '',
  };
}

const ADC_FILE = '~/.config/gcloud/application_default_credentials.json';
const JSON_VARIABLE = 'GEMINI_AUTH_CREDENTIALS_JSON';

export function chooseCredentials(line: CommandLine, env: NodeJS.ProcessEnv): Credentials {
  const file = line.setting('credentials-file');
  if (file.value.trim()) return fromFile(file.value.trim(), file.from === 'variable' ? variableOf('credentials-file') : '--credentials-file');
  const json = env[JSON_VARIABLE];
  if (json?.trim()) {
    return {
      kind: 'json',
      text: json,
      from: JSON_VARIABLE,
      origin: {
        name: JSON_VARIABLE,
        subject: `variable ${JSON_VARIABLE}`,
        howto: `Set ${JSON_VARIABLE} to the whole content of a credentials file, raw or base64 (\`base64 -w0 < ${ADC_FILE}\`), e.g. as a masked secret variable of your CI.`,
        store: `put the file it writes into ${JSON_VARIABLE} (your CI's secret variable) again`,
      },
    };
  }
  const provider = line.setting('workload-identity-provider');
  if (provider.value.trim()) return { kind: 'workload_identity', provider: provider.value, from: provider.from === 'variable' ? variableOf('workload-identity-provider') : '--workload-identity-provider' };
  const adc = env.GOOGLE_APPLICATION_CREDENTIALS;
  if (adc?.trim()) return fromFile(adc.trim(), 'GOOGLE_APPLICATION_CREDENTIALS');
  throw new ActionError(
    `No credentials: none of --credentials-file, ${JSON_VARIABLE}, --workload-identity-provider and GOOGLE_APPLICATION_CREDENTIALS is set (an empty variable counts as unset, and a CI secret this job may not read looks like one).`,
    `Pass --credentials-file ${ADC_FILE} (the file \`gcloud auth application-default login\` writes), set ${JSON_VARIABLE} to such a file's content, or pass --workload-identity-provider NAME in a CI job that has an OIDC token.`,
  );
}

/** The credentials file `path`, read whole but never past the size of any real credentials file. */
function fromFile(path: string, via: string): Credentials {
  const absolute = resolve(path);
  let text: string;
  try {
    // One byte more than any credentials file: readJsonObject refuses what is longer.
    text = readAtMost(absolute, MAX_CREDENTIALS_BYTES);
  } catch (error) {
    throw new ActionError(
      `Cannot read the credentials file ${absolute}, which ${via} names (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      via === 'GOOGLE_APPLICATION_CREDENTIALS'
        ? 'Point GOOGLE_APPLICATION_CREDENTIALS at an existing credentials file (a credentials file of an earlier `gemini-auth login` is gone once its folder is cleaned up), unset it, or pass --credentials-file PATH.'
        : `Pass the path of a credentials JSON file that you may read, e.g. --credentials-file ${ADC_FILE}.`,
    );
  }
  return {
    kind: 'json',
    text,
    from: via,
    origin: {
      name: `credentials file ${absolute}`,
      subject: `credentials file ${absolute} (${via})`,
      howto: `Pass a whole credentials file, unchanged, e.g. --credentials-file ${ADC_FILE} (what \`gcloud auth application-default login\` writes).`,
      store: `pass the file it writes (${ADC_FILE}) with --credentials-file`,
    },
  };
}
