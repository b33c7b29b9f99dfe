export const id = 266;
export const ids = [266];
export const modules = {

/***/ 1266:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  refreshToken: () => (/* binding */ refreshToken)
});

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
;// CONCATENATED MODULE: ./src/endpoints.ts

const SERVICES = ['oauth2', 'sts', 'iamcredentials', 'generativelanguage'];
const FIX = 'Write one override a line as key=URL, with key one of oauth2, sts, iamcredentials, generativelanguage, e.g. "oauth2=https://oauth2-myendpoint.p.googleapis.com".';
function resolveEndpoints(universe, overrides) {
    const base = Object.fromEntries(SERVICES.map((service) => [service, `https://${service}.${universe}`]));
    const overridden = new Set();
    for (const rawLine of overrides.split('\n')) {
        const line = rawLine.trim();
        if (line === '')
            continue;
        const equals = line.indexOf('=');
        const key = equals < 0 ? line : line.slice(0, equals).trim();
        if (!SERVICES.includes(key)) {
            throw new errors/* ActionError */.l(`The input endpoints has an unknown key "${key.slice(0, 40)}".`, FIX);
        }
        const service = key;
        if (overridden.has(service)) {
            throw new errors/* ActionError */.l(`The input endpoints names ${service} twice.`, FIX);
        }
        base[service] = validateBaseUrl(service, line.slice(equals + 1).trim());
        overridden.add(service);
    }
    return { base, overridden };
}
function validateBaseUrl(service, text) {
    let url;
    try {
        url = new URL(text);
    }
    catch {
        throw new errors/* ActionError */.l(`The input endpoints has an invalid URL for ${service}.`, FIX);
    }
    if (url.username || url.password || url.search || url.hash) {
        throw new errors/* ActionError */.l(`The input endpoints URL for ${service} must not carry credentials, a query or a fragment.`, FIX);
    }
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
        throw new errors/* ActionError */.l(`The input endpoints gives a plain http:// URL for ${service} on ${url.hostname}: tokens would cross the network unencrypted.`, 'Use https://, or plain http:// only for a loopback host (localhost, 127.0.0.1, [::1]).');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new errors/* ActionError */.l(`The input endpoints URL for ${service} must start with https://.`, FIX);
    }
    return url.href.replace(/\/+$/, '');
}
function isLoopbackHost(hostname) {
    const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (host === 'localhost' || host.endsWith('.localhost'))
        return true;
    // A regular expression, not node:net's isIP: that module costs about 3 ms to load.
    const ipv4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
    if (ipv4)
        return ipv4.slice(1).every((part) => Number(part) <= 255);
    return host === '::1';
}
/** The full URLs of the API methods this action calls. */
function tokenUrl(endpoints) {
    return `${endpoints.base.oauth2}/token`;
}
function tokenInfoUrl(endpoints) {
    return `${endpoints.base.oauth2}/tokeninfo`;
}
function endpoints_stsTokenUrl(endpoints) {
    return `${endpoints.base.sts}/v1/token`;
}
function endpoints_generateAccessTokenUrl(endpoints, serviceAccount) {
    return `${endpoints.base.iamcredentials}/v1/projects/-/serviceAccounts/${serviceAccount}:generateAccessToken`;
}
/** The service account a generateAccessToken URL names: the inverse of generateAccessTokenUrl, for any base URL. */
function endpoints_impersonatedAccountOf(url) {
    return /serviceAccounts\/([^/:]+):generateAccessToken/.exec(url ?? '')?.[1];
}
function listModelsUrl(endpoints) {
    return `${endpoints.base.generativelanguage}/v1beta/models`;
}

;// CONCATENATED MODULE: ./src/credentials-json.ts


/** Far above any real credentials file (a service-account key is about 2.3 KB). */
const MAX_CREDENTIALS_BYTES = 64 * 1024;
const SECRET_HOWTO = 'Store the whole file as a repository secret, e.g. `gh secret set GOOGLE_CREDENTIALS < ~/.config/gcloud/application_default_credentials.json`, and pass it as credentials_json: ${{ secrets.GOOGLE_CREDENTIALS }}.';
/**
 * Parses credentials_json, given raw or base64-encoded. Errors name the input
 * and the field but never quote any of the value: it is a secret.
 */
function credentials_json_parseCredentialsJson(input) {
    if (input.length > MAX_CREDENTIALS_BYTES) {
        throw new errors/* ActionError */.l(`The input credentials_json is ${input.length} characters long; a credentials JSON is a few kilobytes.`, SECRET_HOWTO);
    }
    const value = credentials_json_decodeCredentialsJson(input);
    if (value === undefined) {
        throw new errors/* ActionError */.l('The input credentials_json is not valid JSON, nor base64 of JSON (its content is not shown: it is a secret).', SECRET_HOWTO);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new errors/* ActionError */.l('The input credentials_json must hold a JSON object, the content of a credentials file.', SECRET_HOWTO);
    }
    return validate(value, true);
}
/** The JSON value of credentials_json, raw or base64; undefined when it is neither. */
function credentials_json_decodeCredentialsJson(input) {
    try {
        return JSON.parse(decodeText(input));
    }
    catch {
        return undefined;
    }
}
function decodeText(input) {
    const text = stripBom(input).trim();
    if (text.startsWith('{') || text === '')
        return text;
    const compact = text.replace(/\s+/g, '');
    if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) {
        const decoded = stripBom(Buffer.from(compact, 'base64').toString('utf8')).trim();
        if (decoded.startsWith('{'))
            return decoded;
    }
    return text;
}
function stripBom(text) {
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
function validate(json, topLevel) {
    const type = json.type;
    if (type === undefined && (isObject(json.installed) || isObject(json.web))) {
        throw new errors/* ActionError */.l('The input credentials_json holds an OAuth client file (client_secret.json), not credentials.', 'Turn it into credentials with `gcloud auth application-default login --client-id-file=client_secret.json --scopes=https://www.googleapis.com/auth/cloud-platform,https://www.googleapis.com/auth/generative-language.retriever`, then store the file that command writes. ' + SECRET_HOWTO);
    }
    switch (type) {
        case 'authorized_user':
            requireStrings(json, type, ['client_id', 'client_secret', 'refresh_token']);
            optionalStrings(json, type, ['quota_project_id', 'universe_domain', 'account']);
            return json;
        case 'service_account':
            requireStrings(json, type, ['client_email', 'private_key']);
            optionalStrings(json, type, ['private_key_id', 'project_id', 'quota_project_id', 'universe_domain', 'token_uri']);
            if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(json.private_key)) {
                throw new errors/* ActionError */.l('The field private_key of the service_account credentials_json is not a PEM private key.', 'Create a new key (`gcloud iam service-accounts keys create key.json --iam-account=EMAIL`) and store the file unchanged.');
            }
            return json;
        case 'external_account':
            requireStrings(json, type, ['audience', 'subject_token_type']);
            optionalStrings(json, type, ['token_url', 'service_account_impersonation_url', 'quota_project_id', 'universe_domain']);
            return json;
        case 'impersonated_service_account':
            if (!topLevel) {
                throw new errors/* ActionError */.l('The source_credentials of the impersonated_service_account credentials_json impersonates again.', 'Name the whole chain in one file: the source credentials, the final service account in service_account_impersonation_url, and the ones between in delegates.');
            }
            return validateImpersonated(json);
        default:
            throw new errors/* ActionError */.l(typeof type === 'string'
                ? `The input credentials_json has type "${type.slice(0, 40)}", which gemini-auth does not take.`
                : 'The input credentials_json has no "type" field: it is not a Google credentials file.', 'Use an authorized_user file (from `gcloud auth application-default login`), a service_account key, an external_account configuration, or an impersonated_service_account file whose source_credentials is one of those; or use workload_identity_provider instead.');
    }
}
const IMPERSONATED_FIX = 'Store the file that `gcloud auth application-default login --impersonate-service-account=EMAIL` writes, unchanged.';
function validateImpersonated(json) {
    const type = 'impersonated_service_account';
    requireStrings(json, type, ['service_account_impersonation_url']);
    optionalStrings(json, type, ['quota_project_id', 'universe_domain']);
    if (!endpoints_impersonatedAccountOf(json.service_account_impersonation_url)) {
        throw new errors/* ActionError */.l(`The ${type} credentials_json has a service_account_impersonation_url that names no service account (…/serviceAccounts/EMAIL:generateAccessToken).`, IMPERSONATED_FIX);
    }
    const delegates = json.delegates ?? [];
    if (!Array.isArray(delegates) || !delegates.every((delegate) => typeof delegate === 'string')) {
        throw new errors/* ActionError */.l(`The ${type} credentials_json has a field delegates that is not a list of service account emails.`, IMPERSONATED_FIX);
    }
    if (!isObject(json.source_credentials) || Array.isArray(json.source_credentials)) {
        throw new errors/* ActionError */.l(`The ${type} credentials_json lacks the object source_credentials.`, IMPERSONATED_FIX);
    }
    const source = validate(json.source_credentials, false);
    return { ...json, source_credentials: source, delegates: delegates };
}
function isObject(value) {
    return typeof value === 'object' && value !== null;
}
function requireStrings(json, type, fields) {
    for (const field of fields) {
        const value = json[field];
        if (typeof value !== 'string' || value.trim() === '') {
            throw new errors/* ActionError */.l(`The ${type} credentials_json ${value === undefined ? 'lacks the field' : 'has an empty or non-text field'} ${field}.`, type === 'authorized_user'
                ? 'Store the complete file that `gcloud auth application-default login --client-id-file=client_secret.json` writes (~/.config/gcloud/application_default_credentials.json), unchanged.'
                : 'Store the complete credentials file, unchanged.');
        }
    }
}
function optionalStrings(json, type, fields) {
    for (const field of fields) {
        if (json[field] !== undefined && json[field] !== null && typeof json[field] !== 'string') {
            throw new errors/* ActionError */.l(`The ${type} credentials_json has a field ${field} that is not text.`, 'Store the credentials file unchanged.');
        }
    }
}
/** Fields that hold a secret in the files Google writes, also nested (an OAuth client file, an impersonation source). */
const SECRET_FIELDS = new Set(['client_secret', 'refresh_token', 'private_key']);
/** No credentials file nests deeper; the bound keeps the walk of a hostile input short. */
const MAX_DEPTH = 8;
/**
 * The values in a credentials JSON that must never be printed, whatever its
 * type and whether or not it is valid: the secret fields, and every request
 * header of a credential source (external accounts send API keys that way).
 */
function credentials_json_secretValues(json) {
    const found = [];
    const visit = (value, depth) => {
        if (!isObject(value) || depth > MAX_DEPTH)
            return;
        for (const [key, field] of Object.entries(value)) {
            if (typeof field === 'string' && SECRET_FIELDS.has(key))
                found.push(field);
            else if (key === 'headers' && isObject(field))
                found.push(...Object.values(field).filter((header) => typeof header === 'string'));
            else
                visit(field, depth + 1);
        }
    };
    visit(json, 0);
    return found;
}

;// CONCATENATED MODULE: ./src/transport.ts
/** A failure of the exchange itself, named by code only: never a URL query or a body. */
class ExchangeError extends Error {
    code;
    constructor(code) {
        super(code);
        this.name = 'ExchangeError';
        this.code = code;
    }
}
function exchange(spec) {
    const url = new URL(spec.url);
    const { request: send } = url.protocol === 'https:' ? process.getBuiltinModule('node:https') : process.getBuiltinModule('node:http');
    return new Promise((resolve, reject) => {
        const fail = (code) => {
            clearTimeout(deadline);
            request.destroy();
            reject(new ExchangeError(code));
        };
        // The socket `timeout` fires on idle sockets only; this bounds the whole exchange.
        const deadline = setTimeout(() => fail('ETIMEDOUT'), spec.timeoutMs);
        const headers = { ...spec.headers, ...(spec.body !== undefined ? { 'content-length': String(Buffer.byteLength(spec.body)) } : {}) };
        const request = send(url, { method: spec.method, headers, timeout: spec.timeoutMs }, (response) => {
            const declared = Number(response.headers['content-length'] ?? '0');
            if (declared > spec.maxBodyBytes)
                return fail('ETOOLARGE');
            const chunks = [];
            let size = 0;
            response.on('data', (chunk) => {
                size += chunk.length;
                if (size > spec.maxBodyBytes)
                    fail('ETOOLARGE');
                else
                    chunks.push(chunk);
            });
            response.on('error', () => fail('ECONNRESET'));
            response.on('aborted', () => fail('ECONNRESET'));
            response.on('end', () => {
                // A body cut short of its declared length is a broken answer, not a short one.
                if (!response.complete || (declared > 0 && size < declared))
                    return fail('ECONNRESET');
                clearTimeout(deadline);
                resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') });
            });
        });
        request.on('timeout', () => fail('ETIMEDOUT'));
        request.on('error', (error) => {
            clearTimeout(deadline);
            reject(error instanceof ExchangeError ? error : new ExchangeError(error.code ?? 'ENETWORK'));
        });
        request.end(spec.body);
    });
}

;// CONCATENATED MODULE: ./src/http.ts


/** The policy for one run: its deadline starts now. */
function httpPolicy(limits, debug) {
    return { retries: limits.retries, requestTimeoutMs: limits.requestTimeoutMs, deadline: Date.now() + limits.timeoutMs, debug };
}
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8000;
const MAX_BODY_BYTES = 8 * 1024 * 1024;
/** A failure worth another attempt, described without any request or response body. */
class TransientFailure {
    description;
    retryAfterMs;
    constructor(description, retryAfterMs) {
        this.description = description;
        this.retryAfterMs = retryAfterMs;
    }
}
/**
 * Runs `attempt` until it gives a definite result, retrying transient failures
 * with exponential backoff and full jitter (or the server's Retry-After),
 * within `policy.retries` and the deadline; no sleep follows the last attempt,
 * and none would end past the deadline. `service` names the endpoint in the error.
 */
async function retrying(service, policy, attempt) {
    let attempts = 0;
    let last;
    let outOfTime = false;
    while (attempts <= policy.retries) {
        if (policy.deadline <= Date.now()) {
            outOfTime = true;
            break;
        }
        attempts++;
        const outcome = await attempt(attemptTimeout(policy));
        if (!(outcome instanceof TransientFailure))
            return outcome;
        last = outcome;
        if (attempts > policy.retries)
            break;
        const delay = outcome.retryAfterMs ?? Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempts - 1));
        if (Date.now() + delay >= policy.deadline) {
            outOfTime = true;
            break;
        }
        policy.debug?.(`${service}: ${outcome.description}; retrying in ${Math.round(delay)} ms`);
        await new Promise((resolve) => setTimeout(resolve, delay));
    }
    throw new errors/* ActionError */.l(`${service} did not answer usefully in ${attempts} attempt${attempts === 1 ? '' : 's'}${last ? ` (last: ${last.description})` : ''}; ${outOfTime ? 'the time the input timeout allows ran out' : `retries: ${policy.retries} allows no more`}.`, 'This is usually a passing outage or a network problem on the runner: re-run the job (see https://status.cloud.google.com), or raise the inputs retries, request_timeout or timeout.');
}
/** The time one attempt may take: request_timeout, cut to what is left before the deadline. */
function attemptTimeout(policy) {
    return Math.max(1, Math.min(policy.requestTimeoutMs, policy.deadline - Date.now()));
}
/**
 * Sends a request and returns its answer, retrying transient failures (network
 * errors, timeouts, 408, 429, 5xx, a success whose body is not JSON). `build`
 * runs once per attempt so that an attempt can carry fresh material (a new OIDC
 * token); the attempt's timeout is set after it, since building can take time.
 */
async function http_sendJson(service, build, policy) {
    return retrying(service, policy, async () => {
        const request = await build();
        return attemptOnce(service, request, attemptTimeout(policy), policy.debug);
    });
}
async function attemptOnce(service, request, timeoutMs, debug) {
    const started = Date.now();
    const headers = { accept: 'application/json', ...request.headers };
    let body;
    if (request.form) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(request.form).toString();
    }
    else if (request.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(request.json);
    }
    const where = `${request.method} ${request.url.replace(/\?.*$/, '')}`;
    let reply;
    try {
        reply = await exchange({ method: request.method, url: request.url, headers, body, timeoutMs, maxBodyBytes: MAX_BODY_BYTES });
    }
    catch (error) {
        const description = describeNetworkError(error, timeoutMs);
        debug?.(`${where} failed after ${Date.now() - started} ms: ${description}`);
        refuseUntrustedCertificate(service, error);
        return new TransientFailure(description);
    }
    debug?.(`${where} -> HTTP ${reply.status} in ${Date.now() - started} ms`);
    if (reply.status >= 300 && reply.status < 400) {
        throw new errors/* ActionError */.l(`${service} answered with a redirect (HTTP ${reply.status}), which gemini-auth does not follow: credentials go only to the URL they are meant for.`, 'Check the endpoints input: give each service the final https:// URL.');
    }
    if (isTransientStatus(reply.status)) {
        const retryAfterMs = parseRetryAfter(header(reply, 'retry-after'));
        return new TransientFailure(`HTTP ${reply.status}${retryAfterMs === undefined ? '' : ` asking to retry after ${Math.round(retryAfterMs / 1000)} s`}`, retryAfterMs);
    }
    try {
        return { status: reply.status, body: JSON.parse(reply.text) };
    }
    catch {
        // An error page (a proxy's 403, a wrong path's 404) is a definite answer; a success that is not JSON is a hiccup.
        if (reply.status >= 400)
            return { status: reply.status, body: undefined };
        const type = (header(reply, 'content-type') ?? 'no content type').split(';')[0];
        return new TransientFailure(`HTTP ${reply.status} with a body that is not JSON (${type})`);
    }
}
function header(reply, name) {
    const value = reply.headers[name];
    return Array.isArray(value) ? value[0] : value;
}
function isTransientStatus(status) {
    return status === 408 || status === 429 || status >= 500;
}
/** Seconds or an HTTP date, as milliseconds; undefined when absent or unreadable. */
function parseRetryAfter(value) {
    if (!value)
        return undefined;
    const trimmed = value.trim();
    if (/^\d+$/.test(trimmed))
        return Number(trimmed) * 1000;
    const date = Date.parse(trimmed);
    return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
/** TLS certificate errors from OpenSSL and Node: another attempt would meet the same certificate. */
const CERTIFICATE_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;
/** An untrusted certificate is a definite answer: fail at once, with what to do. */
function refuseUntrustedCertificate(service, error) {
    if (error instanceof ExchangeError && CERTIFICATE_ERROR.test(error.code)) {
        throw new errors/* ActionError */.l(`${service} presented a TLS certificate that is not trusted (${error.code}).`, 'If a proxy on the runner inspects TLS, give Node its CA certificate with the environment variable NODE_EXTRA_CA_CERTS; otherwise check the endpoints input.');
    }
}
/** Names the network failure by its code: errors can quote URLs, never bodies. */
function describeNetworkError(error, timeoutMs) {
    const code = error instanceof ExchangeError ? error.code : 'ENETWORK';
    if (code === 'ETIMEDOUT')
        return `no answer within ${Math.round(timeoutMs / 100) / 10}s`;
    if (code === 'ETOOLARGE')
        return 'an answer larger than 8 MiB';
    return `network error ${code}`;
}

;// CONCATENATED MODULE: ./src/adc-file.ts

/** Adds what every ADC file shares: the quota project, and the universe when it is not the default one. */
function withCommonFields(content, settings) {
    return {
        ...content,
        ...(settings.quotaProjectId ? { quota_project_id: settings.quotaProjectId } : {}),
        ...(settings.universe !== 'googleapis.com' ? { universe_domain: settings.universe } : {}),
    };
}
/** The token_uri only when it is not Google's default, so libraries keep their own default otherwise. */
function tokenUri(settings) {
    return settings.endpoints.overridden.has('oauth2') ? { token_uri: tokenUrl(settings.endpoints) } : {};
}
/** An authorized_user ADC file: client libraries and gcloud refresh from it by themselves. */
function authorizedUserFile(user, settings) {
    return {
        type: 'authorized_user',
        client_id: user.client_id,
        client_secret: user.client_secret,
        refresh_token: user.refresh_token,
        ...tokenUri(settings),
    };
}
/** A service_account ADC file: the key as given, with our endpoint and quota project. */
function serviceAccountFile(key, settings) {
    const { quota_project_id: _quota, universe_domain: _universe, ...rest } = key;
    const token_uri = settings.endpoints.overridden.has('oauth2') ? tokenUrl(settings.endpoints) : (key.token_uri ?? tokenUrl(settings.endpoints));
    return { ...rest, token_uri };
}
/** Impersonation of `serviceAccount` on top of any source file, the format gcloud and the client libraries read. */
function impersonatedFile(source, serviceAccount, delegates, settings) {
    const { quota_project_id: _quota, universe_domain: _universe, ...sourceCredentials } = source;
    return {
        type: 'impersonated_service_account',
        service_account_impersonation_url: endpoints_generateAccessTokenUrl(settings.endpoints, serviceAccount),
        source_credentials: sourceCredentials,
        delegates: [...delegates],
    };
}

;// CONCATENATED MODULE: ./src/secrets.ts

const MIN_LINE_LENGTH = 8;
function secrets_maskSecret(value, register) {
    const forms = new Set();
    const add = (form) => {
        if (form.trim().length >= MIN_LINE_LENGTH || (form === value && form.trim() !== ''))
            forms.add(form);
    };
    add(value);
    add(value.trim());
    const lines = value.split(/\r?\n/).map((line) => line.trim());
    if (lines.length > 1) {
        // PEM armour lines are public boilerplate; masking them would only garble unrelated logs.
        for (const line of lines)
            if (!line.startsWith('-----'))
                add(line);
    }
    add(JSON.stringify(value).slice(1, -1));
    add(encodeURIComponent(value));
    for (const form of forms)
        register(form);
}
/**
 * Masks a raw secret input before it is parsed: the whole value, each line
 * long enough to be secret (short lines of a JSON file are braces and keys),
 * and, where it holds a credentials JSON (raw or base64, valid or not), each
 * secret value in it with all its forms.
 */
function maskRawInput(text, register) {
    if (text.trim() === '')
        return;
    register(text.trim());
    const lines = text.split(/\r?\n/).map((line) => line.trim());
    if (lines.length > 1) {
        for (const line of lines)
            if (line.length >= 24 && !line.startsWith('-----'))
                register(line);
    }
    for (const secret of secretValues(decodeCredentialsJson(text)))
        secrets_maskSecret(secret, register);
}

;// CONCATENATED MODULE: ./src/google-errors.ts

const MAX_TEXT = 400;
function google_errors_readGoogleError(answer) {
    const body = (typeof answer.body === 'object' && answer.body !== null ? answer.body : {});
    const reasons = [];
    const metadata = {};
    const helpLinks = [];
    if (typeof body.error === 'string') {
        return {
            httpStatus: answer.status,
            oauthError: body.error.slice(0, 80),
            ...(typeof body.error_description === 'string' ? { description: body.error_description.slice(0, MAX_TEXT) } : {}),
            reasons,
            metadata,
            helpLinks,
        };
    }
    const error = (typeof body.error === 'object' && body.error !== null ? body.error : {});
    for (const detail of Array.isArray(error.details) ? error.details : []) {
        if (typeof detail !== 'object' || detail === null)
            continue;
        const { reason, metadata: meta, links } = detail;
        if (typeof reason === 'string')
            reasons.push(reason);
        if (typeof meta === 'object' && meta !== null) {
            for (const [key, value] of Object.entries(meta))
                if (typeof value === 'string')
                    metadata[key] = value.slice(0, MAX_TEXT);
        }
        for (const link of Array.isArray(links) ? links : []) {
            const url = link?.url;
            if (typeof url === 'string')
                helpLinks.push(url.slice(0, MAX_TEXT));
        }
    }
    return {
        httpStatus: answer.status,
        ...(typeof error.status === 'string' ? { status: error.status.slice(0, 80) } : {}),
        ...(typeof error.message === 'string' ? { description: error.message.slice(0, MAX_TEXT) } : {}),
        reasons,
        metadata,
        helpLinks,
    };
}
/** `HTTP 403 PERMISSION_DENIED (SERVICE_DISABLED): message` — for messages with no better wording. */
function google_errors_summarize(error) {
    const code = error.oauthError ?? error.status;
    const reasons = error.reasons.length ? ` (${error.reasons.join(', ')})` : '';
    return `HTTP ${error.httpStatus}${code ? ` ${code}` : ''}${reasons}${error.description ? `: ${error.description}` : ''}`;
}
/** The project number that gcloud's own OAuth client bills to: a sign that no quota project was set. */
const GCLOUD_CLIENT_PROJECT = 'projects/764086051850';
/** Turns an error answer of a Google API (the Gemini API, tokeninfo) into an ActionError with the fix. */
function explainApiError(answer, context) {
    const error = google_errors_readGoogleError(answer);
    const has = (reason) => error.reasons.includes(reason);
    const said = google_errors_summarize(error);
    if (has('SERVICE_DISABLED') && (error.metadata.consumer === GCLOUD_CLIENT_PROJECT || /quota project/i.test(error.description ?? ''))) {
        return new ActionError(`${context.api} needs a quota project for user credentials, and none was sent (${said}).`, 'Set the input quota_project_id (or project_id) to a project where the Generative Language API is enabled, or run `gcloud auth application-default set-quota-project PROJECT_ID` and store the updated credentials file as the secret again.');
    }
    if (has('SERVICE_DISABLED')) {
        const project = (error.metadata.consumer ?? '').replace(/^projects\//, '') || context.quotaProjectId || 'PROJECT_ID';
        const link = error.metadata.activationUrl ?? `https://console.developers.google.com/apis/api/generativelanguage.googleapis.com/overview?project=${project}`;
        return new ActionError(`The Generative Language API is not enabled in project ${project} (${said}).`, `Enable it at ${link} or with \`gcloud services enable generativelanguage.googleapis.com --project=${project}\`, wait a minute, and re-run.`);
    }
    if (has('ACCESS_TOKEN_SCOPE_INSUFFICIENT')) {
        return new ActionError(`${context.api} refused the token: it lacks the OAuth scopes this call needs (${said}).`, context.authType === 'authorized_user'
            ? 'An authorized-user token carries the scopes consented at login: run `gcloud auth application-default login --client-id-file=client_secret.json --scopes=https://www.googleapis.com/auth/cloud-platform,https://www.googleapis.com/auth/generative-language.retriever` and store the new file as the secret.'
            : 'Include https://www.googleapis.com/auth/cloud-platform (or https://www.googleapis.com/auth/generative-language) in the input scopes.');
    }
    if (has('USER_PROJECT_DENIED')) {
        return new ActionError(`The caller may not bill requests to quota project ${context.quotaProjectId ?? '(unknown)'} (${said}).`, 'Grant the principal roles/serviceusage.serviceUsageConsumer on that project, or set quota_project_id to a project it may use.');
    }
    if (error.httpStatus === 401) {
        return new ActionError(`${context.api} did not accept the access token (${said}).`, 'The token may have been revoked or has expired; re-run the job. If it persists, check that the endpoints input points at the right services.');
    }
    if (error.httpStatus === 403) {
        return new ActionError(`${context.api} denied access (${said}).`, 'Check that the principal may use the Generative Language API in the quota project, and that the API is enabled there.');
    }
    return new ActionError(`${context.api} answered with an error (${said}).`, 'Check the inputs named in the message; if they are right, re-run the job.');
}

// EXTERNAL MODULE: ./src/token.ts
var src_token = __webpack_require__(4606);
;// CONCATENATED MODULE: ./src/sources/authorized-user.ts





const SERVICE = 'The Google OAuth token endpoint';
const NEW_SECRET = 'Create a new secret: `gcloud auth application-default login --client-id-file=client_secret.json --scopes=https://www.googleapis.com/auth/cloud-platform,https://www.googleapis.com/auth/generative-language.retriever`, then `gh secret set GOOGLE_CREDENTIALS < ~/.config/gcloud/application_default_credentials.json`.';
/** One refresh-token grant: the only request an authorized_user credential needs. */
async function refreshUserToken(user, context) {
    const url = tokenUrl(context.endpoints);
    const answer = await http_sendJson(SERVICE, () => ({
        url,
        method: 'POST',
        form: { grant_type: 'refresh_token', client_id: user.client_id, client_secret: user.client_secret, refresh_token: user.refresh_token },
    }), context.http);
    if (answer.status !== 200)
        throw explainRefreshError(answer.status, answer.body, user.client_id);
    const { idToken, ...token } = (0,src_token/* readOAuthToken */.Lv)(answer.body, SERVICE, context.mask);
    const email = idToken ? (0,src_token/* decodeJwtClaims */.dG)(idToken).email : undefined;
    return { ...token, principal: typeof email === 'string' ? email : user.account || undefined };
}
function explainRefreshError(status, body, clientId) {
    const error = google_errors_readGoogleError({ status, body });
    switch (error.oauthError) {
        case 'invalid_grant':
            return new errors/* ActionError */.l(`Google rejected the refresh token in credentials_json (${google_errors_summarize(error)}): it has expired or was revoked. Refresh tokens of an OAuth app whose consent screen is in "Testing" expire after 7 days; a password change, a revoked grant or 6 months unused also end them.`, `Publish the app (Google Auth Platform > Audience > Publish app) so new tokens do not expire after 7 days, then ${NEW_SECRET.charAt(0).toLowerCase()}${NEW_SECRET.slice(1)}`);
        case 'invalid_client':
        case 'unauthorized_client':
            return new errors/* ActionError */.l(`Google rejected the OAuth client ${clientId} of credentials_json (${google_errors_summarize(error)}): the client was deleted, its secret was reset, or it is not the client that issued the refresh token.`, `Download the Desktop client's JSON again from https://console.cloud.google.com/auth/clients. ${NEW_SECRET}`);
        default:
            return new errors/* ActionError */.l(`${SERVICE} refused the refresh token grant (${google_errors_summarize(error)}).`, NEW_SECRET);
    }
}

;// CONCATENATED MODULE: ./src/sources/external-account.ts





const external_account_SERVICE = 'The external account token exchange';
/**
 * An external_account configuration is used as it is, through google-auth-library,
 * which knows every credential source it can name (file, URL, AWS, executable).
 * The library is loaded only here, its own retries are off (ours apply), and its
 * errors are reduced to status and Google's error fields: they hold request bodies.
 */
async function externalAccountToken(json, scopes, context) {
    // With this variable set the library logs whole token answers, before anyone could mask them; it reads it once, when loaded.
    delete process.env.GOOGLE_SDK_NODE_LOGGING;
    const { AwsClient, IdentityPoolClient, PluggableAuthClient } = await __webpack_require__.e(/* import() */ 492).then(__webpack_require__.t.bind(__webpack_require__, 492, 23));
    return retrying(external_account_SERVICE, context.http, async (timeoutMs) => {
        const options = { ...withEndpoints(json, context.endpoints), scopes: [...scopes], transporterOptions: { timeout: timeoutMs, retryConfig: { retry: 0 } } };
        const source = json.credential_source;
        const client = source?.environment_id ? new AwsClient(options) : source?.executable ? new PluggableAuthClient(options) : new IdentityPoolClient(options);
        // The library keeps the subject token to itself: it is a secret to mask, and its expiry bounds a federated token's.
        let subjectToken = '';
        const retrieveSubjectToken = client.retrieveSubjectToken.bind(client);
        client.retrieveSubjectToken = async () => {
            subjectToken = await retrieveSubjectToken();
            context.mask(subjectToken);
            return subjectToken;
        };
        try {
            const { token } = await client.getAccessToken();
            const expiresAt = new Date(client.credentials.expiry_date ?? Date.now() + 3600_000);
            if (!token)
                throw new errors/* ActionError */.l(`${external_account_SERVICE} gave no access token.`, 'Check the credential_source of the external_account configuration.');
            context.mask(token);
            const impersonated = json.service_account_impersonation_url !== undefined;
            return { accessToken: token, expiresAt: impersonated ? expiresAt : (0,src_token/* federatedExpiry */.ms)(expiresAt, subjectToken), principal: endpoints_impersonatedAccountOf(json.service_account_impersonation_url) };
        }
        catch (error) {
            return classify(error);
        }
    });
}
function classify(error) {
    if (error instanceof errors/* ActionError */.l)
        throw error;
    const response = error.response;
    const status = typeof response?.status === 'number' ? response.status : undefined;
    if (status === undefined) {
        const code = error.code;
        if (typeof code === 'string' || error instanceof TypeError)
            return new TransientFailure(`network error ${typeof code === 'string' ? code : ''}`.trim());
        throw new errors/* ActionError */.l(`The external_account credentials could not produce a subject token (${error instanceof Error ? error.name : 'error'}).`, 'Check the credential_source of the configuration (the file, URL or executable it names must be available on the runner).');
    }
    if (isTransientStatus(status))
        return new TransientFailure(`HTTP ${status}`);
    throw new errors/* ActionError */.l(`${external_account_SERVICE} was refused (${google_errors_summarize(google_errors_readGoogleError({ status, body: response?.data }))}).`, 'Check the audience, credential_source and service_account_impersonation_url of the external_account configuration.');
}
/** The configuration with our endpoint overrides applied (Private Service Connect), also for the ADC file. */
function withEndpoints(json, endpoints) {
    const result = { ...json };
    if (endpoints.overridden.has('sts'))
        result.token_url = endpoints_stsTokenUrl(endpoints);
    const account = endpoints_impersonatedAccountOf(json.service_account_impersonation_url);
    if (endpoints.overridden.has('iamcredentials') && account) {
        result.service_account_impersonation_url = endpoints_generateAccessTokenUrl(endpoints, account);
    }
    return result;
}

;// CONCATENATED MODULE: ./src/sources/github-oidc.ts



function github_oidc_oidcRequestFromEnvironment(env, mask) {
    const url = env.ACTIONS_ID_TOKEN_REQUEST_URL;
    const bearer = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
    if (!url || !bearer) {
        throw new ActionError('This job cannot get a GitHub OIDC token, which workload_identity_provider needs: ACTIONS_ID_TOKEN_REQUEST_URL is not set.', 'Add `permissions: { id-token: write, contents: read }` to the workflow or job. Pull requests from forks never get an OIDC token (nor secrets): skip this step for them with `if: github.event.pull_request.head.repo.full_name == github.repository`.');
    }
    mask(bearer);
    return { url, bearer };
}
/** The claims users need to see when an attribute condition rejects them; none of them is secret. */
const SHOWN_CLAIMS = (/* unused pure expression or super */ null && (['iss', 'sub', 'aud', 'repository', 'repository_owner', 'ref', 'job_workflow_ref', 'event_name', 'environment']));
function github_oidc_describeClaims(token) {
    const claims = decodeJwtClaims(token);
    return SHOWN_CLAIMS.filter((name) => claims[name] !== undefined)
        .map((name) => `${name}=${String(claims[name])}`)
        .join(', ');
}
/** One fresh OIDC token for `audience`, masked before it is returned. */
async function github_oidc_fetchOidcToken(request, audience, http, mask) {
    const url = `${request.url}${request.url.includes('?') ? '&' : '?'}audience=${encodeURIComponent(audience)}`;
    const answer = await sendJson('The GitHub OIDC token endpoint', () => ({ url, method: 'GET', headers: { authorization: `Bearer ${request.bearer}` } }), http);
    const value = answer.body?.value;
    if (answer.status !== 200 || typeof value !== 'string' || value === '') {
        throw new ActionError(`GitHub did not issue an OIDC token (${answer.status === 200 ? 'answer without a token' : describeGitHubError(answer)}).`, 'Check that the job has `permissions: id-token: write`; if it has, re-run the job.');
    }
    mask(value);
    return value;
}
/** GitHub answers errors as `{"message": "..."}`. */
function describeGitHubError(answer) {
    const message = answer.body?.message;
    return `HTTP ${answer.status}${typeof message === 'string' ? `: ${message.slice(0, 200)}` : ''}`;
}

;// CONCATENATED MODULE: ./src/sources/impersonation.ts





const impersonation_SERVICE = 'The IAM Credentials API (generateAccessToken)';
/** Trades a source token for a token of the target service account: one request. */
async function impersonation_impersonate(sourceToken, sourcePrincipal, target, context) {
    const url = endpoints_generateAccessTokenUrl(context.endpoints, target.serviceAccount);
    const answer = await http_sendJson(impersonation_SERVICE, () => ({
        url,
        method: 'POST',
        headers: { authorization: `Bearer ${sourceToken}` },
        json: {
            scope: target.scopes,
            lifetime: `${target.lifetimeSeconds}s`,
            ...(target.delegates.length ? { delegates: target.delegates.map((email) => `projects/-/serviceAccounts/${email}`) } : {}),
        },
    }), context.http);
    if (answer.status !== 200)
        throw explainImpersonationError(answer.status, answer.body, sourcePrincipal, target);
    const body = (answer.body ?? {});
    const expiresAt = typeof body.expireTime === 'string' ? new Date(body.expireTime) : new Date(NaN);
    if (!(0,src_token/* isBearerToken */.Zc)(body.accessToken) || Number.isNaN(expiresAt.getTime())) {
        throw new errors/* ActionError */.l(`${impersonation_SERVICE} answered without an access token and its expiry.`, 'Check that the endpoints input points at the IAM Credentials API; if it does, re-run the job.');
    }
    context.mask(body.accessToken);
    return { accessToken: body.accessToken, expiresAt, principal: target.serviceAccount, scopes: target.scopes };
}
function explainImpersonationError(status, body, sourcePrincipal, target) {
    const error = google_errors_readGoogleError({ status, body });
    const said = google_errors_summarize(error);
    const account = target.serviceAccount;
    if (status === 403) {
        const federated = sourcePrincipal.startsWith('principal');
        const role = federated ? 'roles/iam.workloadIdentityUser' : 'roles/iam.serviceAccountTokenCreator';
        const member = federated ? sourcePrincipal : `${sourcePrincipal.endsWith('.gserviceaccount.com') ? 'serviceAccount' : 'user'}:${sourcePrincipal}`;
        const who = /^[A-Z_]+$/.test(sourcePrincipal) ? 'The source credentials' : sourcePrincipal;
        return new errors/* ActionError */.l(`${who} may not impersonate ${account}: iam.serviceAccounts.getAccessToken was denied (${said}).`, `Grant it ${role} on the service account: \`gcloud iam service-accounts add-iam-policy-binding ${account} --role=${role} --member="${member}"\` (it can take a few minutes to apply). Check also that ${account} exists and is enabled.`);
    }
    if (status === 400 && /lifetime/i.test(error.description ?? '')) {
        return new errors/* ActionError */.l(`The access_token_lifetime ${target.lifetimeSeconds}s was refused (${said}).`, 'Use at most 3600s, or allow longer tokens for this service account with the organization policy constraints/iam.allowServiceAccountCredentialLifetimeExtension.');
    }
    if (status === 404) {
        return new errors/* ActionError */.l(`The service account ${account} was not found (${said}).`, 'Check the input service_account: it is the full email, like name@project-id.iam.gserviceaccount.com.');
    }
    if (status === 401) {
        return new errors/* ActionError */.l(`${impersonation_SERVICE} did not accept the source token (${said}).`, 'Re-run the job; if it persists, check the endpoints input and that the source credentials are valid.');
    }
    return new errors/* ActionError */.l(`${impersonation_SERVICE} refused to mint a token for ${account} (${said}).`, 'Check the inputs service_account, delegates, scopes and access_token_lifetime.');
}

// EXTERNAL MODULE: ./src/lazy-crypto.ts
var lazy_crypto = __webpack_require__(7847);
;// CONCATENATED MODULE: ./src/sources/service-account-key.ts






const service_account_key_SERVICE = 'The Google OAuth token endpoint';
const NEW_KEY = (email) => `Create a new key with \`gcloud iam service-accounts keys create key.json --iam-account=${email}\` and store it as the secret, or better, switch to workload_identity_provider and drop keys.`;
function loadPrivateKey(key) {
    try {
        return (0,lazy_crypto/* nodeCrypto */.S)().createPrivateKey(key.private_key);
    }
    catch {
        throw new errors/* ActionError */.l('The private_key of the service_account credentials_json cannot be read as an RSA private key.', NEW_KEY(key.client_email));
    }
}
/** The JWT-bearer grant: an assertion signed locally, one request. */
async function serviceAccountKeyToken(key, privateKey, scopes, context) {
    const url = tokenUrl(context.endpoints);
    const answer = await http_sendJson(service_account_key_SERVICE, () => ({ url, method: 'POST', form: { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: signAssertion(key, privateKey, scopes, url) } }), context.http);
    if (answer.status !== 200)
        throw explainKeyError(answer.status, answer.body, key.client_email);
    const { idToken, ...token } = (0,src_token/* readOAuthToken */.Lv)(answer.body, service_account_key_SERVICE, context.mask);
    return { ...token, principal: key.client_email, scopes: token.scopes ?? scopes };
}
function signAssertion(key, privateKey, scopes, audience) {
    const now = Math.floor(Date.now() / 1000);
    const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const header = encode({ alg: 'RS256', typ: 'JWT', ...(key.private_key_id ? { kid: key.private_key_id } : {}) });
    const claims = encode({ iss: key.client_email, scope: scopes.join(' '), aud: audience, iat: now, exp: now + 3600 });
    const signature = (0,lazy_crypto/* nodeCrypto */.S)().sign('RSA-SHA256', Buffer.from(`${header}.${claims}`), privateKey).toString('base64url');
    return `${header}.${claims}.${signature}`;
}
function explainKeyError(status, body, email) {
    const error = google_errors_readGoogleError({ status, body });
    const said = google_errors_summarize(error);
    if (error.oauthError === 'invalid_grant') {
        return new errors/* ActionError */.l(`Google rejected the service-account key of ${email} (${said}): the key was deleted or disabled, the account was deleted or disabled, or the runner's clock is off.`, NEW_KEY(email));
    }
    if (error.oauthError === 'invalid_scope') {
        return new errors/* ActionError */.l(`Google refused the scopes asked for ${email} (${said}).`, 'Check the input scopes: full URLs such as https://www.googleapis.com/auth/cloud-platform.');
    }
    return new errors/* ActionError */.l(`${service_account_key_SERVICE} refused the service-account key of ${email} (${said}).`, NEW_KEY(email));
}

;// CONCATENATED MODULE: ./src/sources/workload-identity.ts






const PROVIDER_PATTERN = /^projects\/(\d+)\/locations\/global\/workloadIdentityPools\/([a-z0-9-]{4,32})\/providers\/([a-z0-9-]{4,32})$/;
const PROVIDER_FIX = 'Set workload_identity_provider to the full resource name, projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER, as printed by `gcloud iam workload-identity-pools providers describe PROVIDER --workload-identity-pool=POOL --location=global --format="value(name)"`.';
function workload_identity_parseProvider(text) {
    const name = text.trim().replace(/^(https:)?\/\/iam\.googleapis\.com\//, '');
    const match = PROVIDER_PATTERN.exec(name);
    if (!match) {
        const projectId = /^projects\/([^/]+)\//.exec(name)?.[1];
        const cause = projectId && !/^\d+$/.test(projectId) ? ` It names the project by ID ("${projectId.slice(0, 40)}"); it needs the project NUMBER.` : '';
        throw new ActionError(`The input workload_identity_provider is not a provider resource name.${cause}`, PROVIDER_FIX);
    }
    return { name, pool: `projects/${match[1]}/locations/global/workloadIdentityPools/${match[2]}` };
}
function workload_identity_defaultAudience(provider, universe) {
    return `https://iam.${universe}/${provider.name}`;
}
const workload_identity_SERVICE = 'The Google Security Token Service';
/** OIDC token → STS federated token: two requests, each attempt with a fresh OIDC token. */
async function workload_identity_exchangeOidcToken(request, context) {
    let subjectToken = '';
    const answer = await sendJson(workload_identity_SERVICE, async () => {
        subjectToken = await fetchOidcToken(request.oidc, request.audience, context.http, context.mask);
        return {
            url: stsTokenUrl(context.endpoints),
            method: 'POST',
            form: {
                grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
                audience: `//iam.${request.universe}/${request.provider.name}`,
                scope: request.scopes.join(' '),
                requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
                subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
                subject_token: subjectToken,
            },
        };
    }, context.http);
    const claims = describeClaims(subjectToken);
    request.onClaims(claims);
    if (answer.status !== 200)
        throw explainStsError(answer.status, answer.body, request, claims);
    const token = readOAuthToken(answer.body, workload_identity_SERVICE, context.mask);
    return { ...token, expiresAt: federatedExpiry(token.expiresAt, subjectToken), subjectToken };
}
function explainStsError(status, body, request, claims) {
    const error = readGoogleError({ status, body });
    const said = summarize(error);
    const description = error.description ?? '';
    if (error.oauthError === 'invalid_target') {
        return new ActionError(`The workload identity provider ${request.provider.name} does not exist or is disabled (${said}).`, PROVIDER_FIX);
    }
    if (/audience/i.test(description)) {
        return new ActionError(`The OIDC token's audience ${request.audience} is not one the provider accepts (${said}).`, `Leave the input audience unset (it defaults to https://iam.googleapis.com/${request.provider.name}, which providers accept by default), or add it to the provider's allowed audiences: \`gcloud iam workload-identity-pools providers update-oidc PROVIDER --allowed-audiences=${request.audience} ...\`.`);
    }
    if (error.oauthError === 'unauthorized_client' || /attribute condition/i.test(description)) {
        return new ActionError(`The provider's attribute condition rejected this job's OIDC token (${said}). The token's claims: ${claims}.`, 'Compare the claims above with the condition (`gcloud iam workload-identity-pools providers describe PROVIDER --workload-identity-pool=POOL --location=global --format="value(attributeCondition)"`) and update one of them, e.g. `assertion.repository == "OWNER/REPO"`.');
    }
    return new ActionError(`${workload_identity_SERVICE} refused the job's OIDC token (${said}). The token's claims: ${claims}.`, `Check the provider's issuer (https://token.actions.githubusercontent.com), attribute mapping and condition. ${PROVIDER_FIX}`);
}
/**
 * The external_account ADC file: its credential source asks the runner for a
 * fresh OIDC token, so client libraries refresh by themselves for the whole job.
 */
function workload_identity_workloadIdentityFile(request, endpoints, impersonationUrl, lifetimeSeconds) {
    const separator = request.oidc.url.includes('?') ? '&' : '?';
    return {
        type: 'external_account',
        audience: `//iam.${request.universe}/${request.provider.name}`,
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        token_url: stsTokenUrl(endpoints),
        ...(impersonationUrl
            ? { service_account_impersonation_url: impersonationUrl, ...(lifetimeSeconds !== 3600 ? { service_account_impersonation: { token_lifetime_seconds: lifetimeSeconds } } : {}) }
            : {}),
        credential_source: {
            url: `${request.oidc.url}${separator}audience=${encodeURIComponent(request.audience)}`,
            headers: { Authorization: `Bearer ${request.oidc.bearer}` },
            format: { type: 'json', subject_token_field_name: 'value' },
        },
    };
}

;// CONCATENATED MODULE: ./src/source.ts












const CLOUD_PLATFORM = ['https://www.googleapis.com/auth/cloud-platform'];
const EMAIL_PATTERN = /^[a-z0-9][a-z0-9._-]*@[a-z0-9][a-z0-9.-]*\.[a-z]{2,}$/i;
/** Picks the token source from the inputs; every secret in them is masked before this returns. */
function resolveSource(inputs, mask, log, env = process.env) {
    const hasJson = inputs.credentialsJson !== '';
    const hasProvider = inputs.workloadIdentityProvider !== '';
    if (hasJson === hasProvider) {
        throw new ActionError(hasJson ? 'Both credentials_json and workload_identity_provider are set; gemini-auth takes exactly one.' : 'Neither credentials_json nor workload_identity_provider is set (an empty secret looks like this too: check that the secret exists and is available to this workflow).', 'Set credentials_json: ${{ secrets.GOOGLE_CREDENTIALS }} (the file `gcloud auth application-default login` writes), or workload_identity_provider: projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER with `permissions: id-token: write`.');
    }
    const target = impersonationTarget(inputs);
    if (hasProvider)
        return workloadIdentitySource(inputs, target, mask, log, env);
    const credentials = parseCredentialsJson(inputs.credentialsJson);
    for (const secret of secretValues(credentials))
        maskSecret(secret, mask);
    if (credentials.type === 'impersonated_service_account' && target) {
        throw new ActionError(`The credentials_json already impersonates ${impersonatedAccountOf(credentials.service_account_impersonation_url)}, and the input service_account asks to impersonate ${target.serviceAccount} on top of it.`, 'Leave service_account unset to use the file as it is, or pass the file\'s source_credentials as credentials_json together with service_account and delegates.');
    }
    return credentialsSource(credentials, inputs.scopes, inputs.accessTokenLifetimeSeconds, target);
}
/**
 * The token source of a credentials JSON: the input credentials_json, or the
 * ADC file read back by gemini-auth-token. An impersonated_service_account
 * file brings its own target; `target` impersonates on top of source credentials.
 */
function credentialsSource(credentials, scopes, lifetimeSeconds, target) {
    if (credentials.type === 'impersonated_service_account') {
        const serviceAccount = endpoints_impersonatedAccountOf(credentials.service_account_impersonation_url) ?? '';
        const delegates = (credentials.delegates ?? []).map((delegate) => delegate.replace(/^projects\/[^/]+\/serviceAccounts\//, ''));
        const source = credentialsSource(credentials.source_credentials, scopes, lifetimeSeconds, { serviceAccount, delegates, scopes, lifetimeSeconds });
        return { ...source, quotaProjectId: credentials.quota_project_id || source.quotaProjectId };
    }
    const source = jsonSource(credentials, target ? CLOUD_PLATFORM : scopes);
    return target ? withImpersonation(source, target) : source;
}
function impersonationTarget(inputs) {
    if (!inputs.serviceAccount)
        return undefined;
    for (const [input, email] of [['service_account', inputs.serviceAccount], ...inputs.delegates.map((d) => ['delegates', d])]) {
        if (!EMAIL_PATTERN.test(email)) {
            throw new ActionError(`The input ${input} must be a service account email, not "${email.slice(0, 80)}".`, 'Use the full email, like name@project-id.iam.gserviceaccount.com.');
        }
    }
    return { serviceAccount: inputs.serviceAccount, delegates: inputs.delegates, scopes: inputs.scopes, lifetimeSeconds: inputs.accessTokenLifetimeSeconds };
}
/** `scopes`: what the token is for; a token that will only impersonate needs nothing but cloud-platform. */
function jsonSource(credentials, scopes) {
    switch (credentials.type) {
        case 'authorized_user':
            return {
                authType: 'authorized_user',
                description: `authorized_user credentials of OAuth client ${credentials.client_id}`,
                projectId: credentials.quota_project_id || undefined,
                quotaProjectId: credentials.quota_project_id || undefined,
                mint: (context) => refreshUserToken(credentials, context),
                credentialsFile: (settings) => authorizedUserFile(credentials, settings),
                // The token carries the scopes of the consent, whatever is asked.
                cacheBinding: { secrets: credentials_json_secretValues(credentials), facts: { type: credentials.type, clientId: credentials.client_id } },
            };
        case 'service_account': {
            const privateKey = loadPrivateKey(credentials);
            return {
                authType: 'service_account',
                description: `service_account key ${credentials.private_key_id ?? ''} of ${credentials.client_email}`.replace('  ', ' '),
                projectId: credentials.project_id || undefined,
                quotaProjectId: credentials.quota_project_id || undefined,
                mint: (context) => serviceAccountKeyToken(credentials, privateKey, scopes, context),
                credentialsFile: (settings) => serviceAccountFile(credentials, settings),
                cacheBinding: { secrets: credentials_json_secretValues(credentials), facts: { type: credentials.type, email: credentials.client_email, scopes } },
            };
        }
        case 'external_account':
            return {
                authType: 'external_account',
                description: `external_account configuration for ${credentials.audience}`,
                projectId: undefined,
                quotaProjectId: credentials.quota_project_id || undefined,
                mint: (context) => externalAccountToken(credentials, scopes, context),
                credentialsFile: (settings) => withEndpoints(credentials, settings.endpoints),
                // Its header values need not be secret: the configuration is bound as a whole, keyed by cache_encryption_key alone.
                cacheBinding: { secrets: [], facts: { type: credentials.type, configuration: credentials, scopes } },
            };
    }
}
function withImpersonation(source, target) {
    return {
        ...source,
        description: `${source.description}, impersonating ${target.serviceAccount}`,
        mint: async (context) => {
            const sourceToken = await source.mint(context);
            // Without an email in the answer, the fix names a placeholder the user fills in.
            const fallback = source.authType === 'authorized_user' ? 'YOUR_EMAIL' : 'SOURCE_PRINCIPAL';
            return impersonation_impersonate(sourceToken.accessToken, sourceToken.principal ?? fallback, target, context);
        },
        credentialsFile: (settings) => impersonatedFile(source.credentialsFile(settings), target.serviceAccount, target.delegates, settings),
        cacheBinding: { secrets: source.cacheBinding.secrets, facts: { ...source.cacheBinding.facts, impersonate: target } },
    };
}
function workloadIdentitySource(inputs, target, mask, log, env) {
    const provider = parseProvider(inputs.workloadIdentityProvider);
    const federation = {
        provider,
        audience: inputs.audience || defaultAudience(provider, inputs.universe),
        universe: inputs.universe,
        oidc: oidcRequestFromEnvironment(env, mask),
        scopes: target ? CLOUD_PLATFORM : inputs.scopes,
        onClaims: (claims) => log(`GitHub OIDC token claims: ${claims}`),
    };
    return {
        authType: 'workload_identity',
        description: `workload identity provider ${provider.name}${target ? `, impersonating ${target.serviceAccount}` : ''}`,
        projectId: undefined,
        quotaProjectId: undefined,
        mint: async (context) => {
            const federated = await exchangeOidcToken(federation, context);
            const { sub, repository } = decodeJwtClaims(federated.subjectToken);
            if (!target)
                return { accessToken: federated.accessToken, expiresAt: federated.expiresAt, principal: typeof sub === 'string' ? sub : undefined, scopes: federated.scopes };
            // The member to name if impersonation is denied: the usual grant is to the repository's principal set.
            const member = typeof repository === 'string' ? `principalSet://iam.googleapis.com/${provider.pool}/attribute.repository/${repository}` : `principal://iam.googleapis.com/${provider.pool}/subject/${String(sub)}`;
            return impersonate(federated.accessToken, member, target, context);
        },
        credentialsFile: (settings) => workloadIdentityFile(federation, settings.endpoints, target ? generateAccessTokenUrl(settings.endpoints, target.serviceAccount) : undefined, inputs.accessTokenLifetimeSeconds),
        // Nothing here is secret. The job's OIDC claims follow from repository, ref, workflow and event: a token
        // minted for one of them must not serve another that the provider's attribute condition may refuse.
        cacheBinding: {
            secrets: [],
            facts: {
                type: 'workload_identity',
                provider: provider.name,
                audience: federation.audience,
                scopes: federation.scopes,
                ...(target ? { impersonate: target } : {}),
                job: [env.GITHUB_REPOSITORY, env.GITHUB_REF, env.GITHUB_WORKFLOW_REF, env.GITHUB_EVENT_NAME],
            },
        },
    };
}

// EXTERNAL MODULE: ./src/token-folder.ts + 2 modules
var token_folder = __webpack_require__(9671);
;// CONCATENATED MODULE: ./src/token-refresh.ts







/** A new token from the ADC file the main step wrote, with that step's endpoints, scopes and limits. */
async function refreshToken(config, mask, debug) {
    let text;
    try {
        text = (0,external_node_fs_.readFileSync)(config.credentialsFile, 'utf8');
    }
    catch (error) {
        throw new errors/* ActionError */.l(`${token_folder/* TOKEN_COMMAND */.ET} cannot read the credentials file ${config.credentialsFile} to refresh the token (${error.code ?? 'error'}).`, `Leave the credentials file the gemini-auth step wrote in place until the end of the job, and call ${token_folder/* TOKEN_COMMAND */.ET} only in the steps after it.`);
    }
    const source = credentialsSource(credentials_json_parseCredentialsJson(text), config.scopes, config.accessTokenLifetimeSeconds);
    return source.mint({ endpoints: resolveEndpoints(config.universe, config.endpoints), http: httpPolicy(config, debug), mask });
}


/***/ })

};
