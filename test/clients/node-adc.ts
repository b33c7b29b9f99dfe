// A later step's Node program, as a user would write it: google-auth-library's
// default discovery, getClient() then getAccessToken(). Prints one JSON line:
// {"token","projectId","client"} or {"error"}; exit 1 on an error.
import googleAuthLibrary from 'google-auth-library';

const { GoogleAuth } = googleAuthLibrary;

try {
  const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
  const client = await auth.getClient();
  const { token } = await client.getAccessToken();
  const projectId = await auth.getProjectId().catch(() => null);
  process.stdout.write(`${JSON.stringify({ token, projectId, client: client.constructor.name })}\n`);
} catch (error) {
  // Gaxios errors from a refused proxy tunnel have an empty message; their code says what happened.
  const { name, message, code } = error as { name?: string; message?: string; code?: unknown };
  process.stdout.write(`${JSON.stringify({ error: `${name ?? 'Error'}: ${message || '(no message)'}${code ? ` [${String(code)}]` : ''}` })}\n`);
  process.exitCode = 1;
}
