// What the Google Gen AI SDKs would make of this process's environment, printed
// as one JSON line: whether they call Vertex AI, and with which project and
// location. It follows their code (JS @google/genai 2.18 src/node/node_client.ts
// resolveCloudFlag/getEnv; Python google-genai 2.19 _api_client.py), so a test can
// check the variables a step exports without the SDKs installed.
const env = (name: string): string | undefined => process.env[name]?.trim();

/** GOOGLE_GENAI_USE_ENTERPRISE, when set, wins over GOOGLE_GENAI_USE_VERTEXAI in both SDKs. */
function usesVertex(isTrue: (value: string) => boolean): boolean {
  const chosen = env('GOOGLE_GENAI_USE_ENTERPRISE') ?? env('GOOGLE_GENAI_USE_VERTEXAI');
  return chosen !== undefined && isTrue(chosen);
}

const location = (vertexai: boolean): string | undefined => (vertexai ? (env('GOOGLE_CLOUD_LOCATION') ?? 'global') : undefined);
// JS takes only "true" (any case) as true; Python takes "true" or "1".
const nodeVertex = usesVertex((value) => value.toLowerCase() === 'true');
const pythonVertex = usesVertex((value) => ['true', '1'].includes(value.toLowerCase()));

console.log(
  JSON.stringify({
    node: { vertexai: nodeVertex, project: env('GOOGLE_CLOUD_PROJECT'), location: location(nodeVertex) },
    python: { vertexai: pythonVertex, project: env('GOOGLE_CLOUD_PROJECT'), location: location(pythonVertex) },
    credentialsFile: env('GOOGLE_APPLICATION_CREDENTIALS'),
  }),
);
