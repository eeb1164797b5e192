// The OpenAPI document is generated from the API's zod schemas. These tests fail when the committed
// files (docs/openapi.json, client/src/types.ts) drift from the code, when a route file under
// app/api/v1 exports a method with no documented operation (or the reverse), and when an error
// code the routes answer with is not documented.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../lib/api/openapi';
import { generatedFiles } from '../../scripts/openapi-files';

const API_DIR = 'app/api/v1';
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(path);
    return entry.name === 'route.ts' ? [path] : [];
  });
}

/** `connections/[id]/proxy/[cloudId]/[...path]/route.ts` → `/api/v1/connections/{id}/proxy/{cloud_id}/{path}`. */
function documentedPath(file: string): string {
  const segments = relative(API_DIR, file).split(sep).slice(0, -1);
  const mapped = segments.map((segment) => {
    const param = /^\[(?:\.\.\.)?(\w+)\]$/.exec(segment)?.[1];
    return param ? `{${param.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}}` : segment;
  });
  return `/${API_DIR.replace(/^app\//, '')}/${mapped.join('/')}`;
}

describe('OpenAPI document', () => {
  it('docs/openapi.json and client/src/types.ts are what `npm run openapi` writes from the code', async () => {
    for (const [path, text] of Object.entries(await generatedFiles())) {
      expect(readFileSync(path, 'utf8'), `${path} is stale: run \`npm run openapi\``).toBe(text);
    }
  });

  it('documents exactly the methods that the route files under app/api/v1 export', async () => {
    const fromFiles: string[] = [];
    for (const file of routeFiles(API_DIR)) {
      const mod = (await import(/* @vite-ignore */ pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
      for (const method of METHODS) if (typeof mod[method] === 'function') fromFiles.push(`${method} ${documentedPath(file)}`);
    }
    const paths = buildOpenApiDocument().paths ?? {};
    const documented = Object.entries(paths).flatMap(([path, item]) =>
      METHODS.filter((m) => (item as Record<string, unknown>)[m.toLowerCase()]).map((m) => `${m} ${path}`),
    );
    expect(fromFiles.length).toBeGreaterThan(10);
    expect(documented.sort()).toEqual(fromFiles.sort());
  });

  it('documents every error code that lib/api and the routes answer with', () => {
    const text = JSON.stringify(buildOpenApiDocument());
    const sources = [...routeFiles(API_DIR), ...readdirSync('lib/api').map((f) => join('lib/api', f))].map((f) => readFileSync(f, 'utf8'));
    const codes = new Set(sources.flatMap((src) => [...src.matchAll(/apiError\(\s*\d{3},\s*'([a-z_]+)'/g)].map((m) => m[1]!)));
    expect(codes.size).toBeGreaterThan(5);
    for (const code of codes) expect(text, `error code ${code}`).toContain(`"${code}"`);
    // ConnectionUnavailableError's codes reach the API through connectionErrorResponse.
    for (const code of ['needs_reauth', 'temporarily_unavailable', 'configuration_error']) expect(text).toContain(`"${code}"`);
  });

  it('every operation has an id, a summary and documents 401 unless it is public', () => {
    for (const [path, item] of Object.entries(buildOpenApiDocument().paths ?? {})) {
      for (const method of METHODS) {
        const op = (item as Record<string, { operationId?: string; summary?: string; security?: unknown[]; responses: Record<string, unknown> }>)[method.toLowerCase()];
        if (!op) continue;
        expect(op.operationId, `${method} ${path}`).toBeTruthy();
        expect(op.summary, `${method} ${path}`).toBeTruthy();
        if (op.security?.length !== 0) expect(Object.keys(op.responses), `${method} ${path}`).toContain('401');
      }
    }
  });
});
