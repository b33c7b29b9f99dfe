// The credentials corpus and its manifest agree: every file has its cases, every
// case's file is there with the type it claims, every prepare() yields a file the
// fake can serve, and the corpus holds every type and variant the issues name.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CORPUS, SUPPORT_FILES, type Json } from '../fixtures/credentials/manifest.ts';
import { useFixtureWorld, type FixtureWorld } from '../fixtures/credentials/world.ts';

const ROOT = fileURLToPath(new URL('../fixtures/credentials/', import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    // The manifest writes paths with /, as URLs and POSIX do.
    return statSync(full).isDirectory() ? filesUnder(full) : [path.relative(ROOT, full).split(path.sep).join('/')];
  });
}

function read(relative: string): Json {
  const value: unknown = JSON.parse(readFileSync(path.join(ROOT, relative), 'utf8'));
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), `${relative} holds a JSON object`);
  return value as Json;
}

const source = (json: Json): Json => (json.credential_source ?? {}) as Json;

let world: FixtureWorld;

useFixtureWorld((_fake, made) => {
  world = made;
});

describe('the credentials corpus', () => {
  it('lists every file: as a case of the manifest or as a support file', () => {
    const listed = new Set([...CORPUS.map((fixture) => fixture.path), ...SUPPORT_FILES]);
    const data = filesUnder(ROOT).filter((file) => !/\.(md|ts)$/.test(file));
    assert.deepEqual(data.filter((file) => !listed.has(file)), [], 'files without a case');
    assert.deepEqual([...listed].filter((file) => !existsSync(path.join(ROOT, file))), [], 'cases without a file');
  });

  it('names each case once, and each case its issues', () => {
    const names = CORPUS.map((fixture) => fixture.name);
    assert.equal(new Set(names).size, names.length);
    for (const fixture of CORPUS) assert.ok(fixture.issues.length > 0, fixture.name);
  });

  it('declares the type each file has', () => {
    for (const fixture of CORPUS) {
      const type = read(fixture.path).type;
      assert.equal(type === undefined ? '(none)' : type, fixture.type, fixture.name);
    }
  });

  it('gives each refusal a field to name and a fix, and each mint its requests', () => {
    for (const { name, expect } of CORPUS) {
      if (expect.outcome === 'refuse') assert.ok(expect.names.length > 0 && expect.fix.length > 0, name);
      else assert.ok(expect.requests.length > 0, name);
    }
  });

  it('prepares every file into one of the same type whose identities the fake knows', () => {
    const known = new Set([world.user.refreshToken, world.key.privateKeyPem, world.workforce.refreshToken, world.provider.stsAudience]);
    for (const fixture of CORPUS.filter((candidate) => candidate.prepare)) {
      const original = read(fixture.path);
      const prepared = fixture.prepare!(structuredClone(original), world);
      assert.equal(prepared.type, original.type, `${fixture.name}: prepare() keeps the type`);
      const text = JSON.stringify(prepared);
      assert.ok([...known].some((value) => text.includes(JSON.stringify(value).slice(1, -1))), `${fixture.name}: prepare() swaps in an identity of the world`);
      const file = source(prepared).file ?? source((prepared.source_credentials ?? {}) as Json).file;
      if (typeof file === 'string') assert.ok(existsSync(file), `${fixture.name}: the subject-token file ${file} exists`);
      if (fixture.expect.outcome === 'mint' && fixture.expect.requests.includes('iamcredentials')) {
        assert.ok(text.includes(world.target) || fixture.inputs?.service_account === world.target, `${fixture.name}: impersonates the world's target`);
      }
    }
  });

  it('holds every type and variant of issues 11, 16, 17 and 19', () => {
    const cases = CORPUS.map((fixture) => ({ fixture, json: read(fixture.path) }));
    const has = (what: string, test: (json: Json, fixture: (typeof CORPUS)[number]) => boolean): void => {
      assert.ok(cases.some(({ json, fixture }) => test(json, fixture)), `no case for ${what}`);
    };
    const inner = (json: Json): Json => (json.source_credentials ?? {}) as Json;
    has('authorized_user', (json) => json.type === 'authorized_user');
    has('the quickstart token.json', (json) => json.type === undefined && typeof json.refresh_token === 'string' && typeof json.expiry === 'string');
    has('service_account', (json) => json.type === 'service_account');
    has('external_account, file source', (json) => json.type === 'external_account' && typeof source(json).file === 'string');
    has('external_account, url source', (json) => json.type === 'external_account' && typeof source(json).url === 'string');
    has('external_account, executable source', (json) => json.type === 'external_account' && source(json).executable !== undefined);
    has('external_account, aws source', (json) => json.type === 'external_account' && String(source(json).environment_id).startsWith('aws'));
    has('external_account, certificate source', (json) => json.type === 'external_account' && source(json).certificate !== undefined);
    has('external_account, workforce pool with workforce_pool_user_project', (json) => String(json.audience).includes('/workforcePools/') && json.workforce_pool_user_project !== undefined);
    has('external_account with service_account_impersonation_url', (json) => json.type === 'external_account' && json.service_account_impersonation_url !== undefined);
    has('external_account with the input service_account', (json, fixture) => json.type === 'external_account' && fixture.inputs?.service_account !== undefined);
    has('external_account_authorized_user', (json) => json.type === 'external_account_authorized_user');
    for (const sourceType of ['authorized_user', 'service_account', 'external_account', 'external_account_authorized_user', 'impersonated_service_account', 'gdch_service_account']) {
      has(`impersonated_service_account with a ${sourceType} source`, (json) => json.type === 'impersonated_service_account' && inner(json).type === sourceType);
    }
    has('gdch_service_account', (json) => json.type === 'gdch_service_account');
  });
});
